"""QA shapes: a company with odd shapes (an April fiscal year, a unit with no history,
a joiner on a ramp, a leaver, a mover, refund months, totals in cents that do not divide
evenly) and the invariants every plan must keep: parts add up exactly to the whole,
months to the year, no negative target, every value on the round-to grid."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from attain.conftest import Company
from attain.crm.tests import make
from attain.org import services as org
from attain.targets.allocation import compute_allocation
from attain.targets.selectors import published_targets
from attain.targets.stored import stored_grids

from .conftest import hire_rep, move_to_west, new_plan, publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _april(settings: Any) -> None:
    settings.ATTAIN_FISCAL_YEAR_START = 4


def odd_company(company: Company) -> None:
    """History in FY2024 and FY2025 for r1, r2, r3, r4 (with a refund month); a new
    unit north with no history at all and a rep who joins it in FY2026's August; r2
    moves east → west in October 2026; r3 leaves at the end of June 2026."""
    from attain.crm import services as crm

    customer = crm.create_customer(None, name="甲", owner=company.people["r1"])
    for year in (2024, 2025, 2026):
        for month in range(1, 13):
            if datetime.date(year, month, 1) >= datetime.date(2026, 4, 1):
                break
            for rep, amount in (("r1", 1000 * month + 7), ("r2", 333), ("r3", 101), ("r4", 77)):
                make.order(
                    customer, company.people[rep], datetime.date(year, month, 10), Decimal(amount)
                )
    make.order(  # September 2025: refunds exceed sales
        customer, company.people["r4"], datetime.date(2025, 9, 11), Decimal(-90000)
    )
    north = org.create_unit(None, code="north", name="华北", parent=company.hq)
    m4 = org.create_person(
        None,
        code="m4",
        name="M4",
        unit=north,
        title="manager",
        start=datetime.date(2026, 4, 1),
    )
    assert m4
    hire_rep(company, "r7", north, datetime.date(2026, 8, 17), "m1")
    move_to_west(company, "r2", datetime.date(2026, 10, 1))
    org.end_employment(None, company.people["r3"], on=datetime.date(2026, 6, 30))


LEVELS = {
    "units": [{"method": "blend", "blend": {"history": "0.5", "capacity": "0.5"}}],
    "people": {"method": "blend", "blend": {"history": "0.4", "capacity": "0.6"}},
}


def check_grid(grid: Any, step: Decimal) -> None:
    rows = grid.by_who()
    children = grid.children()
    for row in grid.rows:
        assert all(m >= 0 for m in row.months), row
        assert row.year >= 0
        for value in [row.year, *row.months]:
            assert value % step == 0, (row.who, value)
        if row.months:
            assert row.months_total == row.year, (row.who, row.months, row.year)
    for parent, parts in children.items():
        if parent not in rows:
            continue
        total = sum((p.year for p in parts), Decimal(0))
        assert total == rows[parent].year, (parent, total, rows[parent].year)
        if rows[parent].months:
            for i in range(12):
                assert sum(p.months[i] for p in parts) == rows[parent].months[i], (parent, i)


@pytest.mark.parametrize("total", ["1000000.07", "999999.99", "0.05", "0"])
@pytest.mark.parametrize("months", ["seasonal", "equal"])
def test_odd_company_parts_add_up_in_cents(company: Company, total: str, months: str) -> None:
    odd_company(company)
    plan = new_plan(
        company,
        company.users["sales_ops"],
        total=total,
        levels=LEVELS,
        months=months,
        round_to="0.01",
        ramp=["0.25", "0.5", "0.75"],
        history_year=2025,
    )
    grid = compute_allocation(plan).grids["revenue"]
    check_grid(grid, Decimal("0.01"))
    rows = grid.by_who()
    assert rows["hq"].year == Decimal(total)
    if Decimal(total) > 1:
        # r3 left in June: nothing after; r7 joined north in August: nothing before
        r3 = rows["r3"]
        assert not any(r3.months[3:]), r3.months
        assert not any(rows["r7"].months[:4]), rows["r7"].months
        east_r2 = next(r for r in grid.rows if r.who == "r2" and r.parent == "east")
        west_r2 = next(r for r in grid.rows if r.who == "r2" and r.parent == "west")
        assert not any(east_r2.months[6:]) and not any(west_r2.months[:6])
    # stored the same as computed, and what other apps read adds up too
    publish(company, plan)
    stored = stored_grids(plan)["revenue"]
    check_grid(stored, Decimal("0.01"))
    found = {(t["who"], t["period"]): t["value"] for t in published_targets(measures=["revenue"])}
    for who in ("hq", "east", "west", "north", "r1", "r2", "r3", "r4", "r7"):
        months = sum((found.get((who, m), Decimal(0)) for m in grid.months), Decimal(0))
        assert months == found[(who, "2026")], who
    assert found[("hq", "2026")] == Decimal(total)


def test_a_team_split_month_by_month_says_each_warning_once(company: Company) -> None:
    """North (no history, its only rep joins in August) and west (r4's refunds, r2 moving
    in in October) are split month by month: the engine warns for each month, and the grid
    said "华北 (north): no history data, so its members share equally" eight times over,
    with nothing to tell the lines apart. Each different warning is said once."""
    odd_company(company)
    levels = {"units": [{"method": "history"}], "people": {"method": "history"}}
    plan = new_plan(company, total="1000000", levels=levels, months="seasonal")
    warnings = compute_allocation(plan).grids["revenue"].warnings
    assert any(w.startswith("华北 (north)") for w in warnings)
    assert len(warnings) == len(set(warnings)), warnings


def test_a_reallocation_in_the_odd_company_still_adds_up_in_cents(company: Company) -> None:
    """After publication r8 joins east in September and r1 leaves in October; east is
    reallocated from September (r2, who moved to west in October, among the changed)."""
    from attain.targets import services

    odd_company(company)
    plan = new_plan(
        company,
        company.users["sales_ops"],
        total="1000000.07",
        levels=LEVELS,
        months="seasonal",
        round_to="0.01",
        ramp=["0.25", "0.5", "0.75"],
    )
    publish(company, plan)
    hire_rep(company, "r8", company.east, datetime.date(2026, 9, 14), "m1")
    org.end_employment(None, company.people["r1"], on=datetime.date(2026, 10, 31))
    proposal = services.propose_reallocation(
        company.users["sales_ops"], plan, unit="east", from_month="2026-09", reason="qa"
    )
    assert {c["who"] for c in proposal.changes} >= {"r1", "r2", "r8"}
    new = services.approve_reallocation(company.users["executive"], proposal)
    check_grid(stored_grids(new)["revenue"], Decimal("0.01"))
