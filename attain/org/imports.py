"""Organisation files applied in bulk: units and people, checked as a whole against
what is stored, then written as effective-dated history.

The file side (headers, encodings, cells) is :mod:`attain.intake.orgfiles`; this module
receives rows whose cells are already parsed and decides, for the whole file at once:

- which rows are rejected, each with its reason: a code twice in the file, an end date
  before a start date, an unknown unit or manager, a parent unit that is missing, a
  manager who starts after their report's change (or has left), a cycle of managers or of
  parent units, a leaver who still manages people (or someone new or moved still
  employed after their manager's last day), a change dated before the person's latest
  recorded change. Rejecting a row can make another row wrong (a report whose new
  manager was rejected): the checks run again until nothing more is rejected, so what is
  written is consistent on its own and with what is stored;
- what the other rows change: a new unit or person, a changed name, email or phone, a
  transfer (unit, manager or job role) from the effective date, a leaver (the end date);
  a row that changes nothing is a no-op. Someone new under a manager who starts after
  them (a roster gives today's manager) has no manager until that manager's start and
  reports to them from then: two assignments, with a warning for the row.

Writes are bulk statements (one per kind, executemany) in the caller's transaction,
with one audit event per created or changed record (:func:`attain.audit.services.record_bulk`).
A transfer splits the person's latest assignment at the effective date exactly as
:func:`attain.org.services.transfer_person` does; a leaver's assignment ends the day after
their last day, as :func:`attain.org.services.end_employment` does.
"""

from __future__ import annotations

import datetime
import re
import secrets
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from attain.accounts.models import Role, User
from attain.audit.models import Action
from attain.audit.services import record_bulk

from . import events
from .models import Assignment, Person, Unit
from .selectors import PRIVILEGED, login_roles, role_of

DAY = datetime.timedelta(days=1)
NEW, UPDATE, UNCHANGED = "new", "update", "unchanged"


class _Keep:
    """A column the file does not have: the stored value stays."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


# Rows in -----------------------------------------------------------------------------


@dataclass
class UnitRow:
    row: int  # as Excel numbers it (the header is row 1)
    code: str
    name: str
    parent: str = KEEP  # a unit's code, "" for none
    opened: datetime.date | None = KEEP
    closed: datetime.date | None = KEEP


@dataclass
class PersonRow:
    row: int
    code: str
    name: str
    unit: str  # a unit's code
    start: datetime.date
    title: str = KEEP  # the job role plans select on (Assignment.title)
    manager: str = KEEP  # an employee id, "" for none
    end: datetime.date | None = KEEP
    email: str = KEEP
    phone: str = KEEP
    role: str = KEEP  # the login's role (accounts.Role), "" for the default
    effective: datetime.date | None = None  # this row's changes take effect on
    unit_name: str = KEEP  # the unit's name beside its code: checked, never written
    manager_name: str = KEEP  # the manager's name beside their id: checked, never written


@dataclass
class Outcome:
    """What a file did (or, in a dry run, would do): per row, and counted."""

    outcome: dict[int, str] = field(default_factory=dict)  # row → new / update / unchanged
    rejected: dict[int, str] = field(default_factory=dict)  # row → reason
    transfers: int = 0
    leavers: int = 0
    logins_created: int = 0
    logins_linked: int = 0
    invitations: list[int] = field(default_factory=list)  # user ids to invite
    # what was applied but the importer should look at: (row, translated text)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    def count(self, what: str) -> int:
        return sum(1 for value in self.outcome.values() if value == what)


def _reject(outcome: Outcome, row: int, reason: str) -> None:
    if row not in outcome.rejected:
        outcome.rejected[row] = reason


def _duplicates(rows: Iterable[UnitRow | PersonRow], outcome: Outcome, what: str) -> None:
    by_code: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        by_code[row.code.casefold()].append(row.row)
    for numbers in by_code.values():
        if len(numbers) > 1:
            listed = pgettext("list separator", ", ").join(str(n) for n in numbers)
            for number in numbers:
                _reject(
                    outcome,
                    number,
                    what % {"rows": listed},
                )


def _cycles(parent_of: dict[str, str | None]) -> list[list[str]]:
    """The cycles of a graph where each node has at most one parent (iterative)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    found: list[list[str]] = []
    for start in parent_of:
        if state.get(start):
            continue
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parent_of and not state.get(node):
            state[node] = 1
            path.append(node)
            node = parent_of[node]
        if node is not None and state.get(node) == 1:
            found.append(path[path.index(node) :])
        for visited in path:
            state[visited] = 2
    return found


def _json(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after[k]]
    return ({k: _json(before.get(k)) for k in keys}, {k: _json(after[k]) for k in keys})


def _executemany(sql: str, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def _insert(model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (values by field name) with one executemany: no model instances."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = list(rows[0])
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    marks = ", ".join(["%s"] * len(names))
    _executemany(
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})",
        [tuple(row[name] for name in names) for row in rows],
    )


def _ids_by_code(model: type[Person] | type[Unit], codes: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(codes), 5000):
        part = codes[start : start + 5000]
        found.update(model.objects.filter(code__in=part).values_list("code", "pk"))
    return found


# Units -------------------------------------------------------------------------------


def plan_and_write_units(
    actor: Any, rows: list[UnitRow], *, write: bool, batch: str, reason: str
) -> Outcome:
    outcome = Outcome()
    spelled = _unit_spelling(
        Unit.objects.values_list("code", flat=True), (row.code for row in rows)
    )
    for row in rows:
        row.code = spelled(row.code)
        if row.parent is not KEEP and row.parent:
            row.parent = spelled(row.parent)
    _duplicates(
        rows, outcome, _("the same unit code is in the file more than once (rows %(rows)s)")
    )
    stored = {
        code: (pk, name, parent, opened, closed)
        for pk, code, name, parent, opened, closed in Unit.objects.values_list(
            "pk", "code", "name", "parent_id", "opened", "closed"
        )
    }
    code_of = {value[0]: code for code, value in stored.items()}
    person_codes = set(Person.objects.values_list("code", flat=True))
    for row in rows:
        if row.code in person_codes:
            _reject(
                outcome,
                row.row,
                _("“%(code)s” is already a person's employee id") % {"code": row.code},
            )
        known = stored.get(row.code)
        opened = row.opened if row.opened is not KEEP else (known[3] if known else None)
        closed = row.closed if row.closed is not KEEP else (known[4] if known else None)
        if opened is not None and closed is not None and closed < opened:
            _reject(
                outcome,
                row.row,
                _("the end date %(end)s is before the start date %(start)s")
                % {"end": _day(closed), "start": _day(opened)},
            )

    def parent_code(row: UnitRow) -> str | None:
        if row.parent is KEEP:
            stored_row = stored.get(row.code)
            return code_of.get(stored_row[2]) if stored_row and stored_row[2] else None
        return row.parent or None

    while True:
        accepted = {r.code: r for r in rows if r.row not in outcome.rejected}
        before = len(outcome.rejected)
        for row in accepted.values():
            parent = parent_code(row)
            if parent is None:
                continue
            if parent not in accepted and parent not in stored:
                rejected_row = next(
                    (r.row for r in rows if r.code == parent and r.row in outcome.rejected), None
                )
                if rejected_row is not None:
                    message = _("the parent unit “%(parent)s” is rejected (row %(other)s)") % {
                        "parent": parent,
                        "other": rejected_row,
                    }
                else:
                    message = _("the parent unit “%(parent)s” is missing") % {"parent": parent}
                _reject(outcome, row.row, message)
        parents: dict[str, str | None] = {
            code: (code_of.get(value[2]) if value[2] else None) for code, value in stored.items()
        }
        for code, row in accepted.items():
            if row.row not in outcome.rejected:
                parents[code] = parent_code(row)
        for cycle in _cycles(parents):
            chain = " → ".join([*cycle, cycle[0]])
            for code in cycle:
                if code in accepted:
                    _reject(
                        outcome,
                        accepted[code].row,
                        _("the units would form a cycle: %(chain)s") % {"chain": chain},
                    )
        if len(outcome.rejected) == before:
            break
    accepted = {r.code: r for r in rows if r.row not in outcome.rejected}
    _check_closing_units(accepted, stored, outcome)
    accepted = {r.code: r for r in rows if r.row not in outcome.rejected}

    new: list[UnitRow] = []
    changed: list[tuple[UnitRow, dict[str, Any], dict[str, Any]]] = []
    for code, row in accepted.items():
        if code not in stored:
            new.append(row)
            outcome.outcome[row.row] = NEW
            continue
        _pk, name, parent_id, opened, closed = stored[code]
        old: dict[str, Any] = {
            "name": name,
            "parent": code_of.get(parent_id) if parent_id else None,
        }
        now: dict[str, Any] = {"name": row.name, "parent": parent_code(row)}
        old["opened"], old["closed"] = opened, closed
        now["opened"] = opened if row.opened is KEEP else row.opened
        now["closed"] = closed if row.closed is KEEP else row.closed
        if old == now:
            outcome.outcome[row.row] = UNCHANGED
        else:
            outcome.outcome[row.row] = UPDATE
            changed.append((row, old, now))
    if not write:
        return outcome

    Unit.objects.bulk_create(
        [
            Unit(
                code=r.code,
                name=r.name,
                opened=None if r.opened is KEEP else r.opened,
                closed=None if r.closed is KEEP else r.closed,
            )
            for r in new
        ],
        batch_size=2000,
    )
    ids = dict(Unit.objects.values_list("code", "pk"))
    parent_rows = [(ids.get(parent_code(r) or ""), ids[r.code]) for r in new]
    parent_rows += [
        (ids[now["parent"]] if now["parent"] else None, ids[row.code]) for row, _o, now in changed
    ]
    table = Unit._meta.db_table
    _executemany(f"UPDATE {table} SET parent_id = %s WHERE id = %s", parent_rows)
    if any(old["parent"] != now["parent"] for _row, old, now in changed):
        events.note([], [events.ALWAYS])  # a unit moved in the tree: every period
    _executemany(
        f"UPDATE {table} SET name = %s, opened = %s, closed = %s WHERE id = %s",
        [(now["name"], now["opened"], now["closed"], ids[row.code]) for row, _o, now in changed],
    )
    kwargs = {"reason": reason, "batch": batch}
    record_bulk(
        actor,
        Action.CREATE,
        Unit,
        (
            (
                ids[r.code],
                None,
                {
                    "code": r.code,
                    "name": r.name,
                    "parent": ids.get(parent_code(r) or ""),
                    "opened": _json(None if r.opened is KEEP else r.opened),
                    "closed": _json(None if r.closed is KEEP else r.closed),
                },
            )
            for r in new
        ),
        describe=lambda pk, before, after: after["name"],
        **kwargs,
    )
    updates = []
    for row, old, now in changed:
        before_values, after_values = _diff(
            {**old, "parent": ids.get(old["parent"] or "")},
            {**now, "parent": ids.get(now["parent"] or "")},
        )
        updates.append((ids[row.code], before_values, after_values))
    record_bulk(actor, Action.UPDATE, Unit, updates, **kwargs)
    return outcome


def _check_closing_units(
    accepted: dict[str, UnitRow], stored: dict[str, tuple[Any, ...]], outcome: Outcome
) -> None:
    """A unit closed by the file must have no one assigned after its last day."""
    closing = {
        stored[code][0]: (row, row.closed)
        for code, row in accepted.items()
        if code in stored and row.closed not in (KEEP, None) and row.closed != stored[code][4]
    }
    if not closing:
        return
    busy: dict[int, set[str]] = defaultdict(set)
    for unit_id, _valid_from, valid_to, name in Assignment.objects.filter(
        unit_id__in=list(closing)
    ).values_list("unit_id", "valid_from", "valid_to", "person__name"):
        closed = closing[unit_id][1]
        if valid_to is None or valid_to > closed + DAY:
            busy[unit_id].add(name)
    for unit_id, names in busy.items():
        row, closed = closing[unit_id]
        _reject(
            outcome,
            row.row,
            _("people are still in the unit after %(closed)s: %(names)s")
            % {
                "closed": _day(closed),
                "names": pgettext("list separator", ", ").join(sorted(names)[:5]),
            },
        )


# People ------------------------------------------------------------------------------


@dataclass
class _Stored:
    pk: int
    name: str
    email: str
    phone: str
    start: datetime.date
    end: datetime.date | None
    user_id: int | None
    # the latest assignment: pk, unit id, manager id, title, valid_from, valid_to
    latest: tuple[int, int, int | None, str, datetime.date, datetime.date | None] | None = None


@dataclass
class _Plan:
    row: PersonRow
    stored: _Stored | None
    unit: str
    manager: str | None
    title: str
    end: datetime.date | None
    on: datetime.date  # when the assignment change takes effect
    # someone new whose manager starts after them: the day the reporting line starts
    manager_from: datetime.date | None = None
    moves: bool = False  # unit, manager or job role change
    leaves: bool = False  # a new end date
    details: dict[str, Any] = field(default_factory=dict)  # name / email / phone changed


def _by_administrator(actor: Any) -> bool:
    """Whether the import is an administrator's or the system's (the command line)."""
    return actor is None or role_of(actor) == Role.ADMIN


_DIGITS = re.compile(r"[0-9]+")


def fold_code(code: str) -> str:
    """An employee id as it is compared: case, width (full-width Ｅ９００２) and
    surrounding spaces do not matter."""
    return unicodedata.normalize("NFKC", code).strip().casefold()


def fold_email(email: str) -> str:
    """An email address as compared while single sign-on matches people by it: as an
    employee id (:func:`fold_code`), case, width and surrounding spaces do not matter."""
    return fold_code(email)


def sso_matches_by_email() -> bool:
    """Whether single sign-on finds the person signing in by their email address."""
    return bool(getattr(settings, "ATTAIN_SSO_ENABLED", False)) and (
        getattr(settings, "ATTAIN_SSO_MATCH", "email") == "email"
    )


def email_holder(email: str, *, today: datetime.date, other_than: int | None = None) -> str | None:
    """The employee id of an active person (employment not ended before ``today``) other
    than ``other_than`` whose email compares equal to ``email`` (:func:`fold_email`),
    or None."""
    folded = fold_email(email or "")
    if not folded:
        return None
    people = Person.objects.exclude(email="").filter(Q(end__isnull=True) | Q(end__gte=today))
    if other_than is not None:
        people = people.exclude(pk=other_than)
    for code, stored in people.order_by("code").values_list("code", "email").iterator():
        if fold_email(stored) == folded:
            return str(code)
    return None


def _folded(text: str) -> str:
    """A name as it is compared: width, case and spaces do not matter."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _folded_lookup(codes: Iterable[str]) -> Callable[[str], str | None]:
    """The stored code that ``code`` names whatever its case or width (:func:`fold_code`):
    itself when stored, else the one stored code that folds alike; ``code`` itself when
    two do (stored before codes were folded: only the exact one names one of them);
    None when none does."""
    stored = set(codes)
    folded: dict[str, set[str]] = defaultdict(set)
    for code in stored:
        folded[fold_code(code)].add(code)

    def lookup(code: str) -> str | None:
        if code in stored:
            return code
        found = folded.get(fold_code(code), set())
        if len(found) == 1:
            return next(iter(found))
        return code if found else None

    return lookup


def _unit_spelling(codes: Iterable[str], first: Iterable[str] = ()) -> Any:
    """A unit code as the stored unit spells it (``EAST`` is east), else as the file's
    first row of that unit does: units are looked up whatever the case or width of
    their code, and a unit keeps the code it was first written with."""
    known = _folded_lookup(codes)
    in_file: dict[str, str] = {}
    for code in first:
        in_file.setdefault(fold_code(code), code)

    def spelled(code: str) -> str:
        found = known(code)
        return found if found is not None else in_file.get(fold_code(code), code)

    return spelled


def _stored_spelling(
    rows: list[PersonRow], stored: dict[str, _Stored], outcome: Outcome | None = None
) -> None:
    """Employee ids (a row's own and its manager's) spelled as the stored person's, or as
    the file's first row of that person (in half width), where they differ only as
    :func:`fold_code` ignores: ``e0054`` is E0054, not a second person. An id of digits
    that names no one but one stored person once the leading zeros of both are dropped
    is that person (Excel reads 00123 as the number 123), with a warning."""
    known = _folded_lookup(stored)
    unpadded: dict[str, set[str]] = defaultdict(set)
    for code in stored:
        if _DIGITS.fullmatch(fold_code(code)):
            unpadded[fold_code(code).lstrip("0")].add(code)
    first: dict[str, str] = {}  # a new person's id in half width (an input method's Ｅ９ is E9)
    for row in rows:
        first.setdefault(fold_code(row.code), unicodedata.normalize("NFKC", row.code).strip())

    def spelled(code: str) -> str:
        found = known(code)
        if found is not None:
            return found
        if _DIGITS.fullmatch(fold_code(code)):
            padded = unpadded.get(fold_code(code).lstrip("0"), set())
            if len(padded) == 1:
                return next(iter(padded))
        return first.get(fold_code(code), code)

    def unzeroed(number: int, code: str) -> str:
        found = spelled(code)
        if outcome is not None and fold_code(found) != fold_code(code):
            outcome.warnings.append(
                (
                    number,
                    _(
                        "employee id “%(code)s” is taken as the stored “%(stored)s” "
                        "(a spreadsheet may have dropped its leading zeros)"
                    )
                    % {"code": code, "stored": found},
                )
            )
        return found

    for row in rows:
        row.code = unzeroed(row.row, row.code)
        if row.manager is not KEEP and row.manager:
            row.manager = unzeroed(row.row, row.manager)


def _stored_people() -> dict[str, _Stored]:
    people = {
        code: _Stored(pk, name, email, phone, start, end, user_id)
        for pk, code, name, email, phone, start, end, user_id in Person.objects.values_list(
            "pk", "code", "name", "email", "phone", "start", "end", "user_id"
        )
    }
    by_pk = {p.pk: p for p in people.values()}
    for row in Assignment.objects.order_by("person_id", "valid_from").values_list(
        "person_id", "pk", "unit_id", "manager_id", "title", "valid_from", "valid_to"
    ):
        by_pk[row[0]].latest = row[1:]  # ordered: the last one wins
    return people


def plan_and_write_people(
    actor: Any,
    rows: list[PersonRow],
    *,
    on: datetime.date | None,
    write: bool,
    batch: str,
    reason: str,
    logins: bool = True,
) -> Outcome:
    """Check and (when ``write``) apply a people file; ``on``: when changes take effect
    for rows without their own effective date (default: today)."""
    outcome = Outcome()
    today = timezone.localdate()
    default_on = on or today
    stored = _stored_people()
    _stored_spelling(rows, stored, outcome)
    _duplicates(
        rows, outcome, _("the same employee id is in the file more than once (rows %(rows)s)")
    )
    code_by_pk = {p.pk: code for code, p in stored.items()}
    units = {
        code: (pk, opened, closed)
        for pk, code, opened, closed in Unit.objects.values_list("pk", "code", "opened", "closed")
    }
    unit_names = dict(Unit.objects.values_list("code", "name"))
    unit_spelled = _unit_spelling(units)
    for row in rows:
        row.unit = unit_spelled(row.unit)

    row_of_code: dict[str, int] = {}
    for row in rows:
        row_of_code.setdefault(row.code, row.row)
    # a manager's name beside their id (直属上级 and 上级工号): the file's name, else the stored
    person_names = {code: p.name for code, p in stored.items()}
    person_names.update({row.code: row.name for row in rows if row.row not in outcome.rejected})
    # Only an administrator (or the system) gives a role above manager, or changes the
    # role or the email of someone whose login has one (single sign-on signs a login in
    # by its person's email): the logins' roles, when the importer is not one.
    roles_now = None if _by_administrator(actor) else login_roles()
    plans: dict[str, _Plan] = {}
    for row in rows:
        if row.row in outcome.rejected:
            continue
        reasons: list[str] = []
        old = stored.get(row.code)
        latest = old.latest if old else None
        if row.code in units:
            reasons.append(_("“%(code)s” is already a unit's code") % {"code": row.code})
        # an empty end cell leaves a stored end date alone: an import does not re-hire
        end = row.end if row.end not in (KEEP, None) else (old.end if old else None)
        if row.end not in (KEEP, None) and row.end < row.start:
            reasons.append(
                _("the end date %(end)s is before the start date %(start)s")
                % {"end": _day(row.end), "start": _day(row.start)}
            )
        if row.unit not in units:
            reasons.append(_("unknown unit “%(unit)s”") % {"unit": row.unit})
        elif row.unit_name not in (KEEP, "") and _folded(row.unit_name) != _folded(
            unit_names[row.unit]
        ):
            outcome.warnings.append(
                (
                    row.row,
                    _("unit code “%(unit)s” is “%(stored)s” in Attain; the file says “%(name)s”")
                    % {
                        "unit": row.unit,
                        "stored": unit_names[row.unit],
                        "name": row.unit_name,
                    },
                )
            )
        manager_known = person_names.get(row.manager) if row.manager not in (KEEP, "") else None
        if (
            row.manager_name not in (KEEP, "")
            and manager_known is not None
            and _folded(row.manager_name) != _folded(manager_known)
        ):
            outcome.warnings.append(
                (
                    row.row,
                    _("manager “%(manager)s” is “%(stored)s”; the file says “%(name)s”")
                    % {"manager": row.manager, "stored": manager_known, "name": row.manager_name},
                )
            )
        if old is not None and old.end is not None and row.start > old.end:
            # a rehire under the same 工号 (HR systems that keep it): the rehire date is
            # no correction of the first employment's start
            reasons.append(
                _(
                    "the person left on %(end)s and an import does not re-hire: someone "
                    "rehired gets a new employee id"
                )
                % {"end": _day(old.end)}
            )
        elif old is not None and old.start != row.start:
            reasons.append(
                _(
                    "the start date %(start)s differs from the stored one (%(stored)s); "
                    "a start date is corrected on the person's page, not by an import"
                )
                % {"start": _day(row.start), "stored": _day(old.start)}
            )
        if old is not None and old.end is not None and row.end not in (KEEP, None, old.end):
            reasons.append(
                _("the person already left on %(stored)s; the file says %(end)s")
                % {"stored": _day(old.end), "end": _day(row.end)}
            )
        if roles_now is not None:
            current = roles_now.get(old.user_id) if old is not None and old.user_id else None
            if row.role not in (KEEP, "") and row.role != current:
                if row.role in PRIVILEGED:
                    reasons.append(
                        _("only an administrator may give the role “%(role)s”")
                        % {"role": Role(row.role).label}
                    )
                elif current in PRIVILEGED:
                    reasons.append(
                        _("only an administrator may change the role of a login “%(role)s”")
                        % {"role": Role(current).label}
                    )
            if current in PRIVILEGED and row.email is not KEEP and old and row.email != old.email:
                # single sign-on signs the login in by this address
                reasons.append(
                    _("only an administrator may change the email of a login “%(role)s”")
                    % {"role": Role(current).label}
                )
        if reasons:
            _reject(outcome, row.row, "; ".join(reasons))
            continue
        old_manager = code_by_pk.get(latest[2]) if latest and latest[2] else None
        plan = _Plan(
            row=row,
            stored=old,
            unit=row.unit,
            manager=(row.manager or None) if row.manager is not KEEP else old_manager,
            title=(row.title or (latest[3] if latest else "rep"))
            if row.title is not KEEP
            else (latest[3] if latest else "rep"),
            end=end,
            on=row.start if old is None else (row.effective or default_on),
        )
        if old is not None:
            if latest is not None:
                plan.moves = (units[plan.unit][0], plan.manager, plan.title) != (
                    latest[1],
                    old_manager,
                    latest[3],
                )
            else:
                plan.moves = True
            plan.leaves = old.end is None and end is not None
            for name in ("name", "email", "phone"):
                value = getattr(row, name)
                if value is not KEEP and value != getattr(old, name):
                    plan.details[name] = value
        problem = _dates_problem(plan)
        if not problem and (old is None or plan.moves):
            _unit_id, opened, closed = units[plan.unit]
            if (opened is not None and opened > plan.on) or (
                closed is not None and closed < plan.on
            ):
                problem = _("The unit “%(unit)s” is not open on %(on)s.") % {
                    "unit": plan.unit,
                    "on": _day(plan.on),
                }
        if problem:
            _reject(outcome, row.row, problem)
            continue
        plans[row.code] = plan

    # References, checked against the state the file leads to, until nothing changes.
    while True:
        before = len(outcome.rejected)
        live = {c: p for c, p in plans.items() if p.row.row not in outcome.rejected}
        start_of = {c: p.start for c, p in stored.items()}
        end_of = {c: p.end for c, p in stored.items()}
        manager_of: dict[str, str | None] = {
            c: (code_by_pk.get(p.latest[2]) if p.latest and p.latest[2] else None)
            for c, p in stored.items()
        }
        for code, plan in live.items():
            start_of[code], end_of[code], manager_of[code] = plan.row.start, plan.end, plan.manager
        # stored people who leave in this file: their reports are _check_leavers' concern
        leaving = {c for c, p in live.items() if p.leaves}
        for code, plan in live.items():
            problem = _manager_problem(
                code, plan, start_of, end_of, row_of_code, outcome, leaving=leaving
            )
            if problem:
                _reject(outcome, plan.row.row, problem)
        for cycle in _cycles(manager_of):
            chain = " → ".join([*cycle, cycle[0]])
            for code in cycle:
                if code in live:
                    _reject(
                        outcome,
                        live[code].row.row,
                        _("the managers would form a cycle: %(chain)s") % {"chain": chain},
                    )
        _check_leavers(live, stored, manager_of, end_of, code_by_pk, outcome)
        if len(outcome.rejected) == before:
            # addresses last: only the rows imported take one (a rejected row keeps
            # its person's stored address); a refusal here may reject more rows
            _shared_emails(live, stored, end_of, today, outcome)
        if len(outcome.rejected) == before:
            break

    live = {c: p for c, p in plans.items() if p.row.row not in outcome.rejected}
    for plan in live.values():
        if plan.stored is None and plan.manager and start_of[plan.manager] > plan.row.start:
            plan.manager_from = start_of[plan.manager]
            outcome.warnings.append(
                (
                    plan.row.row,
                    _(
                        "reports to “%(manager)s” from %(start)s, when %(manager)s starts; "
                        "no manager before"
                    )
                    % {"manager": plan.manager, "start": _day(plan.manager_from)},
                )
            )
    for plan in live.values():
        if plan.stored is None:
            outcome.outcome[plan.row.row] = NEW
        elif plan.moves or plan.leaves or plan.details:
            outcome.outcome[plan.row.row] = UPDATE
            outcome.transfers += plan.moves
            outcome.leavers += plan.leaves
        else:
            outcome.outcome[plan.row.row] = UNCHANGED
    user_of: dict[str, int] = {}
    if logins:
        user_of = _logins(actor, live, write=write, batch=batch, reason=reason, outcome=outcome)
    if write:
        _write_people(actor, live, stored, units, user_of, batch=batch, reason=reason)
    return outcome


def _shared_emails(
    live: dict[str, _Plan],
    stored: dict[str, _Stored],
    end_of: dict[str, datetime.date | None],
    today: datetime.date,
    outcome: Outcome,
) -> None:
    """While single sign-on matches people by email, an active person may not take an
    address another active person has: it would refuse both. Otherwise the row is
    imported with a warning (a team's shared mailbox).
    Checked against the state the file leads to (``live``: the rows imported; a
    rejected row's person keeps their stored address): a stored person who keeps
    their address keeps it, else the first row that gives it."""

    by_email = sso_matches_by_email()

    def active(code: str) -> bool:
        end = end_of.get(code)
        return end is None or end >= today

    def changes(plan: _Plan | None, person: _Stored | None) -> bool:
        """Whether an imported row gives its person an address they have not got."""
        if plan is None or plan.row.email is KEEP or not plan.row.email:
            return False
        return person is None or fold_email(plan.row.email) != fold_email(person.email)

    owner: dict[str, str] = {}
    for code, person in stored.items():
        if person.email and active(code) and not changes(live.get(code), person):
            owner.setdefault(fold_email(person.email), code)
    for code, plan in live.items():
        email = plan.row.email
        if not changes(plan, stored.get(code)) or not active(code):
            continue
        holder = owner.setdefault(fold_email(email), code)
        if holder == code:
            continue
        if by_email:
            _reject(
                outcome,
                plan.row.row,
                _(
                    "email “%(email)s” already belongs to %(code)s; two people with one "
                    "email cannot sign in with single sign-on"
                )
                % {"email": email, "code": holder},
            )
        else:  # a shared mailbox harms no one until single sign-on matches by email
            outcome.warnings.append(
                (
                    plan.row.row,
                    _(
                        "email “%(email)s” is %(code)s’s too: before single sign-on "
                        "matches people by email, give each person an address of their own"
                    )
                    % {"email": email, "code": holder},
                )
            )


def _day(day: datetime.date) -> str:
    """A day in a reason, as the reader's language writes dates."""
    return date_format(day, "DATE_FORMAT")


def _dates_problem(plan: _Plan) -> str:
    """A change of an existing person must fit their history."""
    old = plan.stored
    if old is None:
        return ""
    latest = old.latest
    end = plan.end
    if plan.moves:
        if plan.on < old.start:
            return _(
                "the change takes effect on %(on)s, before the employment start (%(start)s)"
            ) % {"on": _day(plan.on), "start": _day(old.start)}
        if latest is not None and plan.on < latest[4]:
            return _(
                "the change takes effect on %(on)s, but a change from %(latest)s is recorded; "
                "give a later effective date"
            ) % {"on": _day(plan.on), "latest": _day(latest[4])}
        if end is not None and plan.on > end and old.end == end and plan.row.end in (KEEP, None):
            # the file leaves the end date empty (or has none) for someone who left
            return _(
                "the person left on %(end)s and an import does not re-hire: someone "
                "rehired gets a new employee id"
            ) % {"end": _day(end)}
        if end is not None and plan.on > end:
            return _("the change takes effect on %(on)s, after the last day (%(end)s)") % {
                "on": _day(plan.on),
                "end": _day(end),
            }
    if plan.leaves and latest is not None and end is not None and latest[4] > end:
        return _("changes are recorded after the last day %(end)s") % {"end": _day(end)}
    return ""


def _manager_problem(
    code: str,
    plan: _Plan,
    start_of: dict[str, datetime.date],
    end_of: dict[str, datetime.date | None],
    row_of_code: dict[str, int],
    outcome: Outcome,
    *,
    leaving: set[str],
) -> str:
    manager = plan.manager
    if manager is None or not (plan.stored is None or plan.moves):
        return ""
    if manager == code:
        return _("a person cannot be their own manager")
    if manager not in start_of:
        other = row_of_code.get(manager)
        if other is not None and other in outcome.rejected:
            return _("the manager “%(manager)s” is rejected (row %(other)s)") % {
                "manager": manager,
                "other": other,
            }
        return _("unknown manager “%(manager)s”") % {"manager": manager}
    day = plan.on
    if start_of[manager] > day and plan.stored is None:
        # someone new reports to a manager who joins later from the manager's first day
        # (the roster gives today's manager): under no manager until then
        day = start_of[manager]
        if plan.end is not None and plan.end < day:
            return _(
                "the manager “%(manager)s” starts on %(start)s, after the last day %(end)s"
            ) % {"manager": manager, "start": _day(day), "end": _day(plan.end)}
    if start_of[manager] > day:
        return _("the manager “%(manager)s” starts on %(start)s, after %(on)s") % {
            "manager": manager,
            "start": _day(start_of[manager]),
            "on": _day(day),
        }
    manager_end = end_of[manager]
    if manager_end is not None and manager_end < day:
        return _("the manager “%(manager)s” left on %(end)s, before %(on)s") % {
            "manager": manager,
            "end": _day(manager_end),
            "on": _day(day),
        }
    if (
        (plan.stored is None or manager not in leaving)
        and manager_end is not None
        and (plan.end is None or plan.end > manager_end)
    ):
        # as a leaver may not keep people under them (_check_leavers): someone new, or
        # moved, stays under their manager until their own last day, not beyond the
        # manager's (a stored person leaving in this file is refused instead, there)
        return _(
            "the manager “%(manager)s” leaves on %(end)s; this person is still employed "
            "after that day"
        ) % {"manager": manager, "end": _day(manager_end)}
    return ""


def _check_leavers(
    live: dict[str, _Plan],
    stored: dict[str, _Stored],
    manager_of: dict[str, str | None],
    end_of: dict[str, datetime.date | None],
    code_by_pk: dict[int, str],
    outcome: Outcome,
) -> None:
    """A leaver may not leave people under them after their last day (as
    :func:`attain.org.services.end_employment` refuses)."""
    leaving = {c: p.end for c, p in live.items() if p.leaves and p.end is not None}
    if not leaving:
        return
    reports: dict[str, list[str]] = defaultdict(list)
    for code, manager in manager_of.items():
        if code in live and live[code].row.row in outcome.rejected:
            continue  # rejected just now (someone new under the leaver): not written
        if manager in leaving:
            end = end_of.get(code)
            last_day = leaving[manager]
            if end is None or end > last_day:
                reports[manager].append(code)
    # People moved away from a leaver only after the leaver's last day.
    for code, plan in live.items():
        old = plan.stored
        if old is None or old.latest is None or not plan.moves or not old.latest[2]:
            continue
        former = code_by_pk.get(old.latest[2])
        if former in leaving and plan.on > leaving[former] + DAY:
            reports[former].append(code)
    for manager, codes in reports.items():
        _reject(
            outcome,
            live[manager].row.row,
            _("still manages %(people)s after the last day; give them another manager first")
            % {"people": pgettext("list separator", ", ").join(sorted(set(codes))[:5])},
        )


def _write_people(
    actor: Any,
    live: dict[str, _Plan],
    stored: dict[str, _Stored],
    units: dict[str, tuple[int, Any, Any]],
    user_of: dict[str, int],
    *,
    batch: str,
    reason: str,
) -> None:
    """``user_of``: the logins of new people (linked or created for them)."""
    kwargs = {"reason": reason, "batch": batch}
    new = [p for p in live.values() if p.stored is None]
    _insert(
        Person,
        [
            {
                "code": p.row.code,
                "name": p.row.name,
                "email": "" if p.row.email is KEEP else p.row.email,
                "phone": "" if p.row.phone is KEEP else p.row.phone,
                "start": p.row.start,
                "end": p.end,
                "user": user_of.get(p.row.code),
            }
            for p in new
        ],
    )
    ids = {code: s.pk for code, s in stored.items()}
    ids.update(_ids_by_code(Person, [p.row.code for p in new]))
    person_table = Person._meta.db_table
    assignment_table = Assignment._meta.db_table

    def manager_id(plan: _Plan) -> int | None:
        return ids[plan.manager] if plan.manager else None

    # New people: their first assignment, from their start; under a manager who starts
    # later, none until then and a second one from the manager's start (a manager change).
    first_assignments: list[dict[str, Any]] = []
    for p in new:
        after_last = p.end + DAY if p.end else None
        if p.manager_from is None:
            spans = [(p.row.start, manager_id(p), after_last)]
        else:
            spans = [
                (p.row.start, None, p.manager_from),
                (p.manager_from, manager_id(p), after_last),
            ]
        first_assignments.extend(
            {
                "person": ids[p.row.code],
                "unit": units[p.unit][0],
                "manager": manager,
                "title": p.title,
                "valid_from": valid_from,
                "valid_to": valid_to,
            }
            for valid_from, manager, valid_to in spans
        )
    _insert(Assignment, first_assignments)
    record_bulk(
        actor,
        Action.CREATE,
        Person,
        (
            (
                ids[p.row.code],
                None,
                {
                    "code": p.row.code,
                    "name": p.row.name,
                    "email": "" if p.row.email is KEEP else p.row.email,
                    "phone": "" if p.row.phone is KEEP else p.row.phone,
                    "start": p.row.start.isoformat(),
                    "end": _json(p.end),
                    "user": user_of.get(p.row.code),
                },
            )
            for p in new
        ),
        describe=lambda pk, before, after: after["name"],
        **kwargs,
    )
    first: dict[tuple[int, datetime.date], int] = {}
    for part in chunked([ids[p.row.code] for p in new], 5000):
        for pk, person_id, valid_from in Assignment.objects.filter(person_id__in=part).values_list(
            "pk", "person_id", "valid_from"
        ):
            first[person_id, valid_from] = pk
    record_bulk(
        actor,
        Action.CREATE,
        Assignment,
        (
            (
                first[a["person"], a["valid_from"]],
                None,
                {
                    **a,
                    "valid_from": a["valid_from"].isoformat(),
                    "valid_to": _json(a["valid_to"]),
                },
            )
            for a in first_assignments
        ),
        describe=lambda pk, before, after: f"{after['person']} · {after['valid_from']}",
        **kwargs,
    )

    # Existing people: details, transfers, leavers.
    changed = [p for p in live.values() if p.stored is not None]
    detail_rows: list[tuple[Any, ...]] = []
    person_events: list[tuple[Any, dict[str, Any] | None, dict[str, Any] | None]] = []
    closing: list[tuple[Any, ...]] = []  # (valid_to, id) of assignments cut short
    reshaped: list[tuple[Any, ...]] = []  # same-day changes: (unit, manager, title, id)
    opened: list[Assignment] = []
    assignment_events: list[tuple[Any, dict[str, Any] | None, dict[str, Any] | None]] = []
    for plan in changed:
        old = plan.stored
        assert old is not None
        pk = old.pk
        if plan.details or plan.leaves:
            now = {
                "name": plan.details.get("name", old.name),
                "email": plan.details.get("email", old.email),
                "phone": plan.details.get("phone", old.phone),
                "end": plan.end,
            }
            detail_rows.append((now["name"], now["email"], now["phone"], now["end"], pk))
            person_events.append(
                (
                    pk,
                    *_diff(
                        {"name": old.name, "email": old.email, "phone": old.phone, "end": old.end},
                        now,
                    ),
                )
            )
        latest = old.latest
        valid_to = latest[5] if latest else None
        if plan.leaves and plan.end is not None:
            valid_to = plan.end + DAY if valid_to is None or valid_to > plan.end + DAY else valid_to
        target = (units[plan.unit][0], manager_id(plan), plan.title)
        if plan.moves and latest is not None and latest[4] == plan.on:
            reshaped.append((*target, valid_to, latest[0]))
            assignment_events.append(
                (
                    latest[0],
                    *_diff(
                        {
                            "unit": latest[1],
                            "manager": latest[2],
                            "title": latest[3],
                            "valid_to": latest[5],
                        },
                        {
                            "unit": target[0],
                            "manager": target[1],
                            "title": target[2],
                            "valid_to": valid_to,
                        },
                    ),
                )
            )
        elif plan.moves:
            if latest is not None:
                closing.append((plan.on, latest[0]))
                assignment_events.append(
                    (latest[0], {"valid_to": _json(latest[5])}, {"valid_to": plan.on.isoformat()})
                )
            opened.append(
                Assignment(
                    person_id=pk,
                    unit_id=target[0],
                    manager_id=target[1],
                    title=target[2],
                    valid_from=plan.on,
                    valid_to=valid_to,
                )
            )
        elif plan.leaves and latest is not None and valid_to != latest[5]:
            closing.append((valid_to, latest[0]))
            assignment_events.append(
                (latest[0], {"valid_to": _json(latest[5])}, {"valid_to": _json(valid_to)})
            )
    _executemany(
        f"UPDATE {person_table} SET name = %s, email = %s, phone = %s, "
        f"{connection.ops.quote_name('end')} = %s WHERE id = %s",
        detail_rows,
    )
    _executemany(f"UPDATE {assignment_table} SET valid_to = %s WHERE id = %s", closing)
    _executemany(
        f"UPDATE {assignment_table} SET unit_id = %s, manager_id = %s, title = %s, "
        f"valid_to = %s WHERE id = %s",
        reshaped,
    )
    _insert(
        Assignment,
        [
            {
                "person": a.person_id,
                "unit": a.unit_id,
                "manager": a.manager_id,
                "title": a.title,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
            }
            for a in opened
        ],
    )
    record_bulk(actor, Action.UPDATE, Person, person_events, **kwargs)
    record_bulk(actor, Action.UPDATE, Assignment, assignment_events, **kwargs)
    # results from the earliest day changed on: a start, a move, a last day
    events.note(
        [ids[p.row.code] for p in live.values() if p.stored is None or p.moves or p.leaves],
        [
            *(p.row.start for p in new),
            *(p.on for p in live.values() if p.stored is not None and p.moves),
            *(p.end for p in live.values() if p.stored is not None and p.leaves),
        ],
    )
    _follow_email_changes(actor, changed, **kwargs)
    if opened:
        keys = {(a.person_id, a.valid_from) for a in opened}
        made: list[tuple[Any, ...]] = []
        for part in chunked([a.person_id for a in opened], 5000):
            made.extend(
                row
                for row in Assignment.objects.filter(person_id__in=part).values_list(
                    "pk", "person_id", "unit_id", "manager_id", "title", "valid_from", "valid_to"
                )
                if (row[1], row[5]) in keys
            )
        record_bulk(
            actor,
            Action.CREATE,
            Assignment,
            (
                (
                    pk,
                    None,
                    {
                        "person": person_id,
                        "unit": unit_id,
                        "manager": manager,
                        "title": title,
                        "valid_from": valid_from.isoformat(),
                        "valid_to": _json(valid_to),
                    },
                )
                for pk, person_id, unit_id, manager, title, valid_from, valid_to in made
            ),
            describe=lambda pk, before, after: f"{after['person']} · {after['valid_from']}",
            **kwargs,
        )


# Logins ------------------------------------------------------------------------------

ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    Role.ADMIN: ("管理员", "系统管理员", "administrator"),
    Role.SALES_OPS: ("销售运营", "运营", "sales operations"),
    Role.FINANCE: ("财务",),
    Role.EXECUTIVE: ("高管", "管理层", "总经理"),
    Role.MANAGER: ("销售经理", "经理", "主管", "sales manager"),
    Role.REP: ("销售代表", "销售", "业务员", "sales representative", "sales rep"),
}


def role_lookup() -> dict[str, str]:
    """Every accepted spelling of a role, folded, to the role's value."""
    table: dict[str, str] = {}
    for role in Role:
        table[role.value.casefold()] = role.value
        table[str(role.label).casefold()] = role.value
        for alias in ROLE_ALIASES.get(role, ()):
            table[alias.casefold()] = role.value
    return table


def _logins(
    actor: Any,
    live: dict[str, _Plan],
    *,
    write: bool,
    batch: str,
    reason: str,
    outcome: Outcome,
) -> dict[str, int]:
    """Link every person with an email to a login (by email, then by employee id), or
    create one with an unusable password; new logins are to be invited. A role in the
    file sets the login's role (never an administrator's own superuser flag)."""
    today = timezone.localdate()
    wanted = {
        code: plan
        for code, plan in live.items()
        if (plan.end is None or plan.end >= today)
        and _email(plan)
        and (plan.stored is None or plan.stored.user_id is None)
    }
    role_changes = [
        plan
        for plan in live.values()
        if plan.stored is not None and plan.stored.user_id and plan.row.role not in (KEEP, "")
    ]
    if not wanted and not role_changes:
        return {}
    users = list(User.objects.values_list("pk", "username", "email", "role", "is_superuser"))
    linked = set(Person.objects.filter(user__isnull=False).values_list("user_id", flat=True))
    if not _by_administrator(actor):
        # a login above manager is linked to a person by an administrator only (single
        # sign-on would sign in as it whoever the person's email or id names)
        linked |= {pk for pk, _u, _e, role, su in users if su or role in PRIVILEGED}
    by_email: dict[str, list[int]] = defaultdict(list)
    by_name: dict[str, int] = {}
    for pk, username, email, _role, _su in users:
        if email:
            by_email[email.casefold()].append(pk)
        by_name[username.casefold()] = pk
    managers = {p.manager for p in live.values() if p.manager}
    links: list[tuple[str, int]] = []
    create: list[tuple[str, _Plan]] = []
    taken = set(by_name)
    for code, plan in wanted.items():
        email = _email(plan)
        match = by_email.get(email.casefold(), [])
        user_id = match[0] if len(match) == 1 and match[0] not in linked else None
        if user_id is None:
            candidate = by_name.get(code.casefold())
            if candidate is not None and candidate not in linked:
                user_id = candidate
        if user_id is not None:
            linked.add(user_id)
            links.append((code, user_id))
        elif code.casefold() not in taken:
            taken.add(code.casefold())
            create.append((code, plan))
    outcome.logins_linked = len(links)
    outcome.logins_created = len(create)
    role_of = {pk: (role, su) for pk, _u, _e, role, su in users}
    role_updates = [
        (plan.row.role, plan.stored.user_id)
        for plan in role_changes
        if plan.stored is not None
        and plan.stored.user_id is not None
        and not role_of[plan.stored.user_id][1]
        and role_of[plan.stored.user_id][0] != plan.row.role
    ]
    changed_roles = {plan.row.row for plan in role_changes if plan.stored is not None}
    changed_roles &= {
        plan.row.row
        for plan in role_changes
        if plan.stored is not None and (plan.row.role, plan.stored.user_id) in role_updates
    }
    for row_number in changed_roles:
        outcome.outcome[row_number] = UPDATE
    if not write:
        return {}
    kwargs = {"reason": reason, "batch": batch}
    joined = connection.ops.adapt_datetimefield_value(timezone.now())
    new_users = [
        {
            "username": code,
            "email": _email(plan),
            "role": (plan.row.role if plan.row.role not in (KEEP, "") else None)
            or (Role.MANAGER if code in managers else Role.REP),
            # unusable (as make_password(None) makes it, without its slow random choice)
            "password": UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
            "first_name": plan.row.name[:150],
            "last_name": "",
            "is_superuser": False,
            "is_staff": False,
            "is_active": True,
            "date_joined": joined,
        }
        for code, plan in create
    ]
    _insert(User, new_users)
    user_ids: dict[str, int] = {}
    names = [code for code, _plan in create]
    for start in range(0, len(names), 5000):
        user_ids.update(
            User.objects.filter(username__in=names[start : start + 5000]).values_list(
                "username", "pk"
            )
        )
    record_bulk(
        actor,
        Action.CREATE,
        User,
        (
            (
                user_ids[str(u["username"])],
                None,
                {"username": u["username"], "email": u["email"], "role": str(u["role"])},
            )
            for u in new_users
        ),
        describe=lambda pk, before, after: after["username"],
        **kwargs,
    )
    pairs = links + [(code, user_ids[code]) for code, _plan in create]
    # Stored people are linked here; new people get their login when they are written.
    people = {code: live[code].stored.pk for code, _u in pairs if live[code].stored}  # type: ignore[union-attr]
    _executemany(
        f"UPDATE {Person._meta.db_table} SET user_id = %s WHERE id = %s",
        [(user_id, people[code]) for code, user_id in pairs if code in people],
    )
    record_bulk(
        actor,
        Action.UPDATE,
        Person,
        (
            (people[code], {"user": None}, {"user": user_id})
            for code, user_id in pairs
            if code in people
        ),
        **kwargs,
    )
    if role_updates:
        _executemany(f"UPDATE {User._meta.db_table} SET role = %s WHERE id = %s", role_updates)
        record_bulk(
            actor,
            Action.UPDATE,
            User,
            ((pk, {"role": role_of[pk][0]}, {"role": role}) for role, pk in role_updates),
            **kwargs,
        )
    outcome.invitations = [user_ids[code] for code, _plan in create]
    return {code: user_id for code, user_id in pairs if code not in people}


def _follow_email_changes(actor: Any, changed: list[_Plan], **kwargs: Any) -> None:
    """A person's new email becomes their login's when the login had the person's old
    one (it came from the HR file): notifications and password-reset links must not keep
    going to an address the company may have given up, or given to someone else. A
    login's own, different address is left alone. Only in an administrator's (or the
    command line's) import: a login's email is where its password-reset link goes, so
    sales operations changing it would be taking the login over."""
    if not _by_administrator(actor):
        return
    moved = {
        plan.stored.user_id: (plan.stored.email, str(plan.details["email"]))
        for plan in changed
        if plan.stored is not None and plan.stored.user_id and "email" in plan.details
    }
    if not moved:
        return
    updates: list[tuple[str, int]] = []
    before: dict[int, str] = {}
    for pk, email in User.objects.filter(pk__in=list(moved)).values_list("pk", "email"):
        old, new = moved[pk]
        if email and email.casefold() == old.casefold() and email != new:
            updates.append((new, pk))
            before[pk] = email
    _executemany(f"UPDATE {User._meta.db_table} SET email = %s WHERE id = %s", updates)
    record_bulk(
        actor,
        Action.UPDATE,
        User,
        ((pk, {"email": before[pk]}, {"email": new}) for new, pk in updates),
        **kwargs,
    )


def _email(plan: _Plan) -> str:
    if plan.row.email is not KEEP:
        return str(plan.row.email)
    return plan.stored.email if plan.stored is not None else ""


def chunked(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
