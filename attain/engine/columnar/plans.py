"""The plans of the people's rows as columns: each component's amount (spec section 7)
for everyone and every payout period, and the text closing each row (its plans and
payout, as ``DocumentWriter.period_end`` writes it).

Written here: commissions with a constant rate or tiers (marginal or whole, by amount
or by attainment) and level bonuses with constant amounts, with a gate on the
component's own measure and a constant cap and floor, in any scope, for people the
plan covers for the whole period. Everything else (scorecards, spiffs, expressions,
multipliers, partly covered periods) is left to Python, and so is every row where
Python would warn (a gate or tiers by attainment without a target), so warnings keep
their order. A row's plans are written all here or all in Python.

Every condition is exact or null: a number out of range makes its comparison null, and
a null condition makes the amount null (:func:`_if`), which leaves the row to Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl

from ..expressions import Const, Expression
from ..model import Component
from ..output import closing, opening, separator
from ..plans import SCOPES
from .integers import AT, COMPARED, WHO, half_up, lit, money_text

if TYPE_CHECKING:
    from .rows import PeopleColumns

BOUND = 10**16  # the factors of a product stay below this, so the product below 10³²
LEVEL = 3  # a person's period object in the document; its plans are two levels deeper


def _if(condition: pl.Expr, then: pl.Expr, otherwise: pl.Expr) -> pl.Expr:
    """``then`` where `condition` holds, ``otherwise`` where it does not, null where it
    is null (unlike ``pl.when``, which takes null for false)."""
    return pl.when(condition.is_null()).then(None).when(condition).then(then).otherwise(otherwise)


@dataclass(frozen=True)
class Num:
    """An exact number column: ``expr / 10^scale`` (null: out of range)."""

    expr: pl.Expr
    scale: int

    @staticmethod
    def of(value: Decimal) -> Num:
        """A constant, exactly (any number of digits)."""
        sign, digits, exponent = value.as_tuple()
        assert isinstance(exponent, int)
        number = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
        if exponent >= 0:
            return Num(lit(number * 10**exponent), 0)
        return Num(lit(number), -exponent)

    def at(self, scale: int) -> pl.Expr:
        """The value at a scale at least its own (null where that leaves the range)."""
        shift = scale - self.scale
        if shift == 0:
            return self.expr
        return pl.when(self.expr.abs() < lit(COMPARED // 10**shift)).then(
            self.expr * lit(10**shift)
        )

    def __mul__(self, other: Num) -> Num:
        fits = (self.expr.abs() < lit(BOUND)) & (other.expr.abs() < lit(BOUND))
        return Num(pl.when(fits).then(self.expr * other.expr), self.scale + other.scale)

    def __sub__(self, other: Num) -> Num:
        scale = max(self.scale, other.scale)
        return Num(self.at(scale) - other.at(scale), scale)

    def plus(self, other: Num) -> Num:
        scale = max(self.scale, other.scale)
        return Num(self.at(scale) + other.at(scale), scale)

    def pair(self, other: Num) -> tuple[pl.Expr, pl.Expr, int]:
        scale = max(self.scale, other.scale)
        return self.at(scale), other.at(scale), scale

    def choose(self, condition: pl.Expr, other: Num) -> Num:
        """Other where `condition` holds, else this; null where it is null."""
        mine, theirs, scale = self.pair(other)
        return Num(_if(condition, theirs, mine), scale)


def _ge(a: Num, b: Num) -> pl.Expr:
    x, y, _scale = a.pair(b)
    return x >= y


def _lt(a: Num, b: Num) -> pl.Expr:
    x, y, _scale = a.pair(b)
    return x < y


def constant(expression: Expression | None) -> Decimal | None:
    """The number an expression always gives, or None when it is not a constant one."""
    if expression is None or not isinstance(expression.node, Const):
        return None
    value = expression.node.value
    return value if isinstance(value, Decimal) and not isinstance(value, bool) else None


def supported(component: Component, sums: set[str]) -> bool:
    """Whether the columns compute this component (else its plan is left to Python)."""
    if component.measure not in sums or component.multiplier is not None:
        return False
    if component.gate is not None and component.gate.measure != component.measure:
        return False
    for limit in (component.cap, component.floor):
        if limit is not None and constant(limit) is None:
            return False
    if component.kind == "commission":
        if component.rate is not None:
            rate = constant(component.rate)
            return rate is not None and 0 <= rate <= 1
        return component.tiers is not None
    if component.kind == "bonus":
        return (
            component.when is None
            and component.amount is None
            and bool(component.levels)
            and all(constant(level.amount) is not None for level in component.levels)
        )
    return False


class PlanColumns:
    """The plans closing each person's row (see the module's docstring)."""

    def __init__(self, rows: PeopleColumns, grid: pl.DataFrame) -> None:
        self.rows = rows
        self.grid = grid
        self.calc = rows.calc
        self.writer = rows.writer
        self.places = rows.places

    def with_ends(self) -> pl.DataFrame:
        """The grid with ``__end``: each row's text after its head (null: Python's)."""
        scenario = self.calc.scenario
        sums = {n for n, m in scenario.measures.items() if m.agg in ("sum", "count")}
        grid = self.grid
        items: list[pl.Expr] = []  # each plan's item (null: it does not cover the row)
        payouts: list[pl.Expr] = []
        python = pl.lit(False)  # rows left to Python
        for p, plan in enumerate(scenario.plans):
            state = f"__plan{p}"
            grid = grid.join(
                self._coverage(p), on=[WHO, AT], how="left", maintain_order="left"
            ).with_columns(pl.col(state).fill_null(0))
            covered = pl.col(state) == 1
            if not plan.components or not all(supported(c, sums) for c in plan.components):
                python = python | (pl.col(state) > 0)
                continue
            python = python | (pl.col(state) == 2)
            amounts: list[pl.Expr] = []
            labels: list[pl.Expr] = []
            for c, component in enumerate(plan.components):
                grid, amount, label = self._component(grid, component)
                columns = [amount.alias(f"__pay{p}_{c}")]
                if label is not None:
                    columns.append(label.alias(f"__level{p}_{c}"))
                    labels.append(pl.col(f"__level{p}_{c}"))
                grid = grid.with_columns(columns)
                amounts.append(pl.col(f"__pay{p}_{c}"))
            python = python | (covered & pl.any_horizontal([a.is_null() for a in amounts]))
            total = pl.sum_horizontal(amounts)
            shape = [(c.id, c.kind, c.kind == "bonus") for c in plan.components]
            pieces = self.writer.plan_pieces(plan.id, shape, LEVEL + 2)
            values = [money_text(a, self.places) for a in amounts] + labels
            values.append(money_text(total, self.places))
            joined: list[pl.Expr] = [pl.lit(pieces[0])]
            for value, piece in zip(values, pieces[1:], strict=True):
                joined += [value, pl.lit(piece)]
            items.append(pl.when(covered).then(pl.concat_str(joined)))
            payouts.append(pl.when(covered).then(total).otherwise(lit(0)))
        end: pl.Expr = pl.lit(self.writer.period_end({}, LEVEL))  # no plan covers the row
        if items:
            level = LEVEL + 1
            text = pl.concat_str(
                pl.lit(separator(LEVEL) + '"plans": ' + opening(level)),
                pl.concat_str(items, separator=separator(level), ignore_nulls=True),
                pl.lit(closing(level) + separator(LEVEL) + '"payout": "'),
                money_text(pl.sum_horizontal(payouts), self.places),
                pl.lit('"' + closing(LEVEL)),
            )
            end = (
                pl.when(pl.any_horizontal([i.is_not_null() for i in items]))
                .then(text)
                .otherwise(end)
            )
        no_plans = self.writer.period_end({}, LEVEL)
        kinds = {plan.period_kind for plan in scenario.plans}
        paid = [at for at, period in enumerate(self.rows.periods) if period.kind in kinds]
        # the text of the payout periods' rows only; the others end without plans
        mask = pl.col(AT).is_in(paid)
        written = grid.filter(mask).select(pl.when(python).then(None).otherwise(end)).to_series()
        ends = pl.Series("__end", [no_plans], dtype=pl.String).extend_constant(
            no_plans, grid.height - 1
        )
        ends = ends.scatter(grid.select(pl.arg_where(mask)).to_series(), written)
        return grid.with_columns(ends)

    def _coverage(self, p: int) -> pl.DataFrame:
        """Plan p's rows: 1 it covers the person for the whole period, 2 for part of it
        (left to Python); periods of its kind only, and rows it does not cover absent.

        A plan's covered days are merged intervals (``covered_intervals``), so it covers
        a period whole exactly when one interval spans it, and partly when one overlaps.
        """
        calc = self.calc
        plan = calc.scenario.plans[p]
        who: list[int] = []
        starts: list[dt.date] = []
        ends: list[dt.date] = []
        for k, person in enumerate(self.rows.people):
            for start, end in calc.coverage(plan, person):
                who.append(k)
                starts.append(start)
                ends.append(end)
        intervals = pl.DataFrame(
            {WHO: who, "__from": starts, "__to": ends},
            schema={WHO: pl.UInt32, "__from": pl.Date, "__to": pl.Date},
        )
        kind = [(at, q) for at, q in enumerate(self.rows.periods) if q.kind == plan.period_kind]
        periods = pl.DataFrame(
            {
                AT: [at for at, _q in kind],
                "__start": [q.start for _at, q in kind],
                "__end": [q.end for _at, q in kind],
            },
            schema={AT: pl.UInt32, "__start": pl.Date, "__end": pl.Date},
        )
        whole = (pl.col("__from") <= pl.col("__start")) & (pl.col("__to") >= pl.col("__end"))
        return (
            intervals.lazy()
            .join(periods.lazy(), how="cross")
            .filter((pl.col("__from") <= pl.col("__end")) & (pl.col("__to") >= pl.col("__start")))
            .group_by(WHO, AT)
            .agg(pl.when(whole.any()).then(1).otherwise(2).cast(pl.Int8).alias(f"__plan{p}"))
            .collect()
        )

    def _component(
        self, grid: pl.DataFrame, c: Component
    ) -> tuple[pl.DataFrame, pl.Expr, pl.Expr | None]:
        """The grid (with any column the component needs), the component's rounded
        amount (an integer at the currency's places; null: left to Python) and, for
        levels, the text of the level reached."""
        assert c.measure is not None
        scope = SCOPES[c.scope]
        resolved = self.calc.measures.default_scope(c.measure) if scope == "default" else scope
        grid, column, scale = self.rows.actual_column(grid, c.measure, resolved)
        i, _scale, target_scale = self.rows.scales[c.measure]
        actual = Num(pl.col(column), scale)
        target = Num(pl.col(f"__t{i}"), target_scale)
        has = pl.col(f"__s{i}") == 1  # a target above 0: there is an attainment
        label: pl.Expr | None = None
        warns = pl.lit(False)
        if c.kind == "commission" and c.rate is not None:
            amount = actual * Num.of(constant(c.rate) or Decimal(0))
        elif c.kind == "commission":
            amount, warns = self._tiers(c, actual, target, has)
        else:
            amount, label = self._levels(c, actual, target, has)
        if c.gate is not None:  # closed below the attainment; no attainment: Python warns
            warns = warns | ~has
            closed = _lt(actual, target * Num.of(c.gate.min_attainment))
            amount = amount.choose(closed, Num(lit(0), 0))
        if c.cap is not None:
            cap = Num.of(constant(c.cap) or Decimal(0))
            amount = amount.choose(_lt(cap, amount), cap)
        if c.floor is not None:
            floor = Num.of(constant(c.floor) or Decimal(0))
            amount = amount.choose(_lt(amount, floor), floor)
        rounded = half_up(amount.expr, amount.scale, self.places)
        return grid, pl.when(~warns).then(rounded), label

    def _tiers(self, c: Component, actual: Num, target: Num, has: pl.Expr) -> tuple[Num, pl.Expr]:
        """A tiered commission's amount, and where Python would warn (tiers by
        attainment without a target)."""
        tiers = c.tiers
        assert tiers is not None
        by_attainment = tiers.basis == "attainment"
        unit = target if by_attainment else Num(lit(1), 0)  # tier bounds are start × unit
        table = tiers.table
        if tiers.mode == "marginal":
            amount: Num | None = None
            for k, tier in enumerate(table):
                lower = Num.of(tier.start) * unit
                top = actual
                if k + 1 < len(table):
                    upper = Num.of(table[k + 1].start) * unit
                    top = actual.choose(_lt(upper, actual), upper)
                part = top - lower
                part = part.choose(_lt(part, Num(lit(0), 0)), Num(lit(0), 0))
                paid = part * Num.of(tier.rate)
                amount = paid if amount is None else amount.plus(paid)
            assert amount is not None
        else:  # whole: the rate of the last tier reached, the first one's if none is
            rate = Num.of(table[0].rate)
            for tier in table[1:]:
                rate = rate.choose(_ge(actual, Num.of(tier.start) * unit), Num.of(tier.rate))
            amount = actual * rate
        clawback = actual * Num.of(table[0].rate)  # at or below 0: the base rate
        amount = amount.choose(actual.expr <= 0, clawback)
        return amount, ~has if by_attainment else pl.lit(False)

    def _levels(self, c: Component, actual: Num, target: Num, has: pl.Expr) -> tuple[Num, pl.Expr]:
        """A level bonus's amount and the text of the level reached: the last level
        whose attainment is reached, in the order given; none without a target."""
        amount = Num(lit(0), 0)
        label: pl.Expr = pl.lit("null")
        for level in c.levels:
            reached = has & _ge(actual, target * Num.of(level.min_attainment))
            amount = amount.choose(reached, Num.of(constant(level.amount) or Decimal(0)))
            label = _if(reached, pl.lit(self.writer.label(level.label)), label)
        return amount, label
