"""Organisation files (``units``, ``people``): the file side of an organisation import.

The same reading, headers, rejects file, preview sample, batch and audit trail as the
CRM tables (:mod:`attain.intake.importer`), but the rows are not upserted one by one:
a unit's parent, a person's manager and a cycle between them can only be judged with
the whole file, so every cell is parsed first (bad cells reject their row), then the
whole file goes to :func:`attain.org.services.import_units` /
:func:`~attain.org.services.import_people`, which reject what is inconsistent and apply
the rest as effective-dated history in one transaction. As for CRM tables, the good
rows are applied and the bad ones go to the rejects file; a row is never half applied,
and rejecting a row rejects the rows that depend on it (docs/import.md).
"""

from __future__ import annotations

import datetime
import re
import time
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from attain.accounts.models import Role
from attain.org import imports, services
from attain.org.imports import KEEP, Outcome, PersonRow, UnitRow

from .parsing import CellError, cell_text, parse_date, shorten_quotes
from .reading import FileProblem, Source, Uncalculated
from .tables import TableSpec

LIMITS = {"code": 64, "name": 200, "title": 64, "email": 254, "phone": 40}
# What an employee id may hold (a slug, as the models and URLs have it),
# once written in half width (an input method's Ｅ９００２ is E9002).
CODE = re.compile(r"[-a-zA-Z0-9_]+")


def _half_width(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def effective_option(options: Mapping[str, Any]) -> datetime.date | None:
    value = options.get("effective")
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise FileProblem(
            _("The effective date “%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}
        ) from None


class _Cells:
    """One row's cells read by column name; a bad cell adds its reason."""

    def __init__(self, cells: list[Any], positions: dict[str, int], whats: dict[str, str]):
        self.cells = cells
        self.positions = positions
        self.whats = whats
        self.reasons: list[str] = []

    def has(self, name: str) -> bool:
        return name in self.positions

    def _cell(self, name: str) -> Any:
        """The cell; a formula whose value the file does not hold is none (its reason
        added), not a person named “=B3”."""
        cell = self.cells[self.positions[name]]
        if cell.__class__ is Uncalculated:
            self.reasons.append(
                shorten_quotes(
                    _(
                        "%(what)s “%(value)s” is a formula whose value the file does not "
                        "hold (the program that wrote it did not calculate it): open the "
                        "file in Excel, save it and import it again"
                    )
                    % {"what": self.whats[name], "value": cell}
                )
            )
            return None
        return cell

    def text(self, name: str, *, required: bool = False) -> Any:
        if name not in self.positions:
            return KEEP
        uncalculated = len(self.reasons)
        value = cell_text(self._cell(name))
        if not value and required and len(self.reasons) == uncalculated:
            self.reasons.append(_("%(what)s is missing") % {"what": self.whats[name]})
        limit = LIMITS.get(name)
        if limit and len(value) > limit:
            self.reasons.append(
                _("%(what)s is longer than %(limit)s characters")
                % {"what": self.whats[name], "limit": limit}
            )
        return value

    def date(self, name: str, *, required: bool = False) -> Any:
        if name not in self.positions:
            return KEEP
        uncalculated = len(self.reasons)
        cell = self._cell(name)
        if cell is None or not cell_text(cell):
            if required and len(self.reasons) == uncalculated:
                self.reasons.append(_("%(what)s is missing") % {"what": self.whats[name]})
            return None
        try:
            return parse_date(cell, what=self.whats[name])
        except CellError as error:
            self.reasons.append(str(error))
            return None

    def email(self) -> Any:
        value = self.text("email")
        if value is KEEP or not value:
            return value
        # an input method's full-width ＠ and digits (ｚｈａｎｇ１２＠…) are the address's;
        # invisible characters pasted with it (a zero-width space, a BOM) are not
        value = "".join(c for c in _half_width(value) if unicodedata.category(c) != "Cf")
        try:
            validate_email(value)
        except ValidationError:
            self.reasons.append(
                _("%(what)s “%(value)s” is not an email address")
                % {"what": self.whats["email"], "value": value}
            )
        return value

    def code(self, name: str, *, required: bool = False, address: bool = False) -> Any:
        """A code without spaces; with ``address`` (an employee id: the person's pages
        are at /people/<id>/), of the letters A–Z, digits, "-" and "_" only."""
        value = self.text(name, required=required)
        if value and value is not KEEP and any(ch.isspace() for ch in value):
            self.reasons.append(
                _("%(what)s “%(value)s” has a space in it")
                % {"what": self.whats[name], "value": value}
            )
        elif address and value and value is not KEEP and not CODE.fullmatch(_half_width(value)):
            if name == "manager":  # a roster that names the manager, or gives their email
                self.reasons.append(
                    _("manager “%(value)s” is not an employee id: give the manager's employee id")
                    % {"value": value}
                )
                return value
            # a code is part of page addresses (/people/E0054/): a dot, a slash or a
            # Chinese character there made every page listing the person fail
            self.reasons.append(
                _("%(what)s “%(value)s” may hold only the letters A–Z, digits, “-” and “_”")
                % {"what": self.whats[name], "value": value}
            )
        return value


def _whats(table: str) -> dict[str, str]:
    if table == "units":
        return {
            "code": _("unit code"),
            "name": _("name"),
            "parent": _("parent unit"),
            "opened": _("start date"),
            "closed": _("end date"),
        }
    return {
        "code": _("employee id"),
        "name": _("name"),
        "unit": _("unit"),
        "unit_name": _("unit name"),
        "manager_name": _("manager's name"),
        "title": _("job role"),
        "role": _("role"),
        "manager": _("manager"),
        "start": _("start date"),
        "end": _("end date"),
        "email": _("email"),
        "phone": _("phone"),
        "effective": _("effective date"),
    }


def _unit_row(number: int, cells: _Cells) -> UnitRow:
    return UnitRow(
        row=number,
        code=cells.code("code", required=True),
        name=cells.text("name", required=True),
        parent=cells.code("parent"),
        opened=cells.date("opened"),
        closed=cells.date("closed"),
    )


def _person_row(number: int, cells: _Cells, roles: dict[str, str]) -> PersonRow:
    role = cells.text("role")
    if role not in (KEEP, ""):
        found = roles.get(role.casefold())
        if found is None:
            cells.reasons.append(
                _("unknown %(what)s “%(value)s” (one of: %(allowed)s)")
                % {
                    "what": cells.whats["role"],
                    "value": role,
                    # the roles as the reader calls them (each also takes its English name)
                    "allowed": ", ".join(str(Role(value).label) for value in Role.values),
                }
            )
        role = found or ""
    effective = cells.date("effective")
    return PersonRow(
        row=number,
        code=cells.code("code", required=True, address=True),
        name=cells.text("name", required=True),
        unit=cells.code("unit", required=True),
        unit_name=cells.text("unit_name"),
        start=cells.date("start", required=True),
        title=cells.text("title"),
        manager=cells.code("manager", address=True),
        manager_name=cells.text("manager_name"),
        end=cells.date("end"),
        email=cells.email(),
        phone=cells.text("phone"),
        role=role,
        effective=None if effective is KEEP else effective,
    )


def import_org_file(
    spec: TableSpec,
    actor: Any,
    source: Source,
    positions: dict[str, int],
    result: Any,
    rejects: Any,
    *,
    dry_run: bool,
    sample_size: int,
    options: Mapping[str, Any],
    reason: str,
    audit_batch: str,
    finish: Callable[[Any], None] | None,
    progress: Callable[[int, float], None] | None,
) -> None:
    """Read every row, hand the file to attain.org's services, fill ``result``."""
    from .importer import NEW, REJECTED, UPDATE, SampleRow

    started = time.monotonic()
    on = effective_option(options)
    whats = _whats(spec.name)
    roles = imports.role_lookup()
    width = len(source.header)
    cells_of: dict[int, list[Any]] = {}
    cell_reasons: dict[int, str] = {}
    parsed: list[Any] = []
    number = source.header_row  # the header's row, as Excel shows it
    for raw in source.rows:
        number += 1
        cells = [*raw, *([""] * (width - len(raw)))] if len(raw) < width else raw
        if not any(cell_text(c) for c in cells):
            continue
        result.rows += 1
        cells_of[number] = cells
        reader = _Cells(cells, positions, whats)
        row = (
            _unit_row(number, reader)
            if spec.name == "units"
            else _person_row(number, reader, roles)
        )
        if reader.reasons:
            cell_reasons[number] = pgettext("reasons separator", "; ").join(reader.reasons)
        else:
            parsed.append(row)
        if progress is not None and result.rows % 10_000 == 0:
            progress(result.rows, time.monotonic() - started)

    def apply(write: bool) -> Outcome:
        kwargs: dict[str, Any] = {"write": write, "batch": audit_batch, "reason": reason}
        if spec.name == "units":
            return services.import_units(actor, parsed, **kwargs)
        return services.import_people(
            actor, parsed, on=on, logins=not options.get("no_logins"), **kwargs
        )

    def report(outcome: Outcome) -> dict[int, str]:
        _count(result, outcome, cell_reasons)
        result.warnings = [
            _("row %(row)s: %(warning)s") % {"row": row_number, "warning": warning}
            for row_number, warning in outcome.warnings
            if row_number not in outcome.rejected
        ]
        reasons = {**outcome.rejected, **cell_reasons}
        for row_number in sorted(reasons):
            rejects.write(row_number, reasons[row_number], cells_of[row_number])
        rejects.close()
        if rejects.writer is not None:
            result.rejects_path = rejects.path
        return reasons

    merging = time.monotonic()
    if dry_run:
        outcome = apply(False)
        reasons = report(outcome)
    else:
        with transaction.atomic():
            outcome = apply(True)
            reasons = report(outcome)
            if finish is not None:
                finish(result)
    result.merge_seconds = time.monotonic() - merging
    labels = {imports.NEW: NEW, imports.UPDATE: UPDATE, imports.UNCHANGED: "unchanged"}
    for row_number in sorted(cells_of)[:sample_size]:
        texts = [cell_text(c) for c in cells_of[row_number][:width]]
        if row_number in reasons:
            result.sample.append(SampleRow(row_number, texts, REJECTED, reasons[row_number]))
        else:
            result.sample.append(SampleRow(row_number, texts, labels[outcome.outcome[row_number]]))
    if spec.name == "people":
        result.notes.append(
            f"transfers {outcome.transfers}, leavers {outcome.leavers}, "
            f"logins created {outcome.logins_created}, linked {outcome.logins_linked}"
        )
        if not dry_run and outcome.invitations and options.get("invite", True):
            base_url = str(options.get("base_url") or settings.ATTAIN_BASE_URL)
            try:
                sent = services.invite_logins(actor, outcome.invitations, base_url=base_url)
            except OSError as error:  # the import stands; the invitations can be resent
                result.invitations_failed = f"{type(error).__name__}: {error}"[:500]
                result.notes.append(f"invitations not sent: {error}")
            else:
                result.notes.append(f"invitations sent {sent}")
    result.seconds = time.monotonic() - started
    if progress is not None:
        progress(result.rows, result.seconds)


def _count(result: Any, outcome: Outcome, cell_reasons: dict[int, str]) -> None:
    result.imported = outcome.count(imports.NEW)
    result.updated = outcome.count(imports.UPDATE)
    result.unchanged = outcome.count(imports.UNCHANGED)
    result.rejected = len(outcome.rejected) + len(cell_reasons)
