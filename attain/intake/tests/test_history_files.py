"""A company's history as its old CRM, ERP or Excel exports it: the files of
docs/import.md read right, or refused row by row with a reason, never silently wrong."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.utils import translation

from attain.crm.models import Order
from attain.intake.importer import import_file
from attain.intake.parsing import CellError, parse_date, parse_datetime
from attain.intake.reading import FileProblem, open_source

from .conftest import import_rows, read_csv, write_csv


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_a_long_number_id_in_an_excel_cell_is_refused_not_rounded(
    customers: Any, tmp_path: Path
) -> None:
    """An ERP order number of 18 digits kept in a number cell holds only 15 significant
    digits (Excel's precision): 202403010001234567 and …568 are both stored as
    202403010001234560-ish, and as keys they would make one order of two, silently."""
    rows = [
        ["订单编号", "客户编号", "负责人工号", "下单日期", "订单金额"],
        [202403010001234567, "C1", "r1", "2024-03-01", 100],
        [202403010001234568, "C1", "r1", "2024-03-01", 200],
        [2.02403010001235e17, "C1", "r1", "2024-03-01", 300],  # as Excel stores it
        [123456789012345, "C1", "r1", "2024-03-01", 400],  # 15 digits: exact
        [1234567890123456, "C1", "r1", "2024-03-01", 500],  # an integer cell: its digits
    ]
    result = import_file(
        None, "orders", _xlsx(tmp_path / "o.xlsx", rows), rejects_path=tmp_path / "r.csv"
    )
    assert (result.imported, result.updated, result.rejected) == (2, 0, 3)
    assert set(Order.objects.values_list("external_id", flat=True)) == {
        "123456789012345",
        "1234567890123456",
    }
    assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig").count("Excel shortened") == 3


def test_a_person_given_by_name_or_email_is_rejected_with_their_employee_id(
    customers: Any, company: Any, tmp_path: Path
) -> None:
    """Old CRMs export 负责人 as the person's name (or email): the row is rejected (a name
    is no id: a former employee may have had it) and the reason names the id to write."""
    from attain.org.models import Person

    Person.objects.filter(code="r1").update(name="赵红伟", email="zhao@example.com")
    Person.objects.filter(code__in=["r2", "r3"]).update(name="王芳")
    rows = [
        ["订单编号", "客户编号", "负责人", "下单日期", "订单金额"],
        ["SO-1", "C1", "赵红伟", "2024-03-01", "100"],
        ["SO-2", "C1", "ZHAO@example.com", "2024-03-01", "100"],
        ["SO-3", "C1", "王芳", "2024-03-01", "100"],
        ["SO-4", "C1", "李雷", "2024-03-01", "100"],
    ]
    result = import_rows(tmp_path, "orders", "o.csv", rows)
    assert result.rejected == 4
    reasons = [row[1] for row in read_csv(tmp_path / "r.csv")[1:]]
    assert reasons == [
        "owner “赵红伟” is not an employee id: the employee id of 赵红伟 is r1",
        "owner “ZHAO@example.com” is not an employee id: the employee id of 赵红伟 is r1",
        "owner “王芳” is not an employee id: 2 people have this name (r2, r3)",
        "unknown owner “李雷”",
    ]
    with translation.override("zh-hans"):
        result = import_file(None, "orders", tmp_path / "o.csv", rejects_path=tmp_path / "r.csv")
    reasons = [row[1] for row in read_csv(tmp_path / "r.csv")[1:]]
    assert reasons[0] == "负责人“赵红伟”不是工号：赵红伟的工号是 r1"
    assert reasons[2] == "负责人“王芳”不是工号：有 2 人同名（r2、r3）"


def test_the_headers_chinese_crm_exports_use(customers: Any, tmp_path: Path) -> None:
    """业务员 (salesperson) and 成交金额 (deal amount) head the owner and the amount in
    many Chinese CRM and ERP exports; 到账日期 and 实收金额 a payment's date and amount."""
    orders = [
        ["订单编号", "客户编号", "业务员", "成交日期", "成交金额"],
        ["SO-1", "C1", "r1", "2024-03-01", "1,200.00"],
    ]
    result = import_file(None, "orders", write_csv(tmp_path / "o.csv", orders))
    assert (result.imported, result.rejected) == (1, 0)
    payments = [
        ["回款单号", "客户编号", "订单编号", "业务员工号", "到账日期", "实收金额"],
        ["P-1", "C1", "SO-1", "r1", "2024-04-01", "1200"],
    ]
    result = import_file(None, "payments", write_csv(tmp_path / "p.csv", payments))
    assert (result.imported, result.rejected) == (1, 0)
    order = Order.objects.get()
    assert (str(order.amount), order.owner.code, order.date.isoformat()) == (
        "1200.00",
        "r1",
        "2024-03-01",
    )


def _with_builtin_format(data: bytes, number_format: int) -> bytes:
    """The workbook with its one custom number format turned into the built-in
    ``number_format``, written without a format code, as a Chinese Excel saves one."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename == "xl/styles.xml":
                styles = re.sub(r"<numFmts.*?</numFmts>", "", part.decode())
                part = styles.replace('numFmtId="164"', f'numFmtId="{number_format}"').encode()
            target.writestr(item, part)
    return out.getvalue()


@pytest.mark.parametrize("preview", [False, True])
def test_a_date_cell_in_chinese_excels_own_date_format_is_a_date(
    customers: Any, tmp_path: Path, preview: bool
) -> None:
    """A Chinese Excel formats a date cell as 2024年3月1日 with its built-in format 31
    (27–36 and 50–58 are the CJK dates and times), which the file names by number only:
    the cell is a date, not its serial number 45352 (the row was rejected)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["订单编号", "客户编号", "负责人工号", "下单日期", "订单金额"])
    sheet.append(["SO-1", "C1", "r1", 45352, 100])
    sheet["D2"].number_format = 'yyyy"年"m"月"d"日"'
    sheet.append(["SO-2", "C1", "r1", 45352, 100])  # no date format: a number
    out = io.BytesIO()
    workbook.save(out)
    path = tmp_path / "o.xlsx"
    path.write_bytes(_with_builtin_format(out.getvalue(), 31))
    with open_source(path, row_limit=5 if preview else None) as source:
        cells = [row[3] for row in source.rows]
    assert cells == [datetime.datetime(2024, 3, 1), 45352]
    if not preview:
        result = import_file(None, "orders", path, rejects_path=tmp_path / "r.csv")
        assert (result.imported, result.rejected) == (1, 1)
        assert Order.objects.get().date == datetime.date(2024, 3, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the month by its English name cannot be read the wrong way round: Excel's
        # d-mmm-yy (how it saves such a cell to CSV) and Oracle ERP's DD-MON-YY
        ("1-Mar-2024", datetime.date(2024, 3, 1)),
        ("01-MAR-24", datetime.date(2024, 3, 1)),
        ("1 March 2024", datetime.date(2024, 3, 1)),
        ("Mar 1, 2024", datetime.date(2024, 3, 1)),
        ("March 1 2024", datetime.date(2024, 3, 1)),
        ("15-Sep-99", datetime.date(1999, 9, 15)),  # Excel's years: 30–99 are 19xx
        ("1-Sept-2024", datetime.date(2024, 9, 1)),
    ],
)
def test_dates_with_the_month_by_name(text: str, expected: datetime.date) -> None:
    assert parse_date(text, what="date") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01 10:05:00 AM", datetime.datetime(2024, 3, 1, 10, 5)),
        ("2024-03-01 12:30 AM", datetime.datetime(2024, 3, 1, 0, 30)),
        ("2024-03-01 12:30 PM", datetime.datetime(2024, 3, 1, 12, 30)),
        ("2024/3/1 2:30 pm", datetime.datetime(2024, 3, 1, 14, 30)),
        ("2024/3/1 下午 2:30:00", datetime.datetime(2024, 3, 1, 14, 30)),
        ("2024/3/1 上午 9:30", datetime.datetime(2024, 3, 1, 9, 30)),
        ("1-Mar-2024 14:30", datetime.datetime(2024, 3, 1, 14, 30)),
    ],
)
def test_times_in_twelve_hours(text: str, expected: datetime.datetime) -> None:
    got = parse_datetime(text, what="time", tz=datetime.UTC)
    assert got == expected.replace(tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "text",
    ["1-Foo-2024", "31-Feb-2024", "2024-03-01 13:00 PM", "2024-03-01 0:30 AM", "Mar 2024"],
)
def test_bad_dates_with_names(text: str) -> None:
    with pytest.raises(CellError, match="bad date"):
        parse_datetime(text, what="date", tz=datetime.UTC)


def _formula_workbook(path: Path, *, cached: str | None, recalculate: bool) -> Path:
    """Orders whose amount is a formula (=数量*单价). ``cached``: the value the file stores
    for it (Excel stores what it shows; XlsxWriter, which many ERPs export with, stores 0;
    openpyxl stores nothing); ``recalculate``: the workbook asks to be calculated when
    opened (fullCalcOnLoad: what a program that cannot calculate writes)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["订单编号", "客户编号", "负责人工号", "下单日期", "数量", "单价", "订单金额"])
    sheet.append(["SO-1", "C1", "r1", "2024-03-01", 3, 400, "=E2*F2"])
    sheet.append(["SO-2", "C1", "r1", "2024-03-02", 1, 500, 500])
    out = io.BytesIO()
    workbook.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            part = source.read(item.filename).decode()
            if item.filename == "xl/worksheets/sheet1.xml" and cached is not None:
                part = part.replace("<f>E2*F2</f><v />", f"<f>E2*F2</f><v>{cached}</v>")
            if item.filename == "xl/workbook.xml" and not recalculate:
                part = part.replace(' fullCalcOnLoad="1"', "")
            target.writestr(item, part)
    return path


def test_a_formula_whose_value_the_file_does_not_hold_rejects_its_row(
    customers: Any, tmp_path: Path
) -> None:
    """A program that writes a formula without calculating it stores 0 (or nothing) as
    its value and asks Excel to calculate on opening: Excel shows 1,200, the import read
    0 (or "amount is missing"). The row is rejected, saying why; the rest imports."""
    for cached in ("0", None):
        path = _formula_workbook(tmp_path / "o.xlsx", cached=cached, recalculate=True)
        result = import_file(None, "orders", path, rejects_path=tmp_path / "r.csv")
        assert (result.imported, result.rejected) == (1, 1), cached
        ((_row, reason, *_cells),) = read_csv(tmp_path / "r.csv")[1:]
        assert reason == (
            "amount “=E2*F2” is a formula whose value the file does not hold (the program "
            "that wrote it did not calculate it): open the file in Excel, save it and "
            "import it again"
        )
        assert list(Order.objects.values_list("external_id", flat=True)) == ["SO-2"]
        with open_source(path, row_limit=5) as source:  # the preview's sample too
            assert str(next(iter(source.rows))[6]) == "=E2*F2"
        Order.objects.all().delete()


def test_a_formula_excel_calculated_and_saved_is_read_as_its_value(
    customers: Any, tmp_path: Path
) -> None:
    path = _formula_workbook(tmp_path / "o.xlsx", cached="1200", recalculate=False)
    result = import_file(None, "orders", path)
    assert (result.imported, result.rejected) == (2, 0)
    assert str(Order.objects.get(external_id="SO-1").amount) == "1200.00"


def test_a_formula_value_a_program_calculated_stands(customers: Any, tmp_path: Path) -> None:
    """A workbook that asks to be calculated on opening but holds a formula's value
    (some programs calculate and ask anyway): the value is read."""
    path = _formula_workbook(tmp_path / "o.xlsx", cached="1200", recalculate=True)
    result = import_file(None, "orders", path)
    assert (result.imported, result.rejected) == (2, 0)
    assert str(Order.objects.get(external_id="SO-1").amount) == "1200.00"


@pytest.mark.parametrize("preview", [False, True])
def test_a_workbook_of_one_sheet_per_year_says_the_other_years_are_not_imported(
    customers: Any, tmp_path: Path, preview: bool
) -> None:
    """History kept in Excel is often one sheet per year: only the first visible sheet
    is read (docs/import.md), and the other years must not go unnoticed."""
    workbook = openpyxl.Workbook()
    header = ["订单编号", "客户编号", "负责人工号", "下单日期", "订单金额"]
    first = workbook.active
    first.title = "2022年"
    first.append(header)
    first.append(["SO-1", "C1", "r1", "2022-03-01", 100])
    notes = workbook.create_sheet("填写说明")
    notes.append(["订单编号必填"])
    for year in ("2023年", "2024年"):
        sheet = workbook.create_sheet(year)
        sheet.append([f"{year}订单"])  # a title above the header
        sheet.append(header)
        sheet.append([f"SO-{year}", "C1", "r1", f"{year[:4]}-03-01", 100])
    hidden = workbook.create_sheet("备份")
    hidden.append(header)
    hidden.sheet_state = "hidden"
    path = tmp_path / "历年订单.xlsx"
    workbook.save(path)
    result = import_file(None, "orders", path, dry_run=True, row_limit=200 if preview else None)
    assert result.imported == 1
    assert result.warnings == [
        "Only the first sheet, “2022年”, is imported; other sheets with the same columns "
        "are not: “2023年”, “2024年”. Import each of them as a file of its own."
    ]
    with translation.override("zh-hans"):
        result = import_file(None, "orders", path, dry_run=True)
    assert result.warnings == [
        "只导入了第一个工作表“2022年”，列与它相同的其他工作表没有导入：“2023年”、“2024年”。"
        "请把它们分别作为单独的文件导入。"
    ]


def _two_years() -> bytes:
    """A workbook of one sheet of orders per year, 2023 and 2024."""
    workbook = openpyxl.Workbook()
    for year in ("2023", "2024"):
        sheet = workbook.active if year == "2023" else workbook.create_sheet()
        sheet.title = year
        sheet.append(["订单编号", "客户编号", "业务员", "下单日期", "成交金额"])
        sheet.append([f"SO-{year}", "C1", "r1", f"{year}-03-01", 100])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_preview_and_the_import_page_show_the_sheets_left_out(
    client: Any, company: Any, customers: Any, tmp_path: Path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from attain.intake.models import ImportBatch

    workbook = _two_years()
    client.force_login(company.users["sales_ops"])
    warning = "只导入了第一个工作表“2023”，列与它相同的其他工作表没有导入：“2024”。"
    response = client.post(
        reverse("intake"),
        {"table": "orders", "file": SimpleUploadedFile("历年订单.xlsx", workbook)},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert warning in page
    batch = ImportBatch.objects.get()
    client.post(reverse("intake-preview", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = client.get(
        reverse("intake-batch", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert warning in page
    assert list(Order.objects.values_list("external_id", flat=True)) == ["SO-2023"]


def test_a_workbook_whose_data_is_not_on_its_first_sheet_says_which_sheet_has_it(
    customers: Any, tmp_path: Path
) -> None:
    """Exports often open with a cover or instructions sheet (填写说明): the file is
    refused (only the first visible sheet is read), naming the sheet to move first."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "填写说明"
    workbook.active.append(["请勿修改表头"])
    sheet = workbook.create_sheet("订单明细")
    sheet.append(["订单编号", "客户编号", "业务员", "下单日期", "成交金额"])
    sheet.append(["SO-1", "C1", "r1", "2024-03-01", 100])
    path = tmp_path / "o.xlsx"
    workbook.save(path)
    for row_limit in (None, 200):
        with pytest.raises(FileProblem) as problem:
            import_file(None, "orders", path, dry_run=True, row_limit=row_limit)
        assert str(problem.value).endswith(
            " Only the first sheet, “填写说明”, is read; the sheet “订单明细” has these "
            "columns: move it to the front (or save it as a file of its own)."
        )


def test_a_workbook_whose_first_sheet_is_empty_says_which_sheet_has_the_data(
    customers: Any, tmp_path: Path
) -> None:
    """Excel's blank Sheet1 left in front of the data: the file was refused as "The file
    is empty." It is refused as a cover sheet is, naming the sheet to move first; a
    workbook with nothing on any visible sheet is still empty."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"
    sheet = workbook.create_sheet("订单明细")
    sheet.append(["订单编号", "客户编号", "业务员", "下单日期", "成交金额"])
    sheet.append(["SO-1", "C1", "r1", "2024-03-01", 100])
    path = tmp_path / "o.xlsx"
    workbook.save(path)
    for row_limit in (None, 200):
        with pytest.raises(FileProblem) as problem:
            import_file(None, "orders", path, dry_run=True, row_limit=row_limit)
        assert str(problem.value).endswith(
            " Only the first sheet, “Sheet1”, is read; the sheet “订单明细” has these "
            "columns: move it to the front (or save it as a file of its own)."
        )
    workbook.create_sheet("Sheet3", 0)
    del workbook["订单明细"]
    workbook.save(path)
    for row_limit in (None, 200):
        with pytest.raises(FileProblem, match="The file is empty"):
            import_file(None, "orders", path, dry_run=True, row_limit=row_limit)


def test_the_api_gives_an_imports_warnings(
    client: Any, company: Any, customers: Any, tmp_path: Path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    workbook = _two_years()
    client.force_login(company.users["sales_ops"])
    response = client.post(
        "/api/imports/",
        {"table": "orders", "file": SimpleUploadedFile("years.xlsx", workbook)},
    )
    assert response.status_code == 202
    status = client.get(f"/api/imports/{response.json()['id']}/").json()
    assert status["warnings"] == [
        "Only the first sheet, “2023”, is imported; other sheets with the same columns "
        "are not: “2024”. Import each of them as a file of its own."
    ]


def test_a_header_of_two_rows_with_merged_cells(customers: Any, tmp_path: Path) -> None:
    """A report's header on two rows: columns that have no sub-heading merged down over
    both (订单编号), grouped ones under a heading merged across (客户信息 over 客户编号 and
    客户名称). Excel keeps a merged cell's text in its first cell only. Neither row has
    every column: the two together do."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["2024年订单明细"])
    sheet.merge_cells("A1:F1")
    sheet.append(["订单编号", "客户信息", None, "业务员", "下单日期", "成交金额"])
    sheet.append([None, "客户编号", "客户名称", None, None, None])
    for column in "ADEF":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("B2:C2")
    sheet.append(["SO-1", "C1", "上海华信有限公司", "r1", "2024-03-01", 100])
    sheet.append(["SO-2", "C9", "?", "r1", "2024-03-01", 100])
    path = tmp_path / "o.xlsx"
    workbook.save(path)
    result = import_file(None, "orders", path, rejects_path=tmp_path / "r.csv")
    assert (result.imported, result.rejected) == (1, 1)
    rejects = read_csv(tmp_path / "r.csv")
    assert rejects[0][2:] == ["订单编号", "客户编号", "客户名称", "业务员", "下单日期", "成交金额"]
    assert rejects[1][:2] == ["5", "unknown customer “C9”"]  # Excel's row number


def test_an_unknown_choice_lists_the_choices_in_the_readers_words(
    customers: Any, tmp_path: Path
) -> None:
    """A Chinese reader whose CRM logged 微信 (WeChat) contacts was told the kind is one
    of “visit, call, meeting, note”: codes they never type, the English way."""
    rows = [
        ["活动编号", "活动类型", "客户编号", "负责人", "发生时间"],
        ["A1", "微信", "C1", "r1", "2024/3/2 15:05"],
        ["A2", "电话", "C1", "r1", "2024/3/2 下午 3:05"],
    ]
    path = write_csv(tmp_path / "a.csv", rows)
    result = import_file(None, "activities", path, rejects_path=tmp_path / "r.csv")
    assert (result.imported, result.rejected) == (1, 1)
    assert read_csv(tmp_path / "r.csv")[1][1] == (
        "unknown kind “微信” (one of: visit, call, meeting, note)"
    )
    with translation.override("zh-hans"):
        import_file(None, "activities", path, rejects_path=tmp_path / "r.csv")
    assert read_csv(tmp_path / "r.csv")[1][1] == "未知的类型“微信”（可选：拜访、电话、会议、备注）"


def test_a_rows_reasons_are_joined_the_readers_way(customers: Any, tmp_path: Path) -> None:
    """A totals row (合计) at the end of an export: rejected with every reason, which a
    Chinese reader reads joined by the full-width semicolon."""
    rows = [
        ["订单编号", "客户编号", "负责人", "下单日期", "订单金额"],
        ["SO-1", "C1", "r1", "2024-03-01", "100"],
        ["合计", "", "", "", "100"],
    ]
    path = write_csv(tmp_path / "o.csv", rows)
    with translation.override("zh-hans"):
        import_file(None, "orders", path, rejects_path=tmp_path / "r.csv")
    # (said first to be a totals row, then its reasons: test_reasons.py)
    assert read_csv(tmp_path / "r.csv")[1][1].endswith("（缺少客户；缺少负责人；缺少下单日期）")
    import_file(None, "orders", path, rejects_path=tmp_path / "r.csv")
    assert read_csv(tmp_path / "r.csv")[1][1].endswith(
        "(customer is missing; owner is missing; order date is missing)"
    )


def test_a_managers_import_names_no_id_of_someone_outside_their_team(
    customers: Any, company: Any, tmp_path: Path
) -> None:
    from attain.org.models import Person

    customers["C1"].owner = Person.objects.get(code="r1")  # a customer of m1's team
    customers["C1"].save(update_fields=["owner"])
    Person.objects.filter(code="r4").update(name="周杰")  # in the west, not m1's team
    Person.objects.filter(code="r2").update(name="李娜")  # in m1's team
    rows = [
        ["订单编号", "客户编号", "负责人", "下单日期", "订单金额"],
        ["SO-1", "C1", "周杰", "2024-03-01", "100"],
        ["SO-2", "C1", "李娜", "2024-03-01", "100"],
    ]
    path = write_csv(tmp_path / "o.csv", rows)
    import_file(company.users["manager"], "orders", path, rejects_path=tmp_path / "r.csv")
    reasons = [row[1] for row in read_csv(tmp_path / "r.csv")[1:]]
    assert reasons == [
        "unknown owner “周杰”",
        "owner “李娜” is not an employee id: the employee id of 李娜 is r2",
    ]


@pytest.mark.parametrize(
    "note",
    [
        "单位：万元",
        "金额单位:万元",
        "2024年销售订单（单位：万元）",
        "单位：千元",
        "Amounts in thousands",
    ],
)
def test_a_report_that_says_above_its_header_it_counts_in_wan_is_refused(
    customers: Any, tmp_path: Path, note: str
) -> None:
    """Chinese reports put the unit in the title area (单位：万元), not in the amount's
    header: 12.5 there is 125,000 yuan, and read as ¥12.50 it would be wrong silently."""
    rows = [
        ["2024年销售订单", "", "", "", note],
        ["订单编号", "客户编号", "负责人", "下单日期", "订单金额"],
        ["SO-1", "C1", "r1", "2024-03-01", "12.5"],
    ]
    with pytest.raises(FileProblem) as problem:
        import_file(None, "orders", write_csv(tmp_path / "o.csv", rows))
    assert f"The rows above the header say “{note}”" in str(problem.value)
    assert not Order.objects.exists()


def test_a_note_in_yuan_above_the_header_imports(customers: Any, tmp_path: Path) -> None:
    rows = [
        ["2024年销售订单（单位：元）", "", "", "", ""],
        ["订单编号", "客户编号", "负责人", "下单日期", "订单金额"],
        ["SO-1", "C1", "r1", "2024-03-01", "12.5"],
    ]
    result = import_file(None, "orders", write_csv(tmp_path / "o.csv", rows))
    assert result.imported == 1


def test_a_template_marks_required_headers_in_square_brackets(
    customers: Any, tmp_path: Path
) -> None:
    rows = [
        [
            "订单编号【必填】",
            "客户编号[必填]",
            "负责人【必填】",
            "下单日期【必填】",
            "订单金额【元】",
        ],
        ["SO-1", "C1", "r1", "2024-03-01", "12.5"],
    ]
    result = import_file(None, "orders", write_csv(tmp_path / "o.csv", rows))
    assert result.imported == 1
    rows[0][4] = "订单金额【万元】"  # a unit in them is a unit all the same
    with pytest.raises(FileProblem, match="counts in 万元"):
        import_file(None, "orders", write_csv(tmp_path / "o.csv", rows))


def test_a_csv_that_keeps_leading_zeros_as_excel_formulas(customers: Any, tmp_path: Path) -> None:
    """Many systems export ids as ="00123" so that Excel keeps their zeros (and long
    numbers their digits): Excel shows 00123, and so is the id read, not =\"00123\"."""
    from attain.crm.models import Customer

    text = (
        "客户编号,客户名称,电话\r\n"
        '="00123",杭州湖畔科技有限公司,="057188886666"\r\n'
        '="202403010001234567","Acme ""Trading""",\r\n'
    )
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="gbk")
    result = import_file(None, "customers", path, rejects_path=tmp_path / "r.csv")
    assert (result.imported, result.rejected) == (2, 0)
    assert dict(
        Customer.objects.filter(name__contains="湖畔").values_list("external_id", "phone")
    ) == {"00123": "057188886666"}
    assert Customer.objects.filter(external_id="202403010001234567", name='Acme "Trading"').exists()


def test_a_csv_writer_that_quotes_the_excel_formula_cells(customers: Any, tmp_path: Path) -> None:
    """A CSV library writing the text ="00123" quotes the cell (Python's csv and pandas
    double its quotation marks inside quotation marks): Excel still shows 00123, and so
    is the id read."""
    from attain.crm.models import Customer

    text = (
        "客户编号,客户名称,电话\r\n"
        '"=""00123""",杭州湖畔科技有限公司,"=""057188886666"""\r\n'
        '"=""A """"7"""" B""","Acme ""Trading""",\r\n'
        '"=1+2",Plain,\r\n'
    )
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    result = import_file(None, "customers", path, rejects_path=tmp_path / "r.csv")
    assert (result.imported, result.rejected) == (3, 0)
    assert dict(
        Customer.objects.filter(name__contains="湖畔").values_list("external_id", "phone")
    ) == {"00123": "057188886666"}
    assert Customer.objects.filter(external_id='A "7" B', name='Acme "Trading"').exists()
    assert Customer.objects.filter(external_id="=1+2").exists()  # not a text formula: as is


@pytest.mark.parametrize(
    "note", ["重量单位：千克", "数量单位：万件", "单位：千米", "Quantities per box: 单位：千克"]
)
def test_a_note_above_the_header_of_a_unit_that_is_no_money_imports(
    customers: Any, tmp_path: Path, note: str
) -> None:
    """千 in 千克 (kilogram) or 万 in 万件 (ten thousand pieces) is a unit of something
    else than money: the amounts are yuan all the same, and the file is read."""
    rows = [
        ["2024年销售订单", "", "", "", note],
        ["订单编号", "客户编号", "负责人", "下单日期", "订单金额"],
        ["SO-1", "C1", "r1", "2024-03-01", "12.5"],
    ]
    result = import_file(None, "orders", write_csv(tmp_path / "o.csv", rows))
    assert result.imported == 1


@pytest.mark.parametrize("group", ["收入（万元）", "销售额(千元)", "收入（美元）"])
def test_a_two_row_header_whose_group_heading_gives_the_unit_is_refused(
    customers: Any, tmp_path: Path, group: str
) -> None:
    """收入（万元） merged across 订单金额 (and 已回款 beside it): the amounts under it count
    in 万元, and 12.5 read as ¥12.50 would be wrong without a word, as with a header
    金额（万元） of one row."""
    rows = [
        ["订单编号", "客户编号", "负责人", "下单日期", group, None],
        [None, None, None, None, "订单金额", "已回款"],
        ["SO-1", "C1", "r1", "2024-03-01", "12.5", "0"],
    ]
    with pytest.raises(FileProblem, match=re.escape(f"“{group}”")):
        import_file(None, "orders", write_csv(tmp_path / "o.csv", rows))
    assert not Order.objects.exists()


def test_a_two_row_header_whose_group_heading_is_no_unit_of_money_imports(
    customers: Any, tmp_path: Path
) -> None:
    rows = [
        ["订单编号", "客户编号", "负责人", "下单日期", "收入（元）", None, "数量（千件）"],
        [None, None, None, None, "订单金额", "已回款", "订购"],
        ["SO-1", "C1", "r1", "2024-03-01", "12.5", "0", "3"],
    ]
    result = import_file(None, "orders", write_csv(tmp_path / "o.csv", rows))
    assert result.imported == 1
    assert str(Order.objects.get().amount) == "12.50"
