"""Guard rails over an allocation grid: over-assignment per level (层层加码), fairness,
and top-down against bottom-up. These read the engine's allocation; they allocate
nothing. How each figure is defined is documented in docs/targets.md."""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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
    """Per unit that was decomposed: Σ children's year targets ÷ the unit's own. A
    child's year is the one stored and published (its months' sum), so months typed
    above the year are counted, not only an edited year."""
    children = grid.children()
    found: list[Overassignment] = []
    for row in grid.rows:
        if row.kind != Kind.UNIT or row.who not in children:
            continue
        total = sum((child.stored_year for child in children[row.who]), Decimal(0))
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


def compound_ratio(levels: list[LevelRatio]) -> Decimal | None:
    """The over-assignment compounded from the root down to the people (层层加码): the
    product of the levels' ratios, e.g. 1.2 at the regions × 1.1 at the teams = 1.32."""
    if not levels or any(level.ratio is None for level in levels):
        return None
    product = Decimal(1)
    for level in levels:
        product *= level.ratio  # type: ignore[operator]
    return product.quantize(Decimal("0.0001"))


def _level_number(spec: Any, what: str, errors: list[str]) -> Decimal:
    try:
        value = Decimal(str(spec if spec not in (None, "") else "1").replace(",", "").strip())
    except (InvalidOperation, ValueError):
        errors.append(_("%(level)s: “%(value)s” is not a number.") % {"level": what, "value": spec})
        return Decimal(1)
    if not value.is_finite():
        errors.append(_("%(level)s: “%(value)s” is not a number.") % {"level": what, "value": spec})
        return Decimal(1)
    return value


def check_levels(levels: Any, limit: Decimal, unit_depth: int) -> None:
    """Refuse (translated, on ``levels``) a plan's method per level that the engine would
    refuse or that hands out more than the plan's over-assignment limit: each level's
    over-assignment between 1 and the limit, blend weights adding up to 1, and the
    over-assignment compounded from the root down to the people (each unit level of a
    tree ``unit_depth`` levels deep, then the people) no more than the limit too. See
    docs/targets.md, "Over-assignment"."""
    levels = levels or {}
    units = list(levels.get("units") or [{}])
    people = levels.get("people") or {}
    errors: list[str] = []
    named: list[tuple[str, Any]] = [
        (_("Level %(n)s") % {"n": i + 1}, spec) for i, spec in enumerate(units)
    ]
    named.append((_("Units → people"), people))
    ratios: list[Decimal] = []
    for what, spec in named:
        ratio = _level_number(spec.get("overassign"), what, errors)
        ratios.append(ratio)
        if ratio < 1:
            errors.append(
                _(
                    "%(level)s: over-assignment %(ratio)s is below 1 (hands out less than the "
                    "target)."
                )
                % {"level": what, "ratio": ratio}
            )
        elif ratio > limit:
            errors.append(
                _("%(level)s: over-assignment %(ratio)s is above the plan's limit %(limit)s.")
                % {"level": what, "ratio": ratio, "limit": limit}
            )
        if spec.get("method") == "blend":
            weights = [_level_number(w, what, errors) for w in (spec.get("blend") or {}).values()]
            if sum(weights, Decimal(0)) != 1:
                errors.append(
                    _("%(level)s: the blend weights add up to %(sum)s, not 1.")
                    % {"level": what, "sum": sum(weights, Decimal(0))}
                )
    if not errors:
        unit_ratios = ratios[:-1]
        compound = ratios[-1]
        for depth in range(unit_depth):
            compound *= unit_ratios[min(depth, len(unit_ratios) - 1)]
        if compound > limit:
            errors.append(
                _(
                    "Over-assignment compounds across levels to %(ratio)s× from the top "
                    "unit down to the people, above the plan's limit %(limit)s×: lower a "
                    "level's over-assignment."
                )
                % {"ratio": compound.normalize(), "limit": limit}
            )
    if errors:
        raise ValidationError({"levels": errors})


def check_months_and_ramp(weights: Any, ramp: Any) -> None:
    """Refuse (translated, on ``month_weights`` and ``ramp``) what the engine would refuse
    when it splits, and what the settings ask for: custom month weights that are not 12
    numbers of at least 0 adding up to 100 (docs/targets.md), and a ramp factor that is
    not a number of at least 0. Checked when the plan is saved, so the plan page never
    meets them (a weight that was no number broke it)."""
    errors: dict[str, list[str]] = {}

    def numbers(values: Any, label: str, field: str) -> list[Decimal]:
        found: list[Decimal] = []
        for n, value in enumerate(values or [], start=1):
            what = label % {"n": n}
            before = len(errors.get(field, []))
            number = _level_number(value, what, errors.setdefault(field, []))
            if len(errors[field]) > before:
                continue
            if number < 0:
                errors[field].append(
                    _("%(what)s is %(value)s: it cannot be negative.")
                    % {"what": what, "value": value}
                )
            found.append(number)
        return found

    if weights:
        found = numbers(weights, _("Month weight %(n)s"), "month_weights")
        if len(weights) != 12:
            errors["month_weights"].append(
                _("Give 12 month weights, not %(count)s.") % {"count": len(weights)}
            )
        elif not errors["month_weights"] and sum(found, Decimal(0)) <= 0:
            errors["month_weights"].append(
                _("The month weights add up to 0: give at least one month a weight.")
            )
        elif not errors["month_weights"] and sum(found, Decimal(0)) != 100:
            total = format(sum(found, Decimal(0)).normalize(), "f")
            errors["month_weights"].append(
                _(
                    "The month weights add up to %(sum)s, not 100: give 12 weights that add "
                    "up to 100."
                )
                % {"sum": total}
            )
    numbers(ramp, _("Ramp factor %(n)s"), "ramp")
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


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


def fairness(grid: Grid, visible: set[str] | None = None) -> Fairness:
    """Spread of target ÷ potential and target ÷ last year's actual across people (those
    in ``visible``, the codes the reader may see, when given: every figure, the growth
    and the share too, is over them only), and
    the share of people likely to reach 100%: those whose required growth (target ÷ last
    year's actual) is no more than the growth asked of everyone together (Σ targets ÷ Σ
    last year's actuals), i.e. who reach their target if this year's results are spread
    like last year's."""
    people = [
        row for row in _per_person(grid) if row.year > 0 and (visible is None or row.who in visible)
    ]
    # a potential or a last year of 0 or below (more refunds than sales) is no basis for
    # a ratio: such a person would look "likely to reach" any target
    to_potential = [row.year / _d(row.potential) for row in people if _d(row.potential) > 0]
    with_history = [row for row in people if _d(row.history) > 0]
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
