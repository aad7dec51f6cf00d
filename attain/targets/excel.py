"""Excel round trip of a plan's grid: one sheet per measure, one row per unit or person,
the year and its twelve months. Re-import compares each cell with the current grid and
returns the changes (and the problems) for the planner to confirm before they apply."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from attain.org.company import company

from .allocation import Grid
from .cells import CellChange
from .models import Kind, TargetPlan

HEADER = ["code", "kind", "name", "parent", "year"]


def export_workbook(
    plan: TargetPlan, grids: Mapping[str, Grid], visible: set[str] | None = None
) -> bytes:
    book = Workbook(write_only=True)
    book.properties.creator = company().name or "Attain"
    book.properties.title = plan.name
    for measure, grid in grids.items():
        sheet = book.create_sheet(measure[:31])
        sheet.append([*HEADER, *grid.months])
        for row in grid.rows:
            if visible is not None and row.kind == Kind.PERSON and row.who not in visible:
                continue
            sheet.append(
                [row.who, row.kind, row.name, row.parent, row.year, *(m for m in row.months)]
            )
    info = book.create_sheet("plan")
    info.append(["plan", plan.pk])
    info.append(["version", plan.version])
    info.append(["fiscal_year", plan.fiscal_year])
    info.append(["note", _("Edit the year or month cells of the measure sheets, then import.")])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class ImportResult:
    changes: list[CellChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(str(value)) from None
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
    for measure, grid in grids.items():
        if measure[:31] not in book.sheetnames:
            continue
        rows = grid.by_who()
        sheet = book[measure[:31]]
        lines = sheet.iter_rows(values_only=True)
        header = [str(h) if h is not None else "" for h in next(lines, ())]
        expected = [*HEADER, *grid.months]
        if header[: len(expected)] != expected:
            result.errors.append(
                _("%(sheet)s: the first row must be %(header)s")
                % {"sheet": measure, "header": ", ".join(expected)}
            )
            continue
        for number, line in enumerate(lines, start=2):
            if not line or line[0] is None:
                continue
            who = str(line[0])
            row = rows.get(who)
            if row is None:
                result.errors.append(
                    _("%(cell)s: unknown code “%(code)s” in this plan")
                    % {"cell": f"{measure}!A{number}", "code": who}
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
                        % {"cell": f"{measure}!{column}{number}", "value": cell}
                    )
                    continue
                if after is None or after == before:
                    continue
                if after < 0:
                    result.errors.append(
                        _("%(cell)s: a target cannot be negative") % {"cell": f"{measure}!{number}"}
                    )
                    continue
                result.changes.append(
                    CellChange(measure, who, period, before, after, name=row.name)
                )
    if not result.changes and not result.errors:
        result.errors.append(_("no cell differs from the plan"))
    return result
