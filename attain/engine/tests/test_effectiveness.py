"""Plan effectiveness figures (attain.engine.effectiveness): pure Polars, no database."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from attain.engine import (
    EVERYONE_MAX,
    NOBODY_PAID,
    WHAT_IF_DRAFT,
    WHAT_IF_IN_FORCE,
    attainment_buckets,
    attainment_distribution,
    compare_payouts,
    component_findings,
    cost_of_sales_by_period,
    pay_for_performance,
    quota_fairness,
)


def _people(attainments, payouts=None, potentials=None, group="rep"):
    n = len(attainments)
    return pl.DataFrame(
        {
            "group": [group] * n,
            "person": [f"p{i}" for i in range(n)],
            "attainment": attainments,
            "payout": payouts if payouts is not None else [0.0] * n,
            "potential": potentials if potentials is not None else [None] * n,
        },
        schema_overrides={"potential": pl.Float64, "attainment": pl.Float64},
    )


def test_buckets_are_labelled_from_the_edges():
    assert attainment_buckets() == [
        "< 50%",
        "50%–80%",
        "80%–100%",
        "100%–120%",
        "120%–150%",
        "≥ 150%",
    ]


def test_distribution_counts_buckets_and_the_share_at_or_above_100_against_the_band():
    frame = pl.concat(
        [
            _people([0.1, 0.5, 0.79, 0.8, 1.0, 1.2, 1.5, 3.0, None], group="a"),
            _people([1.0, 1.1, 1.3, 0.9, 1.05], group="b"),
        ]
    )
    a, b = attainment_distribution(frame)
    assert a.group == "a" and a.people == 8  # the person without a target is left out
    assert a.counts == [1, 2, 1, 1, 1, 2]  # edges are closed on the left: 0.5 is 50–80%
    assert a.at_or_above == 4 and a.share == pytest.approx(0.5) and a.band == "healthy"
    assert b.share == pytest.approx(0.8) and b.band == "high"
    low = attainment_distribution(_people([0.2, 0.3, 1.0, 0.1, 0.1]))[0]
    assert low.band == "low"
    few = attainment_distribution(_people([0.2, 0.3, 1.0]))[0]
    assert few.share == pytest.approx(1 / 3) and few.band is None  # too few to judge
    assert attainment_distribution(_people([None, None])) == []


def test_pay_for_performance_shares_of_the_top_and_bottom_fifths():
    attainments = [i / 10 for i in range(10)]
    payouts = [0.0] * 8 + [400.0, 600.0]  # the two best get everything
    found = pay_for_performance(_people(attainments, payouts))
    assert found.people == 10 and found.total == 1000.0
    assert found.top_share == pytest.approx(1.0) and found.bottom_share == 0.0
    assert found.correlation is not None and found.follows is True
    flat = pay_for_performance(_people(attainments, [100.0] * 10))
    assert flat.top_share == pytest.approx(0.2) and flat.correlation is None
    inverse = pay_for_performance(_people(attainments, [100.0 - a * 10 for a in attainments]))
    assert inverse.correlation == pytest.approx(-1.0) and inverse.follows is False
    few = pay_for_performance(_people([1.0, 2.0], [1.0, 2.0]))
    assert few.top_share is None and few.follows is None


def test_pay_for_performance_total_is_exact_money():
    """The total pay is money: the payouts (floats in the frame, read from cents) summed
    to the cent, not 0.30000000000000004 for 0.10 + 0.20."""
    found = pay_for_performance(_people([0.5, 1.0, 0.7], [0.10, 0.20, 1234567.89]))
    assert found.total == Decimal("1234568.19") and isinstance(found.total, Decimal)
    assert pay_for_performance(_people([0.5, None], [0.1, 0.2])).total == Decimal("0.10")
    assert pay_for_performance(_people([None], [0.1])).total == Decimal(0)


def test_cost_of_sales_per_period():
    costs = pl.DataFrame(
        {
            "period": ["2026-Q2", "2026-Q1", "2026-Q1", "2026-Q3"],
            "payout": [50.0, 10.0, 20.0, 5.0],
            "revenue": [500.0, 100.0, 200.0, 0.0],
        }
    )
    found = cost_of_sales_by_period(costs)
    assert [c.period for c in found] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert found[0].ratio == pytest.approx(0.1) and found[2].ratio is None


def test_components_that_pay_everyone_the_maximum_or_nobody_anything():
    rows = []
    for i in range(10):
        rows.append(("rep", "bonus", 5000.0 if i else 2000.0, 5000.0))  # 9 of 10 at the top
        rows.append(("rep", "spiff", 500.0 if i == 0 else 0.0, None))  # 1 of 10 paid
        rows.append(("rep", "commission", 100.0 * i, None))  # spread out
    frame = pl.DataFrame(
        rows, schema=["plan", "component", "amount", "maximum"], orient="row"
    ).with_columns(pl.col("maximum").cast(pl.Float64))
    found = {f.component: f for f in component_findings(frame)}
    assert found["bonus"].flag == EVERYONE_MAX and found["bonus"].declared
    assert found["bonus"].max_share == pytest.approx(0.9)
    assert found["spiff"].flag == NOBODY_PAID and found["spiff"].paid_share == pytest.approx(0.1)
    assert found["commission"].flag is None and not found["commission"].declared
    assert component_findings(frame.head(0)) == []


def test_fairness_attainment_against_potential():
    attainments = [0.5, 0.7, 0.9, 1.1, 1.3, 1.5, 0.8, 1.0]
    rich = quota_fairness(_people(attainments, potentials=[1, 2, 3, 4, 5, 6, None, 0]))
    assert rich.people == 6 and rich.without_potential == 2
    assert rich.correlation == pytest.approx(1.0) and rich.follows is True
    assert [p for p, _m in rich.by_fifth] == [2, 1, 1, 1, 1]
    fair = quota_fairness(_people(attainments[:6], potentials=[6, 1, 5, 2, 4, 3]))
    assert fair.follows is False
    unknown = quota_fairness(_people(attainments))
    assert unknown.people == 0 and unknown.correlation is None and unknown.by_fifth == []


def test_compare_per_person_and_period_exact_to_the_cent():
    payouts = pl.DataFrame(
        {
            "person": ["a", "a", "b", "c"],
            "period": ["2026-Q1", "2026-Q2", "2026-Q1", "2026-Q2"],
            "side": [WHAT_IF_IN_FORCE, WHAT_IF_DRAFT, WHAT_IF_DRAFT, WHAT_IF_IN_FORCE],
            "payout": [Decimal("0.10"), Decimal("0.20"), Decimal("1000.01"), Decimal("0.30")],
        }
    )
    found = compare_payouts(payouts)
    assert found.in_force == Decimal("0.40") and found.draft == Decimal("1000.21")
    assert found.change == Decimal("999.81")
    people = found.people.to_dicts()
    assert people[0] == {
        "person": "b",
        "in_force": Decimal("0"),
        "draft": Decimal("1000.01"),
        "change": Decimal("1000.01"),
    }
    assert [p["person"] for p in people] == ["b", "c", "a"]
    periods = {p["period"]: p for p in found.periods.to_dicts()}
    assert periods["2026-Q1"]["change"] == Decimal("999.91")
    empty = compare_payouts(payouts.head(0))
    assert empty.people.height == 0 and empty.change == 0
