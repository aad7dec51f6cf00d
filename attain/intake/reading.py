"""Reading imported files as a stream of rows: CSV (any of the encodings Excel writes)
and XLSX. Memory does not grow with the file.

Hostile or broken files are refused with a :class:`FileProblem` (never a crash): an
XLSX is checked before it is opened (each part's unzipped size, the unzipped/zipped
ratio that gives zip bombs away, the shared-strings size), and every file is bounded
in rows and cells; the limits are ``settings.ATTAIN_LIMITS`` (see docs/import.md).
A malformed XLSX (not a zip, truncated, broken XML) is a file problem, whether it
shows when opening or half-way through the rows."""

from __future__ import annotations

import codecs
import contextlib
import csv
import itertools
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

SAMPLE_BYTES = 1 << 20
csv.field_size_limit(1 << 24)


class FileProblem(Exception):
    """The whole file cannot be imported (unreadable, unknown table, missing column)."""


@dataclass
class Source:
    """An open file: its header row and an iterator over its data rows."""

    kind: str  # "csv" or "xlsx"
    encoding: str  # what the preview shows, e.g. "UTF-8 (BOM)", "GB18030 (GBK)", "XLSX"
    header: list[str]
    rows: Iterator[list[Any]]
    _handles: list[Any] = field(default_factory=list)
    header_row: int = 1  # the header's row number as a spreadsheet shows it (blank lines first)
    # a workbook: the sheet read, and each other visible sheet with its first rows (a
    # header may be under a title), to tell when they hold more of the same table
    sheet_name: str = ""
    other_sheets: list[tuple[str, list[list[Any]]]] = field(default_factory=list)
    # a CSV read as GB18030 whose text reads as everyday characters only in another
    # encoding (Shift-JIS, Big5): that encoding's label (see :func:`misread_as`)
    misread_as: str = ""

    def close(self) -> None:
        for handle in self._handles:
            handle.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_NOT_TEXT = _lazy("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) or XLSX.")
_NOT_TEXT_IN = _lazy(
    "The file is neither UTF-8 nor %(encoding)s nor GBK text; save it as CSV (UTF-8) or XLSX."
)

# The encoding Excel writes a CSV file in ("CSV (comma delimited)") on a Windows set up
# for the country of a company paying in that currency: Shift-JIS (CP932) in Japan, Big5
# (CP950) in Taiwan, Korean (CP949) in Korea; elsewhere the Chinese one, GB18030/GBK.
_GB18030 = ("gb18030", "GB18030 (GBK)")
LEGACY_ENCODINGS = {
    "JPY": ("cp932", "Shift-JIS (CP932)"),
    "TWD": ("cp950", "Big5 (CP950)"),
    "KRW": ("cp949", "EUC-KR (CP949)"),
}

# The first bytes of an Excel 97–2003 workbook (.xls, an OLE2 container)
OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Characters no text file holds (a binary file read as text has them)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _zeros_throughout(sample: bytes) -> bool:
    """Zero bytes in a tenth of the sample or more: UTF-16 or binary data, not a text
    file with a stray NUL in a cell (that row is rejected by itself)."""
    return sample.count(0) * 10 >= len(sample) > 0


def _utf16_without_bom(sample: bytes) -> tuple[str, str] | None:
    """UTF-16 written without its BOM (some exports do). A zero byte is never in UTF-8
    or GBK text, but in UTF-16 every character below U+0100 has one; of the two byte
    orders, the right one reads the sample's commas, digits and line ends as such (the
    other turns them into CJK characters). Valid UTF-8 otherwise, its cells held NULs."""
    if not _zeros_throughout(sample):
        return None
    best: tuple[int, str] | None = None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = codecs.getincrementaldecoder(codec)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        ascii_count = sum(1 for c in text if c < "\x80")
        if _CONTROL.search(text) is None and (best is None or ascii_count > best[0]):
            best = (ascii_count, codec)
    if best is None or best[0] == 0:
        return None
    return best[1], "UTF-16"


def _not_text(currency: str) -> FileProblem:
    legacy = LEGACY_ENCODINGS.get(currency.upper())
    if legacy is None:
        return FileProblem(str(_NOT_TEXT))
    return FileProblem(_NOT_TEXT_IN % {"encoding": legacy[1]})


def legacy_encodings(currency: str) -> tuple[tuple[str, str], ...]:
    """The (codec, label) pairs a CSV file that is not UTF-8 is tried in, in order: the
    encoding of the company's country's Excel (:data:`LEGACY_ENCODINGS`), then GB18030,
    the superset of GBK that Excel uses for Chinese CSV."""
    legacy = LEGACY_ENCODINGS.get(currency.upper())
    return (legacy, _GB18030) if legacy else (_GB18030,)


def detect_encoding(sample: bytes, currency: str = "CNY") -> tuple[str, str]:
    """(codec, label). UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode
    text"), else the encoding of the Excel of the company's country (``currency``:
    Shift-JIS for JPY), else GB18030, the superset of GBK that Excel uses for Chinese
    CSV."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "UTF-8 (BOM)"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "UTF-16"
    without_bom = _utf16_without_bom(sample)
    if without_bom is not None:
        return without_bom
    if _zeros_throughout(sample):  # binary data: UTF-8 would read it, NULs and all
        raise _not_text(currency)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8", "UTF-8"
    except UnicodeDecodeError:
        pass
    read: list[tuple[float, str, str]] = []
    for codec, label in legacy_encodings(currency):
        try:
            text = codecs.getincrementaldecoder(codec)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        read.append((_common_share(text, codec), codec, label))
    if not read:
        raise _not_text(currency)
    # both read it (GBK bytes are mostly valid Shift-JIS too, as other characters):
    # the one that reads it into everyday characters, the first on a tie
    best = max(read, key=lambda found: found[0])
    return best[1], best[2]


# Each legacy encoding's everyday characters, as byte ranges of their first byte and
# second byte: GB2312's level-1 hanzi; JIS X 0208's kana and level-1 kanji; Big5's
# frequently used characters; KS X 1001's hangul. Text read in the wrong encoding
# spreads over the rarer characters (and half-width katakana) instead.
_EVERYDAY = {
    "gb18030": ((0xB0, 0xD7), (0xA1, 0xFE)),
    "cp932": ((0x82, 0x98), (0x40, 0xFC)),
    "cp950": ((0xA4, 0xC6), (0x40, 0xFE)),
    "cp949": ((0xB0, 0xC8), (0xA1, 0xFE)),
}


# The encodings a file read as GB18030 without an error may really be in: Excel's in
# Japan and in Taiwan or Hong Kong.
_MISREAD = (LEGACY_ENCODINGS["JPY"], LEGACY_ENCODINGS["TWD"])


def misread_as(sample: bytes, codec: str) -> str:
    """The label of the encoding ``sample`` is more likely in, when read in ``codec``
    (GB18030) it gives mostly rare characters and in that one mostly everyday ones
    (:func:`_common_share`); else "". Such bytes read as GB18030 without an error, so
    without this a Shift-JIS name imported as other characters (東京 as 搶嫗)."""
    if codec != "gb18030":
        return ""
    text = codecs.getincrementaldecoder(codec)().decode(sample, final=False)
    if sum(1 for char in text[:20000] if char >= "\x80") < 8 or _common_share(text, codec) >= 0.5:
        return ""
    for other, label in _MISREAD:
        try:
            read = codecs.getincrementaldecoder(other)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        if _common_share(read, other) >= 0.8:
            return label
    return ""


def _common_share(text: str, codec: str) -> float:
    """The share of everyday characters (:data:`_EVERYDAY`) among the non-ASCII
    characters of the start of ``text``, as read in ``codec``."""
    (low, high), (low2, high2) = _EVERYDAY[codec]
    wide = [char for char in text[:20000] if char >= "\x80"]
    if not wide:
        return 0.0
    everyday = 0
    for char in wide:
        encoded = char.encode(codec, errors="ignore")
        if len(encoded) == 2 and low <= encoded[0] <= high and low2 <= encoded[1] <= high2:
            everyday += 1
    return everyday / len(wide)


def _delimiter(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", "\t", ";", "|")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


# Everything a broken XLSX can raise from openpyxl, zipfile, zlib or the XML parser
# (ElementTree's ParseError is a SyntaxError).
_BROKEN_XLSX = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    SyntaxError,
)


def limits() -> dict[str, int]:
    return dict(settings.ATTAIN_LIMITS)


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):,.0f}"


def is_xlsx(path: Path, name: str | None = None) -> bool:
    suffix = Path(name or path.name).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return True
    if suffix in {".csv", ".txt"}:
        return False
    try:
        with path.open("rb") as probe:
            return probe.read(2) == b"PK"
    except OSError:
        return False


def check_upload(path: Path | str, name: str | None = None) -> None:
    """The checks an uploaded file passes before it is stored as a batch: its size and,
    for XLSX, :func:`check_xlsx`. Raises :class:`FileProblem`."""
    path = Path(path)
    limit = limits()["IMPORT_MAX_BYTES"]
    size = path.stat().st_size
    if size > limit:
        raise FileProblem(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(limit)}
        )
    if is_xlsx(path, name):
        check_xlsx(path)


def check_xlsx(path: Path) -> None:
    """Refuse an XLSX before any of it is unzipped: not a zip (or truncated), a part
    that unzips to more than the limit or at a suspicious ratio, too much in all.
    Reads the zip's directory only, so a 4 MB file declaring 2 GB is refused at once
    (zipfile never unzips more than a part declares)."""
    bounds = limits()
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise FileProblem(
            _("The file is not a valid XLSX workbook (%(error)s); save it again from Excel.")
            % {"error": error}
        ) from None
    total = 0
    for part in parts:
        total += part.file_size
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > (1 << 20) and ratio > bounds["XLSX_MAX_RATIO"]:
            raise FileProblem(
                _(
                    "The workbook part %(part)s unzips to %(size)s MB, %(ratio)s times its "
                    "packed size (the limit is %(limit)s times); the file looks like a zip bomb."
                )
                % {
                    "part": part.filename,
                    "size": _megabytes(part.file_size),
                    "ratio": f"{ratio:,.0f}",
                    "limit": bounds["XLSX_MAX_RATIO"],
                }
            )
        if (
            part.filename.endswith("sharedStrings.xml")
            and part.file_size > bounds["XLSX_MAX_SHARED_STRINGS_BYTES"]
        ):
            raise FileProblem(
                _(
                    "The workbook's text table is %(size)s MB once unzipped; the limit is "
                    "%(limit)s MB. Split the file or save it as CSV."
                )
                % {
                    "size": _megabytes(part.file_size),
                    "limit": _megabytes(bounds["XLSX_MAX_SHARED_STRINGS_BYTES"]),
                }
            )
    if total > bounds["XLSX_MAX_UNZIPPED_BYTES"]:
        raise FileProblem(
            _(
                "The workbook is %(size)s MB once unzipped; the limit is %(limit)s MB. "
                "Split the file or save it as CSV."
            )
            % {
                "size": _megabytes(total),
                "limit": _megabytes(bounds["XLSX_MAX_UNZIPPED_BYTES"]),
            }
        )


def open_source(
    path: Path | str,
    name: str | None = None,
    *,
    row_limit: int | None = None,
    currency: str = "CNY",
) -> Source:
    """Open ``path`` (its kind from ``name`` or the path's extension, else sniffed).
    With ``row_limit``, only that many data rows are read (the preview's sample). A CSV
    file that is not Unicode is read in the encoding of the Excel of the country whose
    ``currency`` the company pays in (:func:`detect_encoding`)."""
    path = Path(path)
    suffix = Path(name or path.name).suffix.lower()
    try:
        with path.open("rb") as probe:
            sample = probe.read(SAMPLE_BYTES)
    except OSError as error:
        raise FileProblem(_("Cannot read the file: %(error)s") % {"error": error}) from None
    workbook = sample[:4] == b"PK\x03\x04"  # a zip: a workbook, whatever its name says
    if sample[:8] == OLD_EXCEL:  # an .xls renamed, or saved under another name
        suffix = ".xls"
    if suffix in {".xlsx", ".xlsm"} or workbook:
        source = _open_xlsx(path) if row_limit is None else _sample_xlsx(path, row_limit)
    elif suffix == ".xls":
        raise FileProblem(_("Old .xls files are not supported: save the sheet as .xlsx or CSV."))
    else:
        source = _open_csv(path, sample, currency)
    source.rows = _bounded(source.rows, len(source.header))
    if row_limit is not None:
        source.rows = itertools.islice(source.rows, row_limit)
    return source


def _bounded(rows: Iterable[list[Any]], width: int) -> Iterator[list[Any]]:
    """The rows, refusing the file past the row or cell limit (itertools do the counting:
    no Python step per row)."""
    bounds = limits()
    max_rows = min(bounds["IMPORT_MAX_ROWS"], bounds["IMPORT_MAX_CELLS"] // max(width, 1))
    rows = iter(rows)
    return itertools.chain(itertools.islice(rows, max_rows), _refused(rows, max_rows, bounds))


def _refused(rows: Iterator[list[Any]], max_rows: int, bounds: dict[str, int]) -> Iterator[Any]:
    """Nothing, or :class:`FileProblem` when ``rows`` has one more row."""
    for _row in rows:
        raise FileProblem(
            _(
                "The file has more than %(rows)s rows (limits: %(max_rows)s rows, "
                "%(max_cells)s cells); split it into smaller files."
            )
            % {
                "rows": f"{max_rows:,}",
                "max_rows": f"{bounds['IMPORT_MAX_ROWS']:,}",
                "max_cells": f"{bounds['IMPORT_MAX_CELLS']:,}",
            }
        )
    yield from ()


def _open_csv(path: Path, sample: bytes, currency: str) -> Source:
    codec, label = detect_encoding(sample, currency)
    # plain ASCII at first, Chinese later: Excel's GBK, if the whole file reads so
    later = codec == "utf-8" and len(sample) == SAMPLE_BYTES
    if later and not _reads_as(path, "utf-8"):
        for legacy, legacy_label in legacy_encodings(currency):
            if _reads_as(path, legacy):
                codec, label = legacy, legacy_label
                break
    handle: IO[str] = path.open(encoding=codec, newline="")
    try:
        first = handle.readline()
        while first and not first.strip(" \t,;\r\n"):  # blank lines before the header
            first = handle.readline()
        handle.seek(0)
    except UnicodeDecodeError:
        handle.close()
        raise FileProblem(
            _("The file's first line cannot be read as %(e)s.") % {"e": label}
        ) from None
    # one line after the file's own: a row of its own, unless a quotation mark left open
    # pulled it into a cell (see _guarded)
    delimiter = _delimiter(first)
    reader = csv.reader(
        itertools.chain(_excel_text(handle, delimiter), (_END,)), delimiter=delimiter
    )
    skipped = False  # blank lines before the header
    try:
        first_line = 1
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            first_line = reader.line_num + 1
            header, skipped = next(reader, None), True
    except (UnicodeDecodeError, csv.Error) as error:
        handle.close()
        raise FileProblem(_("Cannot read the header row: %(error)s") % {"error": error}) from None
    if not header or header == [_END[0]]:
        handle.close()
        raise FileProblem(_("The file is empty."))
    if header[-1].endswith(_END):
        handle.close()
        raise _never_closed(first_line)
    header_row = reader.line_num if skipped else 1
    return Source(
        "csv",
        label,
        [h.strip() for h in header],
        _guarded(reader, label, header_row),
        [handle],
        header_row=header_row,
        misread_as=misread_as(sample, codec),
    )


def _excel_text(lines: Iterable[str], delimiter: str) -> Iterator[str]:
    """The lines, a cell written as a formula giving text (``="00123"``, how many systems
    export ids so that Excel keeps their leading zeros and digits) as that text quoted
    (``"00123"``): Excel shows 00123, and the cell reads so. A CSV library writing that
    text quotes the cell, doubling its quotation marks: read alike."""
    d = re.escape(delimiter)
    end = rf"(?=[{d}\r\n]|$)"
    cell = re.compile(rf'(^|{d})="((?:[^"]|"")*)"{end}')
    quoted = re.compile(rf'(^|{d})"=""((?:[^"]|"""")*)"""{end}')

    def unquote(match: re.Match[str]) -> str:
        return f'{match[1]}"{match[2].replace(chr(34) * 4, chr(34) * 2)}"'

    for line in lines:
        if '="' in line:
            if '"=""' in line:
                line = quoted.sub(unquote, line)
            line = cell.sub(r'\1"\2"', line)
        yield line


def _reads_as(path: Path, codec: str) -> bool:
    """Whether the whole file decodes as ``codec`` (read a block at a time)."""
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        with path.open("rb") as handle:
            while block := handle.read(SAMPLE_BYTES):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


_END = "\ue000\n"  # a private-use character: in no real file
_END_ROW = [_END[0]]  # the end line read as a row of its own


def _never_closed(row: int) -> FileProblem:
    return FileProblem(
        _(
            'A quotation mark (") in row %(row)s opens a cell that is never '
            "closed: the rest of the file was read into that cell. Close or "
            "remove the quotation mark; nothing was imported."
        )
        % {"row": row}
    )


def _guarded(reader: Iterator[list[str]], label: str, header_row: int) -> Iterator[list[Any]]:
    """The data rows, without the end line :func:`_open_csv` adds. That line ends in a
    cell when a quotation mark opening a cell never closes: the rest of the file was
    read into that one cell (the rows after it lost, the row itself looking fine), so
    the file is refused, naming the row."""
    try:
        previous: tuple[int, list[str]] | None = None  # (its row number, the row)
        for numbered in enumerate(reader, header_row + 1):
            if previous is not None:
                if numbered[1] != _END_ROW:
                    yield previous[1]
                elif last := _without_eof_mark(previous[1]):  # the file's last row
                    yield last
            previous = numbered
        if previous is None or previous[1] == _END_ROW:
            return
        number, row = previous
        if row and row[-1].endswith(_END):
            raise _never_closed(number)
        yield row
    except UnicodeDecodeError:
        raise FileProblem(
            _("Part of the file cannot be read as %(encoding)s; save it again as CSV (UTF-8).")
            % {"encoding": label}
        ) from None
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            failed = previous[0] + 1 if previous is not None else header_row + 1
            raise FileProblem(
                _(
                    "Row %(row)s has a cell of more than 16,777,216 characters, more than any "
                    "record holds: check the file (a quotation mark left open makes one cell of "
                    "many rows) and save it again; nothing was imported."
                )
                % {"row": failed}
            ) from None
        raise FileProblem(_("The CSV file is malformed: %(error)s") % {"error": error}) from None


_EOF_MARK = "\x1a"  # Ctrl-Z: DOS's end of file, which Windows' `copy a.csv+b.csv` appends


def _without_eof_mark(row: list[str]) -> list[str]:
    """The file's last row without a Ctrl-Z ending it (on its own line, or after the
    last cell); nothing when the mark was all there was. Anywhere else, a control
    character rejects its row."""
    if not row or not row[-1].endswith(_EOF_MARK):
        return row
    row = [*row[:-1], row[-1].removesuffix(_EOF_MARK)]
    return row if any(cell.strip() for cell in row) or len(row) > 1 else []


def _broken(error: BaseException) -> FileProblem:
    return FileProblem(
        _(
            "The Excel file is damaged or not a real XLSX workbook (%(error)s); open it in "
            "Excel and save it again, or save it as CSV."
        )
        % {"error": str(error)[:200] or type(error).__name__}
    )


def _size_from_head(sheet: Any) -> None:
    """openpyxl's read-only sheets look for ``<dimension>`` by parsing up to the *end*
    of ``<sheetData>``: the whole sheet, before the first row, when a file leaves the
    element out (seen: minutes and hundreds of MB for 3M rows). The element comes
    before ``<sheetData>``, so stop at its start."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension

    source = sheet._get_source()
    try:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == DIMENSION_TAG:
                bounds = SheetDimension.from_tree(element).boundaries
                sheet._min_column, sheet._min_row, sheet._max_column, sheet._max_row = bounds
                return
            if element.tag == DATA_TAG:
                return
    finally:
        source.close()


@contextlib.contextmanager
def _opening_workbook() -> Iterator[None]:
    """A workbook openpyxl cannot open is a broken file, said in the user's words."""
    try:
        yield
    except _BROKEN_XLSX as error:
        raise _broken(error) from None
    except Exception as error:  # openpyxl's own errors (InvalidFileException, ...)
        if type(error).__module__.startswith("openpyxl"):
            raise _broken(error) from None
        raise


# Built-in number formats a Chinese, Japanese or Korean Excel gives dates and times
# (2024年3月1日 is 31 in a Chinese one): a file names them by number only, and
# openpyxl, knowing the formats of no locale, would read such a cell as its serial
# number (45352) — a date the user sees in Excel, rejected as "bad date".
CJK_DATE_FORMATS = frozenset((*range(27, 37), *range(50, 59)))


def _know_cjk_dates(workbook: Any) -> None:
    """Mark the cell styles of :data:`CJK_DATE_FORMATS` as dates (a format the file
    defines itself has an id from 164 on: openpyxl judged it already)."""
    for index, style in enumerate(getattr(workbook, "_cell_styles", ())):
        if style.numFmtId in CJK_DATE_FORMATS:
            workbook._date_formats.add(index)


class Uncalculated(str):
    """A formula cell whose value the file does not hold (its text is the formula): the
    workbook was written by a program that does not calculate (it stores 0 or nothing
    and asks Excel to calculate on opening, ``fullCalcOnLoad``). Excel shows the right
    number; the file has none to import."""


def _sheet_rows(workbook: Any, sheet: Any) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows of values; formula cells holding 0 or no value as
    :class:`Uncalculated` when the workbook asks to be calculated on opening (what the
    programs that cannot calculate write; what Excel saves does not)."""
    if not _asks_calculation(workbook._archive):
        rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        return rows
    return _rows_marking_formulas(workbook, sheet)


def _asks_calculation(archive: zipfile.ZipFile) -> bool:
    """Whether the workbook part says ``<calcPr fullCalcOnLoad="1"/>`` (openpyxl's own
    reading of it says so for every workbook that leaves the attribute out)."""
    from xml.etree.ElementTree import fromstring, iterparse

    from openpyxl.packaging.manifest import Manifest
    from openpyxl.reader.excel import _find_workbook_part
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHEET_MAIN_NS

    manifest = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
    part = _find_workbook_part(manifest).PartName[1:]
    with archive.open(part) as source:
        for _event, element in iterparse(source):
            if element.tag == f"{{{SHEET_MAIN_NS}}}calcPr":
                return element.get("fullCalcOnLoad", "").lower() in {"1", "true"}
    return False


def _rows_marking_formulas(workbook: Any, sheet: Any) -> Iterator[tuple[Any, ...]]:
    """As openpyxl's read-only ``iter_rows(values_only=True)``, formulas marked."""
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            formula = element.find(FORMULA_TAG)
            # a value the writer did calculate stands (0 or none is what XlsxWriter
            # and Apache POI store for a formula they did not calculate)
            if formula is not None and (element.findtext(VALUE_TAG) or "0") == "0":
                cell["value"] = Uncalculated("=" + (formula.text or "").strip())
            return cell

    width = sheet.max_column
    empty = (None,) * width if width else ()
    with sheet._get_source() as source:
        parser = Parser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        expected = 1
        for number, row in parser.parse():
            for _missing in range(expected, number):
                yield empty
            expected = number + 1
            yield sheet._get_row(row, 1, width, True)


OTHER_SHEET_ROWS = 11  # a header and up to 10 rows above it (importer.TITLE_ROWS)


def _other_sheets(workbook: Any, first: Any) -> list[tuple[str, list[list[Any]]]]:
    """Every visible sheet but ``first``, with its first rows."""
    return [
        (
            sheet.title,
            [list(row) for row in itertools.islice(_sheet_rows(workbook, sheet), OTHER_SHEET_ROWS)],
        )
        for sheet in workbook.worksheets
        if sheet is not first and sheet.sheet_state == "visible"
    ]


def _any_cells(sheets: list[tuple[str, list[list[Any]]]]) -> bool:
    """Whether any of these sheets' first rows holds something. An empty first sheet
    (Excel's blank Sheet1 left in front of the data) is then not an empty file: it is
    read as a sheet without the table's header, and the import names the sheet that
    has it (importer._on_another_sheet)."""
    return any(cell not in (None, "") for _name, rows in sheets for row in rows for cell in row)


def first_sheet(workbook: Any) -> Any:
    """The sheet an import reads: the first one the person sees in Excel. A hidden sheet
    (an ERP's lookup lists, a template's settings) comes before the data in many
    workbooks; only a workbook whose every sheet is hidden gives its first."""
    for sheet in workbook.worksheets:
        if sheet.sheet_state == "visible":
            return sheet
    return workbook.worksheets[0]


def header_cells(cells: Iterable[Any]) -> list[str]:
    """A header row's texts, stripped, without the empty cells at its end."""
    header = ["" if cell is None else str(cell).strip() for cell in cells]
    while header and not header[-1]:
        header.pop()
    return header


def _load_workbook(path: Path, load: Callable[[IO[bytes]], Any]) -> tuple[Any, IO[bytes]]:
    """The workbook ``load`` reads from an open file (not the path: openpyxl refuses a
    workbook by its name, book.csv) and that file, to close with it."""
    handle = path.open("rb")
    try:
        with _opening_workbook():
            workbook = load(handle)
    except BaseException:
        handle.close()
        raise
    return workbook, handle


def _sheet_to_read(
    workbook: Any,
) -> tuple[Any, list[tuple[str, list[list[Any]]]], Iterator[tuple[Any, ...]]]:
    """The sheet an import reads (:func:`first_sheet`), the others that hold anything,
    and the sheet's rows."""
    _know_cjk_dates(workbook)
    if not workbook.worksheets:
        raise FileProblem(_("The workbook has no sheet."))
    sheet = first_sheet(workbook)
    return sheet, _other_sheets(workbook, sheet), _sheet_rows(workbook, sheet)


def _open_xlsx(path: Path) -> Source:
    import openpyxl
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    ReadOnlyWorksheet._get_size = _size_from_head
    check_xlsx(path)
    workbook, handle = _load_workbook(
        path, lambda handle: openpyxl.load_workbook(handle, read_only=True, data_only=True)
    )
    try:
        sheet, others, rows = _sheet_to_read(workbook)
        header_row = next(rows, None)
    except _BROKEN_XLSX as error:
        workbook.close()
        handle.close()
        raise _broken(error) from None
    except FileProblem:
        workbook.close()
        handle.close()
        raise
    if header_row is None and not _any_cells(others):
        workbook.close()
        handle.close()
        raise FileProblem(_("The file is empty."))
    header = header_cells(header_row or ())
    return Source(
        "xlsx",
        "XLSX",
        header,
        _xlsx_rows(rows),
        [workbook, handle],
        sheet_name=sheet.title,
        other_sheets=others,
    )


def _xlsx_rows(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[Any]]:
    try:
        for row in rows:
            yield list(row)
    except _BROKEN_XLSX as error:
        raise _broken(error) from None


# The preview's sample of an XLSX: shared strings read only as far as the sample needs.


class _StringRef(int):
    """A shared-string index standing for its text until the sample is resolved."""


class _DeferredStrings:
    """Stands in for openpyxl's list of every shared string: records the indexes the
    sample's cells use instead (a workbook's text table can be hundreds of MB)."""

    def __init__(self) -> None:
        self.wanted: set[int] = set()

    def __getitem__(self, index: int) -> _StringRef:
        self.wanted.add(index)
        return _StringRef(index)


def _read_wanted_strings(archive: zipfile.ZipFile, part: str, wanted: set[int]) -> dict[int, str]:
    """The wanted shared strings, streamed (iterparse; each item is dropped once read)
    and stopping at the last one wanted."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.xml.constants import SHEET_MAIN_NS

    item, text, run = f"{{{SHEET_MAIN_NS}}}si", f"{{{SHEET_MAIN_NS}}}t", f"{{{SHEET_MAIN_NS}}}r"
    found: dict[int, str] = {}
    if not wanted:
        return found
    last = max(wanted)
    index = -1
    root = None
    with archive.open(part) as source:
        for event, element in iterparse(source, events=("start", "end")):
            if root is None:
                root = element
            if event != "end" or element.tag != item:
                continue
            index += 1
            if index in wanted:
                parts = [
                    (child.text or "") if child.tag == text else (child.findtext(text) or "")
                    for child in element
                    if child.tag in {text, run}  # not the phonetic runs (rPh)
                ]
                found[index] = "".join(parts)
            root.clear()  # keep nothing already read
            if index >= last:
                break
    return found


def _sample_xlsx(path: Path, row_limit: int) -> Source:
    """The header and the first ``row_limit`` rows of the first visible sheet, read in
    read-only (streaming) mode without loading the shared-strings table."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.xml.constants import SHARED_STRINGS

    ReadOnlyWorksheet._get_size = _size_from_head
    check_xlsx(path)
    deferred = _DeferredStrings()
    strings_part: list[str] = []

    class Reader(ExcelReader):
        def read_strings(self) -> None:
            manifest = self.package.find(SHARED_STRINGS)
            if manifest is not None:
                strings_part.append(manifest.PartName[1:])
            self.shared_strings = deferred

    readers: list[Reader] = []

    def load(handle: IO[bytes]) -> Any:
        reader = Reader(handle, read_only=True, data_only=True)
        reader.read()
        readers.append(reader)
        return reader.wb

    workbook, handle = _load_workbook(path, load)
    reader = readers[0]
    try:
        sheet, others, rows = _sheet_to_read(workbook)
        sample = [list(row) for row in itertools.islice(rows, row_limit + 1)]
        strings = (
            _read_wanted_strings(reader.archive, strings_part[0], deferred.wanted)
            if strings_part
            else {}
        )
    except _BROKEN_XLSX as error:
        raise _broken(error) from None
    finally:
        workbook.close()
        handle.close()
    if not sample and not _any_cells(others):
        raise FileProblem(_("The file is empty."))
    for row in itertools.chain(sample, *(rows for _name, rows in others)):
        for position, value in enumerate(row):
            if isinstance(value, _StringRef):
                row[position] = strings.get(int(value), "")
    header = header_cells(sample[0] if sample else ())
    return Source(
        "xlsx", "XLSX", header, iter(sample[1:]), sheet_name=sheet.title, other_sheets=others
    )
