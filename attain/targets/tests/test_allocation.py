"""A plan's allocation: the engine's Decomposer (indexed, cached between previews) gives
exactly the allocation of the plain reference decomposer."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from attain.calc import cache as calc_cache
from attain.conftest import Company
from attain.engine.tests.reference_decomposition import ReferenceDecomposer
from attain.org import services as org
from attain.targets import allocation, services
from attain.targets.allocation import compute_allocation, respread

from .conftest import hire_rep, new_plan

pytestmark = pytest.mark.django_db

LEVELS = {
    "units": [{"method": "blend", "blend": {"equal": "0.3", "capacity": "0.7"}}],
    "people": {
        "method": "blend",
        "blend": {"equal": "0.4", "capacity": "0.6"},
        "overassign": "1.1",
    },
}


def reference(*args: Any, caches: Any = None, generate: bool = True) -> ReferenceDecomposer:
    """The plain reference decomposer (it generates every target, keeps no caches)."""
    return ReferenceDecomposer(*args)


def test_the_allocation_matches_the_reference_decomposer(
    company: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    org.transfer_person(
        None,
        company.people["r2"],
        on=datetime.date(2026, 5, 15),
        unit=company.west,
        manager=company.people["m3"],
    )
    hire_rep(company, "r6", company.west, datetime.date(2026, 3, 10), "m3")
    plan = new_plan(company, total="1000003", levels=LEVELS, ramp=["0.25", "0.5", "0.75"])
    fast = compute_allocation(plan).grids["revenue"]
    again = compute_allocation(plan).grids["revenue"]  # with the kept caches
    uncached = compute_allocation(plan, cached=False).grids["revenue"]
    with monkeypatch.context() as patch:
        patch.setattr(allocation, "Decomposer", reference)
        plain = compute_allocation(plan, cached=False).grids["revenue"]
    expected = [(r.who, r.parent, str(r.year), [str(m) for m in r.months]) for r in plain.rows]
    for grid in (fast, again, uncached):
        assert [
            (r.who, r.parent, str(r.year), [str(m) for m in r.months]) for r in grid.rows
        ] == expected
        assert grid.warnings == plain.warnings
    rows = fast.by_who()
    # r2 moved to west in May: a member of both teams' decompositions (engine rule)
    assert {r.parent for r in fast.rows if r.who == "r2"} == {"east", "west"}
    assert rows["r6"].months[:2] == [0, 0]  # not employed before March
    # each team's months go to the people in the team that month; May is shared
    east = next(r for r in fast.rows if r.who == "r2" and r.parent == "east")
    west = next(r for r in fast.rows if r.who == "r2" and r.parent == "west")
    assert all(east.months[:5]) and not any(east.months[5:])
    assert not any(west.months[:4]) and all(west.months[4:])
    for team in ("east", "west"):
        people = [r for r in fast.rows if r.parent == team]
        for month in range(12):
            assert sum(r.months[month] for r in people) == round(
                rows[team].months[month] * Decimal("1.1")
            )


def test_respread_keeps_the_engine_proportions() -> None:
    months = [Decimal(v) for v in (10, 20, 30, 0, 0, 0, 0, 0, 0, 0, 0, 40)]
    assert respread(Decimal(200), months, Decimal(1)) == [
        Decimal(v) for v in (20, 40, 60, 0, 0, 0, 0, 0, 0, 0, 0, 80)
    ]
    assert sum(respread(Decimal(7), [Decimal(0)] * 12, Decimal(1))) == 7


def test_a_promoted_rep_carries_only_their_months_as_rep(company: Company) -> None:
    org.transfer_person(None, company.people["r4"], on=datetime.date(2026, 7, 1), title="manager")
    plan = new_plan(company, total="1200000", levels=LEVELS)
    rows = compute_allocation(plan).grids["revenue"].by_who()
    assert all(rows["r4"].months[:6]) and not any(rows["r4"].months[6:])


def grid_cells(grid: allocation.Grid) -> list[tuple[str, str, str, list[str], list[str]]]:
    return [
        (r.who, r.parent, str(r.year), [str(m) for m in r.months], sorted(r.edited))
        for r in grid.rows
    ]


def test_cold_and_warm_previews_give_the_same_grid_and_follow_data_changes(
    company: Company,
) -> None:
    plan = new_plan(company, total="1000003", levels=LEVELS, ramp=["0.25", "0.5", "0.75"])
    cold = compute_allocation(plan).grids["revenue"]  # loads, checks and indexes
    assert calc_cache.size("targets.prepared") == 1 and calc_cache.size("targets.checked") == 1
    warm = compute_allocation(plan).grids["revenue"]  # all from the caches
    assert grid_cells(warm) == grid_cells(cold) and warm.warnings == cold.warnings

    # a data change: a new fingerprint, so the organisation is loaded and indexed again
    hire_rep(company, "r7", company.west, datetime.date(2026, 4, 1), "m3")
    after = compute_allocation(plan).grids["revenue"]
    assert calc_cache.size("targets.prepared") == 2
    assert "r7" in after.by_who() and "r7" not in cold.by_who()
    assert after.by_who()["r7"].months[:3] == [0, 0, 0]
    # the same as a fresh process computes it (nothing cached at all)
    calc_cache.clear()
    fresh = compute_allocation(plan).grids["revenue"]
    assert grid_cells(after) == grid_cells(fresh) and after.warnings == fresh.warnings


def test_the_checked_decompositions_are_kept_per_document(company: Company) -> None:
    """Two plans with other levels over the same data: each gets its own checked
    decompositions (the kept check is keyed by the whole document)."""
    common = {"fiscal_year": 2026, "root_unit": company.hq, "months": "equal"}
    equal = services.create_target_plan(
        None,
        name="equal",
        measures={"revenue": Decimal("900000")},
        levels={"units": [{"method": "equal"}], "people": {"method": "equal"}},
        **common,
    )
    capacity = services.create_target_plan(
        None,
        name="capacity",
        measures={"revenue": Decimal("900000")},
        levels={"units": [{"method": "capacity"}], "people": {"method": "capacity"}},
        **common,
    )
    by_equal = compute_allocation(equal).grids["revenue"].by_who()
    by_capacity = compute_allocation(capacity).grids["revenue"].by_who()
    assert calc_cache.size("targets.prepared") == 1 and calc_cache.size("targets.checked") == 2
    # east has 5 people, west 2: equal splits the company 450000 / 450000
    assert by_equal["east"].year == by_equal["west"].year == 450000
    # capacity: everyone's months, whatever their role: east 5 × 12, west 2 × 12
    # (900000 × 5/7 = 642857.14, 900000 × 2/7 = 257142.86: the leftover unit goes west)
    assert (by_capacity["east"].year, by_capacity["west"].year) == (642857, 257143)
