"""The plans of the people's rows as columns: each component's amount (spec section 7)
for everyone and every payout period, and the text closing each row (its plans and
payout, as ``DocumentWriter.period_end`` writes it).

Written here: commissions with a constant rate or tiers (marginal or whole, by amount
or by attainment); bonuses with levels of constant amounts or with a constant amount,
with or without a ``when`` (:class:`~.formulas.Condition`); scorecards paying nothing,
a constant, or the score times a constant (:func:`~.formulas.score_bounds`); spiffs;
each with a gate on the component's own measure, a multiplier that is a constant or a
choice of constants (``IF(attainment < 1, 0.8, 1)``, conditions as a ``when``'s) and a
constant cap and floor, in any scope, for people the plan covers for the whole period.
Everything else (other multipliers, formulas and conditions, partly covered periods) is
left to Python, and so is
every row where Python would warn (a gate or tiers by attainment without a target, a
metric without a target), so warnings keep their order. A row's plans are written all
here or all in Python.

Every condition is exact or null: a number out of range makes its comparison null,
and a null condition makes the amount null (:func:`~.integers.known_if`), which
leaves the row to Python.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl

from ..expressions import Binary, Call, Const, Expression, IfElse, Name, Node, Unary
from ..model import Component, Plan
from ..output import closing, opening, separator
from ..plans import SCOPES, spiff_measure_name
from .formulas import Bounds, Condition, score_bounds
from .integers import (
    AT,
    WHO,
    Num,
    Unsupported,
    constant,
    ge,
    half_up,
    known_if,
    lit,
    lt,
    money_text,
)

LEVEL = 3  # a person's period object in the document; its plans are two levels deeper

if TYPE_CHECKING:
    from .rows import PeopleColumns


def supported(component: Component, sums: set[str]) -> bool:
    """Whether the columns may compute this component (else its plan is left to
    Python); a condition or a score they cannot compute says so later
    (:class:`~.integers.Unsupported`)."""
    if component.multiplier is not None and (
        component.kind not in ("commission", "bonus")
        or not _choice_of_constants(component.multiplier.node)
    ):
        return False
    if component.gate is not None and component.gate.measure != component.measure:
        return False
    for limit in (component.cap, component.floor):
        if limit is not None and constant(limit) is None:
            return False
    if component.kind in ("scorecard", "spiff"):
        return component.gate is None and (
            component.kind == "spiff"
            or component.payout is None
            or constant(component.payout) is not None
            or _factor(component.payout) is not None
        )
    if component.measure is None:  # a bonus of a constant amount, by its `when`
        return component.kind == "bonus" and _constant_amount(component)
    if component.measure not in sums:
        return False
    if component.kind == "commission":
        if component.rate is not None:
            rate = constant(component.rate)
            return rate is not None and 0 <= rate <= 1
        return component.tiers is not None
    if component.amount is not None:  # a bonus of a constant amount, by its `when`
        return _constant_amount(component)
    return bool(component.levels) and all(
        constant(level.amount) is not None for level in component.levels
    )


def _kept(grid: pl.DataFrame, amount: Num, name: str) -> tuple[pl.DataFrame, Num]:
    """The grid with the amount as column `name`, and the amount as that column."""
    return grid.with_columns(amount.expr.alias(name)), Num(pl.col(name), amount.scale)


def _constant_amount(component: Component) -> bool:
    return (
        component.amount is not None
        and not component.levels
        and constant(component.amount) is not None
    )


def _has_levels(component: Component) -> bool:
    """Whether the writer gives the component a level (a bonus with levels does)."""
    return component.kind == "bonus" and bool(component.levels)


def _factor(payout: Expression) -> Decimal | None:
    """k of a payout ``score * k`` or ``k * score``; None for any other formula."""
    node = payout.node
    if not isinstance(node, Binary) or node.op != "*":
        return None
    for score, factor in ((node.left, node.right), (node.right, node.left)):
        if (
            isinstance(score, Name)
            and score.name == "score"
            and isinstance(factor, Const)
            and isinstance(factor.value, Decimal)
            and not isinstance(factor.value, bool)
        ):
            return factor.value
    return None


def _constant_node(node: Node) -> Decimal | None:
    """The number a constant (or a negated constant) node gives, else None."""
    if isinstance(node, Unary) and node.op in ("-", "+"):
        value = _constant_node(node.operand)
        return None if value is None else (-value if node.op == "-" else value)
    if isinstance(node, Const) and isinstance(node.value, Decimal):
        return node.value
    return None


def _choice_of_constants(node: Node) -> bool:
    """Whether a multiplier is a constant or IF(…) of constants (whose conditions are
    compiled later): the kinds the columns write."""
    if _constant_node(node) is not None:
        return True
    if isinstance(node, Call) and node.function == "IF" and len(node.args) == 3:
        return _choice_of_constants(node.args[1]) and _choice_of_constants(node.args[2])
    if isinstance(node, IfElse):
        return _choice_of_constants(node.then) and _choice_of_constants(node.otherwise)
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
        kinds = {plan.period_kind for plan in scenario.plans}
        paid = [at for at, period in enumerate(self.rows.periods) if period.kind in kinds]
        # the rows of the payout periods only (the others end without plans)
        mask = pl.col(AT).is_in(paid)
        grid = self.grid.filter(mask)
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
            try:
                grid, amounts, texts = self._plan(grid, p, plan)
            except (Unsupported, ArithmeticError):  # a component the columns do not compute
                python = python | (pl.col(state) > 0)
                continue
            missing = pl.any_horizontal([value.is_null() for value in amounts + texts])
            python = python | (covered & missing)
            total = pl.sum_horizontal(amounts)
            shape = [(c.id, c.kind, _has_levels(c)) for c in plan.components]
            pieces = self.writer.plan_pieces(plan.id, shape, LEVEL + 2)
            values = [money_text(a, self.places) for a in amounts] + texts
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
        written = grid.select(pl.when(python).then(None).otherwise(end)).to_series()
        full = self.grid
        ends = pl.Series("__end", [no_plans], dtype=pl.String).extend_constant(
            no_plans, full.height - 1
        )
        where = full.select(pl.arg_where(mask)).to_series()
        ends = ends.scatter(where, written)
        scores = []  # each scorecard's bounds, on the rows of its payout periods
        for column in self.rows.score_columns:
            if column not in grid.columns:  # its plan was left to Python
                continue
            empty = pl.Series(column, [None], dtype=grid.schema[column])
            scores.append(empty.extend_constant(None, full.height - 1).scatter(where, grid[column]))
        return full.with_columns(ends, *scores)

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

    def _plan(
        self, grid: pl.DataFrame, p: int, plan: Plan
    ) -> tuple[pl.DataFrame, list[pl.Expr], list[pl.Expr]]:
        """The grid with plan p's components' columns; their amounts' columns, and the
        texts after the amounts (the levels reached, then the scores), as the writer
        orders them. Raises :class:`~.integers.Unsupported` for a component the columns
        do not compute."""
        amounts: list[pl.Expr] = []
        labels: list[pl.Expr] = []
        scores: list[pl.Expr] = []
        for c, component in enumerate(plan.components):
            grid, amount, label, score = self._component(grid, plan, component)
            columns = [amount.alias(f"__pay{p}_{c}")]
            if label is not None:
                columns.append(label.alias(f"__level{p}_{c}"))
                labels.append(pl.col(f"__level{p}_{c}"))
            if score is not None:
                columns.append(score.alias(f"__score{p}_{c}"))
                scores.append(pl.col(f"__score{p}_{c}"))
            grid = grid.with_columns(columns)
            amounts.append(pl.col(f"__pay{p}_{c}"))
        return grid, amounts, labels + scores

    def _component(
        self, grid: pl.DataFrame, plan: Plan, c: Component
    ) -> tuple[pl.DataFrame, pl.Expr, pl.Expr | None, pl.Expr | None]:
        """The grid (with any column the component needs), the component's rounded
        amount (an integer at the currency's places; null: left to Python), for a bonus
        with levels the text of the level reached, and for a scorecard its score's."""
        if c.kind == "scorecard":
            return self._scorecard(grid, plan, c)
        if c.kind == "spiff":  # the sum of its records' amounts
            grid, column, scale = self.rows.extra_column(grid, spiff_measure_name(plan, c))
            amount = self._limits(c, Num(pl.col(column), scale))
            return grid, half_up(amount.expr, amount.scale, self.places), None, None
        name = f"__amount:{plan.id}:{c.id}"
        condition: pl.Expr | None = None
        if c.when is not None:
            found = Condition(self.rows, grid, c)
            condition = found.compile(c.when.node)
            grid = found.grid
        label: pl.Expr | None = None
        warns = pl.lit(False)
        if c.measure is None:  # a bonus of a constant amount
            amount = Num.of(constant(c.amount) or Decimal(0))
        else:
            scope = SCOPES[c.scope]
            engine = self.calc.measures
            resolved = engine.default_scope(c.measure) if scope == "default" else scope
            grid, column, scale = self.rows.actual_column(grid, c.measure, resolved)
            i, _scale, target_scale = self.rows.scales[c.measure]
            actual = Num(pl.col(column), scale)
            target = Num(pl.col(f"__t{i}"), target_scale)
            has = pl.col(f"__s{i}") == 1  # a target above 0: there is an attainment
            if c.kind == "commission" and c.rate is not None:
                amount = actual * Num.of(constant(c.rate) or Decimal(0))
            elif c.kind == "commission":
                amount, warns = self._tiers(c, actual, target, has)
            elif c.amount is not None:
                amount = Num.of(constant(c.amount) or Decimal(0))
            else:
                amount, label = self._levels(c, actual, target, has)
            # each step below names the amount more than once: a column, not the
            # expression over and over
            grid, amount = _kept(grid, amount, f"{name}:base")
            if c.gate is not None:  # closed below the attainment; no attainment: Python warns
                warns = warns | ~has
                closed = lt(actual, target * Num.of(c.gate.min_attainment))
                amount = amount.choose(closed, Num(lit(0), 0))
        if c.multiplier is not None:  # after the gate, before the cap and floor
            grid, factor = self._factor(grid, c)
            amount = amount * factor
        if condition is not None:  # pays nothing (and reaches no level) where it is false
            grid = grid.with_columns(condition.alias(f"{name}:when"))
            condition = pl.col(f"{name}:when")
            amount = Num(lit(0), 0).choose(condition, amount)
            if label is not None:
                label = known_if(condition, label, pl.lit("null"))
        grid, amount = _kept(grid, self._limits(c, amount), f"{name}:limited")
        rounded = half_up(amount.expr, amount.scale, self.places)
        return grid, pl.when(~warns).then(rounded), label, None

    def _factor(self, grid: pl.DataFrame, c: Component) -> tuple[pl.DataFrame, Num]:
        """The grid and the component's multiplier: a constant, or ``IF(condition, x,
        y)`` (or ``x if condition else y``) of such, each condition compiled as a
        ``when`` is (a null one leaves the row to Python)."""
        assert c.multiplier is not None
        found = Condition(self.rows, grid, c)

        def factor(node: Node) -> Num:
            value = _constant_node(node)
            if value is not None:
                return Num.of(value)
            if isinstance(node, Call) and node.function == "IF" and len(node.args) == 3:
                condition, then, otherwise = node.args
            elif isinstance(node, IfElse):
                condition, then, otherwise = node.condition, node.then, node.otherwise
            else:
                raise Unsupported(f"multiplier {type(node).__name__}")
            return factor(otherwise).choose(found.compile(condition), factor(then))

        chosen = factor(c.multiplier.node)
        return found.grid, chosen

    def _limits(self, c: Component, amount: Num) -> Num:
        """The amount within the component's constant cap and floor."""
        if c.cap is not None:
            cap = Num.of(constant(c.cap) or Decimal(0))
            amount = amount.choose(lt(cap, amount), cap)
        if c.floor is not None:
            floor = Num.of(constant(c.floor) or Decimal(0))
            amount = amount.choose(lt(amount, floor), floor)
        return amount

    def _scorecard(
        self, grid: pl.DataFrame, plan: Plan, c: Component
    ) -> tuple[pl.DataFrame, pl.Expr, None, pl.Expr]:
        """A scorecard's rounded amount and its score's text (see :mod:`.formulas`)."""
        name = f"__score:{plan.id}:{c.id}"
        grid, score = score_bounds(self.rows, grid, c, name)
        self.rows.score_columns += [f"{name}:score_lo", f"{name}:score_hi"]
        grid, text = score.ratio_text(grid, name)
        if c.payout is None:
            amount = Num(lit(0), 0)
        else:
            fixed = constant(c.payout)
            if fixed is not None:
                amount = Num.of(fixed)
            else:
                factor = _factor(c.payout)
                if factor is None:
                    raise Unsupported(f"payout {c.payout.source}")
                paid = score.times(factor)
                grid = grid.with_columns(
                    paid.lo.alias(f"{name}:paid_lo"), paid.hi.alias(f"{name}:paid_hi")
                )
                paid = Bounds(pl.col(f"{name}:paid_lo"), pl.col(f"{name}:paid_hi"), paid.scale)
                cap = None if c.cap is None else constant(c.cap)
                floor = None if c.floor is None else constant(c.floor)
                return grid, paid.limited(cap, floor).rounded(self.places), None, text
        amount = self._limits(c, amount)
        rounded = half_up(amount.expr, amount.scale, self.places)
        return grid, pl.when(score.lo.is_not_null()).then(rounded), None, text

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
                    top = actual.choose(lt(upper, actual), upper)
                part = top - lower
                part = part.choose(lt(part, Num(lit(0), 0)), Num(lit(0), 0))
                paid = part * Num.of(tier.rate)
                amount = paid if amount is None else amount.plus(paid)
            assert amount is not None
        else:  # whole: the rate of the last tier reached, the first one's if none is
            rate = Num.of(table[0].rate)
            for tier in table[1:]:
                rate = rate.choose(ge(actual, Num.of(tier.start) * unit), Num.of(tier.rate))
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
            reached = has & ge(actual, target * Num.of(level.min_attainment))
            amount = amount.choose(reached, Num.of(constant(level.amount) or Decimal(0)))
            label = known_if(reached, pl.lit(self.writer.label(level.label)), label)
        return amount, label
