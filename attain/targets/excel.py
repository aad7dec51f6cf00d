"""Excel round trip of a plan's grid: one sheet per measure, one row per unit or person,
the year and its twelve months. Re-import compares each cell with the current grid and
returns the changes (and the problems) for the planner to confirm before they apply.

The headers, the kind of each row and the plan sheet's labels are written in the language
active at export (the exporting user's); the import accepts them in any language Attain
speaks, so a workbook exported in English or Chinese (or an older English one) re-imports.
"""

from __future__ import annotations

import datetime
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from attain.org.company import company
from attain.web.formulas import cell_text, guard_formula, unguard_formula, xml_safe

from .allocation import Grid, _listed
from .cells import CellChange
from .models import Kind, TargetPlan
from .services import typed_number

# The English words are the msgids (context "target workbook") and what older files carry.
HEADER = ["code", "kind", "name", "parent", "year"]
KINDS: dict[str, str] = {Kind.UNIT.value: "unit", Kind.PERSON.value: "person"}


def _word(english: str) -> str:
    """``english`` (a header, kind or plan-sheet label) in the active language."""
    return pgettext("target workbook", english)


def header() -> list[str]:
    """The first columns' headers in the active language."""
    return [_word(h) for h in HEADER]


def _names(english: str) -> set[str]:
    """Every spelling of ``english`` the import accepts: English and each translation."""
    names = {english}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(_word(english))
    return {n.strip().casefold() for n in names}


def _header_matches(found: list[str], months: list[str]) -> bool:
    if len(found) < len(HEADER) + len(months):
        return False
    for cell, english in zip(found, HEADER, strict=False):
        if cell.strip().casefold() not in _names(english):
            return False
    return [c.strip() for c in found[len(HEADER) : len(HEADER) + len(months)]] == months


def _text(sheet: Any, value: Any) -> Any:
    """A text cell that no spreadsheet runs: a code or name starting with ``=``, ``+``,
    ``-`` or ``@`` gets the apostrophe of the record exports (docs/import.md, "Exports
    and formulas"), and is always a string cell (openpyxl makes ``=...`` a formula and
    ``#N/A`` an error)."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=guard_formula(xml_safe(value)))
    cell.data_type = "s"
    return cell


def _heading(value: Any) -> str:
    """A header cell as text: a month id (2026-01) typed again in a spreadsheet becomes
    a date (shown as Jan-26), read back as the month id."""
    if isinstance(value, datetime.date):
        return f"{value.year:04d}-{value.month:02d}"
    return str(value) if value is not None else ""


def _code(value: Any) -> str:
    """A code cell as the export wrote it, its formula guard removed."""
    return unguard_formula(str(value).strip()) if value is not None else ""


def sheet_titles(measures: Iterable[str]) -> dict[str, str]:
    """Each measure's sheet: its code cut to Excel's 31 characters, made unique with a
    ``~2``, ``~3`` … ending where two codes share their first 31 (Excel compares sheet
    names without case, and the plan sheet's name is taken)."""
    taken = {_word("plan").casefold()}
    titles: dict[str, str] = {}
    for measure in measures:
        title, number = measure[:31], 1
        while title.casefold() in taken:
            number += 1
            ending = f"~{number}"
            title = measure[: 31 - len(ending)] + ending
        taken.add(title.casefold())
        titles[measure] = title
    return titles


def export_workbook(
    plan: TargetPlan, grids: Mapping[str, Grid], visible: set[str] | None = None
) -> bytes:
    book = Workbook(write_only=True)
    book.properties.creator = xml_safe(company().name) or "Attain"
    book.properties.title = xml_safe(plan.name)
    titles = sheet_titles(grids)
    for measure, grid in grids.items():
        sheet = book.create_sheet(titles[measure])
        sheet.append([*header(), *grid.months])
        for row in grid.rows:
            if visible is not None and row.kind == Kind.PERSON and row.who not in visible:
                continue
            kind = _word(KINDS[row.kind]) if row.kind in KINDS else row.kind
            texts = [_text(sheet, v) for v in (row.who, kind, row.name, row.parent)]
            sheet.append([*texts, row.year, *row.months])
    info = book.create_sheet(_word("plan"))
    info.append([_word("plan"), plan.pk])
    info.append([_word("version"), plan.version])
    info.append([_word("fiscal_year"), plan.fiscal_year])
    info.append(
        [_word("note"), _("Edit the year or month cells of the measure sheets, then import.")]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class ImportResult:
    changes: list[CellChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


# a number typed as text with a Chinese input method: full-width digits, comma, point,
# minus and space
_FULL_WIDTH = str.maketrans(
    {**{chr(0xFF10 + d): str(d) for d in range(10)}, "，": ",", "．": ".", "－": "-", "\u3000": " "}
)
# digits with thousands separators (1,234,567.5 or 1 234 567.5) or none
_TYPED = re.compile(r"[+-]?(?:\d{1,3}(?:([, ])\d{3})(?:\1\d{3})*|\d+)(?:\.\d+)?")


def _number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        text = str(value).translate(_FULL_WIDTH).strip()
        if not _TYPED.fullmatch(text):  # 12 34 or 1² are typos, not 1234 or 12
            raise ValueError(str(value))
        number = Decimal(text.replace(",", "").replace(" ", ""))
    if not number.is_finite():
        raise ValueError(str(value))
    return number


def read_workbook(file: IO[bytes], plan: TargetPlan, grids: Mapping[str, Grid]) -> ImportResult:
    """The cells that differ from ``grids``, or the reasons the file cannot be applied."""
    result = ImportResult()
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises several kinds for a file that is not a workbook
        result.errors.append(_("not an Excel workbook (.xlsx)"))
        return result
    year = str(plan.fiscal_year)
    titles = sheet_titles(grids)
    for measure, grid in grids.items():
        if titles[measure] not in book.sheetnames:
            continue
        rows = grid.by_who()
        # someone who moved between teams has a row under each: told apart by the parent
        by_parent = {(row.who, row.parent): row for row in grid.rows}
        # ... and each row's year is that row's part of their year: a change of one is a
        # change of their whole year by as much (one edit, whatever rows changed)
        moved: dict[str, list[Any]] = {}
        count = Counter(row.who for row in grid.rows)
        for each in grid.rows:
            if count[each.who] > 1:
                totals = moved.setdefault(each.who, [Decimal(0), Decimal(0), each.name])
                totals[0] += each.year
                totals[1] += each.year
        sheet = book[titles[measure]]
        lines = sheet.iter_rows(values_only=True)
        found = [_heading(h) for h in next(lines, ())]
        if not _header_matches(found, grid.months):
            result.errors.append(
                _("%(sheet)s: the first row must be %(header)s")
                % {"sheet": titles[measure], "header": ", ".join([*header(), *grid.months])}
            )
            continue
        for number, line in enumerate(lines, start=2):
            if not line or line[0] is None:
                continue
            who = _code(line[0])
            parent = _code(line[3]) if len(line) > 3 else ""
            row = by_parent.get((who, parent), rows.get(who))
            if row is None:
                result.errors.append(
                    _("%(cell)s: unknown code “%(code)s” in this plan")
                    % {"cell": f"{titles[measure]}!A{number}", "code": who}
                )
                continue
            current = [row.year, *row.months] if row.months else [row.year]
            periods = [year, *grid.months] if row.months else [year]
            for offset, (period, before) in enumerate(zip(periods, current, strict=True)):
                cell = line[4 + offset] if len(line) > 4 + offset else None
                try:
                    after = _number(cell)
                except ValueError:
                    column = chr(ord("E") + offset)
                    result.errors.append(
                        _("%(cell)s: not a number: “%(value)s”")
                        % {"cell": f"{titles[measure]}!{column}{number}", "value": cell_text(cell)}
                    )
                    continue
                if after is None or after == before:
                    continue
                if after < 0:
                    result.errors.append(
                        _("%(cell)s: a target cannot be negative")
                        % {"cell": f"{titles[measure]}!{chr(ord('E') + offset)}{number}"}
                    )
                    continue
                try:  # what the cell takes (too large to store: refused when applied)
                    after = typed_number(after, "value")
                except ValidationError as error:
                    place = f"{titles[measure]}!{chr(ord('E') + offset)}{number}"
                    result.errors.extend(
                        _("%(field)s: %(problem)s") % {"field": place, "problem": message}
                        for message in error.messages
                    )
                    continue
                if period == year and who in moved:
                    moved[who][1] += after - before
                    continue
                result.changes.append(
                    CellChange(measure, who, period, before, after, name=row.name)
                )
        for who, (before, after, name) in moved.items():
            if after != before:
                result.changes.append(CellChange(measure, who, year, before, after, name=name))
    if not any(titles[measure] in book.sheetnames for measure in grids):
        result.errors.append(
            _("the workbook has no sheet named %(wanted)s (its sheets: %(found)s)")
            % {
                "wanted": _listed(titles[measure] for measure in grids),
                "found": _listed(book.sheetnames),
            }
        )
    if not result.changes and not result.errors:
        result.errors.append(_("no cell differs from the plan"))
    return result
