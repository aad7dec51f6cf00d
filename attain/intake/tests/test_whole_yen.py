"""In a company paying in a currency without decimals (JPY, KRW), an imported amount
with decimals (1000.5 yen) is refused row by row; quantities keep theirs, and a line's
amount computed from quantity × unit price is rounded to the yen."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from attain.crm.models import Order, OrderLine, Product, ProductLine
from attain.intake.importer import import_file

from .conftest import read_csv, write_csv

HEADER = ["order id", "customer id", "owner", "order date", "amount"]


def _orders(tmp_path: Path, amounts: list[str]) -> tuple[dict[str, Decimal], list[str]]:
    rows: list[list[Any]] = [HEADER]
    rows += [[f"Y-{n}", "C1", "r1", "2025-03-10", a] for n, a in enumerate(amounts)]
    rejects = tmp_path / "rejects.csv"
    import_file(None, "orders", write_csv(tmp_path / "orders.csv", rows), rejects_path=rejects)
    stored = dict(Order.objects.values_list("external_id", "amount"))
    reasons = [row[1] for row in read_csv(rejects)[1:]] if rejects.exists() else []
    return {amounts[int(k[2:])]: v for k, v in stored.items()}, reasons


def test_an_amount_with_yen_decimals_is_refused(
    customers: Any, tmp_path: Path, settings: Any
) -> None:
    """1000.5 yen was stored as 1000.50: an amount no one can pay."""
    settings.ATTAIN_CURRENCY = "JPY"
    stored, reasons = _orders(tmp_path, ["1000.5", "¥1,000.50", "1,250,000円", "1000.00"])
    assert stored == {"1,250,000円": Decimal(1250000), "1000.00": Decimal(1000)}
    assert len(reasons) == 2
    assert all("has decimals: amounts in JPY are whole numbers" in r for r in reasons), reasons


def test_the_reason_in_chinese(customers: Any, tmp_path: Path, settings: Any) -> None:
    settings.ATTAIN_CURRENCY = "JPY"
    with translation.override("zh-hans"):
        _stored, reasons = _orders(tmp_path, ["1000.5"])
    assert len(reasons) == 1 and "JPY 金额没有小数" in reasons[0], reasons


def test_a_currency_with_cents_keeps_them(customers: Any, tmp_path: Path, settings: Any) -> None:
    settings.ATTAIN_CURRENCY = "USD"
    stored, reasons = _orders(tmp_path, ["1000.5"])
    assert (stored, reasons) == ({"1000.5": Decimal("1000.50")}, [])


@pytest.fixture
def products(customers: Any) -> None:
    line = ProductLine.objects.get(code="pumps")
    Product.objects.create(code="P100", name="离心泵", line=line)


def test_order_lines_in_yen(products: None, tmp_path: Path, settings: Any) -> None:
    settings.ATTAIN_CURRENCY = "JPY"
    _orders(tmp_path, ["100000"])
    rows = [
        ["line id", "order id", "product code", "quantity", "unit price", "amount"],
        ["L1", "Y-0", "P100", "1.5", "333", ""],  # quantity keeps its decimals; 499.5 → 500
        ["L2", "Y-0", "P100", "2", "333.5", ""],  # a price in yen with decimals
        ["L3", "Y-0", "P100", "1", "300", "299.99"],  # a given amount with decimals
    ]
    rejects = tmp_path / "lines.rejects.csv"
    result = import_file(
        None, "order_lines", write_csv(tmp_path / "lines.csv", rows), rejects_path=rejects
    )
    assert (result.imported, result.rejected) == (1, 2)
    line = OrderLine.objects.get()
    assert (line.quantity, line.unit_price, line.amount) == (Decimal("1.5"), 333, 500)
    reasons = [row[1] for row in read_csv(rejects)[1:]]
    assert "Unit price 333.5 has decimals" in reasons[0]
    assert "Amount 299.99 has decimals" in reasons[1]
