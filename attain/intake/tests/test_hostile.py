"""Hostile and broken files: limits, zip bombs, malformed XLSX (never a 500), and
exports that cannot run as formulas yet still re-import exactly."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from attain.crm import services as crm
from attain.crm.models import Customer, Order
from attain.intake.importer import import_file
from attain.intake.models import BatchStatus, ImportBatch
from attain.intake.parsing import guard_formula, unguard_formula
from attain.intake.reading import FileProblem, check_xlsx, open_source

from .conftest import import_rows, read_csv, write_csv

HEADER = ["external_id", "name"]


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _replace_part(data: bytes, part: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = content if info.filename == part else source.read(info.filename)
            target.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


GOOD = _xlsx([HEADER, ["K1", "甲"], ["K2", "乙"]])
MALFORMED = {
    "not-a-zip": b"this is not a workbook at all" * 10,
    "truncated": GOOD[: len(GOOD) // 2],
    "xml-parse-error": _replace_part(
        GOOD, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row"
    ),
    "no-workbook-part": _replace_part(GOOD, "xl/workbook.xml", b"<<<not xml"),
}


def _upload(client: Client, name: str, content: bytes, table: str = "customers") -> Any:
    return client.post(
        reverse("intake"),
        {"table": table, "file": SimpleUploadedFile(name, content)},
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_xlsx_is_a_clear_error_never_a_500(
    case: str, company: Any, tmp_path: Path
) -> None:
    client = Client()
    client.force_login(company.users["sales_ops"])
    response = _upload(client, "bad.xlsx", MALFORMED[case])
    assert response.status_code in {200, 302}
    if response.status_code == 200:  # refused at upload, on the form
        assert "not a valid XLSX" in response.content.decode()
        assert not ImportBatch.objects.exists()
        return
    page = client.get(response["Location"])  # the preview
    assert page.status_code == 200
    assert "damaged" in page.content.decode()
    # The background import of the same file fails cleanly too.
    batch = ImportBatch.objects.get()
    client.post(reverse("intake-preview", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status in {BatchStatus.FAILED, BatchStatus.UPLOADED}
    path = tmp_path / "bad.xlsx"
    path.write_bytes(MALFORMED[case])
    with pytest.raises(FileProblem):
        import_file(None, "customers", path)


def test_malformed_xlsx_through_the_api_is_a_400(company: Any) -> None:
    client = Client()
    client.force_login(company.users["sales_ops"])
    response = client.post(
        "/api/imports/",
        {"table": "customers", "file": SimpleUploadedFile("bad.xlsx", MALFORMED["not-a-zip"])},
    )
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]


def _bomb(path: Path, strings_bytes: int) -> Path:
    """A small XLSX whose shared-strings part unzips to ``strings_bytes``."""
    data = GOOD
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo("xl/sharedStrings.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=True) as part:
            part_chunk = b"<si><t>" + b"A" * 1000 + b"</t></si>"
            chunk = part_chunk * 1000
            written = 0
            while written < strings_bytes:
                part.write(chunk)
                written += len(chunk)
    return path


def test_a_zip_bomb_is_refused_before_it_is_unzipped(company: Any, tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.xlsx", 16 << 20)  # 16 MB of strings in a small file
    assert path.stat().st_size < 1 << 20
    started = time.monotonic()
    with pytest.raises(FileProblem, match="zip bomb"):
        check_xlsx(path)
    with pytest.raises(FileProblem, match="zip bomb"):
        import_file(None, "customers", path)
    assert time.monotonic() - started < 1
    client = Client()
    client.force_login(company.users["sales_ops"])
    response = _upload(client, "bomb.xlsx", path.read_bytes())
    assert response.status_code == 200
    assert "zip bomb" in response.content.decode()


def test_shared_strings_and_unzipped_size_limits(settings: Any, tmp_path: Path) -> None:
    path = tmp_path / "good.xlsx"
    path.write_bytes(GOOD)
    check_xlsx(path)
    settings.ATTAIN_LIMITS = {**settings.ATTAIN_LIMITS, "XLSX_MAX_UNZIPPED_BYTES": 1000}
    with pytest.raises(FileProblem, match="once unzipped"):
        check_xlsx(path)


def test_upload_size_limit(company: Any, settings: Any) -> None:
    settings.ATTAIN_LIMITS = {**settings.ATTAIN_LIMITS, "IMPORT_MAX_BYTES": 100}
    client = Client()
    client.force_login(company.users["sales_ops"])
    content = ("external_id,name\n" + "K1,甲\n" * 50).encode()
    response = _upload(client, "big.csv", content)
    assert response.status_code == 200
    assert "the limit is 0 MB" in response.content.decode() or "limit" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_row_limit_refuses_the_file_and_nothing_is_imported(
    company: Any, settings: Any, tmp_path: Path
) -> None:
    settings.ATTAIN_LIMITS = {**settings.ATTAIN_LIMITS, "IMPORT_MAX_ROWS": 5}
    path = write_csv(tmp_path / "c.csv", [HEADER, *[[f"K{i}", f"n{i}"] for i in range(10)]])
    with pytest.raises(FileProblem, match="more than 5 rows"):
        import_file(None, "customers", path)
    assert not Customer.objects.exists()
    settings.ATTAIN_LIMITS = {
        **settings.ATTAIN_LIMITS,
        "IMPORT_MAX_ROWS": 100,
        "IMPORT_MAX_CELLS": 8,
    }
    with pytest.raises(FileProblem, match="more than 4 rows"):
        import_file(None, "customers", path)


def test_preview_reads_only_a_sample_and_the_task_validates_everything(
    company: Any, settings: Any
) -> None:
    settings.ATTAIN_LIMITS = {**settings.ATTAIN_LIMITS, "PREVIEW_ROWS": 3}
    rows = [HEADER, *[[f"K{i}", f"n{i}"] for i in range(10)], ["K99", ""]]  # the last is bad
    content = "\n".join(",".join(r) for r in rows).encode()
    client = Client()
    client.force_login(company.users["sales_ops"])
    response = _upload(client, "c.csv", content)
    page = client.get(response["Location"]).content.decode()
    assert "Checked the first 3 rows" in page
    batch = ImportBatch.objects.get()
    client.post(reverse("intake-preview", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.rows, batch.imported, batch.rejected) == (
        BatchStatus.DONE,
        11,
        10,
        1,
    )


def test_open_source_row_limit(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    path.write_bytes(_xlsx([HEADER, *[[f"K{i}", "n"] for i in range(50)]]))
    with open_source(path, row_limit=7) as source:
        assert len(list(source.rows)) == 7


# Formula guards ----------------------------------------------------------------------

NASTY = [
    '=HYPERLINK("http://x","y")',
    "+86 138 0000 0000",
    "-5 units",
    "@SUM(A1)",
    "\t=1+1",
    "'=already quoted",
    "''=twice",
    "'plain apostrophe",
    "ordinary",
    "",
]


@pytest.mark.parametrize("text", NASTY)
def test_guard_is_undone_exactly(text: str) -> None:
    guarded = guard_formula(text)
    assert guarded[:1] not in {"=", "+", "-", "@", "\t", "\r"}
    assert unguard_formula(guarded) == text


def test_formula_cells_are_neutralised_in_exports_and_round_trip(
    company: Any, tmp_path: Path
) -> None:
    name = '=HYPERLINK("http://x","y")'
    crm.create_customer(None, name=name, external_id="X1", phone="+86 21 5555")
    crm.create_customer(None, name="@SUM(1)", external_id="=X2")
    call_command("export", "customers", str(tmp_path / "c.csv"), stdout=StringIO())
    call_command("export", "customers", str(tmp_path / "c.xlsx"), stdout=StringIO())
    rows = read_csv(tmp_path / "c.csv")
    header = rows[0]
    by_id = {r[header.index("external_id")]: r for r in rows[1:]}
    assert by_id["X1"][header.index("name")] == "'" + name
    assert by_id["X1"][header.index("phone")] == "'+86 21 5555"
    assert by_id["'=X2"][header.index("name")] == "'@SUM(1)"
    sheet = openpyxl.load_workbook(tmp_path / "c.xlsx").worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c for c in cells if c.data_type == "f"]  # no formula anywhere
    assert "'" + name in [c.value for c in cells]
    before = list(Customer.objects.order_by("external_id").values())
    for suffix in ("csv", "xlsx"):
        result = import_file(None, "customers", tmp_path / f"c.{suffix}")
        assert (result.imported, result.updated, result.rejected) == (0, 2, 0)
        assert list(Customer.objects.order_by("external_id").values()) == before
    assert Customer.objects.get(external_id="X1").name == name


def test_negative_numbers_stay_numbers(customers: Any, tmp_path: Path) -> None:
    rows = [
        ["external_id", "customer", "owner", "date", "amount"],
        ["R-1", "C1", "r1", "2025-03-10", "-120.50"],
    ]
    import_file(None, "orders", write_csv(tmp_path / "o.csv", rows))
    call_command("export", "orders", str(tmp_path / "o.csv"), stdout=StringIO())
    call_command("export", "orders", str(tmp_path / "o.xlsx"), stdout=StringIO())
    exported = read_csv(tmp_path / "o.csv")
    assert exported[1][exported[0].index("amount")] == "-120.50"
    sheet = openpyxl.load_workbook(tmp_path / "o.xlsx").worksheets[0]
    header = [c.value for c in next(sheet.iter_rows())]
    assert next(sheet.iter_rows(min_row=2))[header.index("amount")].value == Decimal("-120.50") or (
        next(sheet.iter_rows(min_row=2))[header.index("amount")].value == -120.5
    )
    assert Order.objects.get(external_id="R-1").amount == Decimal("-120.50")


def test_rejects_file_is_guarded_too(customers: Any, tmp_path: Path) -> None:
    rows = [
        ["external_id", "customer", "owner", "date", "amount"],
        ["=cmd", "C1", "E404", "2025-03-10", "1"],
    ]
    rejects = tmp_path / "r.csv"
    import_file(None, "orders", write_csv(tmp_path / "o.csv", rows), rejects_path=rejects)
    with rejects.open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle))[1][2] == "'=cmd"


def _with_shared_strings(rows: list[list[str]], extra_strings: int = 0) -> bytes:
    """An XLSX as Excel writes it: text cells point into the shared-strings table
    (openpyxl itself writes inline strings). ``extra_strings`` unused strings follow."""
    table: list[str] = []
    sheet_rows = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for column, value in enumerate(row):
            table.append(value)
            cells.append(f'<c r="{chr(65 + column)}{number}" t="s"><v>{len(table) - 1}</v></c>')
        sheet_rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet = f'<worksheet xmlns="{main}"><sheetData>{"".join(sheet_rows)}</sheetData></worksheet>'
    items = "".join(f"<si><t>{value}</t></si>" for value in table)
    items += "<si><r><t>un</t></r><r><t>used</t></r></si>" * extra_strings
    strings = f'<sst xmlns="{main}">{items}</sst>'
    data = _replace_part(GOOD, "xl/worksheets/sheet1.xml", sheet.encode())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                body = body.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            target.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
        target.writestr("xl/sharedStrings.xml", strings, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_the_sample_reads_only_the_shared_strings_it_uses(tmp_path: Path) -> None:
    rows = [HEADER, *[[f"K{i}", f"名称{i}"] for i in range(30)]]
    path = tmp_path / "excel.xlsx"
    path.write_bytes(_with_shared_strings(rows, extra_strings=20_000))
    with open_source(path, row_limit=5) as source:
        assert source.header == HEADER
        assert list(source.rows) == rows[1:6]
    with open_source(path) as source:  # the whole file, as the import reads it
        assert [list(r) for r in source.rows] == rows[1:]
    with open_source(path, row_limit=100) as source:
        assert len(list(source.rows)) == 30


def test_a_control_character_in_a_record_does_not_break_the_xlsx_export(
    company: Any, tmp_path: Path
) -> None:
    # the CRM keeps what a form or the API gave it (a vertical tab pasted from Word);
    # XML cannot hold it, and openpyxl refused the whole export for that one cell
    crm.create_customer(None, name="Line\x0bbreak", external_id="X1")
    crm.create_customer(None, name="\x01=cmd", external_id="X2")
    call_command("export", "customers", str(tmp_path / "c.xlsx"), stdout=StringIO())
    sheet = openpyxl.load_workbook(tmp_path / "c.xlsx").worksheets[0]
    names = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    # Word's line break stays a line break (words apart), the rest of the control dropped
    assert names == {"X1": "Line\nbreak", "X2": "'=cmd"}


def test_an_id_excel_shortened_to_scientific_notation_is_refused(
    customers: Any, tmp_path: Path
) -> None:
    """Excel shows 202503100001234567 as 2.02503E+17 and saves a CSV so: as a key it
    would make a new order under a made-up id, its real digits gone."""
    rows = [
        ["external_id", "customer", "owner", "date", "amount"],
        ["2.02503E+17", "C1", "r1", "2025-03-10", "100"],
        ["2E+5", "C1", "r1", "2025-03-10", "100"],
        ["202503100001234567", "C1", "r1", "2025-03-10", "100"],
        ["E+17-A", "C1", "r1", "2025-03-10", "100"],
    ]
    result = import_rows(tmp_path, "orders", "o.csv", rows)
    assert (result.imported, result.rejected) == (2, 2)
    assert set(Order.objects.values_list("external_id", flat=True)) == {
        "202503100001234567",
        "E+17-A",
    }
    assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig").count("Excel shortened") == 2


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_cell_over_the_size_limit_names_its_row_in_the_users_language(
    company: Any, tmp_path: Path, language: str
) -> None:
    """A 20 MB cell (a pasted document, or binary data) was refused with Python's own
    words, "The CSV file is malformed: field larger than field limit (16777216)", in
    English whatever the user's language and without a row."""
    from django.utils import translation

    path = tmp_path / "big-cell.csv"
    path.write_text("external_id,name\nK1,ok\nK2," + "x" * (17 << 20) + "\nK3,ok\n")
    with translation.override(language), pytest.raises(FileProblem) as raised:
        import_file(None, "customers", path)
    message = str(raised.value)
    assert "field limit" not in message and "3" in message, message
    assert "16,777,216" in message and ("Row 3" in message or "第 3 行" in message), message
    assert not Customer.objects.exists()
