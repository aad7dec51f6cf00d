"""A plan's allocation: the engine's Decomposer (indexed, cached between previews) gives
exactly the allocation of the plain reference decomposer."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from attain.conftest import Company
from attain.engine.tests.reference_decomposition import ReferenceDecomposer
from attain.org import services as org
from attain.targets import allocation, services
from attain.targets.allocation import compute_allocation, respread

pytestmark = pytest.mark.django_db

LEVELS = {
    "units": [{"method": "blend", "blend": {"equal": "0.3", "capacity": "0.7"}}],
    "people": {
        "method": "blend",
        "blend": {"equal": "0.4", "capacity": "0.6"},
        "overassign": "1.1",
    },
}


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
    org.create_person(
        None,
        code="r6",
        name="R6",
        unit=company.west,
        title="rep",
        start=datetime.date(2026, 3, 10),
        manager=company.people["m3"],
    )
    plan = services.create_target_plan(
        None,
        name="t",
        fiscal_year=2026,
        root_unit=company.hq,
        measures={"revenue": Decimal("1000003")},
        levels=LEVELS,
        months="equal",
        ramp=["0.25", "0.5", "0.75"],
    )
    fast = compute_allocation(plan).grids["revenue"]
    again = compute_allocation(plan).grids["revenue"]  # with the kept caches
    uncached = compute_allocation(plan, cached=False).grids["revenue"]
    with monkeypatch.context() as patch:
        patch.setattr(allocation, "Decomposer", ReferenceDecomposer)
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
    plan = services.create_target_plan(
        None,
        name="t",
        fiscal_year=2026,
        root_unit=company.hq,
        measures={"revenue": Decimal("1200000")},
        levels=LEVELS,
        months="equal",
    )
    rows = compute_allocation(plan).grids["revenue"].by_who()
    assert all(rows["r4"].months[:6]) and not any(rows["r4"].months[6:])
