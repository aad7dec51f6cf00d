"""A company's history as its old CRM, ERP or Excel exports it: the files of
docs/import.md read right, or refused row by row with a reason, never silently wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from attain.crm.models import Order
from attain.intake.importer import import_file


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
