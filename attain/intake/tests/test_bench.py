"""`attain bench_import` at a small size: the executemany floor is measured and
reported, and a GBK file with Chinese headers imports exactly as its UTF-8 twin."""

from __future__ import annotations

import csv
import datetime
import random
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from attain.audit.models import AuditEvent
from attain.crm.bulk import _field_json, _field_json_of
from attain.crm.models import Order, OrderCredit
from attain.intake.importer import import_file
from attain.intake.management.commands.bench_import import Command, executemany_floor


def test_bench_reports_the_floor_and_the_ratio(db: Any, tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "bench_import",
        "--rows",
        "300",
        "--encoding",
        "gbk",
        "--file",
        str(tmp_path / "orders.csv"),
        stdout=out,
    )
    text = out.getvalue()
    assert "generated 300 rows (gbk)" in text
    assert "floor: csv.reader + executemany into an indexed SQLite table, 300 rows in" in text
    assert "× the floor" in text
    assert "imported 300, updated 0, rejected 0" in text
    with (tmp_path / "orders.csv").open(encoding="gbk", newline="") as handle:
        assert next(csv.reader(handle))[:2] == ["订单号", "客户编号"]


def test_floor_writes_every_row_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    with path.open("w", encoding="gbk", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["订单号", "客户编号", "负责人", "下单日期", "金额", "状态", "业绩分配"])
        for n in range(250):
            out.writerow([f"BO{n}", "C1", "r1", "2025-03-10", "￥1,234.50", "已确认", ""])
    rows, seconds = executemany_floor(path, "gbk")
    assert rows == 250
    assert seconds > 0


def _stored(batch: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[Any]]:
    orders = list(
        Order.objects.order_by("external_id").values_list(
            "external_id", "customer_id", "owner_id", "date", "amount", "status", "verification"
        )
    )
    credits = list(
        OrderCredit.objects.order_by("order__external_id", "person_id").values_list(
            "order__external_id", "person_id", "share"
        )
    )
    events = sorted(
        (action, after["external_id"], after)
        for action, after in AuditEvent.objects.filter(batch=batch).values_list("action", "after")
    )
    return orders, credits, events


def _forget_orders() -> None:
    OrderCredit.objects.all().delete()
    Order.objects.all().delete()  # the audit trail is append-only: kept, by batch


def test_gbk_file_imports_the_same_rows_as_utf8(db: Any, tmp_path: Path) -> None:
    people, customers = Command()._ensure_company()
    seen: dict[str, Any] = {}
    for encoding in ("utf-8", "gbk"):
        path = tmp_path / f"orders-{encoding}.csv"
        Command._generate(path, 2500, random.Random(3), people, customers, encoding)
        rejects = tmp_path / f"rejects-{encoding}.csv"
        result = import_file(
            None, "orders", path, rejects_path=rejects, chunk_size=700, audit_batch=encoding
        )
        seen[encoding] = (
            (result.imported, result.updated, result.rejected),
            _stored(encoding),
            rejects.read_text(encoding="utf-8-sig").replace("￥", "¥"),
        )
        _forget_orders()
    utf8, gbk = seen["utf-8"], seen["gbk"]
    assert utf8[0] == (2498, 0, 2)  # rows 1000 and 2000 are the bad ones
    assert gbk == utf8
    assert "金额" in utf8[2].splitlines()[0]  # the rejects file keeps the Chinese header


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("external_id", ["BO1", "", None, 12]),
        ("owner_id", [1, 3, None, "4"]),
        ("date", [datetime.date(2025, 3, 1), None, "2025-03-02"]),
        ("amount", [Decimal("1.5"), Decimal("12.345"), Decimal("1E+2"), 3, "4.1", None]),
        ("status", ["confirmed", None]),
        ("verified_at", [datetime.datetime(2025, 3, 1, 10, tzinfo=datetime.UTC), None]),
    ],
)
def test_audit_values_converted_as_the_field_does(name: str, values: list[Any]) -> None:
    field = next(f for f in Order._meta.concrete_fields if f.attname == name)
    convert = _field_json_of(field)
    for value in values:
        assert convert(value) == _field_json(field, value)


def test_remembered_parser_is_bounded_and_forgets_nothing_it_rejects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from attain.intake import rows
    from attain.intake.parsing import CellError, parse_date

    monkeypatch.setattr(rows, "REMEMBERED", 3)
    calls: list[str] = []

    def parse(cell: Any) -> datetime.date:
        calls.append(cell)
        return parse_date(cell, what="order date")

    remembered = rows._remembered(parse)
    assert remembered("2025年3月1日") == remembered("2025年3月1日") == datetime.date(2025, 3, 1)
    assert calls == ["2025年3月1日"]
    for _n in range(2):
        with pytest.raises(CellError, match="bad order date “2025-13-01”"):
            remembered("2025-13-01")
    assert calls.count("2025-13-01") == 2
    for day in range(2, 9):
        assert remembered(f"2025/3/{day}") == datetime.date(2025, 3, day)
    assert remembered(datetime.date(2025, 3, 9)) == datetime.date(2025, 3, 9)  # an Excel cell


def test_quick_bounds_check_passes_only_what_bound_errors_passes(db: Any) -> None:
    from attain.crm.bounds import bound_errors
    from attain.intake.rows import RowValidator
    from attain.intake.tables import TABLES

    spec = TABLES["orders"]
    check = RowValidator(spec, None, {"external_id": 0, "customer": 1, "owner": 2, "date": 3})
    assert check.ceiling is not None and check.last_day is not None
    ceiling, last_day = check.ceiling, check.last_day
    amounts: list[Any] = [None, Decimal(0), Decimal("-0.01"), Decimal("12.50"), ceiling]
    amounts += [ceiling + Decimal("0.01"), -ceiling, 7, -7, True]
    days: list[Any] = [None, datetime.date(2025, 3, 1), last_day]
    days += [last_day + datetime.timedelta(days=1), datetime.datetime(2025, 3, 1, 9)]
    passed = 0
    for amount in amounts:
        for day in days:
            values = {"amount": amount, "date": day}
            errors = bound_errors(
                Order, values, rules=check.rules, today=check.today, credit_notes=True
            )
            if check._surely_bounded(values):
                passed += 1
                assert errors == {}, values
    assert passed == 5 * 3  # None, 0, 12.50, the ceiling, 7 with None and the two good days


@pytest.mark.parametrize("table", ["orders", "people"])
def test_the_bench_refuses_a_database_that_holds_a_company(
    company: Any, tmp_path: Path, table: str
) -> None:
    """It credited a million generated orders to the company's own people (and imported
    its generated roster among them)."""
    from django.core.management.base import CommandError

    orders, people = Order.objects.count(), company.people["r1"].__class__.objects.count()
    with pytest.raises(CommandError, match="holds a company"):
        call_command(
            "bench_import", "--rows", "50", "--table", table, "--file", str(tmp_path / "f.csv")
        )
    assert Order.objects.count() == orders
    assert company.people["r1"].__class__.objects.count() == people
