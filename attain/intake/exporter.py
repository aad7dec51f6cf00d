"""Exports: every record of a table, streamed, with the same column names the import
reads, so an export re-imports cleanly (and changes nothing).

Text that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+...``, ``-...``,
``@...``) is written with a leading apostrophe in CSV and XLSX alike, and XLSX text is
always a string cell, never a formula; the import removes exactly that apostrophe
(:func:`attain.intake.parsing.guard_formula`). Numbers stay numbers."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.utils import timezone

from attain.crm.models import Evidence
from attain.org.company import company
from attain.org.models import Assignment, Person
from attain.web.formulas import xml_safe

from .parsing import format_share, guard_formula
from .tables import CHILD_ROWS, EXPORT_KEY, Kind, TableSpec

PAGE = 5_000


def _paths(spec: TableSpec) -> list[str | None]:
    paths: list[str | None] = []
    for column in spec.columns:
        if column.kind in CHILD_ROWS:
            paths.append(None)
        elif column.kind in EXPORT_KEY:
            paths.append(f"{column.field_name}__{EXPORT_KEY[column.kind]}")
        else:
            paths.append(column.field_name)
    return paths


def _text(value: Any, zone: datetime.tzinfo | None = None) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return guard_formula(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        # the fraction of a second too when there is one (the API and the app give
        # it), so that the export imports back unchanged
        form = "%Y-%m-%d %H:%M:%S.%f" if value.microsecond else "%Y-%m-%d %H:%M:%S"
        return timezone.localtime(value, zone).strftime(form)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def export_rows(
    spec: TableSpec, *, typed: bool = False, zone: datetime.tzinfo | None = None
) -> Iterator[list[Any]]:
    """The header, then one list per record, page by page (by primary key). With
    ``typed``, dates and numbers stay Python values (for XLSX cells). Times are in
    ``zone``, by default the time zone active when the rows are read."""
    yield [c.name for c in spec.columns]
    if spec.model is Person:
        yield from _roster(spec, typed, zone)
        return
    paths = _paths(spec)
    fetch = [p for p in paths if p is not None]
    credit_index = next((i for i, c in enumerate(spec.columns) if c.kind is Kind.CREDIT), None)
    photo_index = next((i for i, c in enumerate(spec.columns) if c.kind is Kind.FINGERPRINTS), None)
    manager = spec.model._default_manager
    last = 0
    while True:
        page = list(manager.filter(pk__gt=last).order_by("pk").values_list("pk", *fetch)[:PAGE])
        if not page:
            return
        last = page[-1][0]
        credits: dict[int, list[tuple[str, Decimal]]] = {}
        if credit_index is not None and spec.credit is not None:
            parent = spec.credit.parent_column
            for owner, code, share in (
                spec.credit.model._default_manager.filter(**{f"{parent}__in": [r[0] for r in page]})
                .order_by(parent, "-share", "person__code")
                .values_list(parent, "person__code", "share")
            ):
                credits.setdefault(owner, []).append((code, share))
        photos = _fingerprints([r[0] for r in page]) if photo_index is not None else {}
        for record in page:
            values = list(record[1:])
            # the child columns in the order of the table's columns
            for index in sorted(i for i in (credit_index, photo_index) if i is not None):
                if index == credit_index:
                    shares = credits.get(record[0], [])
                    text = ";".join(f"{code}:{format_share(s)}" for code, s in shares)
                else:
                    text = ";".join(photos.get(record[0], []))
                values.insert(index, text)
            if typed:
                yield [_typed(v, zone) for v in values]
            else:
                yield [_text(v, zone) for v in values]


def _roster(spec: TableSpec, typed: bool, zone: datetime.tzinfo | None) -> Iterator[list[Any]]:
    """The people as a roster: where each sits today (a leaver: on their last day; someone
    not started yet: on their first), the unit's and the manager's names beside their
    codes. The login role and the effective date are left empty: imported back, every row
    is unchanged and every login keeps its role."""
    today = timezone.localdate()
    last = 0
    while True:
        page = list(Person.objects.filter(pk__gt=last).order_by("pk")[:PAGE])
        if not page:
            return
        last = page[-1].pk
        day = {p.pk: _roster_day(p, today) for p in page}
        where: dict[int, Assignment] = {}
        for assignment in (
            Assignment.objects.filter(person__in=page)
            .select_related("unit", "manager")
            .order_by("person_id", "valid_from")
        ):
            pk = assignment.person_id
            # the first, until one that has begun by the day
            if pk not in where or assignment.valid_from <= day[pk]:
                where[pk] = assignment
        for person in page:
            seat = where.get(person.pk)
            values = {
                "code": person.code,
                "name": person.name,
                "unit": seat.unit.code if seat else "",
                "unit_name": seat.unit.name if seat else "",
                "title": seat.title if seat else "",
                "manager": seat.manager.code if seat and seat.manager else "",
                "manager_name": seat.manager.name if seat and seat.manager else "",
                "start": person.start,
                "end": person.end,
                "email": person.email,
                "phone": person.phone,
            }
            row = [values.get(c.field_name) for c in spec.columns]
            yield [_typed(v, zone) for v in row] if typed else [_text(v, zone) for v in row]


def _roster_day(person: Person, today: datetime.date) -> datetime.date:
    if person.end is not None and person.end < today:
        return person.end
    return max(person.start, today)


def _fingerprints(activities: list[int]) -> dict[int, list[str]]:
    """The perceptual hashes of these activities' evidence photos, uploaded or imported."""
    found: dict[int, list[str]] = {}
    for activity, hash_ in (
        Evidence.objects.filter(activity_id__in=activities)
        .exclude(perceptual_hash="")
        .order_by("activity_id", "pk")
        .values_list("activity_id", "perceptual_hash")
    ):
        if hash_ not in found.setdefault(activity, []):
            found[activity].append(hash_)
    return found


def _typed(value: Any, zone: datetime.tzinfo | None = None) -> Any:
    """A value for an XLSX cell. Text keeps only what XML can hold (:func:`xml_safe`: a
    vertical tab pasted from Word becomes a line break) and gets the formula guard."""
    if isinstance(value, str):
        return guard_formula(xml_safe(value))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value, zone).replace(tzinfo=None)
    return "" if value is None else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(spec: TableSpec) -> Iterator[str]:
    """CSV text for a streaming HTTP response: UTF-8 with BOM so Excel reads Chinese.
    Times are in the time zone active now, the company's: a streamed response is
    written after the request's middleware has put the deployment's default back."""
    return _csv_chunks(spec, timezone.get_current_timezone())


def _csv_chunks(spec: TableSpec, zone: datetime.tzinfo) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in export_rows(spec, zone=zone):
        yield writer.writerow(row)


def write_csv(spec: TableSpec, handle: IO[str]) -> int:
    writer = csv.writer(handle)
    count = -1
    for row in export_rows(spec):
        writer.writerow(row)
        count += 1
    return count


def write_xlsx(spec: TableSpec, path: Path) -> int:
    """An XLSX file written in openpyxl's write-only (streaming) mode."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    stamp_workbook(workbook, spec.name)
    sheet = workbook.create_sheet(spec.name[:31])
    count = -1
    for row in export_rows(spec, typed=True):
        sheet.append([_string_cell(sheet, v) if v.__class__ is str else v for v in row])
        count += 1
    workbook.save(path)
    return count


def stamp_workbook(workbook: Any, title: str) -> None:
    """The workbook's document properties: the company as its author (the company
    settings' name; "Attain" when there is none) and the table as its title."""
    workbook.properties.creator = xml_safe(company().name) or "Attain"
    workbook.properties.title = xml_safe(title)


def _string_cell(sheet: Any, text: str) -> Any:
    """Text as a string cell: openpyxl would otherwise make ``=...`` a formula and
    ``#N/A`` an error (the guard already covers the first; this makes sure)."""
    if text[:1] not in {"=", "#"}:
        return text
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


def export_file(spec: TableSpec, path: Path, fmt: str | None = None) -> int:
    """Write ``spec``'s records to ``path`` (CSV or XLSX, by ``fmt`` or the extension);
    returns the number of records. The file is written next to ``path`` and renamed
    when complete: an export that fails half way leaves no half-written file and keeps
    the file it would have replaced."""
    fmt = fmt or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
    partial = path.with_name(f".{path.name}.partial")
    try:
        if fmt == "xlsx":
            count = write_xlsx(spec, partial)
        else:
            with partial.open("w", encoding="utf-8-sig", newline="") as handle:
                count = write_csv(spec, handle)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


def rows_csv(rows: Iterable[list[Any]]) -> bytes:
    """Any table (header first) as CSV bytes, UTF-8 with BOM, guarded like the record
    exports (pay's register and payroll exports use it)."""
    handle = io.StringIO()
    writer = csv.writer(handle)
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return ("\ufeff" + handle.getvalue()).encode("utf-8")


_SHEET_FORBIDDEN = re.compile(r"[\\/?*:\[\]\x00-\x1f]")


def sheet_title(name: str) -> str:
    """``name`` as a worksheet's title Excel accepts: at most 31 characters, none of
    ``\\ / ? * : [ ]`` (they become ``_``; pay's files name the sheet after the period
    given in the address), not starting or ending with an apostrophe, not empty."""
    title = _SHEET_FORBIDDEN.sub("_", name)[:31].strip("'")
    return title or "Sheet"


def _cell(sheet: Any, value: Any) -> Any:
    """A value of :func:`rows_xlsx` as its cell: text as :func:`_string_cell`, an amount
    of money (a Decimal to the cent) a number shown as a ledger shows it (1,200.10, 0.00:
    Excel's General format drops the cents' zeros and the thousands)."""
    if value.__class__ is str:
        return _string_cell(sheet, value)
    if isinstance(value, Decimal) and value.is_finite() and value.as_tuple().exponent == -2:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "#,##0.00"
        return cell
    return value


def rows_xlsx(rows: Iterable[list[Any]], sheet_name: str) -> bytes:
    """Any table (header first) as XLSX bytes: numbers stay numbers, text is guarded and
    always a string cell."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    stamp_workbook(workbook, sheet_name)
    sheet = workbook.create_sheet(sheet_title(sheet_name))
    for row in rows:
        values = [_typed(v) for v in row]
        sheet.append([_cell(sheet, v) for v in values])
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()
