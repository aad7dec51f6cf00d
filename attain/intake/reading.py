"""Reading imported files as a stream of rows: CSV (any of the encodings Excel writes)
and XLSX. Memory does not grow with the file."""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

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

    def close(self) -> None:
        for handle in self._handles:
            handle.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def detect_encoding(sample: bytes) -> tuple[str, str]:
    """(codec, label). UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode
    text"), else GB18030, the superset of GBK that Excel uses for Chinese CSV."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "UTF-8 (BOM)"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "UTF-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8", "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        return "gb18030", "GB18030 (GBK)"
    except UnicodeDecodeError:
        raise FileProblem(
            _("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) or XLSX.")
        ) from None


def _delimiter(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def open_source(path: Path | str, name: str | None = None) -> Source:
    """Open ``path`` (its kind from ``name`` or the path's extension, else sniffed)."""
    path = Path(path)
    suffix = Path(name or path.name).suffix.lower()
    try:
        with path.open("rb") as probe:
            sample = probe.read(SAMPLE_BYTES)
    except OSError as error:
        raise FileProblem(_("Cannot read the file: %(error)s") % {"error": error}) from None
    if suffix in {".xlsx", ".xlsm"} or (suffix not in {".csv", ".txt"} and sample[:2] == b"PK"):
        return _open_xlsx(path)
    if suffix == ".xls":
        raise FileProblem(_("Old .xls files are not supported: save the sheet as .xlsx or CSV."))
    return _open_csv(path, sample)


def _open_csv(path: Path, sample: bytes) -> Source:
    codec, label = detect_encoding(sample)
    handle: IO[str] = path.open(encoding=codec, newline="")
    try:
        first = handle.readline()
        handle.seek(0)
    except UnicodeDecodeError:
        handle.close()
        raise FileProblem(
            _("The file's first line cannot be read as %(e)s.") % {"e": label}
        ) from None
    reader = csv.reader(handle, delimiter=_delimiter(first))
    try:
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as error:
        handle.close()
        raise FileProblem(_("Cannot read the header row: %(error)s") % {"error": error}) from None
    if not header:
        handle.close()
        raise FileProblem(_("The file is empty."))
    return Source("csv", label, [h.strip() for h in header], _guarded(reader, label), [handle])


def _guarded(reader: Iterator[list[str]], label: str) -> Iterator[list[Any]]:
    try:
        yield from reader
    except UnicodeDecodeError:
        raise FileProblem(
            _("Part of the file cannot be read as %(encoding)s; save it again as CSV (UTF-8).")
            % {"encoding": label}
        ) from None
    except csv.Error as error:
        raise FileProblem(_("The CSV file is malformed: %(error)s") % {"error": error}) from None


def _open_xlsx(path: Path) -> Source:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise FileProblem(_("Cannot open the Excel file: %(error)s") % {"error": error}) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header_row = next(rows, None)
    if header_row is None:
        workbook.close()
        raise FileProblem(_("The file is empty."))
    header = ["" if h is None else str(h).strip() for h in header_row]
    while header and not header[-1]:
        header.pop()
    return Source("xlsx", "XLSX", header, (list(r) for r in rows), [workbook])
