"""Scorecards, spiffs and bonuses with a ``when`` on the columnar path
(:mod:`attain.engine.columnar.formulas`): the same text as the engine's Python, on
random plans, and the columns write the rows where Python would not warn."""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from attain.engine import calculate, to_json, workers
from attain.engine.calculate import finish, prepare
from attain.engine.columnar import PeopleColumns
from attain.engine.model import Scenario
from attain.engine.numbers import ENGINE_CONTEXT
from attain.engine.output import DocumentWriter
from attain.engine.scenario import scenario_from_data

from .helpers import scenario

MEASURES: dict[str, Any] = {
    "revenue": {"from": "orders", "value": "amount"},
    "deals": {"from": "orders", "agg": "count"},
    "customers": {"from": "orders", "value": "customer", "agg": "distinct"},
    "team_revenue": {"from": "orders", "value": "amount", "rollup": True},
}
AMOUNTS = ["1000", "333.33", "-120.5", "0.01", "7", "12345.678", "2500", "0"]
REPORT = {"periods": ["2025", "2025-Q1", "2025-Q2", "2025-Q3", "2025-01", "2025-05"]}


def _orders(amounts: list[str]) -> list[dict[str, Any]]:
    owners = ["zhang", "wang", "li", "zhang", "wang"]
    return [
        {
            "id": f"o{n}",
            "date": f"2025-{1 + n * 5 % 9:02d}-{1 + n * 7 % 27:02d}",
            "owner": owners[n % len(owners)],
            "amount": Decimal(amount),
            "customer": f"c{n % 3}",
        }
        for n, amount in enumerate(amounts)
    ]


def _targets(values: list[str]) -> list[dict[str, Any]]:
    who = ["zhang", "wang", "li"]
    periods = ["2025-Q1", "2025-Q2", "2025"]
    return [
        {"measure": "revenue", "who": who[n % 3], "period": periods[n // 3], "value": Decimal(v)}
        for n, v in enumerate(values)
    ]


def _plan(
    components: list[dict[str, Any]], managers: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """A plan for the reps and one for the manager (the same components unless given)."""
    return [
        {
            "id": "p",
            "applies_to": {"role": "rep"},
            "effective": {"from": "2025-01-01", "to": "2025-12-31"},
            "period": "quarter",
            "components": components,
        },
        {
            "id": "m",
            "applies_to": {"role": "manager"},
            "effective": {"from": "2025-01-01", "to": "2025-12-31"},
            "period": "quarter",
            "components": components if managers is None else managers,
        },
    ]


def _decimals(*values: str) -> st.SearchStrategy[Decimal]:
    return st.sampled_from([Decimal(v) for v in values])


@st.composite
def scorecards(draw: st.DrawFn, name: str) -> dict[str, Any]:
    metrics = []
    for measure in draw(st.lists(st.sampled_from(sorted(MEASURES)), min_size=1, max_size=3)):
        metric: dict[str, Any] = {
            "measure": measure,
            "weight": draw(_decimals("1", "30", "70", "0.5", "2.25", "0.001")),
        }
        if draw(st.booleans()):
            metric["target"] = draw(_decimals("3", "125", "0.7", "-5", "1000", "0"))
        if draw(st.booleans()):
            metric["direction"] = "lower"
        metrics.append(metric)
    component: dict[str, Any] = {"id": name, "kind": "scorecard", "metrics": metrics}
    score = {}
    floor = draw(st.sampled_from([None, "0", "0.5", "-1"]))
    cap = draw(st.sampled_from([None, "1.2", "1.5", "2", "0.123456789"]))
    if floor is not None and cap is not None and Decimal(cap) < Decimal(floor):
        cap = None
    if floor is not None:
        score["floor"] = Decimal(floor)
    if cap is not None:
        score["cap"] = Decimal(cap)
    if score:
        component["score"] = score
    payout = draw(
        st.sampled_from(
            [None, "score * 3000", "1000 * score", "score * -7.5", "250", "score * 0.333",
             "score * 2 + 1"]
        )
    )  # fmt: skip
    if payout is not None:
        component["payout"] = payout
    if draw(st.booleans()):
        component["cap"] = draw(_decimals("2000", "1.5"))
    if draw(st.booleans()):
        component["floor"] = draw(_decimals("0", "100", "-3"))
    return component


OWN = [  # of the component's own measure
    "attainment >= 0.8",
    "actual - target >= 0",
    "-actual < 5 and attainment < 1.2",
]
CONDITIONS = [
    "attainment('revenue') >= 1 and actual('deals') > 1",
    "actual('revenue') >= 0.15 * actual('deals') or not (target('revenue') > 100)",
    "1 <= attainment('revenue')",
    "actual('customers') >= 2 or actual('team_revenue') > 1000",
    "actual('revenue') / 2 > 100",
    "true",
]


@st.composite
def bonuses(draw: st.DrawFn, name: str) -> dict[str, Any]:
    component: dict[str, Any] = {"id": name, "kind": "bonus"}
    if draw(st.booleans()):
        component["measure"] = draw(st.sampled_from(["revenue", "team_revenue"]))
        component["scope"] = draw(st.sampled_from(["self", "team", "team_and_self"]))
    if draw(st.booleans()) or "measure" not in component:
        component["amount"] = draw(_decimals("500", "0.015", "-20"))
    else:
        component["levels"] = [
            {"min_attainment": Decimal("0.5"), "amount": Decimal(100), "label": "基础"},
            {"min_attainment": Decimal("1"), "amount": Decimal(300)},
        ]
    if draw(st.booleans()) or "measure" not in component:
        own = OWN if "measure" in component else []
        component["when"] = draw(st.sampled_from(CONDITIONS + own))
    if draw(st.booleans()):
        component["floor"] = Decimal(50)
    return component


MULTIPLIERS = [
    "0.8",
    "IF(attainment < 1, 0.8, 1)",
    "IF(attainment('revenue') >= 1, 1.25, IF(actual('deals') > 2, 1, -0.5))",
    "1.5 if actual - target >= 0 else 0.333",
    "IF(actual('revenue') / 2 > 100, 2, 1)",  # not compiled: the plan is Python's
    "IF(true, 1.1, 0)",
    "attainment",  # not a choice of constants: the plan is Python's
]


@st.composite
def commissions(draw: st.DrawFn, name: str) -> dict[str, Any]:
    """A commission with a rate and a multiplier (a team override, as the demo's)."""
    component: dict[str, Any] = {
        "id": name,
        "kind": "commission",
        "measure": draw(st.sampled_from(["revenue", "team_revenue"])),
        "scope": draw(st.sampled_from(["self", "team", "team_and_self"])),
        "rate": draw(_decimals("0.01", "0.333", "1")),
        "multiplier": draw(st.sampled_from(MULTIPLIERS)),
    }
    if draw(st.booleans()):
        component["gate"] = {"min_attainment": Decimal("0.5")}
    if draw(st.booleans()):
        component["cap"] = Decimal(20)
    if draw(st.booleans()):
        component["floor"] = Decimal(-3)
    return component


@st.composite
def spiffs(draw: st.DrawFn, name: str) -> dict[str, Any]:
    component: dict[str, Any] = {
        "id": name,
        "kind": "spiff",
        "from": "orders",
        "amount": draw(st.sampled_from(["50", "amount * 0.01", "amount", "amount * 0.0005"])),
    }
    where = draw(st.sampled_from([None, "amount > 100", "customer == 'c1'"]))
    if where is not None:
        component["where"] = where
    if draw(st.booleans()):
        component["cap"] = Decimal(60)
    return component


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    kinds = draw(
        st.lists(
            st.sampled_from(["scorecard", "bonus", "spiff", "commission"]), min_size=1, max_size=3
        )
    )
    made = {"scorecard": scorecards, "bonus": bonuses, "spiff": spiffs, "commission": commissions}
    components = [made[kind](f"c{n}") for n, kind in enumerate(kinds)]
    amounts = draw(st.lists(st.sampled_from(AMOUNTS), min_size=0, max_size=12))
    targets = draw(st.lists(st.sampled_from(["3000", "1200", "0.7", "0", "333.33"]), max_size=6))
    return scenario(
        records={"orders": _orders(amounts)},
        measures=MEASURES,
        targets=_targets(targets),
        plans=_plan([draw(c) for c in components]),
        report=REPORT,
        as_of=draw(st.sampled_from(["2025-02-14", "2025-12-31"])),
    )


def _loaded(document: dict[str, Any]) -> Scenario:
    loaded, problems = scenario_from_data(document)
    assert loaded is not None, problems
    return loaded


def _left(loaded: Scenario) -> int:
    """How many rows the columns leave to Python."""
    with decimal.localcontext(ENGINE_CONTEXT):
        calc, decomposer, periods = prepare(loaded, None)
        writer = DocumentWriter(finish(calc, decomposer, periods, {}, {}))
        rows = PeopleColumns(calc, writer, periods, list(loaded.people)).rows()
    assert rows is not None
    return rows.left


KPI: dict[str, Any] = {
    "id": "kpi",
    "kind": "scorecard",
    "metrics": [
        {"measure": "revenue", "weight": Decimal(70)},
        {"measure": "deals", "weight": Decimal(30), "target": Decimal(3)},
    ],
    "score": {"floor": Decimal(0), "cap": Decimal("1.2")},
    "payout": "score * 3000",
}


@given(document=documents())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(document=scenario(
    records={"orders": _orders(["1000", "333.33", "2500"])}, measures=MEASURES,
    targets=_targets(["3000", "1200", "0.7"]), plans=_plan([KPI]), report=REPORT,
))  # fmt: skip
def test_random_formulas_write_the_engines_text(document: dict[str, Any]) -> None:
    loaded = _loaded(document)
    errors, written = workers.run_json(loaded, workers=1)
    assert errors == []
    assert written == to_json(calculate(loaded))


def test_scorecards_conditions_and_spiffs_are_written_by_the_columns() -> None:
    """Every rep and manager has a revenue target in every quarter: no row warns, and
    the columns write every one of them (also the manager's, whose plan has neither
    levels nor scores)."""
    targets = [
        {"measure": "revenue", "who": who, "period": f"2025-Q{q}", "value": Decimal(value)}
        for who, value in [("zhang", "3000"), ("wang", "1234.5"), ("li", "777")]
        for q in range(1, 5)
    ]
    components = [
        KPI,
        {"id": "bonus", "kind": "bonus", "amount": Decimal(500),
         "when": "attainment('revenue') >= 0.1 and actual('deals') >= 0.5 * actual('revenue')"},
        {"id": "spiff", "kind": "spiff", "from": "orders", "where": "amount > 100",
         "amount": "amount * 0.01"},
    ]  # fmt: skip
    document = scenario(
        records={"orders": _orders(AMOUNTS)},
        measures=MEASURES,
        targets=targets,
        plans=_plan(components, managers=components[2:]),
        report=REPORT,
    )
    loaded = _loaded(document)
    assert _left(loaded) == 0
    errors, written = workers.run_json(loaded, workers=1)
    assert errors == []
    assert written == to_json(calculate(loaded))


def test_an_override_with_a_multiplier_of_constants_is_written_by_the_columns() -> None:
    """The demo's manager plan: a team override at 1 % times IF(attainment < 1, 0.8,
    1), capped, beside a gated one whose multiplier chooses among three constants."""
    targets = [
        {"measure": "revenue", "who": who, "period": f"2025-Q{q}", "value": Decimal(value)}
        for who, value in [("zhang", "3000"), ("wang", "1234.5"), ("li", "777")]
        for q in range(1, 5)
    ]
    components = [
        {"id": "override", "kind": "commission", "measure": "revenue", "scope": "team",
         "rate": Decimal("0.01"), "multiplier": "IF(attainment('revenue') < 1, 0.8, 1)",
         "cap": Decimal(25)},
        {"id": "gated", "kind": "commission", "measure": "revenue", "scope": "team_and_self",
         "rate": Decimal("0.333"), "gate": {"min_attainment": 0.5},
         "multiplier": "IF(attainment >= 1.5, 1.2, IF(actual('deals') > 1, 1, 0.75))"},
    ]  # fmt: skip
    document = scenario(
        records={"orders": _orders(AMOUNTS)},
        measures=MEASURES,
        targets=targets,
        plans=_plan(components),
        report=REPORT,
    )
    loaded = _loaded(document)
    assert _left(loaded) == 0
    errors, written = workers.run_json(loaded, workers=1)
    assert errors == []
    assert written == to_json(calculate(loaded))


def test_scores_and_payouts_on_a_rounding_boundary_round_half_up() -> None:
    """Scores of exactly 0.1234565 (written 0.123457) and 0.12345, and a payout of
    exactly 12.345 (paid 12.35): exact bounds, written by the columns."""
    orders = [
        {"id": "o1", "date": "2025-01-10", "owner": "zhang", "amount": Decimal("1234.565")},
        {"id": "o2", "date": "2025-01-10", "owner": "wang", "amount": Decimal("1234.5")},
    ]
    component = {
        "id": "kpi",
        "kind": "scorecard",
        "metrics": [{"measure": "revenue", "weight": Decimal(1), "target": Decimal(10000)}],
        "payout": "score * 100",
    }
    document = scenario(
        records={"orders": orders},
        measures={"revenue": {"from": "orders", "value": "amount"}},
        plans=_plan([component]),
        report={"periods": ["2025-Q1"]},
    )
    loaded = _loaded(document)
    assert _left(loaded) == 0
    errors, written = workers.run_json(loaded, workers=1)
    assert errors == []
    assert written == to_json(calculate(loaded))
    assert '"kpi": 0.123457' in written
    assert '"kpi": 0.12345' in written
    assert '"kpi": "12.35"' in written


def test_numbers_written_with_an_exponent_are_the_numbers_they_say() -> None:
    """A weight of 7E+1, a score cap of 1.2E+0 and a payout factor of 3E+3 (as a file
    may give them) are 70, 1.2 and 3000, in the columns as in the engine."""
    orders = [{"id": "o1", "date": "2025-01-10", "owner": "zhang", "amount": Decimal("1500")}]
    component = {
        "id": "kpi",
        "kind": "scorecard",
        "metrics": [
            {"measure": "revenue", "weight": Decimal("7E+1"), "target": Decimal("2E+3")},
            {"measure": "deals", "weight": Decimal("3E+1"), "target": Decimal("1E+0")},
        ],
        "score": {"cap": Decimal("1.2E+0")},
        "payout": "score * 3E+3",
        "cap": Decimal("5E+3"),
    }
    document = scenario(
        records={"orders": orders},
        measures={"revenue": MEASURES["revenue"], "deals": MEASURES["deals"]},
        plans=_plan([component]),
        report={"periods": ["2025-Q1"]},
    )
    loaded = _loaded(document)
    assert _left(loaded) == 0
    errors, written = workers.run_json(loaded, workers=1)
    assert errors == []
    assert written == to_json(calculate(loaded))
    assert '"kpi": 0.825' in written  # (70 × 0.75 + 30 × 1) / 100
    assert '"kpi": "2475.00"' in written


@pytest.mark.parametrize(
    "component",
    [
        {"id": "b", "kind": "bonus", "amount": Decimal(100), "when": "actual('revenue') > 1E+40"},
        {"id": "b", "kind": "bonus", "amount": Decimal(100),
         "when": "actual('revenue') > 0.0000000000000000000000000000000000000001"},
        {"id": "k", "kind": "scorecard", "payout": "score * 10",
         "metrics": [{"measure": "revenue", "weight": Decimal(1), "target": Decimal("1E+40")}]},
    ],
)  # fmt: skip
def test_a_constant_beyond_128_bits_leaves_only_its_plan_to_python(
    component: dict[str, Any],
) -> None:
    """The plan with the constant is Python's; the other plan and every row's head are
    still written by the columns."""
    targets = [
        {"measure": "revenue", "who": who, "period": f"2025-Q{q}", "value": Decimal(1000)}
        for who in ("zhang", "wang", "li")
        for q in range(1, 5)
    ]
    spiff = {"id": "s", "kind": "spiff", "from": "orders", "amount": "amount * 0.01"}
    document = scenario(
        records={"orders": _orders(AMOUNTS)},
        measures=MEASURES,
        targets=targets,
        plans=_plan([component], managers=[spiff]),
        report=REPORT,
    )
    loaded = _loaded(document)
    # Python's: the reps' four quarters, and everyone's two months (a quarter's target
    # spread over its days does not end, with or without the constant)
    assert _left(loaded) == 2 * 4 + 3 * 2
    errors, written = workers.run_json(loaded, workers=1)
    assert errors == []
    assert written == to_json(calculate(loaded))
