"""Imported records reach the engine like hand-made ones (through the calculation
adapter's loading)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attain.calc.tests import test_loading
from attain.intake.importer import import_file

pytestmark = pytest.mark.django_db(transaction=True)
records = test_loading.records  # the loader tests' records, as a fixture here
load = test_loading.load


def test_imported_order_lines_reach_the_engine(records, tmp_path):
    """Lines imported with `attain import order_lines` (against an order recorded in
    Attain) are rows of the engine's order_lines table like hand-made ones."""
    path = tmp_path / "lines.csv"
    path.write_text(
        "line id,order id,product code,quantity,unit price\nL-9,o1,S-100,2,10.5\n",
        encoding="utf-8",
    )
    result = import_file(None, "order_lines", path)
    assert (result.imported, result.rejected) == (1, 0)
    lines = load("order_lines")
    assert lines.height == 2
    imported = [r for r in lines.iter_rows(named=True) if r["amount"] == Decimal("21.00")]
    assert len(imported) == 1
    row = imported[0]
    assert row["id"] == "L-9"  # the line's own external id, as imported
    assert (row["order"], row["owner"], row["product"], row["product_line"]) == (
        "o1",
        "r1",
        "S-100",
        "sensors",
    )
    assert row["quantity"] == Decimal("2.000")
