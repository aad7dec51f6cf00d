"""The engine against a straightforward reference (`reference_engine.py`) on random
scenarios: every measure kind, credit splits, roll-ups, people who move, fiscal years,
month weights, given targets with every rule of 5.1, pace on any day, and commissions
(rates, marginal and whole tiers by attainment or amount, gates, caps, floors) with
level bonuses. The run's JSON, written by forked workers (or one process where forking is not
supported) and by the generic writer, must be the same text, and every number in it
the reference's."""

from __future__ import annotations

import copy
import datetime as dt
import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attain.engine import calculate, to_json, workers
from attain.engine.scenario import scenario_from_data

from .reference_engine import WHERE, expected, period_bounds, period_months

UNITS = [
    {"id": "hq", "name": "HQ"},
    {"id": "east", "name": "East", "parent": "hq"},
    {"id": "west", "name": "West", "parent": "hq"},
    {"id": "e1", "name": "East 1", "parent": "east"},
]
UNIT_IDS = [u["id"] for u in UNITS]
# (id, role, manager): li manages zhang and wang, wang manages zhao
PEOPLE = [("li", "manager", None), ("zhang", "rep", "li"), ("wang", "rep", "li"),
          ("zhao", "rep", "wang"), ("qian", "rep", None)]  # fmt: skip
PERSON_IDS = [p[0] for p in PEOPLE]
MEASURES: dict[str, dict[str, Any]] = {
    "revenue": {"from": "orders", "value": "amount", "where": "status != 'cancelled'"},
    "deals": {"from": "orders", "where": "status != 'cancelled' and amount > 0", "agg": "count"},
    "customers": {"from": "orders", "value": "customer", "agg": "distinct"},
    "ticket": {"from": "orders", "value": "amount", "agg": "avg"},
    "biggest": {"from": "orders", "value": "amount", "agg": "max"},
    "smallest": {"from": "orders", "value": "amount", "agg": "min"},
    "team": {"from": "orders", "value": "amount", "rollup": True},
    "refunds": {"from": "orders", "value": "amount", "where": "amount < 0"},
}
assert {m["where"] for m in MEASURES.values() if "where" in m} <= set(WHERE)
SUMS = {k: m for k, m in MEASURES.items() if m.get("agg", "sum") in ("sum", "count")}
SHARES = [("0.5", "0.5"), ("0.25", "0.75"), ("0.2", "0.8"), ("0.3", "0.7")]
DISTRIBUTIONS = [None, None, [8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9], [10] * 10 + [0, 0]]
TARGET_VALUES = {  # about what a person's records reach in a month, a quarter or a year
    "revenue": ["0", "250.5", "1000", "2400", "5000", "9000", "12345.67", "30000"],
    "team": ["0", "2400", "9000", "30000", "60000"],
    "deals": ["0", "1", "2", "3", "7"],
    "ticket": ["0", "100", "1000", "2500", "4000"],
}


def amounts() -> st.SearchStrategy[Decimal]:
    cents = st.integers(min_value=-50_000, max_value=500_000).map(lambda n: Decimal(n) / 100)
    odd = st.integers(min_value=-2_000, max_value=20_000).map(lambda n: Decimal(n) / 1000)
    return st.one_of(cents, odd, st.sampled_from([Decimal(0), Decimal("0.005")]))


SCOPES = ["self", "team", "team_and_self"]
LEVELS: dict[str, Any] = {
    "id": "level",
    "kind": "bonus",
    "measure": "revenue",
    "levels": [
        {"min_attainment": Decimal("0.8"), "amount": Decimal(200), "label": "基础"},
        {"min_attainment": Decimal("1"), "amount": Decimal(500), "label": "优秀"},
        {"min_attainment": Decimal("1.2"), "amount": Decimal(1000), "label": "卓越"},
    ],
}
SCORECARD: dict[str, Any] = {
    "id": "kpi",
    "kind": "scorecard",
    "metrics": [
        {"measure": "revenue", "weight": Decimal(70)},
        {"measure": "deals", "weight": Decimal(30), "target": Decimal(5)},
    ],
    "score": {"floor": Decimal(0), "cap": Decimal("1.2")},
    "payout": "score * 1000",
}
SPIFF: dict[str, Any] = {
    "id": "spiff",
    "kind": "spiff",
    "from": "orders",
    "where": "status == 'confirmed'",
    "amount": "50",
}


@st.composite
def commissions(draw: st.DrawFn, name: str, scope: str) -> dict[str, Any]:
    """A commission on revenue: a rate or tiers, maybe a gate, a cap and a floor."""
    commission: dict[str, Any] = {"id": name, "kind": "commission", "measure": "revenue"}
    if scope != "self":
        commission["scope"] = scope
    if draw(st.booleans()):
        commission["rate"] = Decimal(draw(st.sampled_from(["0.01", "0.05", "0.1"])))
    else:
        basis = draw(st.sampled_from(["attainment", "amount"]))
        steps = ["0.8", "1", "1.5"] if basis == "attainment" else ["1000", "5000", "20000"]
        rates = ["0.02", "0.04", "0.06", "0.08"]
        commission["tiers"] = {
            "basis": basis,
            "mode": draw(st.sampled_from(["marginal", "whole"])),
            "table": [
                {"from": Decimal(f), "rate": Decimal(r)}
                for f, r in zip(["0", *steps], rates, strict=True)
            ],
        }
    if draw(st.booleans()):
        commission["gate"] = {"min_attainment": Decimal(draw(st.sampled_from(["0.5", "0.8", "1"])))}
    if draw(st.booleans()):
        commission["cap"] = Decimal(draw(st.sampled_from(["500", "2000"])))
    if draw(st.booleans()):
        commission["floor"] = Decimal(draw(st.sampled_from(["0", "-100"])))
    return commission


@st.composite
def documents(draw: st.DrawFn) -> tuple[dict[str, Any], dt.date | None]:
    fys = draw(st.sampled_from([1, 4]))
    start, end = period_bounds("2025", fys)
    span = (end - start).days
    day = st.integers(min_value=-40, max_value=span + 40).map(
        lambda n: start + dt.timedelta(days=n)
    )

    people = []
    for pid, role, manager in PEOPLE:
        person: dict[str, Any] = {"id": pid, "unit": draw(st.sampled_from(UNIT_IDS)), "role": role}
        if manager is not None:
            person["manager"] = manager
        if pid != "li" and draw(st.integers(min_value=0, max_value=3)) == 0:
            person["start"] = draw(day).isoformat()  # joins (or left) mid-year: partly covered
        if pid != "li" and draw(st.integers(min_value=0, max_value=3)) == 0:
            person["end"] = max(draw(day).isoformat(), person.get("start", ""))
        if pid != "li" and draw(st.booleans()):
            move: dict[str, Any] = {"from": draw(day).isoformat()}
            if draw(st.booleans()):
                move["unit"] = draw(st.sampled_from(UNIT_IDS))
            if draw(st.booleans()):  # never under someone below them: no cycles
                choices = ["li", "qian"] if pid in ("wang", "qian") else ["li", "wang", "qian"]
                move["manager"] = draw(st.sampled_from([c for c in choices if c != pid]))
            person["history"] = [move]
        people.append(person)

    orders = []
    count = draw(st.integers(min_value=0, max_value=60) | st.integers(min_value=30, max_value=60))
    for n in range(count):
        order: dict[str, Any] = {
            "id": f"o{n}",
            "date": draw(day).isoformat(),
            "owner": draw(st.sampled_from(PERSON_IDS)),
            "amount": draw(amounts()),
            "status": draw(st.sampled_from(["confirmed", "confirmed", "cancelled"])),
            "customer": draw(st.sampled_from(["c1", "c2", "c3", "c4", None])),
        }
        if draw(st.integers(min_value=0, max_value=3)) == 0:
            first, second = draw(st.permutations(PERSON_IDS))[:2]
            a, b = draw(st.sampled_from(SHARES))
            order["credit"] = {first: Decimal(a), second: Decimal(b)}
        orders.append(order)

    months = [f"{y}-{m:02d}" for y, m in period_months("2025", fys)]
    periods = ["2025", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", *months]
    # sums and counts only, at times: rows the columnar path writes (columnar.py)
    measures = MEASURES if draw(st.booleans()) else SUMS
    targets: dict[tuple[str, str, str], dict[str, Any]] = {}
    for _ in range(draw(st.integers(min_value=0, max_value=14))):
        measure = draw(st.sampled_from([m for m in TARGET_VALUES if m in measures]))
        target: dict[str, Any] = {
            "measure": measure,
            "who": draw(st.sampled_from(PERSON_IDS + UNIT_IDS)),
            "period": draw(st.sampled_from([*periods, "2025-H1", "2025-H2"])),
            "value": Decimal(draw(st.sampled_from(TARGET_VALUES[measure]))),
        }
        if draw(st.integers(min_value=0, max_value=3)) == 0:
            target["spread"] = "none"
        targets[(target["measure"], target["who"], target["period"])] = target
    for pid in PERSON_IDS:  # a year's revenue target near what the records give
        if draw(st.booleans()):
            value = Decimal(draw(st.sampled_from(["2000", "4000", "8000", "16000"])))
            targets.setdefault(
                ("revenue", pid, "2025"),
                {"measure": "revenue", "who": pid, "period": "2025", "value": value},
            )

    components = [draw(commissions("commission", "self"))]
    if draw(st.booleans()):
        components.append(LEVELS)
    if draw(st.booleans()):
        components.append(SCORECARD)
    if draw(st.booleans()):
        components.append(SPIFF)
    effective = draw(st.sampled_from([(start, end), (start + dt.timedelta(days=50), end)]))
    plans = [
        {
            "id": "reps",
            "applies_to": {"role": "rep"},
            "effective": {"from": effective[0].isoformat(), "to": effective[1].isoformat()},
            "period": "quarter",
            "components": components,
        }
    ]
    if draw(st.booleans()):
        plans.append(
            {
                "id": "managers",
                "applies_to": {"role": "manager"},
                "effective": {"from": start.isoformat(), "to": end.isoformat()},
                "period": "quarter",
                "components": [draw(commissions("override", draw(st.sampled_from(SCOPES))))],
            }
        )
    document: dict[str, Any] = {
        "version": 1,
        "currency": "CNY",
        "fiscal_year_start": fys,
        "units": UNITS,
        "people": people,
        "records": {"orders": orders},
        "measures": measures,
        "targets": list(targets.values()),
        "plans": plans,
        "report": {"periods": periods},
    }
    distribution = draw(st.sampled_from(DISTRIBUTIONS))
    if distribution is not None:
        document["distribution"] = distribution
    as_of = draw(st.none() | day | day)
    return document, as_of


def _parsed(text: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    return found


def _differences(path: str, engine: Any, reference: Any) -> list[str]:
    if isinstance(reference, dict):
        if not isinstance(engine, dict):
            return [f"{path}: engine {engine!r}, reference {reference!r}"]
        if set(engine) != set(reference):
            return [f"{path}: engine keys {sorted(engine)}, reference keys {sorted(reference)}"]
        return [d for k in reference for d in _differences(f"{path}.{k}", engine[k], reference[k])]
    if isinstance(reference, Decimal) and isinstance(engine, str):
        engine = Decimal(engine)  # payouts are strings
    if engine != reference or type(engine) is not type(reference):
        return [f"{path}: engine {engine!r}, reference {reference!r}"]
    return []


def _as_file(document: dict[str, Any], form: str, folder: Path) -> dict[str, Any]:
    """The document with its orders in a CSV or parquet file (credit as a JSON text
    column, amounts as text in CSV and as decimals in parquet), as users bring them."""
    orders = document["records"]["orders"]
    if form == "inline" or not orders:
        return copy.deepcopy(document)
    credit = [
        json.dumps({k: str(v) for k, v in o["credit"].items()}) if "credit" in o else None
        for o in orders
    ]
    columns: dict[str, list[Any]] = {
        field: [o[field] for o in orders] for field in ("id", "date", "owner", "status", "customer")
    }
    if form == "csv":
        columns["amount"] = [str(o["amount"]) for o in orders]
        columns["credit"] = credit
        pl.DataFrame(columns).write_csv(folder / "orders.csv")
        table = {"csv": "orders.csv"}
    else:
        columns["credit"] = credit
        frame = pl.DataFrame(columns).with_columns(
            pl.Series("amount", [o["amount"] for o in orders], dtype=pl.Decimal(38, 3)),
            pl.col("date").str.to_date(),
        )
        frame.write_parquet(folder / "orders.parquet")
        table = {"parquet": "orders.parquet"}
    found = copy.deepcopy(document)
    found["records"] = {"orders": table}
    return found


@given(case=documents(), form=st.sampled_from(["inline", "csv", "parquet"]))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_engine_equals_the_reference(
    case: tuple[dict[str, Any], dt.date | None], form: str
) -> None:
    document, as_of = case
    with tempfile.TemporaryDirectory() as folder:
        data = _as_file(document, form, Path(folder))
        scenario, problems = scenario_from_data(data, Path(folder))
        assert scenario is not None, problems
        text = to_json(calculate(scenario, as_of))
        assert workers.run_json(scenario, as_of, workers=2) == ([], text)
    output = _parsed(text)
    wanted = expected(document, as_of)
    found = {"people": output["people"], "units": output["units"]}
    differences = _differences("", found, wanted)
    assert not differences, "\n".join(differences[:20])


@pytest.mark.parametrize(
    ("value", "money", "text"),
    [
        ("0.125", True, "0.13"),
        ("-0.125", True, "-0.13"),
        ("2", False, "2"),
        ("1/3", False, "0.333333"),
    ],
)
def test_the_reference_rounds_half_up(value: str, money: bool, text: str) -> None:
    from fractions import Fraction

    from .reference_engine import shown

    assert shown(Fraction(value), money) == Decimal(text)
