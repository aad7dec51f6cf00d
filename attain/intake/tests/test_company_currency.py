"""Amounts in the files of a company that does not count in yuan: a US or Japanese
company's, written with its own currency's sign."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from attain.crm.models import Order
from attain.intake.importer import import_file

from .conftest import read_csv, write_csv

HEADER = ["order id", "customer id", "owner", "order date", "amount"]


def _import_amounts(tmp_path: Path, amounts: list[str]) -> tuple[dict[str, Decimal], list[str]]:
    rows: list[list[Any]] = [HEADER]
    rows += [[f"F-{n}", "C1", "r1", "2025-03-10", a] for n, a in enumerate(amounts)]
    rejects = tmp_path / "rejects.csv"
    import_file(None, "orders", write_csv(tmp_path / "orders.csv", rows), rejects_path=rejects)
    stored = dict(Order.objects.values_list("external_id", "amount"))
    reasons = [row[1] for row in read_csv(rejects)[1:]] if rejects.exists() else []
    return {amounts[int(k[2:])]: v for k, v in stored.items()}, reasons


@pytest.mark.parametrize(
    ("currency", "amounts"),
    [
        ("USD", ["$1,234.50", "US$1,234.50", "USD 1,234.50", "1,234.50 USD", "($1,234.50)"]),
        ("JPY", ["¥1,250,000", "￥1,250,000", "1,250,000円", "1250000 JPY", "JPY1,250,000"]),
        ("HKD", ["HK$1,234.50", "$1,234.50", "1,234.50 HKD"]),
        ("EUR", ["€1,234.50", "1,234.50 €", "EUR 1,234.50"]),
        ("CNY", ["¥1,234.50", "￥1,234.50", "1,234.50元", "RMB 1,234.50", "CNY1,234.50"]),
    ],
)
def test_an_amount_with_the_companys_own_currency_sign_imports(
    customers: Any, tmp_path: Path, settings: Any, currency: str, amounts: list[str]
) -> None:
    """A US company's CSV saved by Excel writes $1,234.50 and a Japanese one 1,250,000円:
    both were rejected as “not a number”, only ¥ and 元 being known."""
    settings.ATTAIN_CURRENCY = currency
    stored, reasons = _import_amounts(tmp_path, amounts)
    assert reasons == []
    assert set(stored) == set(amounts)
    assert {abs(v) for v in stored.values()} == {
        Decimal("1250000") if currency == "JPY" else Decimal("1234.50")
    }


@pytest.mark.parametrize(
    ("currency", "amount"),
    [("USD", "¥1,000"), ("USD", "1000元"), ("USD", "€1,000"), ("JPY", "$1,000"), ("CNY", "$1,000")],
)
def test_an_amount_with_another_currencys_sign_is_rejected_naming_the_companys(
    customers: Any, tmp_path: Path, settings: Any, currency: str, amount: str
) -> None:
    """¥1,000 in a file of a company paying in dollars was stored as $1,000: the sign
    said yen (or yuan) and nobody was told."""
    settings.ATTAIN_CURRENCY = currency
    stored, reasons = _import_amounts(tmp_path, [amount])
    assert stored == {}
    assert len(reasons) == 1 and currency in reasons[0], reasons


@pytest.mark.parametrize(
    "rows",
    [
        [["order id", "customer id", "owner", "order date", "Amount (000s)"]],
        [["Sales report", "", "", "", "Amounts in thousands"], HEADER],
    ],
)
def test_amounts_in_thousands_are_refused_in_the_companys_currency(
    customers: Any, tmp_path: Path, settings: Any, rows: list[list[Any]]
) -> None:
    """A US company's file in thousands of dollars was told Attain reads amounts “in yuan
    (元, not thousands or 万)”."""
    from attain.intake.reading import FileProblem

    settings.ATTAIN_CURRENCY = "USD"
    rows = [*rows, ["F-1", "C1", "r1", "2025-03-10", "12.5"]]
    with pytest.raises(FileProblem) as problem:
        import_file(None, "orders", write_csv(tmp_path / "orders.csv", rows))
    message = str(problem.value)
    assert "USD" in message and "nothing was imported" in message
    assert "元" not in message and "yuan" not in message and "万" not in message
