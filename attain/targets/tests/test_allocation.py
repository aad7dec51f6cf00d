"""A plan's allocation: the engine's Decomposer (indexed, cached between previews) gives
exactly the allocation of the plain reference decomposer."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from attain.calc import cache as calc_cache
from attain.conftest import Company
from attain.crm.tests import make
from attain.engine.tests.reference_decomposition import ReferenceDecomposer
from attain.org import services as org
from attain.targets import allocation, services
from attain.targets.allocation import compute_allocation, respread

from .conftest import hire_rep, move_to_west, new_plan

pytestmark = pytest.mark.django_db

LEVELS = {
    "units": [{"method": "blend", "blend": {"equal": "0.3", "capacity": "0.7"}}],
    "people": {
        "method": "blend",
        "blend": {"equal": "0.4", "capacity": "0.6"},
        "overassign": "1.1",
    },
}


def reference(
    *args: Any, caches: Any = None, generate: bool = True, **staffing: Any
) -> ReferenceDecomposer:
    """The plain reference decomposer (it generates every target, keeps no caches; every
    unit of this company has people, so the staffing options change nothing)."""
    decomposer = ReferenceDecomposer(*args)
    decomposer.unstaffed = {}
    return decomposer


def test_the_allocation_matches_the_reference_decomposer(
    company: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    move_to_west(company, "r2", datetime.date(2026, 5, 15))
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
        # the same warnings (worded for the reader here, the engine's English there)
        assert len(grid.warnings) == len(plain.warnings)
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


def test_a_unit_where_no_rep_works_gets_no_share(company: Company) -> None:
    """A unit of only non-reps (a customer success team) gets none of an equal split:
    the units with reps share the whole target, and the planner is told why, in their
    language."""
    success = org.create_unit(None, code="cs", name="客户成功部", parent=company.hq)
    org.create_person(
        None,
        code="cs1",
        name="CS1",
        unit=success,
        title="customer success",
        start=datetime.date(2025, 1, 1),
    )
    plan = new_plan(company, total="1200000", roles="rep", levels={"units": [{}]})
    grid = compute_allocation(plan).grids["revenue"]
    years = {row.who: row.year for row in grid.rows}
    assert years["cs"] == 0
    assert years["east"] + years["west"] == Decimal(1200000)
    assert any("客户成功部" in warning and "2026" in warning for warning in grid.warnings)
    assert not any("no members" in warning for warning in grid.warnings)


def test_a_year_recorded_only_in_part_does_not_shape_the_seasons(company: Company) -> None:
    """Records that begin in October 2025 say nothing about 2025's seasons: a seasonal
    FY2026 plan splits its months equally and says why, instead of loading December."""
    from attain.crm import services as crm

    customer = crm.create_customer(None, name="甲", owner=company.people["r1"])
    for month in (10, 11, 12):
        make.order(
            customer, company.people["r1"], datetime.date(2025, month, 15), Decimal(1000 * month)
        )
    assert allocation.seasonal_years(new_plan(company, months="seasonal")) == []
    grid = compute_allocation(new_plan(company, months="seasonal")).grids["revenue"]
    east = grid.by_who()["east"]
    assert max(east.months) - min(east.months) <= 1  # east's year over twelve equal months
    assert any("2026" in warning and "equally" in warning for warning in grid.warnings)

    make.order(customer, company.people["r1"], datetime.date(2024, 1, 5), Decimal(10))
    assert allocation.seasonal_years(new_plan(company, months="seasonal")) == [2024, 2025]


def test_a_month_or_a_person_with_more_refunds_than_sales_gets_no_negative_target(
    company: Company,
) -> None:
    """History with refunds: a month whose refunds exceeded its sales weighs 0 in the
    seasonal split (never a negative month target), and a rep whose refunds exceeded
    their sales has no share by history (never a share taken from the others); the
    planner is told both, in their language."""
    from django.utils import translation

    from attain.crm import services as crm

    customer = crm.create_customer(None, name="甲", owner=company.people["r1"])
    for year in (2024, 2025):
        for month in range(1, 13):
            for rep, amount in (("r1", 1000 * month), ("r2", 500)):
                make.order(
                    customer, company.people[rep], datetime.date(year, month, 10), Decimal(amount)
                )
    make.order(  # a big refund: August 2025 and r2's 2025 are negative
        customer, company.people["r2"], datetime.date(2025, 8, 12), Decimal(-30000)
    )
    levels = {"units": [{"method": "history"}], "people": {"method": "history"}}
    plan = new_plan(company, total="1000000", levels=levels, months="seasonal")
    grid = compute_allocation(plan).grids["revenue"]
    rows = grid.by_who()
    assert all(month >= 0 for row in grid.rows for month in row.months)
    assert rows["east"].months[7] > 0  # August 2024 still counts: a mean over two years
    assert rows["r2"].year == 0 and rows["r1"].year == rows["east"].year
    assert all(row.difference == 0 for row in grid.rows)
    with translation.override("zh-hans"):
        grid = compute_allocation(plan).grids["revenue"]
    assert any("R2" in w and "2025" in w and "按 0 计" in w for w in grid.warnings)
    assert any("2025-08" in w and "权重为 0" in w for w in grid.warnings)


def test_missing_potential_is_only_mentioned_when_a_level_uses_it(company: Company) -> None:
    """Nobody has a market potential here: a plan by equal shares and capacity is not
    told that they count as 0 (it reads no potential); a plan by potential is."""
    grid = compute_allocation(new_plan(company)).grids["revenue"]
    assert not any("potential" in warning for warning in grid.warnings)
    by_potential = {"units": [{"method": "potential"}], "people": {"method": "equal"}}
    grid = compute_allocation(new_plan(company, levels=by_potential)).grids["revenue"]
    assert any("no market potential" in warning for warning in grid.warnings)


def test_a_unit_reorganised_mid_year_keeps_every_month_of_the_target(company: Company) -> None:
    """East's people move to a new unit, south, on 1 July and east closes: east's share
    goes over January–June (when its people work there) and south's over July–December,
    so the people carry the whole company target; before, each unit's year was spread over
    twelve months and the months nobody was in it were lost (a third of the target)."""
    south = org.create_unit(None, code="south", name="华南", parent=company.hq)
    for code in ("m1", "r1", "r2", "m2", "r3"):
        manager = None if code == "m1" else company.people["m1" if code != "r3" else "m2"]
        org.transfer_person(
            None, company.people[code], on=datetime.date(2026, 7, 1), unit=south, manager=manager
        )
    org.update_unit(None, company.east, closed=datetime.date(2026, 6, 30))
    levels = {"units": [{"method": "equal"}], "people": {"method": "equal"}}
    grid = compute_allocation(new_plan(company, total="1200000", levels=levels)).grids["revenue"]
    rows = grid.by_who()
    assert sum(r.year for r in grid.rows if r.kind == "person") == 1200000
    assert all(rows["east"].months[:6]) and not any(rows["east"].months[6:])
    assert not any(rows["south"].months[:6]) and all(rows["south"].months[6:])
    for unit in ("east", "south", "west"):
        people = [r for r in grid.rows if r.parent == unit]
        for month in range(12):
            assert sum(r.months[month] for r in people) == rows[unit].months[month]
    assert not any("nobody" in warning for warning in grid.warnings)


def test_a_rep_who_joins_in_november_gets_a_share_of_their_months_only(
    company: Company,
) -> None:
    """Equal shares: r6 joins west in November. They share each of November's and
    December's team targets equally with r4, instead of an equal share of west's whole
    year squeezed into two months (half of west's year in November and December)."""
    hire_rep(company, "r6", company.west, datetime.date(2026, 11, 1), "m3")
    levels = {"units": [{"method": "equal"}], "people": {"method": "equal"}}
    grid = compute_allocation(new_plan(company, total="1200000", levels=levels)).grids["revenue"]
    rows = grid.by_who()
    west, r4, r6 = rows["west"], rows["r4"], rows["r6"]
    assert west.year == 600000
    assert not any(r6.months[:10])
    for month in (10, 11):
        assert r6.months[month] + r4.months[month] == west.months[month]
        assert abs(r6.months[month] - r4.months[month]) <= 1
    assert r6.year <= (west.months[10] + west.months[11]) / 2 + 1  # not 300,000
    assert r4.year + r6.year == west.year


def test_an_edit_of_someone_who_moved_is_counted_once(company: Company) -> None:
    """r2 moves from east to west in mid-May: a row under each team. Editing r2's
    December (in west) or their year changes r2's target once: December is west's row
    only, and the year is spread over both rows' months (each row's year its part), not
    repeated on each row (which doubled r2's published target)."""
    move_to_west(company, "r2", datetime.date(2026, 5, 15))
    plan = new_plan(company, company.users["sales_ops"])
    ops = company.users["sales_ops"]
    services.edit_cell(ops, plan, measure="revenue", who="r2", period="2026-12", value="5")
    grid = compute_allocation(plan).grids["revenue"]
    east, west = (
        next(r for r in grid.rows if r.who == "r2" and r.parent == p) for p in ("east", "west")
    )
    assert west.months[11] == 5 and east.months[11] == 0
    services.edit_cell(ops, plan, measure="revenue", who="r2", period="2026-12", value="")
    services.edit_cell(ops, plan, measure="revenue", who="r2", period="2026", value="120000")
    grid = compute_allocation(plan).grids["revenue"]
    rows = [r for r in grid.rows if r.who == "r2"]
    assert sum(r.year for r in rows) == 120000
    assert sum(sum(r.months) for r in rows) == 120000
    assert all(r.difference == 0 for r in rows)
    east = next(r for r in rows if r.parent == "east")
    assert not any(east.months[5:])  # r2's months in east stay those they were there


def test_names_in_a_warning_are_listed_as_the_reader_lists_them() -> None:
    from django.utils import translation

    from attain.targets.allocation import _listed

    with translation.override("en"):
        assert _listed(["Alice", "Bob"]) == "Alice, Bob"
    with translation.override("zh-hans"):
        assert _listed(["张三", "李四"]) == "张三、李四"


def test_a_rounding_in_a_team_split_month_by_month_names_its_month(company: Company) -> None:
    """West is split month by month (r6 joins in July); its people get 105% of each
    month at a round-to of 1,000, so each month's total is rounded. Each warning names
    its month: they used to be the same line nine times, with nothing to tell them
    apart."""
    from django.utils import translation

    hire_rep(company, "r6", company.west, datetime.date(2026, 7, 20), "m3")
    levels = {
        "units": [{"method": "equal"}],
        "people": {"method": "equal", "overassign": "1.05"},
    }
    plan = new_plan(company, total="1230000", levels=levels, round_to="1000")
    with translation.override("zh-hans"):
        grid = compute_allocation(plan).grids["revenue"]
    west = [w for w in grid.warnings if w.startswith("华西 (west)")]
    assert len(west) == 12 and len(set(west)) == 12
    assert any("2026-03" in w and "取整为" in w for w in west)


def test_missing_potential_counts_only_those_the_split_reads(company: Company) -> None:
    """Reps are split by market potential, units equally: r1 and r4 have a potential,
    r2 and r3 do not. The grid says 2 reps count as 0, not the 8 units, managers and
    reps without one (the units and managers are never shared by potential)."""
    org.update_person(None, company.people["r1"], potential=Decimal(100))
    org.update_person(None, company.people["r4"], potential=Decimal(300))
    levels = {"units": [{"method": "equal"}], "people": {"method": "potential"}}
    grid = compute_allocation(new_plan(company, levels=levels)).grids["revenue"]
    missing = [w for w in grid.warnings if "no market potential" in w]
    assert missing == ["2 units or people have no market potential: counted as 0"]


def test_a_plan_of_one_team_splits_a_mover_over_their_months_in_it(company: Company) -> None:
    """A plan whose root is west, a team r2 joins from east on 15 May: r2 shares west's
    months from May on, as in a company plan, instead of an equal share of west's year
    spread over all twelve months (targets for January–April, when r2 sold for east)."""
    move_to_west(company, "r2", datetime.date(2026, 5, 15))
    plan = services.create_target_plan(
        None,
        name="West",
        fiscal_year=2026,
        root_unit=company.west,
        measures={"revenue": Decimal("120000")},
        levels={"units": [{"method": "equal"}], "people": {"method": "equal"}},
        months="equal",
    )
    grid = compute_allocation(plan).grids["revenue"]
    rows = grid.by_who()
    assert rows["west"].year == 120000
    assert not any(rows["r2"].months[:4]) and all(rows["r2"].months[4:])
    assert rows["r4"].months[0] == 10000  # January: r4 alone
    people = [r for r in grid.rows if r.kind == "person"]
    assert sum(r.year for r in people) == 120000
    for month in range(12):
        assert sum(r.months[month] for r in people) == 10000


def test_the_top_units_row_is_the_plan_total_so_its_over_assignment_shows(
    company: Company,
) -> None:
    """The regions get 110% of the company's 1,000,000. The company's row showed
    1,100,000 (what it handed out), so its over-assignment read 1.0 and the first level's
    inflation was nowhere to be seen; its target is the plan's total."""
    from attain.targets.guards import compound_ratio, level_ratios, overassignment

    levels = {"units": [{"method": "equal", "overassign": "1.1"}], "people": {"method": "equal"}}
    grid = compute_allocation(new_plan(company, total="1000000", levels=levels)).grids["revenue"]
    rows = grid.by_who()
    assert rows["hq"].year == 1000000
    assert rows["east"].year + rows["west"].year == 1100000
    hq = next(o for o in overassignment(grid, Decimal("1.25")) if o.who == "hq")
    assert hq.ratio == Decimal("1.1") and hq.inflated
    assert compound_ratio(level_ratios(grid, Decimal("1.25"))) == Decimal("1.1")


def test_a_year_still_running_does_not_shape_the_seasons(
    company: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Next year's plan made on 10 December 2025: 2025 has records in every month, but
    its December only up to the 5th, so it looked like a quiet month (a third of the
    others) and next December's targets were cut. A year counts once it has ended."""
    from attain.crm import services as crm

    customer = crm.create_customer(None, name="甲", owner=company.people["r1"])
    for year in (2024, 2025):
        for month in range(1, 13):
            for day in (1, 11, 21):
                if datetime.date(year, month, day) <= datetime.date(2025, 12, 5):
                    make.order(
                        customer,
                        company.people["r1"],
                        datetime.date(year, month, day),
                        Decimal(100),
                    )
    monkeypatch.setattr(allocation.timezone, "localdate", lambda: datetime.date(2025, 12, 10))
    plan = new_plan(company, months="seasonal")
    assert allocation.seasonal_years(plan) == [2024]
    east = compute_allocation(plan).grids["revenue"].by_who()["east"]
    assert east.months[11] >= east.months[10]  # December is not a third of November


def test_a_total_rounded_to_whole_units_is_not_inflation(company: Company) -> None:
    """1,234,567 at a round-to of 1,000 is split as 1,235,000 (the grid says so): the
    company's row is that, so rounding alone is not marked inflated."""
    from attain.targets.guards import overassignment

    grid = compute_allocation(new_plan(company, total="1234567", round_to="1000")).grids["revenue"]
    assert grid.by_who()["hq"].year == 1235000
    hq = next(o for o in overassignment(grid, Decimal("1.25")) if o.who == "hq")
    assert hq.ratio == 1 and not hq.inflated


def test_a_unit_or_person_without_history_is_named_when_a_level_shares_by_history(
    company: Company,
) -> None:
    """A reorganisation: south opened on 1 January 2026 (two units merged into it, say)
    and north on 1 July 2025 (a unit split). Shared by last year's actual, south has
    none of its own and gets nothing, north only half a year's worth; a rep hired in 2026
    has none either. The grid names each instead of handing out a zero silently; a plan
    that shares by other methods says nothing of it."""
    from django.utils import translation

    from attain.crm import services as crm

    south = org.create_unit(
        None, code="south", name="华南", parent=company.hq, opened=datetime.date(2026, 1, 1)
    )
    north = org.create_unit(
        None, code="north", name="华北", parent=company.hq, opened=datetime.date(2025, 7, 1)
    )
    org.transfer_person(
        None, company.people["r2"], on=datetime.date(2025, 7, 1), unit=north, manager=None
    )
    org.transfer_person(
        None, company.people["r4"], on=datetime.date(2026, 1, 1), unit=south, manager=None
    )
    hire_rep(company, "r6", company.east, datetime.date(2026, 2, 1), "m1")
    customer = crm.create_customer(None, name="甲", owner=company.people["r1"])
    for month in range(1, 13):
        for rep in ("r1", "r2", "r3", "r4"):
            make.order(customer, company.people[rep], datetime.date(2025, month, 10), Decimal(1000))
    levels = {"units": [{"method": "history"}], "people": {"method": "history"}}
    plan = new_plan(company, total="1200000", levels=levels)
    grid = compute_allocation(plan).grids["revenue"]
    rows = grid.by_who()
    assert rows["south"].year == 0 and rows["r6"].year == 0  # the engine's rule stands
    assert 0 < rows["north"].year < rows["east"].year
    warnings = " | ".join(grid.warnings)
    assert "华南" in warnings and "R6" in warnings and "华北" in warnings
    with translation.override("zh-hans"):
        zh = " | ".join(compute_allocation(plan).grids["revenue"].warnings)
    assert "华南" in zh and "2025" in zh and "R6" in zh and "华北" in zh
    assert "no actual" not in zh and "opened during" not in zh
    half = {"method": "blend", "blend": {"history": "0.5", "equal": "0.5"}}
    blend = {"units": [{"method": "history"}], "people": half}
    grid = compute_allocation(new_plan(company, levels=blend)).grids["revenue"]
    assert not any("R6" in w for w in grid.warnings)  # half of an equal share: not nothing
    by_capacity = {"units": [{"method": "capacity"}], "people": {"method": "equal"}}
    grid = compute_allocation(new_plan(company, levels=by_capacity)).grids["revenue"]
    assert not any("华南" in w or "R6" in w or "华北" in w for w in grid.warnings)


def test_a_team_opened_during_a_seasonal_year_gets_targets_in_every_month(
    company: Company,
) -> None:
    """A unit split: north opened on 1 July 2025 and r2 moved there from east. Its own
    2025 sales start in July, so as the shape of its months it read as if north sold
    nothing in January–June, and r2's 2026 targets for January–June were 0, the whole
    year put into July–December. A seasonal year counts for a unit only when it was open
    all year; with none, its people share the team's months, which follow the unit
    above. South (opened 2024-07-01) keeps its one full year, 2025."""
    from attain.crm import services as crm

    north = org.create_unit(
        None, code="north", name="华北", parent=company.hq, opened=datetime.date(2025, 7, 1)
    )
    south = org.create_unit(
        None, code="south", name="华南", parent=company.hq, opened=datetime.date(2024, 7, 1)
    )
    org.transfer_person(
        None, company.people["r2"], on=datetime.date(2025, 7, 1), unit=north, manager=None
    )
    org.transfer_person(
        None, company.people["r4"], on=datetime.date(2024, 7, 1), unit=south, manager=None
    )
    customer = crm.create_customer(None, name="甲", owner=company.people["r1"])
    for year in (2024, 2025):
        for month in range(1, 13):
            for rep in ("r1", "r2", "r3", "r4"):
                amount = 4000 if month == 12 else 1000  # a December rush
                make.order(
                    customer, company.people[rep], datetime.date(year, month, 10), Decimal(amount)
                )
    levels = {"units": [{"method": "equal"}], "people": {"method": "equal"}}
    plan = new_plan(company, total="1200000", levels=levels, months="seasonal")
    assert allocation.seasonal_years(plan) == [2024, 2025]
    grid = compute_allocation(plan).grids["revenue"]
    rows = grid.by_who()
    assert all(month > 0 for month in rows["r2"].months)  # was 0 for January–June
    assert rows["r2"].months == rows["north"].months  # north's only rep: its months
    assert rows["r2"].months[11] > 3 * rows["r2"].months[0]  # the December rush kept
    # south was open all of 2025: its own 2025 shape (flat but December), every month
    assert all(month > 0 for month in rows["r4"].months)
    assert rows["r4"].months[0] == rows["r4"].months[5]
    assert all(row.difference == 0 for row in grid.rows)
    said = [w for w in grid.warnings if "not open for the whole" in w]
    assert len(said) == 1 and "华北" in said[0] and "华南" in said[0] and "华东" not in said[0]


def test_a_history_year_still_running_is_said(company: Company) -> None:
    """Next year planned in December: the history year is the year still running, its
    last weeks (a December rush) not in the shares. The grid says so, with the day it
    counts to; a plan whose history year has ended, or that shares by no history, does
    not."""
    from django.utils import timezone, translation

    from attain.targets import services

    history = {"units": [{"method": "history"}], "people": {"method": "equal"}}
    today = timezone.localdate()
    running = services.create_target_plan(
        None,
        name="next",
        fiscal_year=today.year + 1,
        root_unit=company.hq,
        measures={"revenue": Decimal(1200000)},
        levels=history,
        months="equal",
    )
    grid = compute_allocation(running).grids["revenue"]
    said = [w for w in grid.warnings if "is not over" in w]
    assert len(said) == 1 and str(today.year) in said[0]
    with translation.override("zh-hans"):
        zh = compute_allocation(running).grids["revenue"].warnings
    assert any(str(today.year) in w and "尚未结束" in w for w in zh)
    ended = new_plan(company, levels=history)  # FY2026 by 2025's history, over by now
    assert datetime.date(2025, 12, 31) < today
    assert not any("is not over" in w for w in compute_allocation(ended).grids["revenue"].warnings)
    equal = {"units": [{"method": "equal"}], "people": {"method": "equal"}}
    running.levels = equal
    running.save()
    assert not any(
        "is not over" in w for w in compute_allocation(running).grids["revenue"].warnings
    )
