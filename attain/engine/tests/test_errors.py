"""Every problem of spec section 10 is reported at its most specific path."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from attain.engine.calculate import calculate
from attain.engine.cli import main
from attain.engine.scenario import load_scenario, scenario_from_data

from .helpers import commission_plan, paths_of, problems_of, scenario

ORDERS = [{"id": "o1", "date": "2025-01-05", "owner": "zhang", "amount": 100}]
REVENUE = {"revenue": {"from": "orders", "value": "amount"}}


def valid(**parts: Any) -> dict[str, Any]:
    document = scenario(records={"orders": ORDERS}, measures=REVENUE)
    document.update(parts)
    return document


def test_a_valid_scenario_has_no_problems() -> None:
    assert problems_of(valid()) == []


def test_unknown_keys_at_their_own_path() -> None:
    document = valid(
        targets=[{"mesure": "revenue", "who": "zhang", "period": 2025, "value": 1}], extra=1
    )
    paths = paths_of(document)
    assert "targets[0].mesure" in paths and "extra" in paths
    document = valid(measures={"revenue": {"from": "orders", "valeu": "amount"}})
    assert "measures.revenue.valeu" in paths_of(document)


def test_version_must_be_one() -> None:
    assert "version" in paths_of(valid(version=2))


@pytest.mark.parametrize(
    ("currency", "reason"),
    [
        ("XYZ", "is not an ISO 4217 currency code"),
        ("RMB", "is not an ISO 4217 currency code"),
        ("cny", "is not an ISO 4217 currency code"),
        ("XAU", "no currency payouts are made in"),
        ("XXX", "no currency payouts are made in"),
    ],
)
def test_a_currency_must_be_one_iso_4217_knows(currency: str, reason: str) -> None:
    """A made-up code (or 人民币's everyday RMB) would round every payout to 2 places by
    guess; gold and "no currency" have no minor unit at all."""
    problems = problems_of(valid(currency=currency))
    assert [p for p in problems if p.path == "currency" and reason in p.message], problems


def test_duplicate_ids() -> None:
    document = valid(
        units=[{"id": "hq"}, {"id": "hq"}],
        people=[{"id": "zhang", "unit": "hq"}, {"id": "zhang", "unit": "hq"}],
    )
    paths = paths_of(document)
    assert "units[1].id" in paths and "people[1].id" in paths
    records = [*ORDERS, {**ORDERS[0]}]
    assert "records.orders[1].id" in paths_of(valid(records={"orders": records}))


def test_missing_references() -> None:
    document = valid(
        units=[{"id": "hq"}, {"id": "east", "parent": "nowhere"}],
        people=[{"id": "zhang", "unit": "mars", "manager": "nobody"}],
        targets=[{"measure": "profit", "who": "ghost", "period": 2025, "value": 1}],
    )
    paths = paths_of(document)
    for path in [
        "units[1].parent",
        "people[0].unit",
        "people[0].manager",
        "targets[0].measure",
        "targets[0].who",
    ]:
        assert path in paths, path
    document = valid(measures={"m": {"from": "invoices"}})
    assert "measures.m.from" in paths_of(document)
    component = {"id": "c", "kind": "commission", "measure": "profit", "rate": 0.1}
    assert "plans[0].components[0].measure" in paths_of(valid(plans=commission_plan(component)))


def test_unknown_person_at_the_field_that_names_it() -> None:
    records = [{"id": "r1", "date": "2025-01-01", "collector": "ghost", "amount": 1}]
    measures = {"collected": {"from": "payments", "value": "amount", "person": "collector"}}
    assert "records.payments[0].collector" in paths_of(
        valid(records={"payments": records}, measures=measures)
    )


def test_cycles_in_units_and_managers() -> None:
    document = valid(
        units=[{"id": "a", "parent": "b"}, {"id": "b", "parent": "a"}],
        people=[{"id": "x", "unit": "a", "manager": "y"}, {"id": "y", "unit": "a", "manager": "x"}],
    )
    paths = paths_of(document)
    assert "units[0].parent" in paths or "units[1].parent" in paths
    assert "people[0].manager" in paths or "people[1].manager" in paths


def test_a_cycle_that_starts_later_is_found_at_the_history_entry() -> None:
    people = [
        {"id": "x", "unit": "east"},
        {"id": "y", "unit": "east", "manager": "x"},
    ]
    people[0]["history"] = [{"from": "2025-06-01", "manager": "y"}]
    assert "people[0].history[0].manager" in paths_of(valid(people=people))


def test_a_later_cycle_through_a_moved_person_is_reported_once() -> None:
    people = [
        {"id": "a", "unit": "east", "manager": "b"},
        {"id": "b", "unit": "east", "manager": "c"},
        {"id": "c", "unit": "east"},
        {"id": "d", "unit": "east", "manager": "a"},
    ]
    # c joins the chain above a on 2025-03-01 (a → b → c → a); d's own move later
    # that year leaves the cycle in place, so it is not reported a second time
    people[2]["history"] = [{"from": "2025-03-01", "manager": "a"}]
    people[3]["history"] = [{"from": "2025-09-01", "manager": "b"}]
    problems = [p for p in problems_of(valid(people=people)) if "cycle" in p.message]
    assert sorted(p.path for p in problems) == [
        "people[0].manager",
        "people[1].manager",
        "people[2].history[0].manager",
    ]
    assert {p.message.split(": ")[1] for p in problems} == {"c → a → b → c"}
    assert all("from 2025-03-01" in p.message for p in problems)


def test_bad_dates_and_period_ids() -> None:
    records = [{"id": "o1", "date": "2025-02-30", "owner": "zhang", "amount": 1}]
    document = valid(
        records={"orders": records},
        as_of="yesterday",
        targets=[{"measure": "revenue", "who": "zhang", "period": "2025-Q5", "value": 1}],
        report={"periods": ["FY25"]},
    )
    paths = paths_of(document)
    for path in ["records.orders[0].date", "as_of", "targets[0].period", "report.periods[0]"]:
        assert path in paths, path


def test_credit_shares_must_sum_to_one_and_be_positive() -> None:
    records = [
        {
            "id": "a",
            "date": "2025-01-01",
            "owner": "zhang",
            "amount": 1,
            "credit": {"zhang": 0.6, "wang": 0.3},
        },
        {
            "id": "b",
            "date": "2025-01-01",
            "owner": "zhang",
            "amount": 1,
            "credit": {"zhang": 1.5, "wang": -0.5},
        },
        {"id": "c", "date": "2025-01-01", "owner": "zhang", "amount": 1, "credit": {"ghost": 1}},
    ]
    problems = problems_of(valid(records={"orders": records}))
    messages = {p.path: p.message for p in problems}
    assert messages["records.orders[0].credit"] == "shares sum to 0.9, not 1"
    assert "records.orders[1].credit.wang" in messages
    assert "records.orders[2].credit.ghost" in messages


def test_credit_shares_beyond_38_digits_are_problems_not_a_traceback(tmp_path: Path) -> None:
    """A share such as 1e40 (a typo, an id pasted into the share) does not fit the
    shares' Decimal(38, 20) column: it ended the run with a Polars error, in a YAML
    table and in a CSV's credit column alike."""
    big = "1" + "0" * 40
    records = [{**ORDERS[0], "credit": {"zhang": int(big)}}]
    messages = {p.path: p.message for p in problems_of(valid(records={"orders": records}))}
    assert messages["records.orders[0].credit.zhang"] == f"share {big} is not between 0 and 1"
    (tmp_path / "orders.csv").write_text(
        f'id,date,owner,amount,credit\no1,2025-01-05,zhang,1,"{{""zhang"": {big}}}"\n'
        'o2,2025-01-05,zhang,1,"{""zhang"": 1}"\n',
        encoding="utf-8",
    )
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: zhang, unit: u}]\n"
        "records: {orders: {csv: orders.csv}}\n"
        "measures: {revenue: {from: orders, value: amount}}\n",
        encoding="utf-8",
    )
    loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert loaded is None
    assert "records.orders[0].credit.zhang" in [p.path for p in problems]


def test_distribution_must_sum_to_100() -> None:
    assert "distribution" in paths_of(valid(distribution=[10] * 12))
    assert "distribution" in paths_of(valid(distribution=[10] * 11))


def test_rates_outside_0_1_and_bad_tier_tables() -> None:
    plans = commission_plan({"id": "c", "kind": "commission", "measure": "revenue", "rate": -0.1})
    assert "plans[0].components[0].rate" in paths_of(valid(plans=plans))
    table = [{"from": 0, "rate": 0.1}, {"from": 0, "rate": 0.2}]
    plans = commission_plan(
        {"id": "c", "kind": "commission", "measure": "revenue", "tiers": {"table": table}}
    )
    assert "plans[0].components[0].tiers.table" in paths_of(valid(plans=plans))
    table = [{"from": 0, "rate": 1.2}]
    plans = commission_plan(
        {"id": "c", "kind": "commission", "measure": "revenue", "tiers": {"table": table}}
    )
    assert "plans[0].components[0].tiers.table[0].rate" in paths_of(valid(plans=plans))


def test_rate_and_tiers_together_is_an_error() -> None:
    component = {
        "id": "c",
        "kind": "commission",
        "measure": "revenue",
        "rate": 0.1,
        "tiers": {"table": []},
    }
    assert "plans[0].components[0]" in paths_of(valid(plans=commission_plan(component)))


def decomposition(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "d",
        "measure": "revenue",
        "from": {"who": "east", "period": 2025, "value": 100},
        "to": "people",
        "method": "equal",
    }
    entry.update(overrides)
    return entry


def test_overassign_above_max_and_blend_weights() -> None:
    assert "decompositions[0].overassign" in paths_of(
        valid(decompositions=[decomposition(overassign=1.3)])
    )
    blend = decomposition(method="blend", blend={"equal": 0.5, "capacity": 0.4})
    assert "decompositions[0].blend" in paths_of(valid(decompositions=[blend]))


def test_decomposition_without_value_or_target() -> None:
    entry = decomposition(**{"from": {"who": "east", "period": 2025}})
    assert "decompositions[0].from.value" in paths_of(valid(decompositions=[entry]))


def test_non_numeric_values_where_numbers_are_needed() -> None:
    records = [
        {"id": "a", "date": "2025-01-01", "owner": "zhang", "amount": 1},
        {"id": "b", "date": "2025-01-01", "owner": "zhang", "amount": "lots"},
    ]
    assert "records.orders[1].amount" in paths_of(valid(records={"orders": records}))
    target = [{"measure": "revenue", "who": "zhang", "period": 2025, "value": "high"}]
    assert "targets[0].value" in paths_of(valid(targets=target))
    assert "people[0].potential" in paths_of(
        valid(people=[{"id": "a", "unit": "hq", "potential": "big"}])
    )


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os')",
        "amount.real",
        "amount[0]",
        "(lambda: 1)()",
        "unknown_field > 1",
        "amount ** 2",
        "open('x')",
        "amount +",
    ],
)
def test_invalid_expressions_are_load_errors(expression: str) -> None:
    measures = {"revenue": {"from": "orders", "value": "amount", "where": expression}}
    assert "measures.revenue.where" in paths_of(valid(measures=measures))


def test_component_expressions_may_name_only_known_measures() -> None:
    component = {"id": "b", "kind": "bonus", "when": "attainment('profit') > 1", "amount": 1}
    assert "plans[0].components[0].when" in paths_of(valid(plans=commission_plan(component)))
    component = {"id": "b", "kind": "bonus", "when": "amount > 1", "amount": 1}
    assert "plans[0].components[0].when" in paths_of(valid(plans=commission_plan(component)))


def test_duplicate_component_ids() -> None:
    component = {"id": "c", "kind": "commission", "measure": "revenue", "rate": 0.1}
    plans = commission_plan(component)
    plans[0]["components"].append(dict(component))
    assert "plans[0].components[1].id" in paths_of(valid(plans=plans))


def _payments_scenario(folder: Path) -> None:
    """``s.yaml`` in ``folder``: one person's payments read from ``payments.csv``."""
    (folder / "s.yaml").write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: zhang, unit: u}]\n"
        "records: {payments: {csv: payments.csv}}\n"
        "measures: {collected: {from: payments, value: amount, person: collector}}\n",
        encoding="utf-8",
    )


def test_csv_records_are_named_by_data_row(tmp_path: Path) -> None:
    (tmp_path / "payments.csv").write_text(
        "id,date,collector,amount\nr1,2025-01-01,zhang,10\nr2,2025-01-02,ghost,x\n",
        encoding="utf-8",
    )
    _payments_scenario(tmp_path)
    loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert loaded is None
    paths = [p.path for p in problems]
    assert "records.payments[1].collector" in paths
    assert "records.payments[1].amount" in paths


def test_blank_csv_lines_are_no_records(tmp_path: Path) -> None:
    """A blank line (a file ending in an empty line, or ",,," as spreadsheets export)
    once made the scenario invalid: "every record needs an id" on a row that is none.
    Rows keep their numbers, so a problem still names the file's data row."""
    (tmp_path / "payments.csv").write_text(
        "id,date,collector,amount\r\n\r\nr1,2025-01-01,zhang,10\r\n,,,\r\n"
        "r2,2025-01-02,zhang,5\r\n\r\n",
        encoding="utf-8",
    )
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: zhang, unit: u}]\n"
        "records: {payments: {csv: payments.csv}}\n"
        "measures: {collected: {from: payments, value: amount, person: collector}}\n"
        "report: {periods: [2025-01]}\n",
        encoding="utf-8",
    )
    loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert problems == []
    assert loaded is not None
    result = calculate(loaded)
    assert result.people["zhang"]["2025-01"].measures["collected"] == 15
    (tmp_path / "payments.csv").write_text(
        "id,date,collector,amount\n\nr1,2025-01-01,ghost,10\n", encoding="utf-8"
    )
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [p.path for p in problems] == ["records.payments[1].collector"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_records_in_the_encodings_excel_saves(tmp_path: Path, encoding: str) -> None:
    """Excel on a Chinese Windows saves a CSV in GBK ("Unicode text": UTF-16): the run
    stopped at "invalid utf-8 sequence", or read UTF-16 as no id and no date."""
    (tmp_path / "orders.csv").write_bytes(
        "编号,id,date,owner,amount\r\n华东一,o1,2025-01-05,张三,10\r\n".encode(encoding)
    )
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: 张三, unit: u}]\n"
        "records: {orders: {csv: orders.csv}}\n"
        "measures: {n: {from: orders, value: 编号, agg: distinct},\n"
        "  revenue: {from: orders, value: amount}}\n"
        "report: {periods: [2025-01]}\n",
        encoding="utf-8",
    )
    loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert problems == []
    assert loaded is not None
    measures = calculate(loaded).people["张三"]["2025-01"].measures
    assert (measures["revenue"], measures["n"]) == (10, 1)
    assert loaded.tables["orders"].frame["编号"].to_list() == ["华东一"]


def test_csv_in_no_known_encoding_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_bytes(b"id,date,owner,amount\no1,2025-01-05,\xff\xff,1\n")
    (tmp_path / "s.yaml").write_text(
        "version: 1\nrecords: {orders: {csv: orders.csv}}\n", encoding="utf-8"
    )
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [p.path for p in problems] == ["records.orders.csv"]
    assert "neither UTF-8, UTF-16 nor GBK" in problems[0].message


def test_utf8_csv_with_a_stray_byte_is_a_problem_not_read_as_gbk(tmp_path: Path) -> None:
    """UTF-8 text with one row pasted from a Latin-1 file is not UTF-8, but GB18030 reads
    it without complaint and wrongly: `cat == '软件'` then matched nothing, silently."""
    rows = "id,date,owner,amount,cat\n" + "".join(
        f"o{n},2025-01-05,zhang,10,软件\n" for n in range(10)
    )
    (tmp_path / "orders.csv").write_bytes(
        rows.encode("utf-8") + "o99,2025-01-05,zhang,12,Hélène\n".encode("latin-1")
    )
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: zhang, unit: u}]\n"
        "records: {orders: {csv: orders.csv}}\n"
        "measures: {sw: {from: orders, value: amount, where: \"cat == '软件'\"}}\n",
        encoding="utf-8",
    )
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [p.path for p in problems] == ["records.orders.csv"]
    assert "UTF-8 text with bytes that are not UTF-8" in problems[0].message


def test_a_csv_header_naming_a_column_twice_is_a_problem(tmp_path: Path) -> None:
    """`amount,amount` was read as `amount` and `amount_duplicated_0`: the measure
    silently used the first. Unnamed columns (`a,b,,` from a spreadsheet) are fine."""
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: zhang, unit: u}]\n"
        "records: {orders: {csv: orders.csv}}\n"
        "measures: {revenue: {from: orders, value: amount}}\n",
        encoding="utf-8",
    )
    orders = tmp_path / "orders.csv"
    orders.write_text("id,date,owner,amount,amount\no1,2025-01-05,zhang,5,6\n", encoding="utf-8")
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [str(p) for p in problems] == [
        "records.orders.csv: the header names amount more than once"
    ]
    orders.write_text("id,date,owner,amount, amount\no1,2025-01-05,zhang,5,6\n", encoding="utf-8")
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [p.path for p in problems] == ["records.orders.csv"]
    orders.write_text("id,date,owner,amount,,\no1,2025-01-05,zhang,5,,\n", encoding="utf-8")
    loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert problems == []
    assert loaded is not None


def test_spaces_around_csv_header_names_are_not_part_of_them(tmp_path: Path) -> None:
    """A header ` date , amount` (as hand-edited files have) made every record lack a
    date and the measure's field unknown."""
    (tmp_path / "orders.csv").write_text(
        "id, date ,owner , amount\no1,2025-01-05,zhang,5\n", encoding="utf-8"
    )
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: zhang, unit: u}]\n"
        "records: {orders: {csv: orders.csv}}\n"
        "measures: {revenue: {from: orders, value: amount}}\nreport: {periods: [2025-01]}\n",
        encoding="utf-8",
    )
    loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert problems == []
    assert loaded is not None
    assert calculate(loaded).people["zhang"]["2025-01"].measures["revenue"] == 5


def test_missing_file_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        "version: 1\nrecords: {orders: {parquet: nothing.parquet}}\n", encoding="utf-8"
    )
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [p.path for p in problems] == ["records.orders.parquet"]


@pytest.mark.parametrize(
    ("start", "day"),
    [(1, "9999-06-30"), (4, "0001-03-31"), (4, "9999-04-01"), (1, "9999-01-01")],
)
def test_dates_beyond_the_fiscal_years_periods_name_are_problems(start: int, day: str) -> None:
    """A plan without an end covers the data's years: a record or as_of in fiscal year
    9999 (or 0) once crashed the run with an assertion instead of a problem."""
    orders = [{"id": "o1", "date": day, "owner": "zhang", "amount": 100}]
    plans = commission_plan({"id": "c", "kind": "commission", "measure": "revenue", "rate": 1})
    plans[0]["effective"] = {}
    document = scenario(
        records={"orders": orders}, measures=REVENUE, plans=plans, fiscal_year_start=start
    )
    assert "records.orders[0].date" in paths_of(document)
    document = valid(as_of=day, fiscal_year_start=start)
    assert "as_of" in paths_of(document)


def test_the_last_handled_day_is_fine() -> None:
    orders = [{"id": "o1", "date": "9998-12-31", "owner": "zhang", "amount": 100}]
    assert problems_of(scenario(records={"orders": orders}, measures=REVENUE)) == []


def test_every_bad_tier_is_reported_not_only_the_first() -> None:
    table = [{"from": 0, "rate": 1.2}, {"from": 10, "rate": -0.1}, {"from": "x", "rate": 0.1}]
    component = {"id": "t", "kind": "commission", "measure": "revenue", "tiers": {"table": table}}
    paths = paths_of(valid(plans=commission_plan(component)))
    table_path = "plans[0].components[0].tiers.table"
    for path in (f"{table_path}[0].rate", f"{table_path}[1].rate", f"{table_path}[2].from"):
        assert path in paths


def test_values_too_large_for_credit_shares_are_problems() -> None:
    """`share × value` keeps the digits of both: a 23-digit amount in a table with
    12-decimal credit shares does not fit 38 digits and once ended the run with a
    Polars error (a traceback) instead of a problem at the record's field."""
    orders = [
        {"id": "o1", "date": "2025-01-05", "owner": "zhang", "amount": "1" + "0" * 22},
        {
            "id": "o2",
            "date": "2025-01-06",
            "owner": "zhang",
            "amount": "33333.335",
            "credit": {"zhang": "0.333333333333", "wang": "0.666666666667"},
        },
        {"id": "o3", "date": "2025-01-07", "owner": "wang", "amount": "9" * 26},
    ]
    document = scenario(
        records={"orders": orders}, measures=REVENUE, report={"periods": ["2025-01"]}
    )
    assert paths_of(document) == ["records.orders[0].amount", "records.orders[2].amount"]
    # text is read as numbers of 12 decimals, × shares of 12: 18 digits before the point
    orders[0]["amount"] = orders[2]["amount"] = "9" * 17  # (their sum too)
    loaded, problems = scenario_from_data(document)
    assert problems == []
    assert loaded is not None
    revenue = calculate(loaded).people["zhang"]["2025-01"].measures["revenue"]
    assert revenue == Decimal("100000000000011110.111666655555555")  # exact


def test_whole_number_credit_shares_on_whole_amounts_are_no_traceback() -> None:
    """`credit: {zhang: 1}` on an integer amount: shares and amounts of 0 decimals leave
    all 38 digits, and the check for values too large compared with 10 ** 38, a number
    Polars cannot hold (a TypeError traceback instead of the result)."""
    orders = [{**ORDERS[0], "credit": {"zhang": 1}}]
    document = scenario(
        records={"orders": orders}, measures=REVENUE, report={"periods": ["2025-01"]}
    )
    loaded, problems = scenario_from_data(document)
    assert problems == []
    assert loaded is not None
    assert calculate(loaded).people["zhang"]["2025-01"].measures["revenue"] == 100
    orders[0]["credit"] = {"zhang": 0}
    assert paths_of(document) == ["records.orders[0].credit.zhang", "records.orders[0].credit"]


@pytest.mark.parametrize(
    ("value", "amounts"),
    [("amount * amount", ["1" + "0" * 26, "1.5"]), ("amount", ["9" * 38, "9" * 38])],
)
def test_numbers_beyond_38_digits_are_a_problem_not_a_traceback(
    tmp_path: Path, value: str, amounts: list[str]
) -> None:
    """A product or a sum beyond Polars' 38-digit decimals raised a Polars error out of
    `attain scenario run` and `explain` (a traceback, exit 1)."""
    orders = "".join(
        f"    - {{id: o{i}, date: 2025-01-0{i + 1}, owner: a, amount: {amount}}}\n"
        for i, amount in enumerate(amounts)
    )
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: a, unit: u}]\n"
        f"records:\n  orders:\n{orders}"
        f'measures: {{revenue: {{from: orders, value: "{value}"}}}}\n'
        "report: {periods: [2025]}\n",
        encoding="utf-8",
    )
    for args in (["run"], ["explain"]):
        out, err = io.StringIO(), io.StringIO()
        extra = ["a", "2025"] if args == ["explain"] else []
        code = main(["scenario", *args, str(tmp_path / "s.yaml"), *extra], out, err)
        assert code == 2
        assert out.getvalue() == ""
        assert err.getvalue().startswith("records: numbers too large for the engine's 38 digits")


def test_parquet_floats_that_are_no_decimals_are_problems_at_their_rows(tmp_path: Path) -> None:
    """A parquet float column with a NaN (pandas' missing value) or a number beyond the
    decimals passed `check` and failed the run with a Polars error; now each such row
    is a problem, as in a CSV."""
    pl.DataFrame(
        {
            "id": ["o1", "o2", "o3"],
            "date": ["2025-01-05", "2025-01-06", "2025-01-07"],
            "owner": ["a", "a", "a"],
            "amount": [0.1, float("nan"), 1e30],
        }
    ).write_parquet(tmp_path / "orders.parquet")
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: a, unit: u}]\n"
        "records: {orders: {parquet: orders.parquet}}\n"
        "measures: {revenue: {from: orders, value: amount}}\n",
        encoding="utf-8",
    )
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [str(p) for p in problems] == [
        "records.orders[1].amount: 'NaN' is not a number (measures.revenue needs numbers)",
        "records.orders[2].amount: '1e+30' has too many digits: numbers given as text may "
        "have at most 26 before the decimal point (measures.revenue)",
    ]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("１２３", "is not a number"),  # full-width digits: Decimal() reads them, Polars not
        ("1_000", "is not a number"),
        ("abc", "is not a number"),
        ("1" * 30, "has too many digits"),
        ("-1e30", "has too many digits"),
    ],
)
def test_why_a_text_value_is_no_number(value: str, reason: str) -> None:
    from attain.engine.scenario.records import _not_a_number

    assert reason in _not_a_number(value, "measures.revenue")


@pytest.mark.parametrize(
    "amount", ["1" + "0" * 39, "1.0e+40", "123456789012345678901234567890.123456789"]
)
def test_inline_numbers_beyond_38_digits_are_problems_at_their_field(
    tmp_path: Path, amount: str
) -> None:
    """An inline YAML number that Polars' 38-digit decimals cannot hold (a 40-digit
    integer, 1.0e+40, or 30 digits before the point with 9 after) ended `attain scenario
    run` with a Polars error (a traceback, exit 1) while loading the table; it is a
    problem at the record's field, as the same number in a CSV is."""
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: a, unit: u}]\n"
        "records:\n  orders:\n"
        f"    - {{id: o1, date: 2025-01-05, owner: a, amount: {amount}}}\n"
        "    - {id: o2, date: 2025-01-06, owner: a, amount: 7}\n"
        "measures: {revenue: {from: orders, value: amount}}\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    code = main(["scenario", "run", str(tmp_path / "s.yaml")], out, err)
    assert (code, out.getvalue()) == (2, "")
    assert err.getvalue().startswith("records.orders[0].amount: ")
    assert "too many digits" in err.getvalue()


def test_inline_numbers_of_many_decimals_are_read_like_a_csvs() -> None:
    """1.0e-40 in a YAML record made Polars panic while loading the table (a Rust
    panic through Python, exit 1); like any value with more decimals than the engine
    keeps (20), it is read rounded to them, so it counts as 0 in a sum."""
    orders = [
        {"id": "o1", "date": "2025-01-05", "owner": "zhang", "amount": Decimal("1.0E-40")},
        {"id": "o2", "date": "2025-01-06", "owner": "zhang", "amount": Decimal("2.5")},
    ]
    document = scenario(
        records={"orders": orders}, measures=REVENUE, report={"periods": ["2025-01"]}
    )
    loaded, problems = scenario_from_data(document)
    assert problems == [] and loaded is not None
    assert calculate(loaded).people["zhang"]["2025-01"].measures["revenue"] == Decimal("2.5")


@pytest.mark.parametrize(
    "amounts",
    [
        pl.Series([dt.timedelta(days=1), dt.timedelta(hours=2)]),
        pl.Series([dt.time(10, 30), dt.time(11)]),
        pl.Series([[1], [2, 3]]),
        pl.Series([{"x": 1}, {"x": 2}]),
        pl.Series([b"x", b"\xff"]),
        pl.Series(["x", "y"], dtype=pl.Categorical),
    ],
    ids=["duration", "time", "list", "struct", "binary", "categorical"],
)
def test_parquet_columns_of_other_types_are_problems_where_numbers_are_needed(
    tmp_path: Path, amounts: pl.Series
) -> None:
    """A parquet column of durations (or times, lists, structs, bytes, categories)
    summed by a measure ended the run with a Polars SchemaError (a traceback): like a
    text that is no number, each row is a problem at its field."""
    pl.DataFrame(
        {
            "id": ["o1", "o2"],
            "date": ["2025-01-05", "2025-01-06"],
            "owner": ["a", "a"],
            "amount": amounts,
        }
    ).write_parquet(tmp_path / "orders.parquet")
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: a, unit: u}]\n"
        "records: {orders: {parquet: orders.parquet}}\n"
        "measures: {revenue: {from: orders, value: amount}}\n"
        "report: {periods: [2025]}\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    code = main(["scenario", "run", str(tmp_path / "s.yaml")], out, err)
    assert (code, out.getvalue()) == (2, "")
    lines = err.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "records.orders[0].amount",
        "records.orders[1].amount",
    ]
    assert all("is not a number" in line for line in lines)


@pytest.mark.parametrize("field", ["cap", "floor", "multiplier", "rate"])
@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), Decimal("Infinity")])
def test_infinite_numbers_where_expressions_go_are_problems_at_their_field(
    field: str, value: object
) -> None:
    """`cap: .inf` (YAML's infinity) or `.nan` in a field that takes a number or an
    expression raised NotANumber out of the loader: `attain scenario run` ended with a
    traceback and importing such a plan on the plans page answered 500."""
    component = {"id": "c", "kind": "commission", "measure": "revenue", "rate": 0.1}
    component[field] = value
    document = valid(plans=commission_plan(component))
    assert f"plans[0].components[0].{field}" in paths_of(document)


@pytest.mark.parametrize("field", ["cap", "floor", "multiplier", "rate"])
@pytest.mark.parametrize("text", ["200,000", "[1, 2]", "'5000'"])
def test_an_expression_that_gives_no_number_where_a_number_goes_is_a_problem(
    field: str, text: str
) -> None:
    """A cap typed "200,000" (with a thousands separator) reads as the list (200, 0):
    it was accepted, and at payout time gave no number, so the component paid with no
    cap at all. An expression that can only give a list or text where a number goes is
    a problem when the plan is loaded (spec 9: never at payout time)."""
    component = {"id": "c", "kind": "commission", "measure": "revenue", "rate": 0.1}
    component[field] = text
    problems = problems_of(valid(plans=commission_plan(component)))
    assert [p.path for p in problems] == [f"plans[0].components[0].{field}"]
    assert "needs numbers" in problems[0].message


def test_a_levels_amount_and_a_scorecards_payout_must_give_numbers() -> None:
    bonus = {
        "id": "b",
        "kind": "bonus",
        "measure": "revenue",
        "levels": [{"min_attainment": 1, "amount": "1,000"}],
    }
    card = {
        "id": "k",
        "kind": "scorecard",
        "metrics": [{"measure": "revenue", "weight": 1, "target": 1}],
        "payout": "'x'",
    }
    spiff = {"id": "s", "kind": "spiff", "from": "orders", "amount": "[500]"}
    plans = commission_plan(bonus)
    plans[0]["components"] += [card, spiff]
    assert sorted(paths_of(valid(plans=plans))) == [
        "plans[0].components[0].levels[0].amount",
        "plans[0].components[1].payout",
        "plans[0].components[2].amount",
    ]


def _laughs(anchor_line: str) -> str:
    """A billion-laughs bomb: nine levels of nine aliases each, 9**9 strings expanded."""
    lines = [anchor_line.format(name="a", items='["lol", "lol", "lol", "lol", "lol"]')]
    previous = "a"
    for name in "bcdefghi":
        items = "[" + ", ".join([f"*{previous}"] * 9) + "]"
        lines.append(anchor_line.format(name=name, items=items))
        previous = name
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("where", "line"), [("units", 9), ("records", 12)])
def test_a_billion_laughs_bomb_is_refused_quickly(tmp_path: Path, where: str, line: int) -> None:
    import time

    head = "version: 1\nunits:\n  - id: u\n    name: x\n"
    if where == "units":  # aliases as a unit's extra attributes
        text = head + _laughs("    x_{name}: &{name} {items}") + "people: [{id: p1, unit: u}]\n"
    else:  # aliases as a field of records
        text = (
            head
            + "people: [{id: p1, unit: u}]\nrecords:\n  orders:\n"
            + _laughs(
                "    - {{id: o_{name}, date: 2025-01-01, owner: p1, amount: 1, "
                "note: &{name} {items}}}"
            )
            + "measures:\n  revenue: {from: orders, value: amount}\n"
        )
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    started = time.monotonic()
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert time.monotonic() - started < 5
    # one problem, at the anchor whose repetition went past the limit
    assert [(p.path, "aliases" in p.message) for p in problems] == [(f"line {line}", True)]


def test_a_few_aliases_still_read(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u, name: x}]\n"
        "people:\n  - {id: p1, unit: u, role: &rep rep}\n  - {id: p2, unit: u, role: *rep}\n",
        encoding="utf-8",
    )
    loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert problems == [] and loaded is not None


def test_a_merge_key_copies_an_anchored_mapping(tmp_path: Path) -> None:
    # `<<: *rep` is how hand-written YAML shares defaults; its own keys win over the merged
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u, name: x}, {id: v, name: y}]\n"
        "people:\n  - &rep {id: p1, unit: u, role: rep}\n  - {<<: *rep, id: p2, unit: v}\n",
        encoding="utf-8",
    )
    loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert problems == [] and loaded is not None
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u, name: x}]\n"
        "people:\n  - &rep {id: p1, unit: u}\n  - {<<: *rep, id: p2, id: p3}\n",
        encoding="utf-8",
    )
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [p.path for p in problems] == ["line 5"]


def test_a_csv_row_with_more_fields_than_the_header_is_named(tmp_path: Path) -> None:
    # before: "cannot read payments.csv: found more fields than defined in 'Schema'" and
    # Polars' advice to set truncate_ragged_lines, on two lines, naming no row
    (tmp_path / "payments.csv").write_text(
        'id,date,collector,amount\nr1,2025-01-01,zhang,10\n\n"r,2",2025-01-02,zhang,5,7\n',
        encoding="utf-8",
    )
    _payments_scenario(tmp_path)
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [(p.path, p.message) for p in problems] == [
        ("records.payments[2]", "5 fields, but the header of payments.csv names 4")
    ]


def test_a_number_where_a_date_or_word_belongs_is_shown_as_written(tmp_path: Path) -> None:
    # before: "people[0].start: Decimal('2025.01') is not a date", Python's repr
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: a, unit: u, start: 2025.01}]\n"
        "records: {orders: [{id: o, date: 20250105.5, owner: a, amount: 1}]}\n"
        "measures: {r: {from: orders, value: amount, agg: 1.5, rollup: 1.0}}\n"
        "targets: [{measure: r, who: a, period: 202501.5, value: 1}]\n",
        encoding="utf-8",
    )
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    messages = {p.path: p.message for p in problems}
    assert messages["people[0].start"] == "2025.01 is not a date (YYYY-MM-DD)"
    assert messages["records.orders[0].date"] == "20250105.5 is not a date (YYYY-MM-DD)"
    assert messages["measures.r.agg"].startswith("1.5 is not one of sum")
    assert messages["measures.r.rollup"] == "must be true or false, not 1.0"
    assert messages["targets[0].period"].startswith("202501.5 is not a period id")
    assert not any("Decimal" in p.message for p in problems)


def test_a_control_character_is_one_line_naming_its_place(tmp_path: Path) -> None:
    # before: 'file: YAML error: unacceptable character #x0007: control characters are not
    # allowed' and, on a second line, 'in "<unicode string>", position 35'
    (tmp_path / "s.yaml").write_text(
        'version: 1\nunits: [{id: u, name: "a\x07b"}]\npeople: []\n', encoding="utf-8"
    )
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [(p.path, p.message) for p in problems] == [
        ("line 2, column 25", "YAML syntax error: the character #x0007 is not allowed in YAML")
    ]


def test_a_scenario_saved_as_gbk_or_a_directory_is_one_plain_problem(tmp_path: Path) -> None:
    # before: "cannot read the file: 'utf-8' codec can't decode byte 0xd5 in position 33:
    # invalid continuation byte" and "[Errno 21] Is a directory: '…'"
    (tmp_path / "s.yaml").write_bytes("version: 1\nunits: [{id: u, name: 张三}]\n".encode("gbk"))
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [(p.path, p.message) for p in problems] == [
        (
            "line 2, column 23",
            "the file is not UTF-8 text (byte 0xd5); save it as UTF-8 "
            "(an editor's GBK or ANSI encoding is not read)",
        )
    ]
    (tmp_path / "d.yaml").mkdir()
    _loaded, problems = load_scenario(tmp_path / "d.yaml")
    assert [p.message for p in problems] == ["is a directory, not a scenario file"]


def test_yaml_1_1_octal_and_sexagesimal_numbers_are_not_read(tmp_path: Path) -> None:
    # before: amount: 010 was 8 (YAML 1.1 octal) and amount: 1:30 was 90 (base 60), both
    # silently; a leading zero is now text as written (an id 007 stays "007", an amount
    # 010 is the number 10) and 1:30 is no number
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: a, unit: u}]\n"
        "records: {orders: [{id: 007, date: 2025-01-05, owner: a, amount: 010},"
        " {id: 8, date: 2025-01-06, owner: a, amount: 0.5}]}\n"
        "measures: {r: {from: orders, value: amount}}\nreport: {periods: [2025-01]}\n",
        encoding="utf-8",
    )
    loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert problems == [] and loaded is not None
    assert calculate(loaded).people["a"]["2025-01"].measures["r"] == Decimal("10.5")
    out, err = io.StringIO(), io.StringIO()
    assert main(["scenario", "explain", str(tmp_path / "s.yaml"), "a", "2025-01"], out, err) == 0
    assert "2025-01-05 007: 10" in out.getvalue()
    text = (tmp_path / "s.yaml").read_text(encoding="utf-8")
    (tmp_path / "s.yaml").write_text(text.replace("amount: 0.5", "amount: 1:30"), "utf-8")
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [p.path for p in problems] == ["records.orders[1].amount"]


def test_a_parquet_credit_column_that_is_no_text_is_a_problem(tmp_path: Path) -> None:
    # before: a traceback, "cannot cast List type (inner: 'Int64', to: 'String')"
    pl.DataFrame(
        {
            "id": ["o1", "o2"],
            "date": ["2025-01-05", "2025-01-06"],
            "owner": ["zhang", "zhang"],
            "amount": [10, 20],
            "credit": [[1, 2], None],
        }
    ).write_parquet(tmp_path / "orders.parquet")
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: zhang, unit: u}]\n"
        "records: {orders: {parquet: orders.parquet}}\n"
        "measures: {revenue: {from: orders, value: amount}}\nreport: {periods: [2025]}\n",
        encoding="utf-8",
    )
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [p.path for p in problems] == ["records.orders[0].credit"]
    pl.DataFrame(
        {
            "id": ["o1", "o2"],
            "date": ["2025-01-05", "2025-01-06"],
            "owner": ["zhang", "zhang"],
            "amount": [10, 20],
            "credit": [{"zhang": 0.5, "wang": 0.5}, {"zhang": 1.0, "wang": None}],
        }
    ).write_parquet(tmp_path / "orders.parquet")
    text = (tmp_path / "s.yaml").read_text(encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        text.replace("{id: zhang, unit: u}", "{id: zhang, unit: u}, {id: wang, unit: u}"),
        encoding="utf-8",
    )
    loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert problems == [] and loaded is not None
    result = calculate(loaded)
    assert result.people["wang"]["2025"].measures["revenue"] == 5


def test_a_tab_indenting_yaml_is_named_as_a_tab(tmp_path: Path) -> None:
    # before: "line 3, column 1: YAML syntax error: found character that cannot start
    # any token", which does not say that the character is a tab an editor put there
    (tmp_path / "s.yaml").write_text("version: 1\nunits:\n\t- {id: u}\n", encoding="utf-8")
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [(p.path, p.message) for p in problems] == [
        ("line 3, column 1", "YAML syntax error: a tab; YAML is indented with spaces, not tabs")
    ]


def test_record_fields_named_like_the_engines_own_columns_are_problems(tmp_path: Path) -> None:
    # before: a CSV column __row was a traceback (DuplicateError), and an inline field
    # __row replaced the rows' numbers silently
    (tmp_path / "orders.csv").write_text(
        "id,date,owner,amount,__row\no1,2025-01-02,zhang,10,7\n", encoding="utf-8"
    )
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: zhang, unit: u}]\n"
        "records:\n  orders: {csv: orders.csv}\n"
        "  visits: [{id: v1, date: 2025-01-02, owner: zhang, __row: 5}]\n"
        "measures: {revenue: {from: orders, value: amount}, n: {from: visits, agg: count}}\n",
        encoding="utf-8",
    )
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [p.path for p in problems] == ["records.orders.csv", "records.visits[0].__row"]
    assert all("reserved" in p.message for p in problems)


def _messages(tmp_path: Path, text: str) -> dict[str, str]:
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    return {p.path: p.message for p in problems}


PLAN_YAML = """version: 1
units: [{id: u}]
people:
  - {id: a, unit: u, role: rep}
records:
  orders:
    - {id: o1, date: DATE, owner: a, amount: 5000}
measures:
  revenue: {from: orders, value: amount}
targets:
  - {measure: revenue, who: a, period: 2025-Q1, value: TARGET}
plans:
  - id: rep
    applies_to: {role: rep}
    effective: {from: 2025-01-01, to: 2025-06-30}
    period: quarter
    components:
      - {id: c, kind: commission, measure: revenue, rate: RATE}
"""


def _plan_yaml(date: str = "2025-01-15", target: str = "10000", rate: str = "0.05") -> str:
    return PLAN_YAML.replace("DATE", date).replace("TARGET", target).replace("RATE", rate)


def test_an_unknown_key_names_the_key_it_resembles_or_the_keys_allowed(tmp_path: Path) -> None:
    # before: "unknown key 'capp'" and "unknown key 'measure'", which say what is wrong
    # but not what to write
    text = _plan_yaml(rate="0.05, capp: 100").replace("measures:", "measure: {}\nmeasures:")
    text = text.replace("{id: a, unit: u, role: rep}", "{id: a, unit: u, role: rep, manger: b}")
    text = text.replace("applies_to: {role: rep}", "applies_to: {role: rep}\n    zzz: 1")
    messages = _messages(tmp_path, text)
    assert messages["measure"] == "unknown key 'measure'; did you mean 'measures'?"
    assert messages["plans[0].components[0].capp"] == "unknown key 'capp'; did you mean 'cap'?"
    assert messages["people[0].manger"] == "unknown key 'manger'; did you mean 'manager'?"
    assert messages["plans[0].zzz"] == (
        "unknown key 'zzz'; the keys here are applies_to, components, effective, id, name, period"
    )


def test_a_date_written_right_that_does_not_exist_says_why(tmp_path: Path) -> None:
    # before: "'2025-02-30' is not a date (YYYY-MM-DD)", though it is written YYYY-MM-DD
    text = _plan_yaml(date="2024-02-30").replace("to: 2025-06-30", "to: 2025-13-01")
    messages = _messages(tmp_path, text)
    assert messages["records.orders[0].date"] == "'2024-02-30' is not a date: 2024-02 has 29 days"
    assert messages["plans[0].effective.to"] == "'2025-13-01' is not a date: there is no month 13"
    messages = _messages(tmp_path, _plan_yaml(date="15/01/2025"))
    assert messages["records.orders[0].date"] == "'15/01/2025' is not a date (YYYY-MM-DD)"
    out, err = io.StringIO(), io.StringIO()
    assert main(["scenario", "run", str(tmp_path / "s.yaml"), "--as-of", "2025-04-31"], out, err)
    assert err.getvalue() == "--as-of: '2025-04-31' is not a date: 2025-04 has 30 days\n"


def test_percentages_and_thousands_separators_say_how_to_write_the_number(
    tmp_path: Path,
) -> None:
    # before: "invalid expression '5%': syntax error" and "'1,000' is not a number"
    messages = _messages(tmp_path, _plan_yaml(target="'1,000,000'", rate="12.5%"))
    assert messages["targets[0].value"] == (
        "'1,000,000' is not a number; write 1,000,000 as 1000000, without thousands separators"
    )
    assert messages["plans[0].components[0].rate"] == (
        "invalid expression '12.5%': write 12.5% as 0.125"
    )
    messages = _messages(tmp_path, _plan_yaml(target="5%"))
    assert messages["targets[0].value"] == "'5%' is not a number; write 5% as 0.05"


def test_attainment_in_a_component_without_a_measure_says_what_to_write(tmp_path: Path) -> None:
    # before: "unknown variable 'attainment'", though the spec lists that variable
    bonus = "{id: b, kind: bonus, when: 'attainment >= 1', amount: 'actual * 0.01'}"
    text = _plan_yaml().replace(
        "      - {id: c, kind: commission", f"      - {bonus}\n      - {{id: c, kind: commission"
    )
    text = text.replace("value: amount}", "value: amount, where: \"stauts == 'ok'\"}")
    text = text.replace("amount: 5000}", "amount: 5000, status: ok}")
    messages = _messages(tmp_path, text)
    assert messages["plans[0].components[0].when"] == (
        "invalid expression 'attainment >= 1': 'attainment' means this component's "
        "measure, and it names none; add measure: to the component, or write "
        "attainment('revenue')"
    )
    assert messages["plans[0].components[0].amount"].endswith("or write actual('revenue')")
    assert messages["measures.revenue.where"] == (
        "invalid expression \"stauts == 'ok'\": unknown field 'stauts'; did you mean 'status'?"
    )


@pytest.mark.parametrize(
    ("text", "where", "hint"),
    [
        ("version: 1\nunits:\n  - id: u\n     name: U\n", "line 4, column 10", "indentation"),
        ("version: 1\nunits:\n  - id: u\n   name: U\n", "line 4, column 4", "indentation"),
        ("version: 1\nunits:\n  - id: u\n    name: U: V\n", "line 4, column 12", "('A: B')"),
        ("version: 1\nunits:\n  - id: u\n    name:U\n  - x\n", "line 5", "space after"),
    ],
)
def test_a_yaml_indentation_error_says_what_to_check(
    tmp_path: Path, text: str, where: str, hint: str
) -> None:
    # before: libyaml's words alone ("did not find expected '-' indicator")
    messages = _messages(tmp_path, text)
    [(path, message)] = messages.items()
    assert path.startswith(where) and message.startswith("YAML syntax error: ")
    assert hint in message, message


def test_dates_periods_and_shares_written_another_common_way_say_how_to_write_them(
    tmp_path: Path,
) -> None:
    # before: "'2025/06/30' is not a date (YYYY-MM-DD)", "'2025Q1' is not a period id (…)"
    # and "share '50%' is not a number", with no word on what to write instead
    text = _plan_yaml(date="2025-01-15T10:00:00").replace("to: 2025-06-30", "to: 2025/6/30")
    text = text.replace("period: 2025-Q1", "period: Q1 2025")
    text = text.replace("amount: 5000}", "amount: 5000, credit: {a: '50%', b: 0.5}}")
    text = text.replace(
        "- {id: a, unit: u, role: rep}", "- {id: a, unit: u, role: rep}\n  - {id: b, unit: u}"
    )
    messages = _messages(tmp_path, text)
    assert messages["records.orders[0].date"] == (
        "'2025-01-15T10:00:00' is not a date (YYYY-MM-DD); write 2025-01-15"
    )
    assert messages["plans[0].effective.to"] == (
        "'2025/6/30' is not a date (YYYY-MM-DD); write 2025-06-30"
    )
    assert messages["targets[0].period"] == (
        "'Q1 2025' is not a period id (2025, 2025-H1, 2025-Q1 … 2025-Q4, 2025-03); write 2025-Q1"
    )
    assert messages["records.orders[0].credit.a"] == "share '50%' is not a number; write 50% as 0.5"
    for period, written in [("2025q3", "2025-Q3"), ("FY2025", "2025"), ("2025-3", "2025-03")]:
        messages = _messages(tmp_path, _plan_yaml().replace("period: 2025-Q1", f"period: {period}"))
        assert messages["targets[0].period"].endswith(f"; write {written}")
    for period in ["2025-H3", "2025-13", "abc"]:
        messages = _messages(tmp_path, _plan_yaml().replace("period: 2025-Q1", f"period: {period}"))
        assert "write" not in messages["targets[0].period"]
    messages = _messages(tmp_path, _plan_yaml(date="2025/02/30"))  # no such day: no guess
    assert messages["records.orders[0].date"] == "'2025/02/30' is not a date (YYYY-MM-DD)"
    out, err = io.StringIO(), io.StringIO()
    _messages(tmp_path, _plan_yaml())
    assert main(["scenario", "explain", str(tmp_path / "s.yaml"), "a", "2025q1"], out, err) == 2
    assert err.getvalue().startswith("PERIOD: '2025q1' is not a period id (2025, 2025-H1")
    assert err.getvalue().endswith("; write 2025-Q1\n")


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("status = 'ok'", "syntax error at character 8; write == instead of ="),
        ("status == 'ok' && amount > 0", "syntax error at character 17; write and instead of &&"),
        ("status == 'a' || amount > 0", "syntax error at character 16; write or instead of ||"),
        ("status <> 'x'", "syntax error at character 8; write != instead of <>"),
        ("status == 'ok' AND amount > 0", "syntax error at character 16; write and instead of AND"),
        ("AND(status == 'ok', amount > 0)", "unknown function AND(); write x and y"),
        ("NOT(status == 'ok')", "unknown function NOT(); write not x"),
        ("status == ok", "unknown field 'ok'; if it is text, put it in quotes: 'ok'"),
        ("status == 'a = b' and amount >", "syntax error"),  # `=` inside quotes is text
    ],
)
def test_a_spreadsheets_operators_in_an_expression_say_what_to_write(
    tmp_path: Path, where: str, reason: str
) -> None:
    # before: "syntax error at character 8" for `status = 'ok'`, "unknown function AND()"
    text = _plan_yaml().replace("value: amount}", f'value: amount, where: "{where}"}}')
    text = text.replace("amount: 5000}", "amount: 5000, status: ok}")
    messages = _messages(tmp_path, text)
    assert messages["measures.revenue.where"] == f"invalid expression {where!r}: {reason}"


def test_a_rate_written_as_a_percentage_says_how_to_write_it(tmp_path: Path) -> None:
    # before: "rate 5 is outside [0, 1]"
    tiers = "{table: [{from: 0, rate: 3}, {from: 1, rate: 12.5}, {from: 2, rate: 150}]}"
    messages = _messages(
        tmp_path, _plan_yaml(rate=f"0.1, tiers: {tiers}").replace("rate: 0.1, ", "")
    )
    assert messages["plans[0].components[0].tiers.table[0].rate"] == (
        "rate 3 is outside [0, 1]; write 3% as 0.03"
    )
    assert messages["plans[0].components[0].tiers.table[1].rate"].endswith("write 12.5% as 0.125")
    assert messages["plans[0].components[0].tiers.table[2].rate"] == "rate 150 is outside [0, 1]"
    messages = _messages(tmp_path, _plan_yaml(rate="5"))
    assert messages["plans[0].components[0].rate"] == "rate 5 is outside [0, 1]; write 5% as 0.05"


@pytest.mark.parametrize(
    ("before", "after", "message"),
    [
        (
            "    period: quarter",
            "    period：quarter",
            "line 17, column 5: YAML syntax error: could not find expected ':'; "
            "line 16 holds the full-width '：': write ':'",
        ),
        (
            "    period: quarter",
            "\u3000\u3000period: quarter",
            "line 17, column 15: YAML syntax error: mapping values are not allowed in this "
            "context; line 16 holds a full-width space (U+3000): write spaces",
        ),
        (
            "{id: a, unit: u, role: rep}",
            "{id: a，unit: u, role: rep}",
            "line 4, column 16: YAML syntax error: did not find expected ',' or '}'; "
            "line 4 holds the full-width '，': write ','",
        ),
        (
            "rate: 0.05",
            "rate: ０.０５",
            "plans[0].components[0].rate: invalid expression '０.０５': syntax error at "
            "character 1; write the full-width '０' as '0'",
        ),
        (
            "value: amount}",
            "value: amount, where: \"status == ‘ok’ and region == '华东（上海）'\"}",
            'measures.revenue.where: invalid expression "status == ‘ok’ and region == '
            "'华东（上海）'\": syntax error at character 11; write the full-width '‘' as \"'\"",
        ),
    ],
)
def test_full_width_characters_of_a_chinese_input_method_are_named(
    tmp_path: Path, before: str, after: str, message: str
) -> None:
    # before: libyaml's words alone ("could not find expected ':'" on the line after the
    # full-width colon) and "syntax error at character 1" for ０.０５
    text = _plan_yaml().replace(before, after)
    text = text.replace("amount: 5000}", "amount: 5000, status: ok, region: x}")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [str(p) for p in problems] == [message]


def test_an_unknown_id_or_name_names_the_one_it_resembles(tmp_path: Path) -> None:
    # before: "unknown measure 'Revenue'", "unknown unit 'U'" … with no word on the
    # measure, unit or person meant
    text = _plan_yaml(rate="\"IF(attainment('revenu') > 1, 0.1, 0.05)\"")
    text = text.replace("{measure: revenue, who: a,", "{measure: Revenue, who: A,")
    text = text.replace("applies_to: {role: rep}", "applies_to: {units: [uu]}")
    text = text.replace("{id: a, unit: u, role: rep}", "{id: a, unit: U, role: rep, manager: zz}")
    text = text.replace("{from: orders, value: amount}", "{from: order, value: amount}")
    messages = _messages(tmp_path, text)
    assert messages["people[0].unit"] == "unknown unit 'U'; did you mean 'u'?"
    assert messages["people[0].manager"] == "unknown person 'zz'"  # nothing like it
    assert messages["targets[0].measure"] == "unknown measure 'Revenue'; did you mean 'revenue'?"
    assert messages["targets[0].who"] == "unknown person or unit 'A'; did you mean 'a'?"
    assert messages["plans[0].applies_to.units[0]"] == "unknown unit 'uu'; did you mean 'u'?"
    assert messages["measures.revenue.from"] == (
        "unknown record table 'order'; did you mean 'orders'?"
    )
    assert messages["plans[0].components[0].rate"] == (
        "invalid expression \"IF(attainment('revenu') > 1, 0.1, 0.05)\": attainment() names "
        "unknown measure 'revenu'; did you mean 'revenue'?"
    )


def test_a_measure_written_as_one_word_is_one_problem_with_a_model(tmp_path: Path) -> None:
    # before: "measures.revenue: must be a mapping" and "measures.revenue.from: is required"
    text = _plan_yaml().replace("revenue: {from: orders, value: amount}", "revenue: orders.amount")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [str(p) for p in problems] == [
        "measures.revenue: must be a mapping, like {from: orders, value: amount}"
    ]
