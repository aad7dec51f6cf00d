"""Reasons a row is rejected for, as the person who imported the file reads them: about
the row's own table and in plain words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils import translation

from attain.intake.importer import import_file

from .conftest import read_csv, write_csv


def _reasons(actor: Any, tmp_path: Path, table: str, rows: list[list[Any]]) -> list[str]:
    rejects = tmp_path / "rejects.csv"
    import_file(actor, table, write_csv(tmp_path / "f.csv", rows), rejects_path=rejects)
    return [row[1] for row in read_csv(rejects)[1:]]


def test_a_negative_payment_is_not_told_about_an_orders_status(
    customers: Any, company: Any, tmp_path: Path
) -> None:
    """A negative payment said "(an order is taken back through its status: returned
    or cancelled)": a payment has no status, and no order was involved."""
    rows = [
        ["external_id", "customer", "collector", "date", "amount"],
        ["P-1", "C1", "r1", "2025-03-10", "(1,200.00)"],
    ]
    (reason,) = _reasons(company.users["sales_ops"], tmp_path, "payments", rows)
    assert "must not be negative" in reason
    assert "order" not in reason.lower() and "status" not in reason, reason
    with translation.override("zh-hans"):
        (reason,) = _reasons(company.users["sales_ops"], tmp_path, "payments", rows)
    assert "不能为负数" in reason and "订单" not in reason, reason


def test_a_reps_negative_order_is_still_told_to_use_the_status(company: Any) -> None:
    from decimal import Decimal

    from attain.crm.bounds import bound_errors
    from attain.crm.models import Order, Payment

    order = bound_errors(Order, {"amount": Decimal(-5)})["amount"]
    assert "must not be negative" in order and "status" in order, order
    assert "status" not in bound_errors(Payment, {"amount": Decimal(-5)})["amount"]


def test_minutes_with_decimals_are_not_a_whole_number(
    customers: Any, company: Any, tmp_path: Path
) -> None:
    """ "duration (minutes) “1.5” has more than 0 decimal places" (zh: 小数超过 0 位)."""
    rows = [
        ["external_id", "kind", "customer", "owner", "occurred_at", "duration_minutes"],
        ["A-1", "call", "C1", "r1", "2025-03-10 14:30", "1.5"],
    ]
    (reason,) = _reasons(None, tmp_path, "activities", rows)
    assert "“1.5” is not a whole number" in reason and "0 decimal" not in reason, reason
    with translation.override("zh-hans"):
        (reason,) = _reasons(None, tmp_path, "activities", rows)
    assert "不是整数" in reason and "0 位" not in reason, reason


def test_a_totals_row_is_rejected_as_a_totals_row(customers: Any, tmp_path: Path) -> None:
    """A sheet's totals row (合计, Total) was rejected as "customer is missing; owner is
    missing; order date is missing", as if an order had been left half filled in."""
    rows = [
        ["order id", "customer id", "owner", "order date", "amount"],
        ["O-1", "C1", "r1", "2025-03-10", "100"],
        ["O-2", "C1", "r1", "2025-03-10", "200"],
        ["合计", "", "", "", "300"],
        ["", "Grand Total:", "", "", "300"],
    ]
    first, second = _reasons(None, tmp_path, "orders", rows)
    assert first.startswith("a totals row (“合计”), not a record"), first
    assert "customer is missing" in first  # the row's own reasons still follow
    assert second.startswith("a totals row (“Grand Total:”)"), second
    with translation.override("zh-hans"):
        first, _second = _reasons(None, tmp_path, "orders", rows)
    assert first.startswith("合计行（“合计”）"), first


def test_a_record_named_total_is_not_a_totals_row(customers: Any, tmp_path: Path) -> None:
    rows = [["external_id", "name", "city"], ["Total", "", "x"], ["T-2", "Total", "y"]]
    (reason,) = _reasons(None, tmp_path, "customers", rows)
    assert reason.startswith("a totals row"), reason  # no name: its key says total
    from attain.crm.models import Customer

    assert Customer.objects.get(external_id="T-2").name == "Total"  # a good row imports
