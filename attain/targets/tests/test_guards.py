"""Guard rails as worked examples (no database)."""

from __future__ import annotations

from decimal import Decimal as D

from attain.targets.allocation import Grid, Row
from attain.targets.guards import fairness, gaps, level_ratios, overassignment


def row(who: str, kind: str, parent: str, year: int, history: int | None, potential: int | None):
    depth = {"": 0, "hq": 1}.get(parent, 2)
    return Row(
        who,
        kind,
        who.upper(),
        parent,
        depth,
        D(year),
        D(year),
        [],
        [],
        set(),
        None if history is None else D(history),
        None if potential is None else D(potential),
    )


GRID = Grid(
    "revenue",
    2026,
    D(1),
    [
        row("hq", "unit", "", 1000, None, None),
        row("east", "unit", "hq", 600, 500, None),
        row("west", "unit", "hq", 500, 400, None),  # Σ parts 1100: inflated 10%
        row("a", "person", "east", 300, 200, 1000),  # asked +50%
        row("b", "person", "east", 300, 300, 1000),  # asked +0%
        row("c", "person", "west", 500, 400, 2000),  # asked +25%
    ],
    [],
)


def test_overassignment_is_the_sum_of_parts_over_the_whole() -> None:
    found = {o.who: o for o in overassignment(GRID, D("1.05"))}
    assert found["hq"].ratio == D("1.1") and found["hq"].inflated and found["hq"].over_limit
    assert found["east"].ratio == 1 and not found["east"].inflated
    assert found["west"].ratio == 1


def test_fairness_report() -> None:
    report = fairness(GRID)
    assert report.people == 3
    assert report.to_potential.minimum == D("0.25") and report.to_potential.maximum == D("0.3")
    assert report.to_history.median == D("1.25")
    # everyone together: 1100 ÷ 900 = 1.2222; only b (1.0) is at or below it
    assert report.company_growth == D("1.2222")
    assert report.likely_to_reach == D("0.3333")


def test_gaps_between_top_down_and_commitments() -> None:
    (gap,) = gaps(GRID, {"a": D(250), "nobody": D(1)})
    assert (gap.top_down, gap.bottom_up, gap.gap) == (D(300), D(250), D(-50))


def test_level_ratios() -> None:
    first, second = level_ratios(GRID, D("1.25"))
    assert (first.depth, first.above, first.below, first.ratio) == (0, 1000, 1100, D("1.1"))
    assert second.ratio == 1 and not second.over_limit


def test_a_person_with_more_refunds_than_sales_last_year_is_no_basis_for_ratios() -> None:
    """d's last year is negative (refunds): their target ÷ last year (−1.5) is no ratio,
    would count them as likely to reach 100%, and would pull the growth asked of everyone
    down. They count among the people, not among those with history."""
    grid = Grid(
        "revenue",
        2026,
        D(1),
        [*GRID.rows, row("d", "person", "west", 300, -200, -5)],
        [],
    )
    report = fairness(grid)
    assert report.people == 4
    assert report.to_history.count == 3 and report.to_history.minimum == D("1")
    assert report.to_potential.count == 3
    assert report.company_growth == D("1.2222")
    assert report.likely_to_reach == D("0.25")  # b only, of four
