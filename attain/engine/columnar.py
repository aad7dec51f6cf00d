"""The people's rows as columns: every person's measures, targets, attainment and pace
for every reported period in a few Polars passes, written as the writer's own text.

The text of a row's first part (``"measures"`` to ``"pace"``) is what
:meth:`attain.engine.output.DocumentWriter.period` writes from the row's
:class:`~attain.engine.calculate.PeriodResult`, byte for byte. Numbers stay exact: sums
are Polars decimals, read as scaled 128-bit integers, and every quotient is one integer
division rounded half-up. The engine divides with 40 significant digits
(:data:`~attain.engine.numbers.ENGINE_CONTEXT`) and then rounds the text, so its digits
could differ from one rounding only where the exact quotient ``n / d`` lies within
10⁻³⁹ (relative) of a rounding boundary without being on it: that needs
``n × 10^places ≥ 10³⁸``, and such rows, like anything else at or beyond
:data:`LIMIT`, are left to the Python path. So is every row this module does not
know how to write: a target of zero or less, a target spread into digits that do not
end, a scenario with a measure that is not a sum or a count. Such rows come back as
``None`` and the caller computes them as before; the property test against the
reference implementation (``tests/test_reference_engine.py``) runs both.

Comparisons (pace status, met or missed) are exact integer comparisons; the engine
compares 40-digit roundings, which order the same way while both sides stay below
:data:`COMPARED` (the argument of :func:`attain.engine.targets._elapsed`).

Rule 5.1 is :meth:`attain.engine.targets.TargetBook.steps` applied to everyone at
once: the first step whose targets are all given wins, as in ``TargetBook.resolve``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from .calculate import Calculation
from .measures import CREDITED, MONTH, PERSON, SHARE, TEAM
from .numbers import ratio_text
from .output import DocumentWriter, status_text
from .periods import Period
from .targets import TargetBook, _elapsed

LIMIT = 10**37  # scaled magnitudes stay below this (the proof above needs < 10³⁸)
COMPARED = 10**33  # attainments are compared exactly while both sides stay below this
SMALLEST = 12  # a quotient that is not money and below 10⁻¹² is left to Python
MAX_SCALE = 18  # a target with more decimals than this is left to Python
_I128 = pl.Int128
_WHO = "__who"  # the person's position in the list asked for
_AT = "__at"  # the period's position in the reported periods
_STEP = "__step"
_NEEDS = "__id"


class Unsupported(Exception):
    """Something this module does not compute: the caller computes every row."""


def _lit(value: int) -> pl.Expr:
    return pl.lit(value, dtype=_I128)


def _negated(value: pl.Expr) -> pl.Expr:
    return _lit(0) - value  # Polars has no `neg` for 128-bit integers


def fixed(scaled: pl.Expr, places: int | pl.Expr) -> pl.Expr:
    """The text of ``scaled / 10^places`` without trailing zeros ("12.5", "-3", "0")."""
    magnitude = scaled.abs().cast(pl.String)
    if not isinstance(places, int) or places:
        digits = magnitude.str.zfill(places + 1)
        whole = digits.str.slice(0, digits.str.len_bytes() - places)
        decimals = digits.str.slice(-places).str.strip_chars_end("0")
        magnitude = pl.when(decimals == "").then(whole).otherwise(whole + "." + decimals)
    return (
        pl.when(scaled == 0)
        .then(pl.lit("0"))
        .when(scaled < 0)
        .then("-" + magnitude)
        .otherwise(magnitude)
    )


def _half_up(scaled: pl.Expr, drop: int) -> pl.Expr:
    """``scaled`` with its last `drop` digits rounded off, halves away from zero."""
    if drop <= 0:
        return scaled
    rounded = (scaled.abs() + _lit(5 * 10 ** (drop - 1))) // _lit(10**drop)
    return pl.when(scaled < 0).then(_negated(rounded)).otherwise(rounded)


def number_text(scaled: pl.Expr, scale: int, money: bool, places: int) -> pl.Expr:
    """:func:`attain.engine.numbers.number_text` of ``scaled / 10^scale``; null where a
    number that is not money would need its significant digits counted (Python's)."""
    if money:
        if scale <= places:
            return fixed(scaled, scale)
        return fixed(_half_up(scaled, scale - places), places)
    if scale <= 6:  # at least six decimals are written: nothing to round
        return fixed(scaled, scale)
    unit = _lit(10 ** (scale - 6))
    return pl.when(scaled % unit == 0).then(fixed(scaled // unit, 6)).otherwise(None)


def quotient(num: pl.Expr, den: pl.Expr, money: bool, places: int) -> tuple[pl.Expr, int | pl.Expr]:
    """The engine's 40-digit ``num / den`` (``den`` > 0, below :data:`LIMIT`) as
    :func:`attain.engine.numbers.quotient_text` rounds it: (the exact quotient rounded
    half-up once at its places, scaled to an integer; those places). The first is null
    out of range; :func:`fixed` of the two is the text."""
    magnitude = num.abs()
    digits: int | pl.Expr
    if money:
        digits = places
    else:  # six significant digits, and at least six decimals: places by the exponent
        chain: Any = pl.when((magnitude * _lit(10) >= den) | (num == 0)).then(
            pl.lit(6, dtype=pl.Int32)
        )
        for j in range(2, SMALLEST + 1):
            chain = chain.when(magnitude * _lit(10**j) >= den).then(pl.lit(5 + j, dtype=pl.Int32))
        digits = chain.otherwise(None)
    twice = _lit(2 * 10**digits) if isinstance(digits, int) else _lit(10).pow(digits) * _lit(2)
    rounded = (magnitude * twice + den) // (den * _lit(2))
    signed = pl.when(num < 0).then(_negated(rounded)).otherwise(rounded)
    return pl.when(magnitude < _lit(LIMIT) // twice).then(signed), digits


def _decimals(text: str) -> int:
    point = text.find(".")
    return 0 if point < 0 else len(text) - point - 1


def _reduced(part: Decimal, whole: Decimal) -> tuple[int, int, int]:
    """``part / whole`` as (a, b, k): a / b in lowest terms, and the fewest decimals
    ``k`` for which b divides 10^k × a whole multiple of its other factors."""
    ratio = Fraction(part) / Fraction(whole)
    b = ratio.denominator
    twos = fives = 0
    while b % 2 == 0:
        b //= 2
        twos += 1
    while b % 5 == 0:
        b //= 5
        fives += 1
    return ratio.numerator, ratio.denominator, max(twos, fives)


class PeopleColumns:
    """The head texts of the people's rows: what the writer's ``period`` writes before
    the plans, for every person and period."""

    def __init__(
        self,
        calc: Calculation,
        writer: DocumentWriter,
        periods: Sequence[Period],
        people: Sequence[str],
    ) -> None:
        self.calc = calc
        self.writer = writer
        self.periods = list(periods)
        self.people = list(people)
        self.index = {pid: k for k, pid in enumerate(self.people)}
        self.places = writer.places

    def texts(self) -> list[list[str | None]] | None:
        """Per period (in order), each person's head text (in order), None where the
        caller has to write it; None for all when the scenario is not supported."""
        measures = self.calc.scenario.measures
        if not (self.people and self.periods and measures):
            return None
        if any(m.agg not in ("sum", "count") for m in measures.values()):
            return None
        try:
            grid = pl.DataFrame({_WHO: range(len(self.people))}, schema={_WHO: pl.UInt32}).join(
                self._period_frame(), how="cross"
            )
            parts: list[list[pl.Expr]] = [[], [], []]  # actual, target, attainment
            paces: list[list[pl.Expr]] = []  # elapsed, projected, status
            pace_bits: list[pl.Expr] = []
            for i, (name, measure) in enumerate(measures.items()):
                actual, scale = self._actuals(name, i)
                target, target_scale = self._targets(name, i)
                grid = grid.join(actual, on=[_WHO, _AT], how="left").join(
                    target, on=[_WHO, _AT], how="left"
                )
                grid = grid.with_columns(
                    pl.col(f"__a{i}").fill_null(_lit(0)), pl.col(f"__s{i}").fill_null(0)
                )
                grid = grid.with_columns(self._numbers(i, measure.money, scale, target_scale))
                grid = grid.with_columns(self._quotients(i, measure.money, scale))
                actual_text, target_text, ratio, pace, with_pace = self._texts(
                    i, measure.money, scale, target_scale
                )
                names = [f"__x{i}_{k}" for k in range(6)]
                grid = grid.with_columns(
                    actual_text.alias(names[0]),
                    target_text.alias(names[1]),
                    ratio.alias(names[2]),
                    pace[1].alias(names[3]),
                    pace[2].alias(names[4]),
                    with_pace.alias(names[5]),
                )
                parts[0].append(pl.col(names[0]))
                parts[1].append(pl.col(names[1]))
                parts[2].append(pl.col(names[2]))
                paces.append([pl.col("__elapsed"), pl.col(names[3]), pl.col(names[4])])
                pace_bits.append(pl.col(names[5]))
        except Unsupported:
            return None
        return self._write(grid, parts, paces, pace_bits)

    # -- periods ----------------------------------------------------------------------
    def _period_frame(self) -> pl.DataFrame:
        """Per period: its position, days, days elapsed on as_of, the elapsed share's
        text, and 0 (no pace), 1 (the period is over) or 2 (it is running)."""
        as_of = self.calc.as_of
        rows: list[tuple[int, int, int, str, int]] = []
        for at, period in enumerate(self.periods):
            if as_of is None or as_of < period.start:
                rows.append((at, period.days, 0, "", 0))
            elif as_of >= period.end:
                rows.append((at, period.days, period.days, "1", 1))
            else:
                elapsed = _elapsed(period.start, period.days, as_of)
                days = (as_of - period.start).days + 1
                rows.append((at, period.days, days, ratio_text(elapsed[0]), 2))
        return pl.DataFrame(
            rows,
            schema={
                _AT: pl.UInt32,
                "__days": _I128,
                "__elapsed_days": _I128,
                "__elapsed": pl.String,
                "__pace": pl.Int8,
            },
            orient="row",
        )

    # -- actuals ------------------------------------------------------------------------
    def _actuals(self, name: str, i: int) -> tuple[pl.DataFrame, int]:
        """Per person and period, the measure's value as an integer (and its scale)."""
        engine = self.calc.measures
        months = engine.months(name)
        column = CREDITED if engine.measure(name).agg == "sum" else SHARE
        if engine.default_scope(name) == "self":
            months = months.filter(~pl.col(TEAM))
        dtype = months.schema[column]
        if not isinstance(dtype, pl.Decimal):
            raise Unsupported(f"{name}: {dtype}")
        periods = [(at, m.key) for at, p in enumerate(self.periods) for m in p.months]
        month_frame = pl.DataFrame(
            {_AT: [a for a, _m in periods], MONTH: [m for _a, m in periods]},
            schema={_AT: pl.UInt32, MONTH: pl.Int32},
        )
        people = pl.DataFrame(
            {PERSON: self.people, _WHO: range(len(self.people))},
            schema={PERSON: months.schema[PERSON], _WHO: pl.UInt32},
        )
        frame = (
            months.lazy()
            .select(PERSON, MONTH, column)
            .join(people.lazy(), on=PERSON)
            .join(month_frame.lazy(), on=MONTH)
            .group_by(_WHO, _AT)
            .agg(pl.col(column).sum().to_physical().cast(_I128).alias(f"__a{i}"))
            .collect()
        )
        return frame, dtype.scale or 0

    # -- targets (rule 5.1) ---------------------------------------------------------------
    def _targets(self, name: str, i: int) -> tuple[pl.DataFrame, int]:
        """Per person and period with a target: rule 5.1's value as an integer
        (``__t{i}``, and its scale), and ``__s{i}``: 1 a target, 3 a target of 0 (no
        attainment), 0 none (also where no row is given), 2 left to Python."""
        book = self.calc.book
        value = f"__t{i}"
        state = f"__s{i}"
        index = self.index
        codes: dict[str, int] = {}  # the period ids given, as integers
        who: list[int] = []
        needs: list[int] = []
        texts: list[str] = []
        spreads: list[bool] = []
        for (measure, person, pid), spec in book.given.items():
            k = index.get(person)
            if measure != name or k is None:
                continue
            who.append(k)
            needs.append(codes.setdefault(pid, len(codes)))
            texts.append(format(spec.value, "f"))
            spreads.append(spec.spread)
        if not texts:
            empty = pl.DataFrame(
                schema={_WHO: pl.UInt32, _AT: pl.UInt32, value: _I128, state: pl.Int8}
            )
            return empty, 0
        scale = max(map(_decimals, texts))
        if scale > MAX_SCALE or max(map(len, texts)) > 30:
            raise Unsupported(f"{name}: targets of {scale} decimals")
        values = pl.Series(texts, dtype=pl.String).cast(pl.Decimal(38, scale)).to_physical()
        specs = pl.DataFrame(
            {_WHO: who, _NEEDS: needs, "__v": values.cast(_I128), "__spread": spreads},
            schema={_WHO: pl.UInt32, _NEEDS: pl.Int32, "__v": _I128, "__spread": pl.Boolean},
        )
        steps, extra = self._steps(book, codes)
        scale += extra
        found = (
            steps.lazy()
            .join(specs.lazy(), on=_NEEDS)
            .group_by(_WHO, _AT, _STEP)
            .agg(
                pl.len().alias("__n"),
                pl.col("__v").sum(),
                pl.col("__spread").first(),
                pl.col("__needed", "__rule", "__a", "__b").first(),
            )
            .filter(pl.col("__n") == pl.col("__needed"))
            .sort(_WHO, _AT, _STEP)
            .unique([_WHO, _AT], keep="first", maintain_order=True)
            .collect()
        )
        total = pl.col("__v")
        spread = (pl.col("__rule") == 1) & pl.col("__spread")
        exact = total * pl.col("__a") * _lit(10**extra)
        amount = (
            pl.when(spread)
            .then(pl.when(exact % pl.col("__b") == 0).then(exact // pl.col("__b")))
            .otherwise(total * _lit(10**extra))
        )
        bound = _lit(COMPARED)
        checked = pl.when(
            total.abs() < _lit(LIMIT // 10**extra) // (pl.col("__a").abs() + _lit(1))
        ).then(amount)
        zero_weights = spread & (pl.col("__b") == 0)
        result = found.with_columns(checked.alias(value)).select(
            _WHO,
            _AT,
            pl.col(value),
            pl.when(zero_weights)
            .then(pl.lit(0, dtype=pl.Int8))
            .when(pl.col(value) == 0)
            .then(pl.lit(3, dtype=pl.Int8))
            .when(pl.col(value).is_null() | (pl.col(value) < 0) | (pl.col(value) >= bound))
            .then(pl.lit(2, dtype=pl.Int8))
            .otherwise(pl.lit(1, dtype=pl.Int8))
            .alias(state),
        )
        return result, scale

    def _steps(self, book: TargetBook, codes: dict[str, int]) -> tuple[pl.DataFrame, int]:
        """Every period's rule 5.1 steps, one row per target a step needs: the period,
        the step's place, how many targets it needs, its rule (0 a sum or the given
        target, 1 an enclosing one), and an enclosing target's spread factor a / b
        (b = 0: the months weigh nothing); and the decimals a spread needs."""
        rows: list[tuple[int, int, int, int, int, int, int, int]] = []
        extra = 0
        for at, period in enumerate(self.periods):
            for place, step in enumerate(book.steps(period)):
                a, b, k = 1, 1, 0
                if step.rule == "enclosing" and step.period is not None:
                    whole = book.weights(step.period)
                    if whole == 0:
                        b = 0
                    else:
                        a, b, k = _reduced(book.weights(period), whole)
                extra = max(extra, k)
                rule = 1 if step.rule == "enclosing" else 0
                rows.extend(
                    (at, place, codes.get(need, -1), len(step.ids), rule, a, b, k)
                    for need in step.ids
                )
        frame = pl.DataFrame(
            rows,
            schema={
                _AT: pl.UInt32,
                _STEP: pl.Int32,
                _NEEDS: pl.Int32,
                "__needed": pl.UInt32,
                "__rule": pl.Int8,
                "__a": _I128,
                "__b": _I128,
                "__k": pl.Int32,
            },
            orient="row",
        )
        return frame, extra

    # -- texts --------------------------------------------------------------------------
    def _numbers(self, i: int, money: bool, scale: int, target_scale: int) -> list[pl.Expr]:
        """Measure i's integers for its texts: the actual and the target scaled alike
        (null where they could not be compared exactly), attainment and projection as
        :func:`quotient` gives them."""
        actual = pl.col(f"__a{i}")
        target = pl.col(f"__t{i}")
        common = max(scale, target_scale)
        if scale > 30 or common - min(scale, target_scale) > 30:
            raise Unsupported(f"measure {i}: scales {scale} and {target_scale}")
        # both below COMPARED once scaled alike (checked before they are scaled)
        compared = (
            pl.col(f"__s{i}").is_in([1, 3])
            & (actual.abs() < _lit(COMPARED // 10 ** (common - scale)))
            & (target < _lit(COMPARED // 10 ** (common - target_scale)))
        )
        a = pl.when(compared).then(actual * _lit(10 ** (common - scale)))
        t = pl.when(compared).then(target * _lit(10 ** (common - target_scale)))
        return [a.alias(f"__A{i}"), t.alias(f"__T{i}")]

    def _quotients(self, i: int, money: bool, scale: int) -> list[pl.Expr]:
        a, t = pl.col(f"__A{i}"), pl.col(f"__T{i}")
        ratio, ratio_places = quotient(a, t, False, 6)
        num = pl.col(f"__a{i}") * pl.col("__days")
        den = pl.col("__elapsed_days") * _lit(10**scale)
        projected, projected_places = quotient(
            pl.when(a.is_not_null()).then(num), den, money, self.places
        )
        assert not isinstance(ratio_places, int)
        columns = [
            ratio.alias(f"__r{i}"),
            ratio_places.alias(f"__rp{i}"),
            projected.alias(f"__p{i}"),
        ]
        if isinstance(projected_places, int):  # money: the currency's places
            return [*columns, pl.lit(projected_places, dtype=pl.Int32).alias(f"__pp{i}")]
        return [*columns, projected_places.alias(f"__pp{i}")]

    def _texts(
        self, i: int, money: bool, scale: int, target_scale: int
    ) -> tuple[pl.Expr, pl.Expr, pl.Expr, list[pl.Expr], pl.Expr]:
        """The texts of measure i: actual, target, attainment, the pace's three, and
        whether the row has a pace."""
        places = self.places
        actual = pl.col(f"__a{i}")
        a, t = pl.col(f"__A{i}"), pl.col(f"__T{i}")
        state = pl.col(f"__s{i}")
        zero = state == 3  # a target of 0: no attainment, and never met
        has = (state == 1) | zero
        no_target = state == 0
        actual_text = number_text(actual, scale, money, places)
        target_text = (
            pl.when(no_target)
            .then(pl.lit("null"))
            .when(has)
            .then(number_text(pl.col(f"__t{i}"), target_scale, money, places))
        )
        ratio = (
            pl.when(no_target | zero)
            .then(pl.lit("null"))
            .when(pl.col(f"__r{i}").is_not_null())
            .then(fixed(pl.col(f"__r{i}"), pl.col(f"__rp{i}")))
        )
        days = pl.col("__days")
        elapsed = pl.col("__elapsed_days")
        over = pl.col("__pace") == 1
        projected = (
            pl.when(a.is_null())
            .then(None)
            .when(over)
            .then(actual_text)
            .when(pl.col(f"__p{i}").is_not_null())
            .then(fixed(pl.col(f"__p{i}"), places if money else pl.col(f"__pp{i}")))
        )
        status = (
            pl.when(a.is_null())
            .then(None)
            .when(over & ~zero & (a >= t))
            .then(pl.lit(status_text("met")))
            .when(over)
            .then(pl.lit(status_text("missed")))
            .when(~zero & (a * days >= elapsed * t))
            .then(pl.lit(status_text("on_track")))
            .when(~zero & (a * days * _lit(5) >= elapsed * t * _lit(4)))
            .then(pl.lit(status_text("at_risk")))
            .otherwise(pl.lit(status_text("behind")))
        )
        pace = [pl.col("__elapsed"), projected, status]
        with_pace = has & (pl.col("__pace") > 0)
        return actual_text, target_text, ratio, pace, with_pace

    def _write(
        self,
        grid: pl.DataFrame,
        parts: list[list[pl.Expr]],
        paces: list[list[pl.Expr]],
        with_pace: list[pl.Expr],
    ) -> list[list[str | None]]:
        shape = pl.lit(0, dtype=pl.Int64)
        for bit, present in enumerate(with_pace):
            shape = shape + pl.when(present).then(pl.lit(1 << bit, dtype=pl.Int64)).otherwise(0)
        # a row whose targets are left to Python (state 2) has no shape of its own
        grid = grid.with_columns(shape.alias("__shape"))
        shapes = grid.get_column("__shape").unique().sort().to_list()
        text: Any = None
        for found in shapes:
            pieces = self.writer.period_pieces(3, found)
            values = [*parts[0], *parts[1], *parts[2]]
            for bit, pace in enumerate(paces):
                if found & (1 << bit):
                    values += pace
            joined: list[pl.Expr] = [pl.lit(pieces[0])]
            for value, piece in zip(values, pieces[1:], strict=True):
                joined += [value, pl.lit(piece)]
            condition = pl.col("__shape") == found
            concat = pl.concat_str(joined)
            text = (
                pl.when(condition).then(concat)
                if text is None
                else text.when(condition).then(concat)
            )
        assert text is not None
        written = (
            grid.select(_AT, _WHO, text.otherwise(None).alias("__text"))
            .sort(_AT, _WHO)
            .get_column("__text")
            .to_list()
        )
        size = len(self.people)
        return [written[at * size : (at + 1) * size] for at in range(len(self.periods))]
