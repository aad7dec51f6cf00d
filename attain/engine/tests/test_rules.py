"""Worked examples, one per rule of the scenario spec: a scenario snippet in, numbers out."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from attain.engine.decomposition import largest_remainder
from attain.engine.numbers import money_text, round_half_up
from attain.engine.output import to_json
from attain.engine.periods import parse_period

from .helpers import commission_plan, result_of, run, scenario

ORDERS = [
    {"id": "o1", "date": "2025-01-05", "owner": "zhang", "amount": 100000},
    {
        "id": "o2",
        "date": "2025-02-03",
        "owner": "zhang",
        "amount": 40000,
        "credit": {"zhang": 0.5, "wang": 0.5},
    },
    {"id": "o3", "date": "2025-04-02", "owner": "wang", "amount": -10000},
]
REVENUE = {"revenue": {"from": "orders", "value": "amount"}}


def q1(
    document: dict[str, Any], who: str = "zhang", period: str = "2025-Q1", **kw: Any
) -> dict[str, Any]:
    result: dict[str, Any] = run(document, **kw)["people"][who][period]
    return result


# -- 4.1 periods -----------------------------------------------------------------------


def test_fiscal_year_starting_in_april() -> None:
    year = parse_period("2025", 4)
    quarter = parse_period("2025-Q1", 4)
    half = parse_period("2025-H2", 4)
    assert year is not None and quarter is not None and half is not None
    assert (str(year.start), str(year.end)) == ("2025-04-01", "2026-03-31")
    assert (str(quarter.start), str(quarter.end)) == ("2025-04-01", "2025-06-30")
    assert (str(half.start), str(half.end)) == ("2025-10-01", "2026-03-31")
    assert parse_period("2025-13") is None and parse_period("2025-Q5") is None


def test_a_period_id_is_written_in_ascii_digits() -> None:
    """ "２０２６-Q3" or "٢٠٢٦" (digits to Python's \\d) named fiscal 2026 under an id of
    their own, which no stored result or target has: an API asked for them answered an
    empty list instead of a 400, and a page showed no results instead of saying so."""
    for text in ("２０２６", "２０２６-Q3", "٢٠٢٦-H1", "2026-Q３", "2026-０３"):
        assert parse_period(text) is None, text
    found = parse_period("2026-Q3")
    assert found is not None and found.id == "2026-Q3"


# -- 4.0 / 4.2 crediting and measures ------------------------------------------------------


def test_credit_split_is_exact() -> None:
    out = run(
        scenario(records={"orders": ORDERS}, measures=REVENUE, report={"periods": ["2025-Q1"]})
    )
    assert out["people"]["zhang"]["2025-Q1"]["measures"]["revenue"] == 120000
    assert out["people"]["wang"]["2025-Q1"]["measures"]["revenue"] == 20000
    assert out["units"]["east"]["2025-Q1"]["measures"]["revenue"] == 140000
    assert out["units"]["hq"]["2025-Q1"]["measures"]["revenue"] == 140000


def test_count_counts_shares_and_avg_is_share_weighted() -> None:
    records = [
        {"id": "s1", "date": "2025-01-05", "owner": "zhang", "score": 5},
        {
            "id": "s2",
            "date": "2025-01-06",
            "owner": "zhang",
            "score": 2,
            "credit": {"zhang": 0.5, "wang": 0.5},
        },
    ]
    measures = {
        "n": {"from": "surveys", "agg": "count"},
        "avg": {"from": "surveys", "value": "score", "agg": "avg"},
        "low": {"from": "surveys", "value": "score", "agg": "min"},
        "high": {"from": "surveys", "value": "score", "agg": "max"},
        "kinds": {"from": "surveys", "value": "score", "agg": "distinct"},
    }
    out = run(
        scenario(records={"surveys": records}, measures=measures, report={"periods": ["2025-01"]})
    )
    zhang = out["people"]["zhang"]["2025-01"]["measures"]
    assert zhang["n"] == 1.5
    assert zhang["avg"] == pytest.approx(4.0)  # (5×1 + 2×0.5) / 1.5
    assert (zhang["low"], zhang["high"], zhang["kinds"]) == (2, 5, 2)
    li = out["people"]["li"]["2025-01"]["measures"]
    assert (li["avg"], li["low"], li["high"], li["n"]) == (None, None, None, 0)


def test_a_record_without_a_value_is_not_averaged() -> None:
    """Σ share·value / Σ share over the records that have a value, as min and max skip
    them: a survey without a score, or a price divided by a quantity of 0 (null), once
    counted as a 0 in the average."""
    records = [
        {"id": "s1", "date": "2025-01-05", "owner": "zhang", "score": 4, "qty": 2},
        {"id": "s2", "date": "2025-01-06", "owner": "zhang", "score": None, "qty": 0},
        {"id": "s3", "date": "2025-01-07", "owner": "zhang", "qty": 1},
        {"id": "s4", "date": "2025-01-08", "owner": "wang", "score": None, "qty": 0},
    ]
    measures = {
        "avg": {"from": "surveys", "value": "score", "agg": "avg"},
        "per": {"from": "surveys", "value": "10 / qty", "agg": "avg"},
        "low": {"from": "surveys", "value": "score", "agg": "min"},
        "n": {"from": "surveys", "agg": "count"},
    }
    out = run(
        scenario(records={"surveys": records}, measures=measures, report={"periods": ["2025-01"]})
    )
    zhang = out["people"]["zhang"]["2025-01"]["measures"]
    assert (zhang["avg"], zhang["per"], zhang["low"], zhang["n"]) == (4, 7.5, 4, 3)
    wang = out["people"]["wang"]["2025-01"]["measures"]
    assert (wang["avg"], wang["per"], wang["n"]) == (None, None, 1)
    unit = out["units"]["east"]["2025-01"]["measures"]
    assert unit["avg"] == 4


def test_unit_measure_follows_the_unit_on_the_record_date() -> None:
    document = scenario(
        units=[
            {"id": "hq", "name": "HQ"},
            {"id": "east", "parent": "hq"},
            {"id": "west", "parent": "hq"},
        ],
        people=[
            {"id": "zhang", "unit": "east", "history": [{"from": "2025-02-15", "unit": "west"}]}
        ],
        records={
            "orders": [
                {"id": "a", "date": "2025-02-14", "owner": "zhang", "amount": 10},
                {"id": "b", "date": "2025-02-15", "owner": "zhang", "amount": 20},
            ]
        },
        measures=REVENUE,
        report={"periods": ["2025-02"]},
    )
    units = run(document)["units"]
    assert units["east"]["2025-02"]["measures"]["revenue"] == 10
    assert units["west"]["2025-02"]["measures"]["revenue"] == 20
    assert units["hq"]["2025-02"]["measures"]["revenue"] == 30


def test_rollup_credits_the_manager_as_of_the_record_date() -> None:
    document = scenario(
        people=[
            {"id": "li", "unit": "east"},
            {"id": "zhao", "unit": "east"},
            {
                "id": "zhang",
                "unit": "east",
                "manager": "li",
                "history": [{"from": "2025-03-01", "manager": "zhao"}],
            },
        ],
        records={
            "orders": [
                {"id": "a", "date": "2025-02-28", "owner": "zhang", "amount": 100},
                {"id": "b", "date": "2025-03-01", "owner": "zhang", "amount": 7},
            ]
        },
        measures={"team": {"from": "orders", "value": "amount", "rollup": True}},
        report={"periods": ["2025-Q1"]},
    )
    people = run(document)["people"]
    assert people["li"]["2025-Q1"]["measures"]["team"] == 100
    assert people["zhao"]["2025-Q1"]["measures"]["team"] == 7
    assert people["zhang"]["2025-Q1"]["measures"]["team"] == 107


def test_money_measures_round_on_output_only_on_the_total() -> None:
    records = [
        {"id": f"o{i}", "date": "2025-01-01", "owner": "zhang", "amount": "0.004"} for i in range(3)
    ]
    out = run(
        scenario(records={"orders": records}, measures=REVENUE, report={"periods": ["2025-01"]})
    )
    assert out["people"]["zhang"]["2025-01"]["measures"]["revenue"] == 0.01  # 0.012, not 3 × 0.00


def test_where_and_value_expressions() -> None:
    records = [
        {
            "id": "a",
            "date": "2025-01-01",
            "owner": "zhang",
            "amount": 100,
            "status": "ok",
            "qty": 3,
        },
        {
            "id": "b",
            "date": "2025-01-02",
            "owner": "zhang",
            "amount": 50,
            "status": "cancelled",
            "qty": 1,
        },
        {"id": "c", "date": "2025-01-03", "owner": "zhang", "amount": 10, "qty": None},
    ]
    measures = {
        "m": {
            "from": "orders",
            "value": "amount * COALESCE(qty, 1)",
            "where": "status not in ['cancelled']",
        },
        "d": {
            "from": "orders",
            "value": "IF(qty > 2, amount / 3, 0)",
            "where": "date >= '2025-01-01'",
        },
    }
    out = run(
        scenario(records={"orders": records}, measures=measures, report={"periods": ["2025-01"]})
    )
    values = out["people"]["zhang"]["2025-01"]["measures"]
    assert values["m"] == 310  # a: 300, c: 10 (null status is not 'cancelled'), b skipped
    assert values["d"] == pytest.approx(33.333333)


# -- 5 targets and pace -------------------------------------------------------------------


def test_targets_spread_by_distribution_and_month_sums() -> None:
    weights = [8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9]
    targets = [
        {"measure": "revenue", "who": "zhang", "period": 2025, "value": 1200000},
        {"measure": "revenue", "who": "wang", "period": "2025-01", "value": 10},
        {"measure": "revenue", "who": "wang", "period": "2025-02", "value": 20},
        {"measure": "revenue", "who": "wang", "period": "2025-03", "value": 30},
        {"measure": "revenue", "who": "li", "period": "2025-Q1", "value": 99, "spread": "none"},
    ]
    document = scenario(
        distribution=weights,
        records={"orders": ORDERS},
        measures=REVENUE,
        targets=targets,
        report={"periods": ["2025-Q1", "2025-Q4", "2025-02"]},
    )
    out = run(document)["people"]
    assert out["zhang"]["2025-Q1"]["targets"]["revenue"] == 288000  # 1200000 × 24 / 100
    assert out["zhang"]["2025-Q4"]["targets"]["revenue"] == 324000
    assert out["wang"]["2025-Q1"]["targets"]["revenue"] == 60
    assert out["li"]["2025-02"]["targets"]["revenue"] == 99
    assert out["li"]["2025"]["targets"]["revenue"] is None
    assert out["zhang"]["2025-Q1"]["attainment"]["revenue"] == pytest.approx(
        120000 / 288000, rel=1e-6
    )


def test_exact_threshold_attainment_is_one() -> None:
    targets = [{"measure": "revenue", "who": "zhang", "period": 2025, "value": 480000}]
    out = q1(
        scenario(
            records={"orders": ORDERS},
            measures=REVENUE,
            targets=targets,
            report={"periods": ["2025-Q1"]},
        )
    )
    assert out["attainment"]["revenue"] == 1


@pytest.mark.parametrize(
    ("as_of", "status", "elapsed"),
    [
        ("2025-01-31", "on_track", 31 / 90),
        ("2025-03-30", "at_risk", 89 / 90),
        ("2025-03-30", "behind", 89 / 90),
        ("2025-03-31", "met", 1),
    ],
)
def test_pace(as_of: str, status: str, elapsed: float) -> None:
    targets = [{"measure": "revenue", "who": "zhang", "period": "2025-Q1", "value": 150000}]
    document = scenario(records={"orders": ORDERS}, measures=REVENUE, targets=targets)
    if status == "met":
        targets[0]["value"] = 120000
    elif status == "behind":
        targets[0]["value"] = 200000
    pace = q1(document, as_of=as_of)["pace"]["revenue"]
    assert pace["status"] == status
    assert pace["elapsed"] == pytest.approx(elapsed, abs=1e-6)


def test_pace_is_null_before_the_period() -> None:
    targets = [{"measure": "revenue", "who": "zhang", "period": "2025-Q1", "value": 1}]
    document = scenario(records={"orders": ORDERS}, measures=REVENUE, targets=targets)
    assert q1(document, as_of="2024-12-31")["pace"]["revenue"] is None


def test_a_projection_of_half_a_cent_rounds_up() -> None:
    """0.10 in the first 4 of 31 days projects to 0.10 × 31 / 4 = 0.775 exactly: 0.78
    (dividing by the elapsed share 4/31, rounded to 40 digits, gave 0.7749…: 0.77)."""
    records = [{"id": "o1", "date": "2025-01-02", "owner": "zhang", "amount": Decimal("0.10")}]
    targets = [{"measure": "revenue", "who": "zhang", "period": "2025-01", "value": 1}]
    document = scenario(records={"orders": records}, measures=REVENUE, targets=targets)
    text = to_json(result_of(document, "2025-01-04"))
    pace = json.loads(text, parse_float=Decimal)["people"]["zhang"]["2025-01"]["pace"]
    assert pace["revenue"]["projected"] == Decimal("0.78")


@pytest.mark.parametrize("day", [5, 6, 14, 23, 44, 89])
def test_attainment_of_exactly_0_8_times_elapsed_is_at_risk(day: int) -> None:
    """Q1 has 90 days: on day `day`, 8 × day of a 900 target is 0.8 × day / 90 exactly."""
    as_of = dt.date(2025, 1, 1) + dt.timedelta(days=day - 1)
    records = [{"id": "o1", "date": "2025-01-01", "owner": "zhang", "amount": 8 * day}]
    targets = [{"measure": "revenue", "who": "zhang", "period": "2025-Q1", "value": 900}]
    document = scenario(records={"orders": records}, measures=REVENUE, targets=targets)
    assert q1(document, as_of=as_of.isoformat())["pace"]["revenue"]["status"] == "at_risk"


def spread_month(component: dict[str, Any] | None, amount: str) -> dict[str, Any]:
    """zhang's January with a year target of 2000 spread to 2000 × 1/12 = 166.66…, a
    quotient that does not end, and one order of `amount`."""
    records = [{"id": "o1", "date": "2025-01-02", "owner": "zhang", "amount": Decimal(amount)}]
    targets = [{"measure": "revenue", "who": "zhang", "period": "2025", "value": 2000}]
    plans = commission_plan(component, period="month") if component else []
    document = scenario(
        records={"orders": records},
        measures=REVENUE,
        targets=targets,
        plans=plans,
        report={"periods": ["2025-01"]},
    )
    text = to_json(result_of(document, "2025-01-31"))
    row: dict[str, Any] = json.loads(text, parse_float=Decimal)["people"]["zhang"]["2025-01"]
    return row


@pytest.mark.parametrize(
    ("amount", "shown"),
    [("65.78975", "0.394739"), ("-65.78975", "-0.394739"), ("19.95625", "0.119738")],
)
def test_attainment_of_a_spread_target_multiplies_before_dividing(amount: str, shown: str) -> None:
    """65.78975 × 12 / 2000 is 0.3947385 exactly: 0.394739 half-up. Divided by the target
    rounded to 40 digits (166.6…67) it was 0.39473849…: 0.394738."""
    row = spread_month(None, amount)
    assert row["attainment"]["revenue"] == Decimal(shown)
    assert row["targets"]["revenue"] == Decimal("166.67")


def test_tier_bounds_of_a_spread_target_multiply_before_dividing() -> None:
    """Marginal tiers by attainment on 200.25 of 2000 / 12: 0.02 × 0.8 T + 0.04 × 0.2 T
    + 0.06 × (200.25 − T) = 0.06 × 200.25 − 0.036 × 2000 / 12 = 12.015 − 6 = 6.015
    exactly: 6.02. Bounds from the target rounded to 40 digits gave 6.0149…: 6.01."""
    table = [
        {"from": 0, "rate": "0.02"},
        {"from": "0.8", "rate": "0.04"},
        {"from": 1, "rate": "0.06"},
    ]
    component = {
        "id": "c",
        "kind": "commission",
        "measure": "revenue",
        "tiers": {"basis": "attainment", "mode": "marginal", "table": table},
    }
    assert spread_month(component, "200.25")["plans"]["p"]["components"]["c"] == "6.02"


# -- 6 decomposition ---------------------------------------------------------------------


def test_largest_remainder_tie_rules() -> None:
    from fractions import Fraction

    parts = largest_remainder(
        10, [("b", Fraction(1, 3)), ("a", Fraction(1, 3)), ("c", Fraction(1, 3))]
    )
    assert [p.units for p in parts] == [4, 3, 3]  # equal remainders and shares: first listed wins
    parts = largest_remainder(1, [("x", Fraction(1, 4)), ("y", Fraction(3, 4))])
    assert [p.units for p in parts] == [0, 1]


def decomposition(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "d",
        "measure": "revenue",
        "from": {"who": "east", "period": 2025, "value": 1000},
        "to": "people",
        "roles": ["rep"],
        "method": "equal",
        "months": "equal",
    }
    entry.update(overrides)
    return entry


def test_equal_decomposition_with_overassign_and_round_to() -> None:
    document = scenario(
        records={"orders": ORDERS},
        measures=REVENUE,
        decompositions=[decomposition(overassign=1.1, round_to=100)],
    )
    out = run(document)
    # 1100 in units of 100: 5.5 each; the tie goes to the smaller id
    assert out["people"]["wang"]["2025"]["targets"]["revenue"] == 600
    assert out["people"]["zhang"]["2025"]["targets"]["revenue"] == 500
    months = [t for t in out["targets"] if t["who"] == "wang" and t["period"] != "2025"]
    assert len(months) == 12
    assert sum(t["value"] for t in months) == 600
    assert {t["value"] for t in months} == {0, 100}


def test_history_with_no_actuals_falls_back_to_equal_with_a_warning() -> None:
    document = scenario(
        records={"orders": ORDERS},
        measures=REVENUE,
        decompositions=[decomposition(method="history", history_period=2023)],
    )
    out = run(document)
    assert out["people"]["zhang"]["2025"]["targets"]["revenue"] == 500
    assert any("share equally" in w["message"] for w in out["warnings"])


def test_a_target_two_decompositions_make_differently_is_a_warning() -> None:
    """The first decomposition's target counts; the second's was listed in `targets`
    as if it did, with nothing saying it was not used."""
    first = {
        "id": "reps",
        "measure": "revenue",
        "from": {"who": "east", "period": "2025", "value": 1000},
        "to": "people",
        "roles": ["rep"],
        "method": "equal",
    }
    again = dict(first, id="again", **{"from": {"who": "east", "period": "2025", "value": 600}})
    same = dict(first, id="same")
    out = run(
        scenario(records={"orders": ORDERS}, measures=REVENUE, decompositions=[first, again, same])
    )
    assert out["people"]["zhang"]["2025"]["targets"]["revenue"] == 500
    assert out["units"]["east"]["2025"]["targets"]["revenue"] == 1000
    assert [(w["path"], w["message"]) for w in out["warnings"]] == [
        (  # east's own value is still split (wang and zhang get 300 each) ...
            "decompositions[1]",
            "the 2025 target of east for revenue stays 1000 from decompositions[0]; "
            "this decomposition still splits 600",
        ),
        (  # ... but their targets stay the first decomposition's
            "decompositions[1]",
            "the 2025 target of wang for revenue is already 500 from decompositions[0] "
            "(and 1 more); 300 is not used",
        ),
    ]
    given = {"measure": "revenue", "who": "zhang", "period": "2025", "value": 7}
    out = run(
        scenario(
            records={"orders": ORDERS}, measures=REVENUE, targets=[given], decompositions=[first]
        )
    )
    assert out["warnings"] == []  # a target given in `targets` wins, as the spec says


def test_a_scenario_splits_by_negative_history_as_spec_section_6_writes() -> None:
    """Net refunds in the history year: the scenario format keeps the actual's share,
    negative or not (3 / 2 and -1 / 2 of 1000); the application weighs such a member 0
    (``Decomposer(refunds_weigh_nothing=True)``, tested with target planning)."""
    orders = [
        {"id": "h1", "date": "2024-03-01", "owner": "zhang", "amount": 300},
        {"id": "h2", "date": "2024-04-01", "owner": "wang", "amount": -100},
    ]
    document = scenario(
        records={"orders": orders},
        measures=REVENUE,
        decompositions=[decomposition(method="history", history_period=2024, months=None)],
    )
    document["decompositions"][0].pop("months")
    out = run(document)
    assert out["people"]["zhang"]["2025"]["targets"]["revenue"] == 1500
    assert out["people"]["wang"]["2025"]["targets"]["revenue"] == -500


def test_potential_decomposition_and_missing_attribute_error() -> None:
    people = [
        {"id": "zhang", "unit": "east", "role": "rep", "potential": 3},
        {"id": "wang", "unit": "east", "role": "rep", "potential": 1},
    ]
    document = scenario(
        people=people,
        records={"orders": ORDERS},
        measures=REVENUE,
        decompositions=[decomposition(method="potential")],
    )
    assert run(document)["people"]["zhang"]["2025"]["targets"]["revenue"] == 750
    people[1].pop("potential")
    from .helpers import paths_of

    assert "decompositions[0].potential_field" in paths_of(document)


def test_custom_month_weights_and_explicit_target_wins() -> None:
    weights = [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]
    targets = [{"measure": "revenue", "who": "zhang", "period": "2025-01", "value": 7}]
    document = scenario(
        records={"orders": ORDERS},
        measures=REVENUE,
        targets=targets,
        decompositions=[decomposition(months=weights)],
    )
    out = run(document)["people"]
    # 500 × 2/12 = 83.33 (remainder .33); the 7 leftover units go to the .67 remainders
    assert out["wang"]["2025-01"]["targets"]["revenue"] == 83
    assert out["wang"]["2025-02"]["targets"]["revenue"] == 42
    assert out["wang"]["2025-09"]["targets"]["revenue"] == 41
    assert out["wang"]["2025-12"]["targets"]["revenue"] == 0
    assert out["zhang"]["2025-01"]["targets"]["revenue"] == 7


# -- 7 plans -----------------------------------------------------------------------------

TARGET_Q1 = [{"measure": "revenue", "who": "zhang", "period": "2025-Q1", "value": 100000}]


def pay(
    component: dict[str, Any], records: list[dict[str, Any]] | None = None, **extra: Any
) -> str:
    document = scenario(
        records={"orders": records or ORDERS},
        measures=REVENUE,
        targets=TARGET_Q1,
        plans=commission_plan(component),
        **extra,
    )
    components = q1(document)["plans"]["p"]["components"]
    return str(components[component["id"]])


def tiers(mode: str, basis: str = "attainment") -> dict[str, Any]:
    table = [{"from": 0, "rate": 0.03}, {"from": 1.0, "rate": 0.06}, {"from": 1.5, "rate": 0.09}]
    if basis == "amount":
        table = [{"from": 0, "rate": 0.03}, {"from": 100000, "rate": 0.06}]
    return {"basis": basis, "mode": mode, "table": table}


def test_flat_rate_commission() -> None:
    assert pay({"id": "c", "kind": "commission", "measure": "revenue", "rate": 0.05}) == "6000.00"


def test_marginal_tiers_pay_each_slice_at_its_rate() -> None:
    # 120000 of 100000: 100000 × 0.03 + 20000 × 0.06
    assert (
        pay({"id": "c", "kind": "commission", "measure": "revenue", "tiers": tiers("marginal")})
        == "4200.00"
    )


def test_whole_tiers_pay_everything_at_the_reached_rate() -> None:
    assert (
        pay({"id": "c", "kind": "commission", "measure": "revenue", "tiers": tiers("whole")})
        == "7200.00"
    )
    component = {
        "id": "c",
        "kind": "commission",
        "measure": "revenue",
        "tiers": tiers("whole", "amount"),
    }
    assert pay(component) == "7200.00"


def test_gate_multiplier_cap_and_floor() -> None:
    base = {"id": "c", "kind": "commission", "measure": "revenue", "rate": 0.05}
    assert pay({**base, "gate": {"min_attainment": 1.3}}) == "0.00"
    assert pay({**base, "gate": {"min_attainment": 1.2}}) == "6000.00"
    assert pay({**base, "multiplier": "IF(attainment < 1.5, 0.5, 1)"}) == "3000.00"
    assert pay({**base, "cap": 5000}) == "5000.00"
    assert pay({**base, "floor": 7000}) == "7000.00"


def test_clawback_at_the_base_rate_then_floor() -> None:
    refunds = [{"id": "r", "date": "2025-02-01", "owner": "zhang", "amount": -1000}]
    component = {"id": "c", "kind": "commission", "measure": "revenue", "tiers": tiers("marginal")}
    assert pay(component, refunds) == "-30.00"
    assert pay({**component, "floor": 0}, refunds) == "0.00"
    assert pay({**component, "gate": {"min_attainment": 0.5}}, refunds) == "0.00"


def test_attainment_tiers_without_a_target_pay_zero_with_a_warning() -> None:
    document = scenario(
        records={"orders": ORDERS},
        measures=REVENUE,
        plans=commission_plan(
            {"id": "c", "kind": "commission", "measure": "revenue", "tiers": tiers("marginal")}
        ),
    )
    out = run(document)
    assert out["people"]["zhang"]["2025-Q1"]["plans"]["p"]["components"]["c"] == "0.00"
    assert any(w["path"] == "plans[0].components[0]" for w in out["warnings"])


def test_team_scope_pays_on_reports_only() -> None:
    document = scenario(
        records={
            "orders": [*ORDERS, {"id": "x", "date": "2025-01-09", "owner": "li", "amount": 5}]
        },
        measures=REVENUE,
        plans=commission_plan(
            {"id": "o", "kind": "commission", "measure": "revenue", "scope": "team", "rate": 0.01},
            role="manager",
        ),
    )
    assert q1(document, "li")["plans"]["p"]["components"]["o"] == "1400.00"
    document["plans"][0]["components"][0]["scope"] = "team_and_self"
    assert q1(document, "li")["plans"]["p"]["components"]["o"] == "1400.05"


def test_bonus_when_and_levels() -> None:
    when = {
        "id": "b",
        "kind": "bonus",
        "when": "attainment('revenue') >= 1.2",
        "amount": "actual('revenue') / 100",
    }
    assert pay(when) == "1200.00"
    assert pay({**when, "when": "attainment('revenue') > 1.2"}) == "0.00"
    levels = {
        "id": "l",
        "kind": "bonus",
        "measure": "revenue",
        "levels": [
            {"min_attainment": 0.8, "amount": 1, "label": "基础"},
            {"min_attainment": 1.2, "amount": 3, "label": "卓越"},
        ],
    }
    document = scenario(
        records={"orders": ORDERS},
        measures=REVENUE,
        targets=TARGET_Q1,
        plans=commission_plan(levels),
    )
    plan = q1(document)["plans"]["p"]
    assert plan["components"]["l"] == "3.00" and plan["levels"]["l"] == "卓越"


def test_scorecard_lower_is_better_with_zero_actual_gets_the_cap() -> None:
    component = {
        "id": "k",
        "kind": "scorecard",
        "metrics": [
            {"measure": "revenue", "weight": 1},
            {"measure": "complaints", "weight": 1, "target": 2, "direction": "lower"},
        ],
        "score": {"floor": 0, "cap": 1.5},
        "payout": "score * 1000",
    }
    document = scenario(
        records={"orders": ORDERS, "tickets": []},
        measures={**REVENUE, "complaints": {"from": "tickets", "agg": "count"}},
        targets=TARGET_Q1,
        plans=commission_plan(component),
    )
    plan = q1(document)["plans"]["p"]
    assert plan["scores"]["k"] == pytest.approx(1.35)  # (1.2 + 1.5) / 2
    assert plan["components"]["k"] == "1350.00"


def test_spiff_pays_per_record_times_share() -> None:
    component = {
        "id": "s",
        "kind": "spiff",
        "from": "orders",
        "where": "amount > 0",
        "amount": "100",
    }
    assert pay(component) == "150.00"  # o1 × 1 + o2 × 0.5


def test_partial_coverage_uses_only_covered_days() -> None:
    people = [
        {"id": "li", "unit": "east", "role": "manager"},
        {
            "id": "zhang",
            "unit": "east",
            "role": "trainee",
            "history": [{"from": "2025-02-01", "role": "rep"}],
        },
        {"id": "wang", "unit": "east", "role": "rep", "end": "2025-01-31"},
    ]
    component = {"id": "c", "kind": "commission", "measure": "revenue", "rate": 0.1}
    document = scenario(
        people=people,
        records={"orders": ORDERS},
        measures=REVENUE,
        plans=commission_plan(component),
    )
    out = run(document)["people"]
    assert out["zhang"]["2025-Q1"]["plans"]["p"]["components"]["c"] == "2000.00"  # only o2's half
    assert out["wang"]["2025-Q1"]["plans"]["p"]["components"]["c"] == "0.00"  # o2 is in February
    assert out["wang"]["2025-Q2"]["plans"] == {}  # not employed: not covered
    assert out["li"]["2025-Q1"]["plans"] == {} and out["li"]["2025-Q1"]["payout"] == "0.00"


def test_jpy_rounds_to_whole_yen_half_up() -> None:
    records = [{"id": "a", "date": "2025-01-01", "owner": "zhang", "amount": 25}]
    document = scenario(
        currency="JPY",
        records={"orders": records},
        measures=REVENUE,
        plans=commission_plan({"id": "c", "kind": "commission", "measure": "revenue", "rate": 0.1}),
    )
    assert q1(document)["payout"] == "3"  # 2.5 → 3
    assert money_text(Decimal("-2.5"), "JPY") == "-3"
    assert round_half_up(Decimal("0.125"), 2) == Decimal("0.13")


@pytest.mark.parametrize(
    ("currency", "payout"),
    [
        ("VND", "2"),
        ("ISK", "2"),
        ("CLP", "2"),
        ("UGX", "2"),
        ("OMR", "2.469"),
        ("TND", "2.469"),
        ("CLF", "2.4691"),
        ("CNY", "2.47"),
        ("HRK", "2.47"),
    ],
)
def test_money_rounds_to_the_iso_4217_minor_unit_of_any_currency(
    currency: str, payout: str
) -> None:
    """Spec: money rounds to the currency's minor unit, for every ISO 4217 currency (Iceland's
    krona and Vietnam's dong have none, Oman's rial three places, Chile's UF four), not only
    the few the engine was first tried with; a past currency (HRK) has ISO's 2."""
    records = [{"id": "a", "date": "2025-01-01", "owner": "zhang", "amount": "24.6905"}]
    document = scenario(
        currency=currency,
        records={"orders": records},
        measures=REVENUE,
        plans=commission_plan({"id": "c", "kind": "commission", "measure": "revenue", "rate": 0.1}),
    )
    assert q1(document)["payout"] == payout


def test_order_of_records_does_not_change_results() -> None:
    component = {"id": "c", "kind": "commission", "measure": "revenue", "tiers": tiers("marginal")}
    forward = run(
        scenario(
            records={"orders": ORDERS},
            measures=REVENUE,
            targets=TARGET_Q1,
            plans=commission_plan(component),
        )
    )
    backward = run(
        scenario(
            records={"orders": ORDERS[::-1]},
            measures=REVENUE,
            targets=TARGET_Q1,
            plans=commission_plan(component),
        )
    )
    assert forward == backward


def test_result_api_exposes_exact_decimals() -> None:
    result = result_of(
        scenario(records={"orders": ORDERS}, measures=REVENUE, report={"periods": ["2025-Q1"]})
    )
    assert result.people["wang"]["2025-Q1"].measures["revenue"] == Decimal("20000")


def test_measures_of_one_table_credited_together_equal_each_alone() -> None:
    orders = [
        {"id": "o1", "date": "2025-01-05", "owner": "zhang", "amount": 100, "status": "ok"},
        {"id": "o2", "date": "2025-01-06", "owner": "wang", "amount": -40, "status": "ok"},
        {"id": "o3", "date": "2025-02-07", "owner": "zhang", "amount": 70, "status": "void"},
        {
            "id": "o4",
            "date": "2025-03-08",
            "owner": "wang",
            "amount": 50.5,
            "status": "ok",
            "credit": {"zhang": 0.25, "wang": 0.75},
        },
        {"id": "o5", "date": "2025-05-01", "owner": "li", "amount": 9, "status": "void"},
    ]
    measures = {
        "kept": {"from": "orders", "value": "amount", "where": "status == 'ok'"},
        "positive": {"from": "orders", "where": "amount > 0", "agg": "count"},
        "voided": {"from": "orders", "value": "amount * 2", "where": "status == 'void'"},
        "all": {"from": "orders", "value": "amount", "rollup": True},
    }
    report = {"periods": ["2025", "2025-Q1", "2025-01", "2025-02", "2025-03", "2025-05"]}
    together = run(scenario(records={"orders": orders}, measures=measures, report=report))
    compared = 0
    for name, measure in measures.items():
        alone = run(scenario(records={"orders": orders}, measures={name: measure}, report=report))
        for kind in ("people", "units"):
            for who, periods in alone[kind].items():
                for period, values in periods.items():
                    got = together[kind][who][period]["measures"][name]
                    assert got == values["measures"][name], (name, who, period)
                    compared += 1
    assert compared == 4 * (3 + 2) * 6
    assert (
        together["people"]["zhang"]["2025-Q1"]["measures"]["kept"] == 112.63
    )  # 100 + 50.5 × 0.25, money
    assert (
        together["people"]["li"]["2025-Q1"]["measures"]["all"] == 180.5
    )  # rolled up: 182.625 − 2.125


def test_rows_of_some_people_equal_those_of_the_whole_run() -> None:
    """``calculate(people=..., units=False)`` (incremental updates) gives those people's
    rows exactly, team measures and the manager's override included, and no unit rows."""
    from attain.engine import calculate
    from attain.engine.output import period_document
    from attain.engine.scenario import scenario_from_data

    document = scenario(
        records={
            "orders": [
                {"id": "o1", "date": "2025-01-10", "owner": "zhang", "amount": "1000.00"},
                {"id": "o2", "date": "2025-02-11", "owner": "wang", "amount": "2500.50"},
                {"id": "o3", "date": "2025-05-02", "owner": "zhang", "amount": "700.00"},
            ]
        },
        measures={"revenue": {"from": "orders", "value": "amount", "rollup": True}},
        targets=[{"measure": "revenue", "who": "li", "period": 2025, "value": 40000}],
        plans=commission_plan(
            {"id": "c", "kind": "commission", "measure": "revenue", "rate": "0.05"},
            role="manager",
        ),
    )
    whole = result_of(document)
    loaded, problems = scenario_from_data(document)
    assert loaded is not None, problems
    some = calculate(loaded, people={"li"}, units=False)
    assert set(some.people) == {"li"} and some.units == {}

    def text(row: Any, of: Any) -> str:
        return json.dumps(period_document(row, of, True), default=lambda n: n.text)

    for period_id, row in whole.people["li"].items():
        assert text(some.people["li"][period_id], loaded) == text(row, whole.scenario)
    assert any(row.plans for row in some.people["li"].values())
    one = calculate(loaded, people={"li"}, units=False, periods={"2025-Q1"})
    assert [p.id for p in one.periods] == ["2025-Q1"] and list(one.people["li"]) == ["2025-Q1"]
    assert text(one.people["li"]["2025-Q1"], loaded) == text(
        whole.people["li"]["2025-Q1"], whole.scenario
    )
