"""The import's fast paths (issue 15) give what the plain ones gave: a created record's
audit text as ``dump_json`` of its values, a writer's row as a field-by-field lookup,
and a chunk validated column by column as each of its rows validated by itself."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, models

from attain.audit import chain
from attain.audit.models import AuditEvent
from attain.crm.bulk import CreditRows, Upsert, _field_json, _share_json
from attain.crm.models import Order, OrderCredit, Verification
from attain.intake.tables import TABLES

from .conftest import write_csv


def _samples(field: models.Field[Any, Any]) -> list[Any]:
    """Values a row may give a field: what an import gives, and odd ones that take the
    general path."""
    if isinstance(field, models.DecimalField):
        return [Decimal("1234.5"), Decimal("-0.01"), Decimal("1E+2"), Decimal("0.125"), 7, None]
    if isinstance(field, models.DateTimeField):
        moment = datetime.datetime(2025, 3, 1, 10, 30, tzinfo=datetime.UTC)
        return [moment, None]
    if isinstance(field, models.DateField):
        return [datetime.date(2025, 3, 1), datetime.date(999, 1, 2), "2025-03-02", None]
    if isinstance(field, models.BooleanField):
        return [True, False, None]
    if field.is_relation or isinstance(field, models.IntegerField):
        return [1, 12345678901, "4", None]
    if isinstance(field, models.FloatField):
        return [1.5, 2.0, None]
    if isinstance(field, models.JSONField):
        return [None]
    return ["", 'a "quoted" \\ 中文\n\t', Verification.PENDING, "x" * 3, None]


def _reference_after(upsert: Upsert, values: dict[str, Any]) -> dict[str, Any]:
    """A created record's ``after`` as the writer built it before (a dict per row)."""
    fields = {f.attname: f for f in upsert.model._meta.concrete_fields}
    after = {f: _field_json(fields[f], values.get(f)) for f in upsert.present if f != "credit"}
    if upsert.credit is not None:
        after["credit"] = sorted(
            [person, _share_json(share)] for person, share in values["credit"] or ()
        )
    return after


@pytest.mark.parametrize("table", sorted(name for name, spec in TABLES.items() if not spec.org))
def test_created_records_audit_text_is_dump_json_of_their_values(table: str) -> None:
    spec = TABLES[table]
    fields = [f for f in spec.model._meta.concrete_fields if not f.primary_key]
    credit = CreditRows(spec.credit.model, spec.credit.parent_column) if spec.credit else None
    present = {f.attname for f in fields} | ({"credit"} if credit else set())
    upsert = Upsert(
        spec.model,
        spec.key,
        present=present,
        defaults={f.attname: None for f in fields},
        credit=credit,
    )
    text = upsert.audit_text()
    samples = {f.attname: _samples(f) for f in fields}
    splits: list[Any] = [
        [],
        None,
        [(3, Decimal("0.6")), (1, Decimal("0.40000000"))],
        [(2, Decimal("0.33333334")), (2, Decimal("0.33333333")), (1, Decimal("0.33333333"))],
        [("7", Decimal("1"))],
    ]
    rows = []
    for n in range(max(len(s) for s in samples.values())):
        values = {name: options[n % len(options)] for name, options in samples.items()}
        values["credit"] = splits[n % len(splits)]
        values["_opportunity_customer"] = 5  # a row's other keys are no field
        assert text(values) == chain.dump_json(_reference_after(upsert, values))
        rows.append(dict(values))
        del values[fields[0].attname]  # a field the row does not give is null
        assert text(values) == chain.dump_json(_reference_after(upsert, values))
        rows.append(values)
    # column by column: mixed columns, and columns of one class only (the fast ones)
    assert upsert.audit_texts(rows) == [text(values) for values in rows]
    for n in range(len(rows)):
        plain = [{**values, **rows[n]} for values in rows]
        assert upsert.audit_texts(plain) == [text(values) for values in plain]
    assert upsert.audit_texts([]) == []


def test_upsert_row_is_each_field_or_its_default() -> None:
    fields = [f for f in Order._meta.concrete_fields if not f.primary_key]
    defaults: dict[str, Any] = {f.attname: f"default {f.attname}" for f in fields}
    defaults["verified_at"] = None
    upsert = Upsert(Order, "external_id", present={"external_id"}, defaults=defaults)
    moment = datetime.datetime(2025, 3, 1, 10, 30, tzinfo=datetime.UTC)
    for values in (
        {"external_id": "O1", "amount": Decimal("1.50"), "credit": []},
        {"external_id": "O2", "verified_at": moment, "owner_id": None},
        {"external_id": "O3", "verified_at": None},
    ):
        expected = []
        for f in fields:
            value = values.get(f.attname, defaults[f.attname])
            if isinstance(f, models.DateTimeField) and value is not None:
                value = connection.ops.adapt_datetimefield_value(value)
            expected.append(value)
        assert list(upsert.row(values)) == expected


HEADER = ["订单号", "客户编号", "负责人", "下单日期", "金额", "状态", "业绩分配"]


def test_imported_orders_audit_events_chain_and_hold_their_values(
    customers: Any, tmp_path: Path
) -> None:
    from attain.intake.importer import import_file
    from attain.org.models import Person

    rep = Person.objects.order_by("code").first()
    assert rep is not None
    other = Person.objects.exclude(pk=rep.pk).order_by("code").first()
    assert other is not None
    path = write_csv(
        tmp_path / "orders.csv",
        [
            HEADER,
            ["O1", "C1", rep.code, "2025-03-01", "￥1,234.50", "已确认", ""],
            ["O2", "C2", rep.code, "2025/3/2", "99", "已取消", f"{rep.code}:0.6;{other.code}:0.4"],
        ],
    )
    result = import_file(None, "orders", path, audit_batch="speed")
    assert (result.imported, result.rejected) == (2, 0)
    after = dict(
        AuditEvent.objects.filter(batch="speed", action="create").values_list(
            "object_repr", "after"
        )
    )
    o1, o2 = Order.objects.get(external_id="O1"), Order.objects.get(external_id="O2")
    assert after[str(o1.pk)]["amount"] == "1234.50"
    assert after[str(o1.pk)]["credit"] == []
    assert after[str(o2.pk)]["status"] == "cancelled"
    assert after[str(o2.pk)]["date"] == "2025-03-02"
    assert sorted(after[str(o2.pk)]["credit"]) == sorted([[rep.pk, "0.6"], [other.pk, "0.4"]])
    assert OrderCredit.objects.filter(order=o2).count() == 2
    assert chain.verify().intact


ORDER_HEADER = [*HEADER[:6], "商机", "业绩分配"]


def _tricky_orders(people: dict[str, Any]) -> list[list[Any]]:
    """Rows with every way an order's cell can be good, empty or bad, several bad cells
    in one row, texts repeated (parsed once per chunk) and Excel's cells (not text)."""
    r1, r2, r4 = people["r1"].code, people["r2"].code, people["r4"].code
    rows: list[list[Any]] = []
    for n in range(3):  # each twice or more: remembered values and reasons
        rows += [
            [f"A{n}", "C1", r1, "2025-03-01", "1234.5", "已确认", "", ""],
            [f"B{n}", "C2", r2, "2025/3/2", "￥1,234.50", "confirmed", "", f"{r1}:0.6;{r2}:0.4"],
            [f"C{n}", "C1", "R1", "2025年3月3日", "1,000", "已取消", "OPP1", f"{r1}:0.6;{r2}:0.4"],
            [f"D{n}", "C2", r1, "20250304", "¥12", "returned", "OPP1", ""],  # other customer
            [f"E{n}", "C9", "R1", "2025-13-01", "n/a", "maybe", "OPP9", f"{r1}:0.5"],
            [f"F{n}", "", "", "", "", "", "", ""],
            [f"G{n}", "C3", r1, "2025-03-05", "5", " ", " ", " "],  # merged customer
            [f"H{n}", "C1", people["r1"].name, "2025-03-05", "-5", "", "", f"{r1}:0.5;{r1}:0.5"],
            [f"I{n}", "C1", r4, "2099-01-01", "12345678901234567", "", "", f"{r4}:1"],
            [f"J{n}", " C1 ", f" {r1} ", " 2025-03-06 ", " 7.125 ", "已确认", "", "x"],
            [f"K{n}", "C1", r1, datetime.date(2025, 3, 7), 12.5, "已确认", None, None],
            [f"L{n}", "C1", r1, datetime.datetime(2025, 3, 8, 9), 3, "已确认", "", ""],
            [f"M{n}", "C1", r1, "2025-03-09", Decimal("1.239"), "已确认", "", f"{r1}:1/3"],
            [f"N{n}", "C1", r1, "2025-03-09", "$5", "已确认", "", f'{{"{r1}": 1}}'],
            [f"O{n}", "C1", r1, "2099-03-09", "-5", "已确认", "", f'{{"{r1}": 1}}'],  # bounds
            [f"A{n}", "C1", r1, "2025-03-10", "(1,234.50)", "已确认", "", ""],  # again
        ]
    return rows


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_a_chunk_validated_column_by_column_is_each_row_validated(
    customers: Any, company: Any, role: str
) -> None:
    from attain.crm.models import Customer
    from attain.crm.services import create_opportunity
    from attain.intake.importer import match_headers
    from attain.intake.reading import Uncalculated
    from attain.intake.rows import RowValidator

    people = company.people
    create_opportunity(
        None,
        customer=customers["C1"],
        name="大单",
        owner=people["r1"],
        amount=Decimal(100),
        external_id="OPP1",
    )
    merged = Customer.objects.create(external_id="C3", name="旧客户", merged_into=customers["C1"])
    assert merged.merged_into_id is not None
    spec = TABLES["orders"]
    positions, _matches = match_headers(spec, ORDER_HEADER)
    rows = _tricky_orders(people)
    rows.append(["U1", "C1", Uncalculated("=A1"), "2025-03-01", Uncalculated(""), "", "", ""])
    rows.append(["Z1", *[""] * 7])
    chunk = list(enumerate(rows, start=2))
    validator = RowValidator(spec, company.users[role], positions)
    validator.load_references(chunk)
    one_by_one = [validator.validate(cells) for _number, cells in chunk]
    assert validator.validate_chunk(chunk) == one_by_one
    # a chunk of good rows only: its bounds and required fields checked for the chunk
    good = [row for row, (values, _reason) in zip(chunk, one_by_one, strict=True) if values]
    assert validator.validate_chunk(good) == [validator.validate(cells) for _n, cells in good]
    reasons = [reason for _values, reason in one_by_one]
    assert sum(1 for values, _reason in one_by_one if values is not None) >= 9
    assert len({r for r in reasons if r}) >= 10  # the bad rows are bad in many ways
    if role == "manager":
        assert any("not in your team" in reason for reason in reasons)


@pytest.mark.parametrize("currency", ["CNY", "USD", "JPY"])
def test_plain_amounts_read_as_parse_decimal_does(currency: str) -> None:
    from attain.intake.parsing import CellError, parse_decimal, plain_amounts
    from attain.intake.rows import MONEY_LIMIT

    texts = [
        *("0", "7", "007", "1234.5", "1234.50", "1234.", "1234.567", ".5", "1,234", "1,234.5"),
        *("12,34", "1,2345", "1,234,567.89", "¥1,234.50", "￥1234.5", "$1,234.50", "＄12"),
        *("€5", "¥", "¥,123", "1 234", " 12", "12 ", "+12", "-12", "(12)", "1e3", "1_000"),
        *("１２３", "¥１,２３４", "9" * 16, "9" * 17, "9,999,999,999,999,999.99", "1234円"),
        *("NaN", "Infinity", "", "12.3.4", "1,234.", "0.00"),
    ]
    read = plain_amounts(currency, 2, MONEY_LIMIT)
    fast = 0
    for text in texts:
        number = read(text)
        if number is None:
            continue
        fast += 1
        expected = parse_decimal(
            text, places=2, what="amount", limit=MONEY_LIMIT, currency=currency
        )
        assert (number, str(number)) == (expected, str(expected)), text
    assert fast >= 10
    with pytest.raises(CellError):  # what the fast path leaves is read as before
        parse_decimal("¥1", places=2, what="amount", limit=MONEY_LIMIT, currency="USD")
    assert plain_amounts("USD", 2, MONEY_LIMIT)("¥1") is None
    assert plain_amounts("CNY", 2, MONEY_LIMIT)("¥1,234.50") == Decimal("1234.50")


def test_the_collector_runs_less_often_while_a_file_imports(customers: Any, tmp_path: Path) -> None:
    import gc

    from attain.intake import importer

    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    path = write_csv(
        tmp_path / "orders.csv", [HEADER, ["O1", "C1", "r1", "2025-03-01", "5", "已确认", ""]]
    )
    importer.import_file(None, "orders", path, progress=lambda *_a: seen.append(gc.get_threshold()))
    assert seen and all(t[0] >= importer.IMPORT_GC_THRESHOLD for t in seen)
    assert gc.get_threshold() == before

    def nested_then_failing() -> None:
        with importer.fewer_collections():
            with importer.fewer_collections():
                assert gc.get_threshold()[0] >= importer.IMPORT_GC_THRESHOLD
            assert gc.get_threshold()[0] >= importer.IMPORT_GC_THRESHOLD
            raise RuntimeError

    with pytest.raises(RuntimeError):
        nested_then_failing()
    assert gc.get_threshold() == before


def test_a_chunk_of_yen_with_decimals_is_checked_row_by_row(
    customers: Any, company: Any, settings: Any
) -> None:
    """In a currency without decimals the chunk's amounts are checked for them too: a
    chunk whose other bounds all hold still refuses 1000.5 yen, as each row did."""
    from attain.intake.importer import match_headers
    from attain.intake.rows import RowValidator

    settings.ATTAIN_CURRENCY = "JPY"
    spec = TABLES["orders"]
    positions, _matches = match_headers(spec, HEADER[:5])
    r1 = company.people["r1"].code
    amounts = ["1000", "1000.5", "¥1,000.50", "1,250,000円", "1000.00"]
    chunk = [(n, [f"Y{n}", "C1", r1, "2025-03-10", a]) for n, a in enumerate(amounts, start=2)]
    validator = RowValidator(spec, company.users["admin"], positions)
    validator.load_references(chunk)
    expected = [validator.validate(cells) for _n, cells in chunk]
    assert validator.validate_chunk(chunk) == expected
    assert [values is None for values, _reason in expected] == [False, True, True, False, False]
