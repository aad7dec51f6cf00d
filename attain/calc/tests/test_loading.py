"""The calculation adapter's loading: record tables from the database, with engine ids,
exact decimals, credit splits as JSON, local dates; and hand-made orders → build_scenario
→ calculate.

The tests commit their data (``transaction=True``): on PostgreSQL the loader reads
through its own ADBC connection. On SQLite the test database lives in memory, so the
loader uses Django's cursor; ``test_the_sqlite_file_source_reads_the_same`` copies the
database to a file and reads it through the loader's own connection too.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest
from django.core.management import call_command
from django.db import connection

from attain.calc import sources, tables
from attain.calc.org import load_org
from attain.calc.scenario import build_scenario
from attain.crm import services
from attain.crm.models import (
    Activity,
    Evidence,
    OrderLine,
    PeerRating,
    Survey,
    TrainingScore,
    Verification,
)
from attain.crm.tests import make
from attain.engine import calculate, load_scenario, parse_period, scenario_from_data, to_json

pytestmark = pytest.mark.django_db(transaction=True)

D = datetime.date
Q1 = (D(2026, 1, 1), D(2026, 3, 31))


@pytest.fixture
def records(company):
    p = company.people
    c1 = services.create_customer(
        None, name="甲一科技有限公司", owner=p["r1"], city="上海", industry="制造业"
    )
    c1.created_on = D(2026, 1, 5)
    c1.save()
    c2 = services.create_customer(None, name="乙二贸易有限公司", owner=p["r2"])
    c2.created_on = D(2026, 2, 1)
    c2.save()
    twin = services.create_customer(
        None, name="甲一科技（上海）有限公司", owner=p["r1"], allow_duplicate=True
    )
    twin.created_on = D(2026, 2, 2)
    twin.save()
    services.merge_customers(None, c1, twin)
    line = services.create_product_line(None, code="sensors", name="工业传感器")
    sensor = services.create_product(None, code="S-100", name="温度传感器", line=line)
    o1 = make.order(
        c1,
        p["r1"],
        D(2026, 1, 10),
        lines=[(sensor, Decimal("3"), Decimal("33.37"))],
        external_id="o1",
    )
    make.order(
        c2,
        p["r4"],
        D(2026, 3, 3),
        Decimal("300.01"),
        credits=make.shares(p["r4"], "0.6", p["r2"], "0.4"),
        external_id="o2",
    )
    cancelled = make.order(c2, p["r2"], D(2026, 2, 14), Decimal("999.99"), external_id="o3")
    services.change_order_status(None, cancelled, "cancelled", on=D(2026, 2, 20))
    make.order(c1, p["r1"], D(2026, 4, 1), Decimal(7), external_id="o4")
    make.order(c1, p["r1"], D(2026, 3, 31), Decimal("-10.10"), external_id="o5")
    make.payment(c1, p["r2"], D(2026, 2, 10), Decimal("50.05"), order=o1, external_id="pay1")
    # 17:30 UTC on 31 March is 01:30 on 1 April in Shanghai.
    late = make.activity(
        c1,
        p["r1"],
        "visit",
        datetime.datetime(2026, 3, 31, 17, 30, tzinfo=datetime.UTC),
        external_id="a-late",
    )
    early = make.activity(
        c1,
        p["r1"],
        "visit",
        datetime.datetime(2025, 12, 31, 16, 30, tzinfo=datetime.UTC),
        external_id="a-early",
    )
    Evidence.objects.create(activity=early, kind="photo", file="evidence/x.jpg")
    make.activity(
        c2,
        p["r2"],
        "call",
        datetime.datetime(2026, 2, 1, 2, 0, tzinfo=datetime.UTC),
        external_id="a-call",
    )
    Survey.objects.create(
        customer=c1, person=p["r1"], date=D(2026, 2, 1), score=Decimal("4.5"), external_id="s1"
    )
    Survey.objects.create(
        customer=c2, person=p["r1"], date=D(2026, 2, 2), score=Decimal("3.0"), external_id="s2"
    )
    TrainingScore.objects.create(
        person=p["r2"],
        course="产品知识",
        date=D(2026, 3, 1),
        score=Decimal("88.5"),
        external_id="t1",
    )
    PeerRating.objects.create(
        rater=p["r1"], person=p["r2"], date=D(2026, 3, 2), score=Decimal(4), external_id="g1"
    )
    return {"late": late}


def load(name: str, fields: tuple[str, ...] = ("date",)) -> pl.DataFrame:
    return tables.load_tables([name], start=Q1[0], end=Q1[1], date_fields={name: fields})[name]


def test_orders_have_engine_ids_exact_amounts_and_credit_json(records):
    orders = load("orders").sort("id")
    assert orders["id"].to_list() == ["o1", "o2", "o3", "o5"]
    assert orders.columns[:5] == ["id", "date", "owner", "customer", "amount"]
    assert orders["owner"].to_list() == ["r1", "r4", "r2", "r1"]
    assert orders["date"].to_list() == [
        D(2026, 1, 10),
        D(2026, 3, 3),
        D(2026, 2, 14),
        D(2026, 3, 31),
    ]
    assert isinstance(orders.schema["amount"], pl.Decimal)
    assert orders["amount"].to_list() == [
        Decimal("100.11"),
        Decimal("300.01"),
        Decimal("999.99"),
        Decimal("-10.10"),
    ]
    assert orders["status"].to_list() == ["confirmed", "confirmed", "cancelled", "confirmed"]
    assert orders["product_line"].to_list() == [None, None, None, None]  # set on lines only
    credits = orders["credit"].to_list()
    assert credits[0] is None and credits[2] is None
    assert json.loads(credits[1], parse_float=Decimal) == {
        "r2": Decimal("0.4"),
        "r4": Decimal("0.6"),
    }


def test_a_few_peoples_records_are_read_with_their_credit_splits(records):
    """An incremental update reads only the records of the people it needs: their own
    and those a credit split gives them a share of, in every table that can say so."""

    def some(name: str, people: set[str], fields: tuple[str, ...] = ("owner",)) -> list[str]:
        frame = tables.load_tables(
            [name], start=Q1[0], end=Q1[1], people=people, person_fields={name: fields}
        )[name]
        return sorted(frame["id"].to_list())

    assert some("orders", {"r1"}) == ["o1", "o5"]
    assert some("orders", {"r2"}) == ["o2", "o3"]  # o2: r4's, with a share for r2
    assert some("orders", {"r2", "r4"}) == ["o2", "o3"]
    assert some("orders", set()) == []
    assert some("order_lines", {"r2"}) == []
    assert some("order_lines", {"r1"}) == [OrderLine.objects.get().external_id]
    assert some("surveys", {"r2"}) == []
    assert some("payments", {"r2"}, ("collector",)) == ["pay1"]
    assert some("payments", {"r1"}, ("collector",)) == []
    # a payment's owner is its order's, resolved after the query: every payment is read
    assert some("payments", {"r4"}, ("owner",)) == ["pay1"]
    # too many people to name: every record
    assert len(some("orders", {f"x{i}" for i in range(tables.PEOPLE_IN_SQL + 1)})) == 4
    quoted = some("orders", {"o'brien", "r1"})  # a code with a quote is a literal
    assert quoted == ["o1", "o5"]
    # a few people's records look up their customers by key: the same ids as a full read
    few = tables.load_tables(
        ["orders"], start=Q1[0], end=Q1[1], people={"r2"}, person_fields={"orders": ["owner"]}
    )["orders"]
    assert sorted(few["customer"].to_list()) == sorted(
        load("orders").filter(pl.col("id").is_in(["o2", "o3"]))["customer"].to_list()
    )


def test_a_few_peoples_records_leave_pending_ones_out_and_skip_the_verification_index(
    records,
):
    """Their query keeps SQLite off the verification index (nearly every record is
    verified: walking it reads the whole table), and still counts verified records only."""
    Activity.objects.filter(external_id="a-call").update(verification=Verification.PENDING)
    activities = tables.load_tables(["activities"], start=Q1[0], end=Q1[1], people={"r1", "r2"})[
        "activities"
    ]
    assert activities["id"].to_list() == ["a-early"]  # a-call is pending, a-late in April
    q = tables.Sql(connection.vendor, few_people=True)
    where = tables._counts(q, "a", Activity)
    if connection.vendor == "sqlite":
        assert where.startswith("+a.")
        with connection.cursor() as cursor:
            cursor.execute(
                'EXPLAIN QUERY PLAN SELECT a."id" FROM "crm_activity" a'
                ' JOIN "org_person" p ON p."id" = a."owner_id"'
                f" WHERE {where} AND p.\"code\" IN ('r1', 'r2')"
            )
            plan = " ".join(str(row) for row in cursor.fetchall())
        assert "verification" not in plan
        assert "owner_id" in plan
    else:
        assert not where.startswith("+")


def test_order_lines_carry_the_order_and_its_product(records):
    lines = load("order_lines")
    assert lines.height == 1
    row = lines.row(0, named=True)
    assert row["id"] == OrderLine.objects.get().external_id
    assert (row["order"], row["owner"], row["product"], row["product_line"]) == (
        "o1",
        "r1",
        "S-100",
        "sensors",
    )
    assert (row["quantity"], row["amount"]) == (Decimal("3.000"), Decimal("100.11"))


def test_merged_customers_are_left_out(records):
    customers = load("customers")
    assert sorted(customers["name"].to_list()) == ["乙二贸易有限公司", "甲一科技有限公司"]
    assert customers.filter(pl.col("owner") == "r1")["created"].to_list() == [D(2026, 1, 5)]


def test_activities_fall_on_their_local_day(records):
    activities = load("activities").sort("id")
    assert activities["id"].to_list() == ["a-call", "a-early"]
    assert activities["date"].to_list() == [D(2026, 2, 1), D(2026, 1, 1)]
    assert activities["has_evidence"].to_list() == [False, True]
    april = tables.load_tables(["activities"], start=D(2026, 4, 1), end=D(2026, 4, 30))[
        "activities"
    ]
    assert april["id"].to_list() == ["a-late"]


def test_payments_surveys_training_and_ratings(records):
    payment = load("payments").row(0, named=True)
    assert (payment["id"], payment["collector"], payment["owner"], payment["order"]) == (
        "pay1",
        "r2",
        "r1",
        "o1",
    )
    assert payment["amount"] == Decimal("50.05")
    assert load("surveys").sort("id")["score"].to_list() == [Decimal("4.5"), Decimal("3.0")]
    assert load("training").row(0, named=True)["score"] == Decimal("88.5")
    rating = load("peer_ratings").row(0, named=True)
    assert (rating["owner"], rating["rater"], rating["score"]) == ("r2", "r1", Decimal("4.0"))


def test_other_date_fields_select_rows(records):
    changed = load("orders", ("status_changed_on",))
    assert changed["id"].to_list() == ["o3"]
    with pytest.raises(ValueError, match="no date field"):
        load("orders", ("closed_on",))


def test_org_as_of_the_period(records, company):
    units, people = load_org(start=Q1[0])
    assert set(units["id"]) == {"hq", "east", "west"}
    assert units.filter(pl.col("id") == "east")["parent"].to_list() == ["hq"]
    r3 = people.filter(pl.col("id") == "r3").row(0, named=True)
    assert (r3["unit"], r3["manager"], r3["role"], r3["history"]) == ("east", "m2", "rep", None)


def _copied(tmp_path: Path) -> Path:
    """The test database copied to a file (the loader reads a file through its own
    connection), with a write-ahead log as Attain's files have."""
    file = tmp_path / "copy.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(file)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    return file


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_the_sqlite_file_source_reads_the_same(records, tmp_path):
    file = _copied(tmp_path)
    django = sources.DjangoCursorSource()
    own = sources.SqliteSource(file)
    try:
        for name in tables.TABLES:
            expected = tables.load_table(django, name, start=Q1[0], end=Q1[1])
            got = tables.load_table(own, name, start=Q1[0], end=Q1[1])
            assert got.to_dicts() == expected.to_dicts(), name
    finally:
        own.close()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_the_sqlite_file_is_read_with_djangos_sqlite_and_never_written(records, tmp_path):
    """ADBC's SQLite driver carried its own copy of SQLite: two copies in one process
    drop each other's locks on the file (a worker read "database disk image is
    malformed" beside Django's connection). The loader's connection is the library
    Django's is, and it refuses writes."""
    file = _copied(tmp_path)
    own = sources.SqliteSource(file)
    try:
        version = own.query("SELECT sqlite_version() AS v").column("v").to_pylist()
        assert version == [sqlite3.sqlite_version]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            own.query("CREATE TABLE t (x)")
    finally:
        own.close()


def test_orders_to_measures_end_to_end(records, tmp_path):
    measures = {
        "revenue": {"from": "orders", "value": "amount", "where": "status == 'confirmed'"},
        "orders": {"from": "orders", "agg": "count", "where": "status == 'confirmed'"},
        "collected": {"from": "payments", "value": "amount", "person": "collector"},
        "visits": {"from": "activities", "where": "kind == 'visit'", "agg": "count"},
        "satisfaction": {"from": "surveys", "value": "score", "agg": "avg"},
    }
    data = build_scenario(
        period_start=Q1[0],
        period_end=Q1[1],
        measures=measures,
        targets=[{"measure": "revenue", "who": "r1", "period": "2026-Q1", "value": 90}],
        report=["2026-Q1"],
        work_dir=tmp_path,
    )
    scenario, problems = scenario_from_data(data, tmp_path)
    assert problems == []
    result = calculate(scenario)
    q1 = parse_period("2026-Q1").id

    def measure(who: str, name: str) -> Decimal:
        return result.people[who][q1].measures[name]

    # r1: o1 100.11 + refund o5 -10.10; r4 and r2 share o2 (300.01) 60/40; o3 is cancelled.
    assert measure("r1", "revenue") == Decimal("90.01")
    assert measure("r4", "revenue") == Decimal("180.006")
    assert measure("r2", "revenue") == Decimal("120.004")
    assert measure("r2", "orders") == Decimal("0.4")
    assert measure("r2", "collected") == Decimal("50.05")
    assert measure("r1", "visits") == 1  # a-late is on 1 April, local time
    assert measure("r1", "satisfaction") == Decimal("3.75")
    assert result.units["east"][q1].measures["revenue"] == Decimal("210.014")
    assert result.people["r1"][q1].attainment["revenue"] > 1


def test_frames_kept_in_memory_are_what_the_files_hold(records, tmp_path):
    """``build_scenario(frames=)`` (what every calculation uses) keeps the very frames
    it would write: each file read back equals its frame, and the engine's output from
    either is the same text."""
    measures = {
        "revenue": {"from": "orders", "value": "amount", "where": "status == 'confirmed'"},
        "collected": {"from": "payments", "value": "amount", "person": "collector"},
        "visits": {"from": "activities", "where": "kind == 'visit'", "agg": "count"},
        "satisfaction": {"from": "surveys", "value": "score", "agg": "avg"},
    }
    common = {
        "period_start": Q1[0],
        "period_end": Q1[1],
        "measures": measures,
        "targets": [{"measure": "revenue", "who": "r1", "period": "2026-Q1", "value": 90}],
        "report": ["2026-Q1"],
    }
    written = build_scenario(**common, work_dir=tmp_path)
    frames: dict[str, pl.DataFrame] = {}
    kept = build_scenario(**common, frames=frames)
    assert kept == written
    assert sorted(frames) == sorted(
        [kept["units"]["parquet"], kept["people"]["parquet"]]
        + [spec["parquet"] for spec in kept["records"].values()]
    )
    for name, frame in frames.items():
        on_disk = pl.read_parquet(tmp_path / name)
        assert on_disk.schema == frame.schema, name
        assert on_disk.equals(frame), name
    from_files, problems = scenario_from_data(written, tmp_path)
    assert problems == []
    from_frames, problems = scenario_from_data(kept, frames=frames)
    assert problems == []
    as_of = datetime.date(2026, 3, 31)
    assert to_json(calculate(from_frames, as_of)) == to_json(calculate(from_files, as_of))
    with pytest.raises(ValueError, match="work_dir or frames"):
        build_scenario(**common)


def test_export_scenario_command_writes_a_runnable_scenario(records, tmp_path):
    call_command("export_scenario", str(tmp_path), "--from", "2026-01-01", "--to", "2026-03-31")
    scenario, problems = load_scenario(tmp_path / "scenario.yaml")
    assert problems == []
    result = calculate(scenario)
    q1 = parse_period("2026-Q1").id
    assert result.people["r1"][q1].measures["new_customers"] == 1
    assert result.people["r2"][q1].measures["training"] == Decimal("88.5")
    assert result.people["r2"][q1].measures["collaboration"] == 4
    assert Path(tmp_path / "tables" / "orders.parquet").is_file()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_every_query_of_a_load_reads_the_same_commit(records, tmp_path):
    """A worker loads units, people, assignments and records one query after another
    while the web app writes: every query of one source reads the commit its first one
    read (Python's sqlite3 opens no transaction for a SELECT on its own)."""
    file = _copied(tmp_path)
    own = sources.SqliteSource(file)
    try:
        count = "SELECT count(*) AS n FROM org_unit"
        before = own.query(count).column("n").to_pylist()
        writer = sqlite3.connect(file)
        writer.execute("UPDATE org_unit SET name = name || '!'")
        writer.execute("DELETE FROM org_unit WHERE id NOT IN (SELECT unit_id FROM org_assignment)")
        writer.commit()
        writer.close()
        assert own.query(count).column("n").to_pylist() == before
        names = own.query("SELECT name FROM org_unit").column("name").to_pylist()
        assert not any(name.endswith("!") for name in names)
    finally:
        own.close()
    with pytest.raises(sqlite3.OperationalError):  # a wrong path makes no new database
        sources.SqliteSource(tmp_path / "no such file.sqlite3")
    assert not (tmp_path / "no such file.sqlite3").exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_a_column_that_is_null_in_its_first_rows_is_read(records, tmp_path):
    """Thousands of orders without a product line, then one with, load (imports do this;
    ADBC's SQLite driver typed a column from the rows it read first)."""
    from attain.crm.models import Order, ProductLine

    first = Order.objects.order_by("pk").first()
    line = ProductLine.objects.first() or ProductLine.objects.create(code="pl", name="线")
    Order.objects.bulk_create(
        Order(
            external_id=f"bulk-{n}",
            customer=first.customer,
            owner=first.owner,
            date=first.date,
            amount=Decimal(1),
            product_line=line if n == 2999 else None,
        )
        for n in range(3000)
    )
    file = _copied(tmp_path)
    own = sources.SqliteSource(file)
    try:
        orders = tables.load_table(own, "orders", start=Q1[0], end=Q1[1])
    finally:
        own.close()
    assert orders.filter(pl.col("id") == "bulk-2999")["product_line"].to_list() == [line.code]


def test_integrity_records_read_decimals_on_every_database(records):
    """The integrity scan's frames (committed rows: on PostgreSQL through the ADBC driver,
    whose numerics arrive as an opaque extension type unless read as text)."""
    from attain.calc.integrity import load_records

    late = records["late"]
    late.latitude, late.longitude = Decimal("31.230416"), Decimal("121.473701")
    late.save()
    found = load_records(start=Q1[0], end=Q1[1])
    orders = dict(zip(found["orders"]["id"], found["orders"]["amount"], strict=True))
    assert orders["o2"] == pytest.approx(300.01)
    assert orders["o5"] == pytest.approx(-10.10)
    shares = found["credits"].sort("person")["share"].to_list()
    assert shares == pytest.approx([0.4, 0.6])
    assert found["payments"]["amount"].to_list() == pytest.approx([50.05])
    assert sorted(found["surveys"]["score"].to_list()) == pytest.approx([3.0, 4.5])
    assert found["peer_ratings"]["score"].to_list() == pytest.approx([4.0])
    visit = found["activities"].filter(pl.col("id") == "a-late").row(0, named=True)
    assert (visit["lat"], visit["lon"]) == pytest.approx((31.230416, 121.473701))


@pytest.mark.parametrize(
    "values",
    [
        [],
        [None, None],
        ["a", None],
        [1, None, 3],
        [1.5, None],
        [1, 2.5],
        [True, None],
        [datetime.date(2026, 1, 1), None],
        [datetime.datetime(2026, 1, 1, 8, 30), None],
        [datetime.datetime(2026, 1, 1, 8, 30, tzinfo=datetime.UTC)],
        [datetime.date(2026, 1, 1), datetime.datetime(2026, 1, 2, 8, 30)],
        [Decimal("1.20"), None, 3],
        [b"bytes"],
    ],
)
def test_fetched_columns_become_the_arrow_arrays_pyarrow_infers(values):
    """A column of one Python type is given its Arrow type (pyarrow's inference tries to
    import dateutil on every call); the arrays are those inference gives."""
    if any(isinstance(v, Decimal) for v in values):
        values_as_given = [None if v is None else format(v, "f") for v in values]
    else:
        values_as_given = values
    inferred = pa.array(values_as_given)
    made = sources._arrow_array(list(values))
    assert made.type == inferred.type
    assert made.equals(inferred)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--from", "9999-01-01"], "1900-01-01"),
        (["--from", "0001-01-01", "--to", "0001-02-01"], "1900-01-01"),
        (["--from", "2026-01-01", "--as-of", "0001-01-01"], "1900-01-01"),
    ],
)
def test_export_scenario_refuses_days_out_of_range_and_a_file_as_its_folder(
    records, tmp_path, args, says
):
    """Each was a traceback (OverflowError, NotADirectoryError)."""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=says) as raised:
        call_command("export_scenario", str(tmp_path / "out"), *args)
    assert raised.value.returncode == 2
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    with pytest.raises(CommandError, match="not a folder") as raised:
        call_command("export_scenario", str(a_file), "--from", "2026-01-01")
    assert raised.value.returncode == 2
