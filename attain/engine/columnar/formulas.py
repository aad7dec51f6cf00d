"""A bonus's ``when`` and a scorecard's score as columns (spec sections 6 and 7.3).

**Conditions.** A ``when`` made of comparisons of measures' actuals and targets (with
``+``, ``-``, ``*`` and constants), of attainments with constants, joined by ``and``,
``or`` and ``not``, is computed exactly: products and sums of integers, and an
attainment compared as its actual against the constant times the target (the
argument of :mod:`attain.engine.columnar`: the engine's 40-digit quotient orders
the same). As in the engine, a comparison with no value (a target not given, an
attainment without a target) is false. A comparison out of range is null, and
Polars' three-valued ``and`` and ``or`` keep it null only where it decides the
result: such rows are left to Python. Anything else (division, functions other than
``actual``, ``target`` and ``attainment``, text) is not compiled
(:class:`~.integers.Unsupported`): the plan is Python's.

**Scores.** The engine rounds each metric's ratio, their weighted sum and the score to
40 digits. Here each ratio is one integer division at :data:`DECIMALS` places,
exact or known to lie between two integers; the score, and the payout from it, are
carried as such bounds (:class:`Bounds`), widened by a unit wherever the engine
rounds. A text or an amount is written where both bounds give the same one, which is
the engine's as well; elsewhere (a value within 10⁻¹⁸ of a rounding boundary) the row
is Python's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import polars as pl

from ..expressions import Binary, BoolOp, Call, Compare, Const, Name, Node, Unary
from ..model import Component, Metric
from ..plans import SCOPES
from .integers import LIMIT, SMALLEST, Num, Unsupported, fixed, half_up, lit

if TYPE_CHECKING:
    from .rows import PeopleColumns

DECIMALS = 18  # a score's bounds are integers at this scale
RATIO = 10 ** (DECIMALS + 11)  # ratios and scores at or beyond 10¹¹ are Python's
WEIGHT = 10**6  # a weight's integer (at the weights' scale) is below this
METRICS = 50  # at most this many metrics: the weighted sum stays below LIMIT
FACTOR = 10**8  # a payout's factor has fewer digits: the engine's product stays exact


# -- conditions -----------------------------------------------------------------------
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


def _compared(op: str, x: pl.Expr, y: pl.Expr) -> pl.Expr:
    if op == "==":
        return x == y
    if op == "!=":
        return x != y
    if op == "<":
        return x < y
    if op == "<=":
        return x <= y
    if op == ">":
        return x > y
    return x >= y


_FLIPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass(frozen=True)
class _Value:
    """A number in a condition, and where it has one (None: everywhere)."""

    num: Num
    present: pl.Expr | None = None

    def joined(self, other: _Value, num: Num) -> _Value:
        if self.present is None:
            return _Value(num, other.present)
        if other.present is None:
            return _Value(num, self.present)
        return _Value(num, self.present & other.present)


class Condition:
    """A component's ``when`` as a Boolean column (see the module's docstring)."""

    def __init__(self, rows: PeopleColumns, grid: pl.DataFrame, component: Component) -> None:
        self.rows = rows
        self.grid = grid  # with any column the condition needs, once compiled
        self.component = component

    def compile(self, node: Node) -> pl.Expr:
        if isinstance(node, BoolOp):
            parts = [self.compile(value) for value in node.values]
            result = parts[0]
            for part in parts[1:]:
                result = result & part if node.op == "and" else result | part
            return result
        if isinstance(node, Unary) and node.op == "not":
            return ~self.compile(node.operand)
        if isinstance(node, Const) and isinstance(node.value, bool):
            return pl.lit(node.value)
        if isinstance(node, Compare) and node.op in _COMPARISONS:
            return self._compare(node.op, node.left, node.right)
        raise Unsupported(f"condition {type(node).__name__}")

    def _compare(self, op: str, left: Node, right: Node) -> pl.Expr:
        if self._attainment(right) is not None:
            return self._compare(_FLIPPED[op], right, left)
        measure = self._attainment(left)
        if measure is not None:  # attainment op c: actual op c × target, target above 0
            bound = self._constant(right)
            i, _scale, target_scale = self._index(measure)
            actual = self._actual(measure, self._scope(left))
            target = Num(pl.col(f"__t{i}"), target_scale)
            x, y, _scale = actual.pair(target * Num.of(bound))
            has = pl.col(f"__s{i}") == 1
            return pl.when(has).then(_compared(op, x, y)).otherwise(pl.lit(False))
        a, b = self._number(left), self._number(right)
        x, y, _scale = a.num.pair(b.num)
        value = _compared(op, x, y)
        present = a.joined(b, a.num).present
        if present is None:
            return value
        return pl.when(present).then(value).otherwise(pl.lit(False))

    def _number(self, node: Node) -> _Value:
        if isinstance(node, Const) and isinstance(node.value, Decimal):
            return _Value(Num.of(node.value))
        if isinstance(node, Unary) and node.op in ("-", "+"):
            value = self._number(node.operand)
            if node.op == "+":
                return value
            return _Value(Num(lit(0), 0) - value.num, value.present)
        if isinstance(node, Binary) and node.op in ("+", "-", "*"):
            a, b = self._number(node.left), self._number(node.right)
            if node.op == "+":
                num = a.num.plus(b.num)
            elif node.op == "-":
                num = a.num - b.num
            else:
                num = a.num * b.num
            return a.joined(b, num)
        measure, kind = self._reference(node)
        if kind == "ACTUAL":
            return _Value(self._actual(measure, self._scope(node)))
        if kind == "TARGET":
            i, _scale, target_scale = self._index(measure)
            target = Num(pl.col(f"__t{i}"), target_scale)
            return _Value(target, pl.col(f"__s{i}").is_in([1, 3]))
        raise Unsupported("an attainment in arithmetic")

    def _reference(self, node: Node) -> tuple[str, str]:
        """(measure, ACTUAL / TARGET / ATTAINMENT) of ``actual('m')`` and the like, or of
        the names ``actual``, ``target``, ``attainment`` (the component's own measure)."""
        if isinstance(node, Call) and node.function in ("ACTUAL", "TARGET", "ATTAINMENT"):
            arg = node.args[0]
            if isinstance(arg, Const) and isinstance(arg.value, str):
                return arg.value, node.function
        own = self.component.measure
        if isinstance(node, Name) and node.name in ("actual", "target", "attainment") and own:
            return own, node.name.upper()
        raise Unsupported(f"condition value {type(node).__name__}")

    def _attainment(self, node: Node) -> str | None:
        try:
            measure, kind = self._reference(node)
        except Unsupported:
            return None
        return measure if kind == "ATTAINMENT" else None

    def _scope(self, node: Node) -> str:
        """A name means the component's own measure in its scope; a call, the default."""
        if isinstance(node, Name):
            return SCOPES[self.component.scope]
        return "default"

    def _constant(self, node: Node) -> Decimal:
        if isinstance(node, Const) and isinstance(node.value, Decimal):
            return node.value
        if (
            isinstance(node, Unary)
            and node.op == "-"
            and isinstance(node.operand, Const)
            and isinstance(node.operand.value, Decimal)
        ):
            return -node.operand.value
        raise Unsupported("an attainment compared with what is not a constant")

    def _index(self, measure: str) -> tuple[int, int, int]:
        """(i, scale, target's scale) of a measure in the grid."""
        found = self.rows.scales.get(measure)
        if found is None:
            raise Unsupported(f"condition on {measure}")
        if self.rows.calc.scenario.measures[measure].agg not in ("sum", "count", "distinct"):
            raise Unsupported(f"condition on {measure}, neither a sum nor a count")
        return found

    def _actual(self, measure: str, scope: str) -> Num:
        self._index(measure)
        engine = self.rows.calc.measures
        resolved = engine.default_scope(measure) if scope == "default" else scope
        self.grid, column, scale = self.rows.actual_column(self.grid, measure, resolved)
        return Num(pl.col(column), scale)


# -- scores ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Bounds:
    """A number known to lie in ``[lo, hi] / 10^scale`` (integers; equal: exact)."""

    lo: pl.Expr
    hi: pl.Expr
    scale: int

    def times(self, value: Decimal) -> Bounds:
        """The bounds times a constant (the engine's product: one more unit each side)."""
        factor = Num.of(value)
        k = factor.expr
        whole = abs(_integer(value, factor.scale))
        if whole >= FACTOR:
            raise Unsupported(f"a factor of {value}")
        limit = lit(LIMIT // max(whole, 1))
        lo, hi = (self.lo, self.hi) if value >= 0 else (self.hi, self.lo)
        fits = (lo.abs() < limit) & (hi.abs() < limit)
        exact = lo == hi
        lo = pl.when(fits).then(lo * k - pl.when(exact).then(lit(0)).otherwise(lit(1)))
        hi = pl.when(fits).then(hi * k + pl.when(exact).then(lit(0)).otherwise(lit(1)))
        return Bounds(lo, hi, self.scale + factor.scale)

    def clamped(self, low: Decimal | None, high: Decimal | None) -> Bounds:
        """Each bound raised to `low`, then lowered to `high` (either may be None), as
        the engine clamps a metric's ratio."""
        lo, hi = self.lo, self.hi
        if low is not None:
            value = _scaled(low, self.scale)
            lo = pl.when(lo < value).then(value).otherwise(lo)
            hi = pl.when(hi < value).then(value).otherwise(hi)
        if high is not None:
            value = _scaled(high, self.scale)
            lo = pl.when(lo > value).then(value).otherwise(lo)
            hi = pl.when(hi > value).then(value).otherwise(hi)
        return Bounds(lo, hi, self.scale)

    def limited(self, cap: Decimal | None, floor: Decimal | None) -> Bounds:
        """Each bound lowered to `cap`, then raised to `floor`, as the engine applies a
        component's cap and floor."""
        capped = self.clamped(None, cap)
        return capped.clamped(floor, None)

    def rounded(self, places: int) -> pl.Expr:
        """The value rounded half-up to `places`, as an integer at that scale; null where
        the bounds round apart."""
        lo = half_up(self.lo, self.scale, places)
        hi = half_up(self.hi, self.scale, places)
        return pl.when(lo == hi).then(lo)

    def ratio_text(self, grid: pl.DataFrame, name: str) -> tuple[pl.DataFrame, pl.Expr]:
        """:func:`attain.engine.numbers.ratio_text` of the value (null where the bounds
        give different texts, or the value is below 10⁻¹²): the grid with the columns
        it needs (named after `name`), and the text. The rounded value grows with the
        value, also where the decimals written change (at 0.1, 0.01, …), so every value
        between two bounds of the same text has that text."""
        ends = (("lo", self.lo), ("hi", self.hi))
        grid = grid.with_columns(
            _places(bound, self.scale).alias(f"{name}:places_{end}") for end, bound in ends
        )
        grid = grid.with_columns(
            _drop_half_up(bound, self.scale, pl.col(f"{name}:places_{end}")).alias(
                f"{name}:rounded_{end}"
            )
            for end, bound in ends
        )
        grid = grid.with_columns(
            fixed(pl.col(f"{name}:rounded_{end}"), pl.col(f"{name}:places_{end}")).alias(
                f"{name}:text_{end}"
            )
            for end, _bound in ends
        )
        lo, hi = pl.col(f"{name}:text_lo"), pl.col(f"{name}:text_hi")
        zero = (self.lo == 0) & (self.hi == 0)
        return grid, pl.when(zero).then(pl.lit("0")).when(lo == hi).then(lo)


def _integer(value: Decimal, scale: int) -> int:
    """``value × 10^scale``, which must be a whole number ("1.5" at 1: 15; "7E+1" at
    0: 70)."""
    found = Fraction(value) * 10**scale
    if found.denominator != 1:
        raise Unsupported(f"{value} at {scale} decimals")
    whole: int = found.numerator
    return whole


def _scaled(value: Decimal, scale: int) -> pl.Expr:
    """A constant as an integer at `scale` (it must have no more decimals)."""
    whole = _integer(value, scale)
    if abs(whole) >= 10 ** (scale + 18):
        raise Unsupported(f"{value} at {scale} decimals")
    return lit(whole)


def _places(scaled: pl.Expr, scale: int) -> pl.Expr:
    """The decimals ``ratio_text`` writes: six, and one more for each leading zero after
    the point below 0.1 (null below 10⁻¹², like :func:`~.integers.quotient`)."""
    magnitude = scaled.abs()
    chain: Any = pl.when(magnitude >= lit(10 ** (scale - 1))).then(pl.lit(6, dtype=pl.Int32))
    for j in range(2, SMALLEST + 1):
        chain = chain.when(magnitude >= lit(10 ** (scale - j))).then(pl.lit(5 + j, dtype=pl.Int32))
    places: pl.Expr = chain.otherwise(None)
    return places


def _drop_half_up(scaled: pl.Expr, scale: int, places: pl.Expr) -> pl.Expr:
    """``scaled / 10^scale`` rounded half-up (away from zero) to `places` decimals, as
    an integer at that scale."""
    unit = lit(10).pow(pl.lit(scale, dtype=pl.Int32) - places)
    magnitude = (scaled.abs() + unit // lit(2)) // unit
    return pl.when(scaled < 0).then(lit(0) - magnitude).otherwise(magnitude)


def score_bounds(
    rows: PeopleColumns, grid: pl.DataFrame, component: Component, name: str
) -> tuple[pl.DataFrame, Bounds]:
    """A scorecard's score (``Σ weight × clamped ratio / Σ weight``) as bounds, null
    where the engine would warn (no target, no actual, a target of 0 for a metric where
    higher is better) or a number is out of range: the grid with the bounds' columns
    (named after `name`; each step is a column, or the expressions would repeat their
    parts over and over), and the bounds."""
    metrics = component.metrics
    if not metrics or len(metrics) > METRICS:
        raise Unsupported(f"{len(metrics)} metrics")
    weights_scale = max(Num.of(m.weight).scale for m in metrics)
    weights = [_integer(m.weight, weights_scale) for m in metrics]
    if not all(0 < w < WEIGHT for w in weights):
        raise Unsupported("weights of too many digits")
    total = lit(sum(weights))
    measures = rows.calc.scenario.measures
    steps: list[list[pl.Expr]] = [[], [], [], []]
    for k, metric in enumerate(metrics):
        found = rows.scales.get(metric.measure)
        if found is None or measures[metric.measure].agg == "avg":
            raise Unsupported(f"metric {metric.measure}")
        for step, columns in zip(
            steps, _ratio(component, metric, found, f"{name}:{k}"), strict=True
        ):
            step += columns
    for columns in steps:
        grid = grid.with_columns(columns)
    lo_sum: pl.Expr = lit(0)
    hi_sum: pl.Expr = lit(0)
    exact: pl.Expr = pl.lit(True)
    for k, weight in enumerate(weights):
        lo, hi = pl.col(f"{name}:{k}:lo"), pl.col(f"{name}:{k}:hi")
        lo_sum = lo_sum + lo * lit(weight)
        hi_sum = hi_sum + hi * lit(weight)
        exact = exact & (lo == hi)
    grid = grid.with_columns(
        lo_sum.alias(f"{name}:lo"), hi_sum.alias(f"{name}:hi"), exact.alias(f"{name}:exact")
    )
    # score = weighted / total: exact where every ratio was and the division is
    lo_sum, hi_sum = pl.col(f"{name}:lo"), pl.col(f"{name}:hi")
    divided = pl.col(f"{name}:exact") & (lo_sum % total == 0)
    lo = pl.when(divided).then(lo_sum // total).otherwise(lo_sum // total - lit(1))
    hi = (
        pl.when(divided)
        .then(lo_sum // total)
        .otherwise(lit(0) - ((lit(0) - hi_sum) // total) + lit(1))
    )
    grid = grid.with_columns(lo.alias(f"{name}:score_lo"), hi.alias(f"{name}:score_hi"))
    lo, hi = pl.col(f"{name}:score_lo"), pl.col(f"{name}:score_hi")
    in_range = (lo.abs() < lit(RATIO)) & (hi.abs() < lit(RATIO))
    grid = grid.with_columns(
        pl.when(in_range).then(lo).alias(f"{name}:score_lo"),
        pl.when(in_range).then(hi).alias(f"{name}:score_hi"),
    )
    return grid, Bounds(lo, hi, DECIMALS)


def _ratio(
    component: Component, metric: Metric, found: tuple[int, int, int], name: str
) -> list[list[pl.Expr]]:
    """A metric's clamped ratio as bounds, in columns ``{name}:lo`` and ``{name}:hi``
    (null where the engine warns or a number is out of range): the columns of each
    step, in order."""
    i, scale, target_scale = found
    actual = Num(pl.col(f"__a{i}"), scale)
    if metric.target is not None:
        target = Num.of(metric.target)
        known: pl.Expr = pl.lit(True)
    else:
        target = Num(pl.col(f"__t{i}"), target_scale)
        known = pl.col(f"__s{i}").is_in([1, 3])
    a, t, _scale = actual.pair(target)
    num, den = (a, t) if metric.direction == "higher" else (t, a)
    signed = [
        pl.when(den < 0).then(lit(0) - num).otherwise(num).alias(f"{name}:n"),
        den.abs().alias(f"{name}:d"),
        (a == 0).alias(f"{name}:zero"),
    ]
    n, d = pl.col(f"{name}:n"), pl.col(f"{name}:d")
    shifted = n * lit(10**DECIMALS)
    divided = [
        pl.when(d != 0).then(shifted // d).alias(f"{name}:q"),
        pl.when(d != 0).then(shifted % d == 0).alias(f"{name}:whole"),
        (known & (n.abs() < lit(LIMIT // 10**DECIMALS)) & (d != 0)).alias(f"{name}:ok"),
    ]
    q, whole, ok = pl.col(f"{name}:q"), pl.col(f"{name}:whole"), pl.col(f"{name}:ok")
    lo: pl.Expr = pl.when(whole).then(q).otherwise(q - lit(1))
    hi: pl.Expr = pl.when(whole).then(q).otherwise(q + lit(2))
    if metric.direction == "lower":  # an actual of 0: the score's cap, or 1
        ratio = component.score_cap if component.score_cap is not None else Decimal(1)
        fixed_ratio = _scaled(ratio, DECIMALS)
        zero = pl.col(f"{name}:zero")
        lo = pl.when(zero).then(fixed_ratio).otherwise(lo)
        hi = pl.when(zero).then(fixed_ratio).otherwise(hi)
        ok = known & (zero | ok)
    raw = [lo.alias(f"{name}:raw_lo"), hi.alias(f"{name}:raw_hi"), ok.alias(f"{name}:ok")]
    bounds = Bounds(pl.col(f"{name}:raw_lo"), pl.col(f"{name}:raw_hi"), DECIMALS)
    bounds = bounds.clamped(component.score_floor, component.score_cap)
    in_range = (
        pl.col(f"{name}:ok") & (bounds.lo.abs() < lit(RATIO)) & (bounds.hi.abs() < lit(RATIO))
    )
    clamped = [
        pl.when(in_range).then(bounds.lo).alias(f"{name}:lo"),
        pl.when(in_range).then(bounds.hi).alias(f"{name}:hi"),
    ]
    return [signed, divided, raw, clamped]
