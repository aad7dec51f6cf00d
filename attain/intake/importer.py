"""The import engine: a file in, records upserted by their key, bad rows rejected.

How it works, per file:

1. The header row is matched against the table's columns (English or Chinese names);
   a missing required column rejects the whole file before anything is written.
2. Rows are read as a stream and handled in chunks of ``chunk_size``. Per chunk, the
   references it names (customers, orders, ...) are looked up in one query each;
   people, product lines and stages are loaded once per file. No query per row.
3. Every row is validated; a bad row goes to the rejects file with its row number
   (as Excel shows it: the header is row 1, the first data row is row 2) and all its
   reasons, and the good rows carry on.
4. Good rows are upserted by the key (``external_id``, or ``code`` for products) with
   one ``INSERT ... ON CONFLICT (key) DO UPDATE`` statement run through
   ``executemany`` (SQLite and PostgreSQL). Columns the file does not have keep their
   value on update and take the model's default on insert. Credit splits
   (``credit``) replace the record's credit rows.
5. The same key twice in one file: the later row wins (it counts as an update of the
   earlier one), so a file never needs a set of every key it holds in memory.
6. Stage, then merge. Steps 2-3 (reading, validating, looking references up) run
   first for the whole file with reads only, outside any transaction: the good rows
   are pickled chunk by chunk into an unnamed temporary file. Then steps 4-5 write the
   staged chunks in one transaction, so the file stays all-or-nothing (an import killed
   or failing halfway leaves nothing from that file) while the database's write lock
   is held only for the writing, not for reading and checking the file
   (docs/import.md says why not one transaction per chunk). ``dry_run`` validates and
   counts without writing.

Every created or changed record gets its own audit event (compact: a changed record's
event holds the fields that changed, before and after), filed under the import's batch
id so ``attain.audit.selectors.for_batch`` lists them and each record's history shows
them; the batch itself gets one more (see :mod:`attain.intake.services`). The bulk path
opens no after-sales hand-off tickets for imported
orders (those are history, usually delivered long ago) and gives new opportunities a
first stage-history row only.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import itertools
import pickle
import re
import tempfile
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from attain.crm.bulk import (
    BulkAudit,
    CreditRows,
    Upsert,
    fetch_by_keys,
    replace_photo_fingerprints,
)
from attain.crm.models import StageChange
from attain.org.company import company

from .access import can_import
from .parsing import (
    cell_text,
    guard_formula,
    normalise_header,
    reading_dates,
)
from .reading import FileProblem, Source, header_cells, open_source
from .rows import RowValidator
from .tables import CHILD_ROWS, TABLES, Column, Kind, TableSpec

CHUNK_SIZE = 10_000
SQLITE_CACHE_KB = 64 * 1024
SAMPLE_SIZE = 20


# Results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderMatch:
    header: str  # as in the file
    column: str | None  # the table column it fills, or None (ignored)
    title: str = ""  # that column as the reader heads it (Column.title)


@dataclass(frozen=True)
class SampleRow:
    row: int
    cells: list[str]
    outcome: str  # "new", "update" or "rejected"
    reason: str = ""


@dataclass
class ImportResult:
    table: str
    encoding: str = ""
    headers: list[HeaderMatch] = field(default_factory=list)
    rows: int = 0
    imported: int = 0
    updated: int = 0
    rejected: int = 0
    rejects_path: Path | None = None
    dry_run: bool = False
    seconds: float = 0.0
    merge_seconds: float = 0.0  # the merge: how long the write lock was held
    sample: list[SampleRow] = field(default_factory=list)
    unchanged: int = 0  # organisation files: rows that change nothing
    notes: list[str] = field(default_factory=list)  # organisation files: what else happened
    # organisation files: what was applied but should be looked at (translated)
    warnings: list[str] = field(default_factory=list)
    # a people file: the mail server's error when the invitations could not be sent
    invitations_failed: str = ""

    @property
    def summary(self) -> str:
        """The line the CLI prints; not translated so scripts can read it."""
        line = f"imported {self.imported}, updated {self.updated}, rejected {self.rejected}"
        if self.table in ORG_TABLES:
            line += f", unchanged {self.unchanged}"
        return line


Progress = Callable[[int, float], None]
NEW, UPDATE, REJECTED = "new", "update", "rejected"
ORG_TABLES = frozenset(name for name, spec in TABLES.items() if spec.org)


# Access ----------------------------------------------------------------------------


def get_table(name: str) -> TableSpec:
    try:
        return TABLES[name]
    except KeyError:
        raise FileProblem(
            _("Unknown table “%(table)s”; one of: %(tables)s.")
            % {"table": name, "tables": ", ".join(TABLES)}
        ) from None


# Headers ---------------------------------------------------------------------------


def match_headers(spec: TableSpec, header: list[str]) -> tuple[dict[str, int], list[HeaderMatch]]:
    """Which file column fills which table column. Raises :class:`FileProblem` for a
    missing required column or two file columns that fill the same one."""
    lookup: dict[str, Column] = {}
    for column in spec.columns:
        for name in column.headers():
            lookup.setdefault(name, column)
    # A column's own name wins over another column's alias (e.g. "customer" in orders).
    for column in spec.columns:
        lookup[normalise_header(column.name)] = column
    positions: dict[str, int] = {}
    matches: list[HeaderMatch] = []
    for index, raw in enumerate(header):
        found = lookup.get(normalise_header(raw)) if raw else None
        if found is not None and found.name in positions:
            found = _name_beside_code(spec, header, positions, matches, found, raw)
        if found is not None and found.name in positions:
            raise FileProblem(
                _("Columns “%(first)s” and “%(second)s” both give %(column)s.")
                % {"first": header[positions[found.name]], "second": raw, "column": found.title}
            )
        if found is not None:
            positions[found.name] = index
        matches.append(
            HeaderMatch(raw, found.name if found else None, found.title if found else "")
        )
    missing = [c for c in spec.columns if c.required and c.name not in positions]
    if missing:
        # each named with some of the headers that give it (工号 / employee id …)
        names = [
            f"“{c.name}”" + (f" ({' / '.join(aliases)})" if (aliases := _readers(c)) else "")
            for c in missing
        ]
        raise FileProblem(
            _("The file has no column %(columns)s (required for %(table)s); nothing was imported.")
            % {"columns": ", ".join(names), "table": spec.label}
        )
    return positions, matches


def _readers(column: Column) -> list[str]:
    """Three of the headers that give ``column``, those in the reader's language first
    (an English reader is shown employee id, sales rep; a Chinese one 负责人, 工号)."""
    chinese = (translation.get_language() or "").startswith("zh")
    ascii_first = sorted(column.aliases, key=lambda a: a.isascii() == chinese)
    return [a for a in ascii_first if a != "customer_external_id"][:3]


_CODE_HEADER = re.compile(r"编码|代码|编号|工号|code|\bid\b")


def _name_beside_code(
    spec: TableSpec,
    header: list[str],
    positions: dict[str, int],
    matches: list[HeaderMatch],
    found: Column,
    raw: str,
) -> Column:
    """A roster that gives a unit by name and by code (部门 and 部门编码): the code
    column gives the unit, the other its name (``unit_name``, checked against the
    unit's). Any other pair of columns for one column is left to be refused."""
    name_column = next((c for c in spec.columns if c.name == f"{found.name}_name"), None)
    if name_column is None or name_column.name in positions:
        return found
    first = positions[found.name]
    first_is_code = bool(_CODE_HEADER.search(normalise_header(header[first])))
    this_is_code = bool(_CODE_HEADER.search(normalise_header(raw)))
    if first_is_code == this_is_code:
        return found
    if first_is_code:
        return name_column
    positions[name_column.name] = first
    matches[first] = HeaderMatch(header[first], name_column.name, name_column.title)
    del positions[found.name]
    return found


# Rows a header may come after: a title ("花名册 2026年12月"), the export's date, blank rows.
TITLE_ROWS = 10


def find_header(spec: TableSpec, source: Source) -> tuple[dict[str, int], list[HeaderMatch]]:
    """:func:`match_headers` of the file's first row or, when that is not the header
    (HR and ERP exports put a title, a date or blank rows above it), of the first of
    the next ``TITLE_ROWS`` rows that has every required column, alone or with the row
    above it (a header on two rows, merged cells); the rows above it are skipped and
    the row numbers stay Excel's. The first row's problem when none does."""
    try:
        found = match_headers(spec, source.header)
    except FileProblem as problem:
        first_problem = problem
    else:
        refuse_scaled_money(spec, source.header, found[0])
        return found
    previous = source.header
    above = [*source.header]  # the text above the header: a title, a unit (单位：万元)
    for skipped, cells in enumerate(itertools.islice(source.rows, TITLE_ROWS), start=1):
        header = header_cells(cells)
        # a header on two rows (复合表头): a heading merged down over both keeps its text
        # in the upper row only, sub-headings under one merged across are in the lower
        width = max(len(previous), len(header))
        upper, lower = [*previous, *[""] * width][:width], [*header, *[""] * width][:width]
        two_rows = [below or above for above, below in zip(upper, lower, strict=True)]
        previous = header
        for candidate in (header, two_rows):
            try:
                found = match_headers(spec, candidate)
            except FileProblem:
                continue
            refuse_scaled_money(spec, candidate, found[0])
            if candidate is two_rows:  # 金额（万元） merged across the amounts under it
                refuse_scaled_money(spec, _group_headings(upper, lower), found[0])
            refuse_scaled_note(spec, above, found[0])
            source.header = candidate
            source.header_row += skipped
            return found
        above += header
    raise first_problem


def _group_headings(upper: list[str], lower: list[str]) -> list[str]:
    """For each column of a header on two rows, the heading merged across above it (Excel
    keeps its text in the first cell: the nearest to the left above a sub-heading), or
    "" (a heading merged down over both rows is the column's own)."""
    groups, group = [], ""
    for above, below in zip(upper, lower, strict=True):
        if above:
            group = above if below else ""
        groups.append(group if below else "")
    return groups


def _on_another_sheet(spec: TableSpec, source: Source, problem: FileProblem) -> FileProblem:
    """``problem`` (the first sheet has no header of the table), naming another visible
    sheet that has one: a cover or instructions sheet often comes first."""
    found = _same_table(spec, source)
    if not found:
        return problem
    return FileProblem(
        str(problem)
        + " "
        + _(
            "Only the first sheet, “%(first)s”, is read; the sheet “%(sheet)s” has these "
            "columns: move it to the front (or save it as a file of its own)."
        )
        % {"first": source.sheet_name, "sheet": found[0]}
    )


def _in_another_encoding(spec: TableSpec, source: Source, problem: FileProblem) -> FileProblem:
    """``problem`` (no header of the table), saying how the file was read when it was
    read as GB18030 and none of its first row's columns is known: Big5 (Taiwan, Hong
    Kong) or Shift-JIS bytes read as GB18030 without an error, as other characters."""
    if source.kind != "csv" or not source.encoding.startswith("GB18030"):
        return problem
    known = {name for column in spec.columns for name in column.headers()}
    cells = [cell for cell in source.header if cell]
    if not cells or any(normalise_header(cell) in known for cell in cells):
        return problem
    return FileProblem(
        str(problem)
        + " "
        + _(
            "The file was read as %(encoding)s text, in which its columns are %(columns)s: "
            "if it was saved in another encoding (Big5, Shift-JIS), save it again as "
            "CSV UTF-8."
        )
        % {
            "encoding": source.encoding,
            "columns": ", ".join(f"“{cell}”" for cell in cells[:3]),
        }
    )


def _same_table(spec: TableSpec, source: Source) -> list[str]:
    """The other visible sheets of the workbook with a header of ``spec``'s table."""
    same = []
    for name, rows in source.other_sheets:
        for cells in rows:
            header = ["" if cell is None else str(cell).strip() for cell in cells]
            try:
                match_headers(spec, header)
            except FileProblem:
                continue
            same.append(name)
            break
    return same


def _sheets_of_the_same_table(spec: TableSpec, source: Source) -> list[str]:
    """The warning (a list of one, or none) that other visible sheets of the workbook
    have a header of the same table: only the first sheet is imported, and a workbook
    of one sheet per year or region must not lose the others unnoticed."""
    same = _same_table(spec, source)
    if not same:
        return []
    separator = pgettext("list separator", ", ")
    return [
        _(
            "Only the first sheet, “%(first)s”, is imported; other sheets with the same "
            "columns are not: %(sheets)s. Import each of them as a file of its own."
        )
        % {"first": source.sheet_name, "sheets": separator.join(f"“{n}”" for n in same)}
    ]


# A unit in brackets after a money header that counts in thousands, ten thousands (万),
# millions or hundred millions (亿) of yuan: 金额（万元）, amount (k CNY), 金额('000).
# the header's last bracket (NFKC: （） are ()), as normalise_header drops it
_UNIT = re.compile(r"(?:\(([^)]*)\)|\[([^\]]*)\]|【([^】]*)】)$")
_SCALE = re.compile(
    r"万|千|百万|亿|thousand|million|billion|['’]000|\b000s?\b"
    r"|\bk\b|\bm\b|\bmn\b|\bbn\b|\bw\b"
)
_RATE = re.compile(r"/|每|\bper\b")  # 元/千克, 每千瓦时, per kg: a price per unit, in yuan
# A currency that is not the yuan (人民币, RMB, CNY, ¥ are): USD, US$, $, 美元, 港币 …
_FOREIGN = re.compile(
    r"美元|美金|港币|港元|港幣|欧元|歐元|英镑|日元|日圆|澳元|加元|新台币|台币|新加坡元|韩元|卢布"
    r"|\$|€|£|\b(?:usd|hkd|eur|gbp|jpy|aud|cad|twd|ntd|sgd|krw|chf|rub|inr)\b"
)
# The currencies each of those words names ("$" alone: any dollar), to let the company's
# own currency (ATTAIN_CURRENCY, the first-run setup) through: 金额(HKD) in Hong Kong.
_DOLLARS = frozenset({"USD", "HKD", "AUD", "CAD", "TWD", "SGD"})
_CODES: dict[str, frozenset[str]] = {
    **dict.fromkeys(("美元", "美金", "usd"), frozenset({"USD"})),
    **dict.fromkeys(("港币", "港元", "港幣", "hkd"), frozenset({"HKD"})),
    **dict.fromkeys(("欧元", "歐元", "eur", "€"), frozenset({"EUR"})),
    **dict.fromkeys(("英镑", "gbp", "£"), frozenset({"GBP"})),
    **dict.fromkeys(("日元", "日圆", "jpy"), frozenset({"JPY"})),
    **dict.fromkeys(("澳元", "aud"), frozenset({"AUD"})),
    **dict.fromkeys(("加元", "cad"), frozenset({"CAD"})),
    **dict.fromkeys(("新台币", "台币", "twd", "ntd", "nt"), frozenset({"TWD"})),
    **dict.fromkeys(("新加坡元", "sgd"), frozenset({"SGD"})),
    **dict.fromkeys(("韩元", "krw"), frozenset({"KRW"})),
    **dict.fromkeys(("卢布", "rub"), frozenset({"RUB"})),
    "chf": frozenset({"CHF"}),
    "inr": frozenset({"INR"}),
    "$": _DOLLARS,
}


def _foreign(unit: str) -> bool:
    """Whether ``unit`` (a header's bracket, NFKC and casefolded) names a currency other
    than the company's: every currency word in it must name the company's."""
    words = [match.group(0) for match in _FOREIGN.finditer(unit)]
    if not words:
        return False
    own = company().currency.upper()
    return not all(own in _CODES.get(word, frozenset()) for word in words)


# A unit given in the title area of a report rather than in the amount's header:
# 单位：万元, 金额单位:千元, Amounts in thousands.
_NOTE_UNIT = re.compile(r"单位\s*[:：]\s*([^\s,，;；)）]+)")
_NOTE_ENGLISH = re.compile(r"\bin\s+(thousands|millions|billions)\b", re.IGNORECASE)
# what is left of a note's unit without its multiple when it counts money (万元, 千元,
# 万 alone), not kilograms (千克) or pieces (万件)
_NOTE_MONEY = re.compile(r"^$|元|圆|块|人民币|rmb|cny|yuan|¥")


def _money_multiple(unit: str) -> bool:
    """Whether a note's unit (万元, 千元, 万) is a multiple of money."""
    if not _SCALE.search(unit) or _RATE.search(unit):
        return False
    rest = _SCALE.sub("", unit).strip(" .")
    return bool(_NOTE_MONEY.search(rest) or _FOREIGN.search(rest))


def refuse_scaled_note(spec: TableSpec, above: list[str], positions: dict[str, int]) -> None:
    """A file whose rows above the header say its amounts count in thousands or 万
    (单位：万元 in a report's title area) is refused, as a header 金额（万元） is: read
    as yuan, 12.5 万元 would become ¥12.50 without a word."""
    if not any(c.kind is Kind.MONEY and c.name in positions for c in spec.columns):
        return
    for text in above:
        normal = unicodedata.normalize("NFKC", str(text)).casefold()
        unit = _NOTE_UNIT.search(normal)
        scaled = unit is not None and _money_multiple(unit.group(1))
        if scaled or _NOTE_ENGLISH.search(normal):
            own = company().currency.upper()
            if own != "CNY":
                raise FileProblem(
                    _(
                        "The rows above the header say “%(note)s”, but Attain reads amounts "
                        "in %(currency)s, not thousands: convert the amounts and remove the "
                        "note; nothing was imported."
                    )
                    % {"note": str(text).strip(), "currency": own}
                )
            raise FileProblem(
                _(
                    "The rows above the header say “%(note)s”, but Attain reads amounts in "
                    "yuan (元, not thousands or 万): convert the amounts and remove the note; "
                    "nothing was imported."
                )
                % {"note": str(text).strip()}
            )


def refuse_scaled_money(spec: TableSpec, header: list[str], positions: dict[str, int]) -> None:
    """A money column whose header gives its unit as a multiple of yuan (金额（万元）,
    common in Chinese reports) or another currency (金额（美元）, Amount (USD)) is refused:
    Attain reads amounts in yuan, and reading 12.5 万元 as ¥12.50 (or $1,000 as ¥1,000)
    would be wrong without a word."""
    for column in spec.columns:
        if column.kind is not Kind.MONEY or column.name not in positions:
            continue
        raw = header[positions[column.name]]
        found = _UNIT.search(unicodedata.normalize("NFKC", raw).casefold().strip())
        unit = None if found is None else next(g for g in found.groups() if g is not None)
        if unit is not None and _SCALE.search(unit) and not _RATE.search(unit):
            own = company().currency.upper()
            if own != "CNY":
                raise FileProblem(
                    _(
                        "Column “%(header)s” counts in %(unit)s, but %(column)s is read in "
                        "%(currency)s, not thousands: convert the column and name it without "
                        "the unit; nothing was imported."
                    )
                    % {
                        "header": raw,
                        "unit": unit.strip(),
                        "column": column.name,
                        "currency": own,
                    }
                )
            raise FileProblem(
                _(
                    "Column “%(header)s” counts in %(unit)s, but %(column)s is read as a plain "
                    "amount (元, not thousands or 万): convert the column and name it without "
                    "the unit; nothing was imported."
                )
                % {"header": raw, "unit": unit.strip(), "column": column.name}
            )
        if unit is not None and _foreign(unit):
            own = company().currency.upper()
            values = {"header": raw, "unit": unit.strip(), "column": column.name}
            if own != "CNY":
                raise FileProblem(
                    _(
                        "Column “%(header)s” is in %(unit)s, but Attain reads %(column)s in "
                        "the company's currency, %(currency)s: convert the column to "
                        "%(currency)s and name it without the unit; nothing was imported."
                    )
                    % {**values, "currency": own}
                )
            raise FileProblem(
                _(
                    "Column “%(header)s” is in %(unit)s, but Attain reads %(column)s in yuan "
                    "(CNY): convert the column to yuan and name it without the unit; nothing "
                    "was imported."
                )
                % values
            )


# The run ---------------------------------------------------------------------------


# The first cell of a sheet's totals row: 合计, 总计, 小计, Total, Grand total, Sum …
_TOTALS = frozenset(
    {"合计", "总计", "小计", "合計", "総計", "小計", "共计", "总合计"}
    | {"total", "totals", "grandtotal", "subtotal", "sum", "overalltotal"}
)


def _totals_row(cells: list[Any], reason: str) -> str:
    """``reason``, saying first that the row is a totals row when its first cell with
    something in it reads 合计 or Total (the row was rejected: a good row is a record,
    whatever it is called)."""
    first = next((c for c in cells if c is not None and str(c).strip()), None)
    if not isinstance(first, str):
        return reason
    word = re.sub(r"[\s:：]+", "", unicodedata.normalize("NFKC", first).casefold())
    if word not in _TOTALS:
        return reason
    return _("a totals row (“%(cell)s”), not a record: delete it from the file (%(reasons)s)") % {
        "cell": first.strip(),
        "reasons": reason,
    }


class _Rejects:
    """The rejects file, opened at the first bad row: UTF-8 with BOM so Excel opens it."""

    def __init__(self, path: Path | None, header: list[str]) -> None:
        self.path = path
        self.header = header
        self.handle: IO[str] | None = None
        self.writer: Any = None

    def write(self, row: int, reason: str, cells: list[Any]) -> None:
        if self.path is None:
            return
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = self.path.open("w", encoding="utf-8-sig", newline="")
            self.writer = csv.writer(self.handle)
            self.writer.writerow(
                [
                    pgettext("rejects file", "row"),
                    pgettext("rejects file", "reason"),
                    *(guard_formula(cell_text(c)) for c in self.header),
                ]
            )
        self.writer.writerow([row, reason, *(guard_formula(cell_text(c)) for c in cells)])

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def import_file(
    actor: Any,
    table: str,
    path: Path | str,
    *,
    file_name: str | None = None,
    rejects_path: Path | None = None,
    dry_run: bool = False,
    chunk_size: int = CHUNK_SIZE,
    sample_size: int = 0,
    progress: Progress | None = None,
    row_limit: int | None = None,
    finish: Callable[[ImportResult], None] | None = None,
    audit_batch: str = "",
    options: Mapping[str, Any] | None = None,
) -> ImportResult:
    """Import ``path`` into ``table`` (see the module docstring). Raises
    :class:`FileProblem` when the file as a whole cannot be imported (nothing is
    written then); row problems go to ``rejects_path`` and the counts. ``finish`` runs
    inside the merge's transaction once every row is written (the batch's counts and
    audit event commit with the rows, or not at all). Every created or changed record
    gets an audit event filed under ``audit_batch`` (a new id when empty). ``options``:
    the choices an organisation file takes (:mod:`attain.intake.orgfiles`) and
    ``date_order`` (:data:`~attain.intake.parsing.DATE_ORDERS`) for any file."""
    spec = get_table(table)
    if not can_import(actor, spec):
        raise FileProblem(_("You may not import %(table)s.") % {"table": spec.label})
    order = (options or {}).get("date_order") or "ymd"
    with (
        reading_dates(order),
        open_source(path, file_name, row_limit=row_limit, currency=company().currency) as source,
    ):
        try:
            positions, matches = find_header(spec, source)
        except FileProblem as problem:
            problem = _on_another_sheet(spec, source, problem)
            raise _in_another_encoding(spec, source, problem) from None
        if source.misread_as:
            raise FileProblem(
                _(
                    "Read as %(encoding)s text, the file gives rare characters; read as "
                    "%(other)s, everyday ones: it was probably saved in %(other)s. Save it "
                    "again as CSV UTF-8; nothing was imported."
                )
                % {"encoding": source.encoding, "other": source.misread_as}
            )
        result = ImportResult(table, encoding=source.encoding, headers=matches, dry_run=dry_run)
        unread = _sheets_of_the_same_table(spec, source)
        rejects = _Rejects(rejects_path, source.header)
        if spec.org:
            from .orgfiles import import_org_file

            try:
                import_org_file(
                    spec,
                    actor,
                    source,
                    positions,
                    result,
                    rejects,
                    dry_run=dry_run,
                    sample_size=sample_size,
                    options=options or {},
                    reason=_("Imported from %(file)s") % {"file": file_name or Path(path).name},
                    audit_batch=audit_batch or f"import-{uuid.uuid4().hex[:12]}",
                    finish=finish,
                    progress=progress,
                )
            finally:
                rejects.close()
            result.warnings[:0] = unread
            return result
        result.warnings[:0] = unread
        started = time.monotonic()
        # The staged chunks: an unnamed temporary file, gone with the process however
        # it ends (a worker killed with -9 leaves nothing behind).
        with tempfile.TemporaryFile(prefix="attain-import-") as staged, fewer_collections():
            try:
                importer = RowValidator(spec, actor, positions)
                chunks = _stage(
                    spec,
                    importer,
                    source,
                    result,
                    rejects,
                    chunk_size,
                    sample_size,
                    progress,
                    None if dry_run else staged,
                    started,
                )
            finally:
                rejects.close()
            if rejects.writer is not None:
                result.rejects_path = rejects_path
            if not dry_run:
                staged.seek(0)
                merging = time.monotonic()
                audit = BulkAudit(
                    actor,
                    batch=audit_batch or f"import-{uuid.uuid4().hex[:12]}",
                    reason=_("Imported from %(file)s") % {"file": file_name or Path(path).name},
                )
                with transaction.atomic():
                    _merge(spec, importer, staged, chunks, result, progress, started, audit)
                    if finish is not None:
                        finish(result)
                result.merge_seconds = time.monotonic() - merging
    return result


# The cyclic garbage collector's first threshold while a file is imported (Python's own
# is 700): an import allocates millions of objects that form no cycles (rows, values,
# audit texts), and at 700 the collector ran some 1,700 times per 100,000 rows, each
# older generation's pass walking every object the process holds: about a sixth of the
# import's CPU time (issue 15). Collections still run, 14 times less often.
IMPORT_GC_THRESHOLD = 10_000
_collections_lock = threading.Lock()
_importing = 0  # imports running in this process (threads): the last one restores
_thresholds: tuple[int, int, int] = gc.get_threshold()


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the garbage collector less often while an import runs in this process, and
    as before once the last import has ended (however it ends)."""
    global _importing, _thresholds
    with _collections_lock:
        if _importing == 0:
            _thresholds = gc.get_threshold()
            gc.set_threshold(max(_thresholds[0], IMPORT_GC_THRESHOLD), *_thresholds[1:])
        _importing += 1
    try:
        yield
    finally:
        with _collections_lock:
            _importing -= 1
            if _importing == 0:
                gc.set_threshold(*_thresholds)


def _chunks(source: Source, width: int, size: int) -> Iterable[list[tuple[int, list[Any]]]]:
    chunk: list[tuple[int, list[Any]]] = []
    row_number = source.header_row  # the header's row, as Excel shows it
    for cells in source.rows:
        row_number += 1
        if len(cells) < width:
            cells = [*cells, *([""] * (width - len(cells)))]
        for cell in cells:
            if cell and (cell.__class__ is not str or not cell.isspace()):
                break
        else:
            continue  # a blank line: no cell, or only spaces (as cells are read, stripped)
        chunk.append((row_number, cells))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _stage(
    spec: TableSpec,
    importer: RowValidator,
    source: Source,
    result: ImportResult,
    rejects: _Rejects,
    chunk_size: int,
    sample_size: int,
    progress: Progress | None,
    staged: IO[bytes] | None,
    started: float,
) -> int:
    """Stage: read, validate and check references chunk by chunk, with reads only (no
    transaction, no write lock). Good rows go to ``staged`` (pickled, one chunk at a
    time), bad rows to the rejects file. Without ``staged`` (a dry run) the counts of
    new and updated rows are taken here. Returns the number of chunks staged."""
    width = len(source.header)
    derive = spec.derive
    chunks = 0
    codes: dict[str, str] = {}  # customers: each credit code taken, by its customer's key
    earlier: set[str] = set()  # a dry run: the keys of earlier chunks (they count as updates)
    for chunk in _chunks(source, width, chunk_size):
        importer.load_references(chunk)
        accepted: dict[str, dict[str, Any]] = {}
        rows_with: dict[str, list[int]] = {}  # every row of a key (the last one wins)
        sampled: list[tuple[int, list[Any], str]] = []
        for (row_number, cells), (values, reason) in zip(
            chunk, importer.validate_chunk(chunk), strict=True
        ):
            result.rows += 1
            if values is None:
                reason = _totals_row(cells, reason)
                result.rejected += 1
                rejects.write(row_number, reason, cells)
                if result.rows <= sample_size:
                    result.sample.append(
                        SampleRow(row_number, _texts(cells, width), REJECTED, reason)
                    )
                continue
            key = values[spec.key]
            if key in accepted:
                result.updated += 1  # the later row wins
            accepted[key] = values
            rows_with.setdefault(key, []).append(row_number)
            if result.rows <= sample_size:
                sampled.append((row_number, cells, key))
        refused: dict[str, str] = {}  # key → reason: rows found bad only with the others
        if importer.allowed is not None:
            refused.update(_outside_team(spec, importer.allowed, accepted))
        if spec.name == "customers":
            refused.update(_taken_credit_codes(accepted, codes))
        if refused:
            cells_of = dict(chunk)
            reasons: dict[int, str] = {}
            for key, reason in refused.items():
                del accepted[key]
                rows = rows_with[key]
                result.updated -= len(rows) - 1
                result.rejected += len(rows)
                for row_number in rows:
                    rejects.write(row_number, reason, cells_of[row_number])
                    reasons[row_number] = reason
            for row_number, cells, _key in sampled:
                if row_number in reasons:
                    result.sample.append(
                        SampleRow(row_number, _texts(cells, width), REJECTED, reasons[row_number])
                    )
        if staged is None or sampled:
            existing = {k for k, *_rest in fetch_by_keys(spec.model, spec.key, accepted, ["pk"])}
            if staged is None:
                existing |= earlier & accepted.keys()
                earlier.update(accepted)
                result.updated += len(existing)
                result.imported += len(accepted) - len(existing)
            for row_number, cells, key in sampled:
                if key in accepted:
                    last = rows_with[key][-1]
                    outcome = UPDATE if key in existing or last != row_number else NEW
                    result.sample.append(SampleRow(row_number, _texts(cells, width), outcome))
            result.sample.sort(key=lambda sample: sample.row)
        if staged is not None and accepted:
            if derive is not None:
                for values in accepted.values():
                    derive(values)
            pickle.dump(accepted, staged, protocol=pickle.HIGHEST_PROTOCOL)
            chunks += 1
        result.seconds = time.monotonic() - started
        if progress is not None:
            progress(result.rows, result.seconds)
    return chunks


def _merge(
    spec: TableSpec,
    importer: RowValidator,
    staged: IO[bytes],
    chunks: int,
    result: ImportResult,
    progress: Progress | None,
    started: float,
    audit: BulkAudit | None = None,
) -> None:
    """Merge: write the staged chunks, in the caller's transaction. Only this part holds
    the database's write lock; it does no parsing and no validation, only one query
    for the keys already stored and the writes, per chunk."""
    if connection.vendor == "sqlite":
        # Inserting into several indexes at random places: a bigger page cache (bounded)
        # keeps SQLite from spilling pages to the OS on every chunk.
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
    present = {a for _p, c, a, _f in importer.parsers if c.kind not in CHILD_ROWS}
    present |= {spec.derived_fields[a] for a in present if a in spec.derived_fields}
    present |= set(importer.stamped)  # the verification state (docs/pay.md)
    dated = {f: d for f, d in spec.change_dates.items() if f in present}
    present |= set(dated.values())
    credit = None
    if spec.credit is not None and any(c.kind is Kind.CREDIT for c in importer.present):
        credit = CreditRows(spec.credit.model, spec.credit.parent_column)
    fingerprints = [a for _p, c, a, _f in importer.parsers if c.kind is Kind.FINGERPRINTS]
    writer = Upsert(
        spec.model,
        spec.key,
        present=present,
        defaults=importer.defaults,
        credit=credit,
        audit=audit,
        keep_verification=not fingerprints,  # evidence the row check does not compare
    )
    for _n in range(chunks):
        accepted: dict[str, dict[str, Any]] = pickle.load(staged)  # our own staging file
        if importer.allowed is not None:
            # checked again under the write lock: a record may have changed hands (another
            # import, a page) since it was staged
            outside = _outside_team(spec, importer.allowed, accepted)
            if outside:
                key = min(outside)
                raise FileProblem(
                    _(
                        "“%(key)s” became a record of someone outside your team while the "
                        "file was being imported; nothing was imported. Import it again."
                    )
                    % {"key": key}
                )
        existing: dict[str, int] = dict(fetch_by_keys(spec.model, spec.key, accepted, ["pk"]))
        if dated and existing:
            _date_changes(spec, dated, accepted, existing)
        result.updated += len(existing)
        result.imported += len(accepted) - len(existing)
        new_keys = writer.write(accepted, existing)
        if spec.name == "opportunities" and new_keys:
            _first_stage_rows(new_keys)
        for attname in fingerprints:
            stored = dict(fetch_by_keys(spec.model, spec.key, accepted, ["pk"]))
            replace_photo_fingerprints({stored[k]: v[attname] for k, v in accepted.items()})
        result.seconds = time.monotonic() - started
        if progress is not None:
            progress(result.rows, result.seconds)


def _date_changes(
    spec: TableSpec,
    dated: Mapping[str, str],
    accepted: dict[str, dict[str, Any]],
    existing: dict[str, int],
) -> None:
    """Rows that change a dated field (an order cancelled or returned) without the date
    of the change: the change happened by the import's day, so it is dated then (a wash
    order cancelled after the quarter is seen as such); an unchanged field keeps its
    stored date."""
    fields = [name for pair in dated.items() for name in pair]
    stored = {
        key: dict(zip(fields, values, strict=True))
        for key, *values in fetch_by_keys(spec.model, spec.key, existing, fields)
    }
    today = timezone.localdate()
    for key, values in accepted.items():
        old = stored.get(key)
        if old is None:
            continue
        for name, date_name in dated.items():
            if values.get(date_name) is not None:
                continue
            changed = values.get(name) != old[name]
            values[date_name] = today if changed else old[date_name]


def _texts(cells: list[Any], width: int) -> list[str]:
    return [cell_text(c) for c in cells[:width]]


def _taken_credit_codes(
    accepted: dict[str, dict[str, Any]], codes: dict[str, str]
) -> dict[str, str]:
    """A unified social credit code belongs to one live customer (the services' rule):
    the keys of ``accepted`` whose code a stored customer or an earlier row of the file
    (``codes``, kept across chunks) has, with the reason."""
    from attain.crm.models import Customer

    wanted = {v["credit_code"] for v in accepted.values() if v.get("credit_code")}
    if not wanted:
        return {}
    stored = dict(
        Customer.objects.filter(
            credit_code__in=sorted(wanted), merged_into__isnull=True
        ).values_list("credit_code", "external_id")
    )
    taken: dict[str, str] = {}
    for key, values in accepted.items():
        code = values.get("credit_code")
        if not code:
            continue
        holder = stored.get(code) or codes.get(code)
        if holder is not None and holder != key:
            taken[key] = _("customer “%(other)s” already has credit code %(code)s") % {
                "other": holder,
                "code": code,
            }
            continue
        codes[code] = key
    return taken


def _outside_team(
    spec: TableSpec, allowed: set[int], accepted: dict[str, dict[str, Any]]
) -> dict[str, str]:
    """Rows that would change a stored record of someone the importer may not import
    for (a manager: people outside their team), with the reason. The file's own person
    columns are checked row by row (:class:`RowValidator`); this checks whom the stored
    record, and its credit split, belongs to now."""
    people = [c.field_name for c in spec.columns if c.scoped and c.kind is Kind.PERSON]
    if not people or not accepted:
        return {}
    stored = fetch_by_keys(spec.model, spec.key, accepted, ["pk", *people])
    outside = {
        key
        for key, _pk, *owners in stored
        if any(owner is not None and owner not in allowed for owner in owners)
    }
    if spec.credit is not None:
        key_of = {pk: key for key, pk, *_owners in stored}
        parent = spec.credit.parent_column
        credited = spec.credit.model._default_manager.filter(**{f"{parent}__in": list(key_of)})
        for pk, person in credited.values_list(parent, "person_id"):
            if person not in allowed:
                outside.add(key_of[pk])
    reason = _("“%(key)s” is a record of someone outside your team")
    return {key: reason % {"key": key} for key in outside}


def _first_stage_rows(new_keys: list[str]) -> None:
    from attain.crm.models import Opportunity

    now = timezone.now()
    StageChange.objects.bulk_create(
        StageChange(opportunity_id=pk, to_stage_id=stage, changed_at=now, note=_("imported"))
        for pk, stage in Opportunity.objects.filter(external_id__in=new_keys).values_list(
            "pk", "stage_id"
        )
    )
