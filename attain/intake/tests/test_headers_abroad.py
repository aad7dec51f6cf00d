"""The headers a US or Japanese company's people write in their files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from attain.crm.models import Customer, Order
from attain.intake.importer import import_file

from .conftest import write_csv


@pytest.mark.parametrize(
    "header",
    [
        ["Order Number", "Customer Code", "Sales Rep", "Close Date", "Order Amount", "Status"],
        ["Order #", "Customer", "Salesperson", "Booking Date", "Total", "Status"],
        ["受注番号", "顧客コード", "担当者", "受注日", "受注金額", "ステータス"],
        ["注文番号", "顧客ID", "営業担当", "注文日", "金額", "状態"],
    ],
)
def test_orders_with_the_headers_an_american_or_japanese_user_writes(
    customers: Any, tmp_path: Path, header: list[str]
) -> None:
    """`Sales Rep`, `Customer Code`, `受注番号`, `担当者`… named no column: the file was
    refused whole (“The file has no column owner”)."""
    rows: list[list[Any]] = [header, ["F-1", "C1", "r1", "2025-03-10", "1000", "confirmed"]]
    result = import_file(None, "orders", write_csv(tmp_path / "orders.csv", rows))
    assert result.imported == 1
    order = Order.objects.get(external_id="F-1")
    assert (order.customer.external_id, order.amount, order.status) == ("C1", 1000, "confirmed")


@pytest.mark.parametrize(
    "header",
    [
        ["Customer ID", "Customer Name", "Account Owner"],
        ["Account Number", "Company Name", "Sales Rep"],
        ["顧客コード", "顧客名", "担当者"],
        ["取引先コード", "会社名", "営業担当者"],
    ],
)
def test_customers_with_the_headers_an_american_or_japanese_user_writes(
    customers: Any, tmp_path: Path, header: list[str]
) -> None:
    rows: list[list[Any]] = [header, ["K-9", "Acme Inc.", "r1"]]
    result = import_file(None, "customers", write_csv(tmp_path / "customers.csv", rows))
    assert result.imported == 1
    customer = Customer.objects.get(external_id="K-9")
    assert customer.name == "Acme Inc." and customer.owner is not None


def test_a_missing_column_is_named_with_headers_in_the_readers_language(
    customers: Any, tmp_path: Path
) -> None:
    """An English reader was told the file has no column “owner” (负责人 / 销售 / 工号)."""
    from django.utils import translation

    from attain.intake.reading import FileProblem

    rows: list[list[Any]] = [["order id", "customer id", "order date", "amount"]]
    rows.append(["F-1", "C1", "2025-03-10", "1000"])
    path = write_csv(tmp_path / "orders.csv", rows)
    with translation.override("en"), pytest.raises(FileProblem) as problem:
        import_file(None, "orders", path)
    assert "“owner” (owner code / employee id / sales rep)" in str(problem.value)
    with translation.override("zh-hans"), pytest.raises(FileProblem) as problem:
        import_file(None, "orders", path)
    assert "负责人 / 销售 / 工号" in str(problem.value)
