"""Guard rails over an allocation grid: over-assignment per level (层层加码), fairness,
and top-down against bottom-up. These read the engine's allocation; they allocate
nothing. How each figure is defined is documented in docs/targets.md."""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .allocation import Grid, Row
from .models import Kind


@dataclass(frozen=True)
class Overassignment:
    who: str
    name: str
    depth: int
    parent_value: Decimal
    children_value: Decimal
    ratio: Decimal | None
    limit: Decimal

    @property
    def over_limit(self) -> bool:
        return self.ratio is not None and self.ratio > self.limit

    @property
    def inflated(self) -> bool:
        return self.ratio is not None and self.ratio > 1


def overassignment(grid: Grid, limit: Decimal) -> list[Overassignment]:
    """Per unit that was decomposed: Σ children's year targets ÷ the unit's own."""
    children = grid.children()
    found: list[Overassignment] = []
    for row in grid.rows:
        if row.kind != Kind.UNIT or row.who not in children:
            continue
        total = sum((child.year for child in children[row.who]), Decimal(0))
        ratio = (total / row.year).quantize(Decimal("0.0001")) if row.year else None
        found.append(Overassignment(row.who, row.name, row.depth, row.year, total, ratio, limit))
    return found


@dataclass(frozen=True)
class LevelRatio:
    """One level of the tree: Σ targets handed down ÷ Σ targets of the level above."""

    depth: int
    above: Decimal
    below: Decimal
    ratio: Decimal | None
    limit: Decimal

    @property
    def over_limit(self) -> bool:
        return self.ratio is not None and self.ratio > self.limit


def level_ratios(grid: Grid, limit: Decimal) -> list[LevelRatio]:
    """The over-assignment of each level (层层加码): the decomposed units of a depth
    against what their parts received, and the product down to the people."""
    by_depth: dict[int, tuple[Decimal, Decimal]] = {}
    for unit in overassignment(grid, limit):
        above, below = by_depth.get(unit.depth, (Decimal(0), Decimal(0)))
        by_depth[unit.depth] = (above + unit.parent_value, below + unit.children_value)
    return [
        LevelRatio(
            depth,
            above,
            below,
            (below / above).quantize(Decimal("0.0001")) if above else None,
            limit,
        )
        for depth, (above, below) in sorted(by_depth.items())
    ]


@dataclass(frozen=True)
class Spread:
    """Distribution of a ratio across people: what the fairness report shows."""

    label: str
    count: int
    minimum: Decimal | None
    median: Decimal | None
    maximum: Decimal | None
    variation: Decimal | None  # coefficient of variation (standard deviation ÷ mean)


def _spread(label: str, values: list[Decimal]) -> Spread:
    if not values:
        return Spread(label, 0, None, None, None, None)
    q = Decimal("0.0001")
    mean = sum(values, Decimal(0)) / len(values)
    variation = None
    if len(values) > 1 and mean:
        variation = (Decimal(statistics.pstdev(values)) / mean).quantize(q)
    return Spread(
        label,
        len(values),
        min(values).quantize(q),
        Decimal(statistics.median(values)).quantize(q),
        max(values).quantize(q),
        variation,
    )


@dataclass(frozen=True)
class Fairness:
    to_potential: Spread
    to_history: Spread
    company_growth: Decimal | None
    likely_to_reach: Decimal | None  # share of people
    people: int


def fairness(grid: Grid) -> Fairness:
    """Spread of target ÷ potential and target ÷ last year's actual across people, and
    the share of people likely to reach 100%: those whose required growth (target ÷ last
    year's actual) is no more than the growth asked of everyone together (Σ targets ÷ Σ
    last year's actuals), i.e. who reach their target if this year's results are spread
    like last year's."""
    people = [row for row in _per_person(grid) if row.year > 0]
    to_potential = [row.year / row.potential for row in people if row.potential]
    with_history = [row for row in people if row.history]
    to_history = [row.year / _d(row.history) for row in with_history]
    total_target = sum((row.year for row in with_history), Decimal(0))
    total_history = sum((_d(row.history) for row in with_history), Decimal(0))
    growth = total_target / total_history if total_history else None
    likely = None
    if growth is not None and people:
        reach = sum(1 for ratio in to_history if ratio <= growth)
        likely = (Decimal(reach) / Decimal(len(people))).quantize(Decimal("0.0001"))
    return Fairness(
        _spread("target ÷ potential", to_potential),
        _spread("target ÷ last year", to_history),
        growth.quantize(Decimal("0.0001")) if growth is not None else None,
        likely,
        len(people),
    )


def _per_person(grid: Grid) -> list[Row]:
    """One row per person: someone who moved between teams has a row under each."""
    found: dict[str, Row] = {}
    for row in grid.rows:
        if row.kind != Kind.PERSON:
            continue
        seen = found.get(row.who)
        if seen is None:
            found[row.who] = row
        else:
            found[row.who] = dataclasses.replace(seen, year=seen.year + row.year)
    return list(found.values())


def _d(value: Decimal | None) -> Decimal:
    return value if value is not None else Decimal(0)


@dataclass(frozen=True)
class Gap:
    who: str
    name: str
    kind: str
    top_down: Decimal
    bottom_up: Decimal

    @property
    def gap(self) -> Decimal:
        return self.bottom_up - self.top_down


def gaps(grid: Grid, commitments: Mapping[str, Decimal]) -> list[Gap]:
    """Top-down (the allocation) against bottom-up (commitments), where one was made."""
    rows: dict[str, Row] = grid.by_who()
    return [
        Gap(who, rows[who].name, rows[who].kind, rows[who].year, value)
        for who, value in sorted(commitments.items())
        if who in rows
    ]
