"""The people's rows up to their plans (measures, targets, attainment, pace) for
everyone and every reported period; see the package's docstring."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from ..calculate import Calculation
from ..measures import CREDITED, MONTH, PERSON, SHARE, TEAM, UNIT
from ..numbers import ratio_text
from ..output import DocumentWriter, closing, opening, separator, status_text
from ..periods import Period
from ..targets import TargetBook, _elapsed
from .formulas import DECIMALS as SCORE_DECIMALS
from .integers import (
    AT,
    COMPARED,
    LIMIT,
    MAX_SCALE,
    WHO,
    Unsupported,
    decimals_of,
    fixed,
    lit,
    mantissa,
    number_text,
    quotient,
    reduced,
)
from .plans import PlanColumns

_I128 = pl.Int128
_NEEDS = "__id"


class PeopleColumns:
    """The entries of the people (or, with `units`, of the units): each row's text as
    the writer's ``period`` writes it, for everyone and every period."""

    def __init__(
        self,
        calc: Calculation,
        writer: DocumentWriter,
        periods: Sequence[Period],
        people: Sequence[str],
        units: bool = False,
    ) -> None:
        self.calc = calc
        self.units = units
        self.writer = writer
        self.periods = list(periods)
        self.people = list(people)
        self.index = {pid: k for k, pid in enumerate(self.people)}
        self.places = writer.places
        self.scales: dict[str, tuple[int, int, int]] = {}  # measure: (i, scale, target's)
        self.extras: dict[str, int] = {}  # a plan's measure (``__extra{n}``): its scale
        # the scorecards' score bounds (columns, at formulas.DECIMALS), as plans add them
        self.score_columns: list[str] = []
        # with `keep` (a measure's name), the columns of its attainment and the scores,
        # row by row (see :meth:`attainment` and :meth:`score`)
        self.kept: dict[str, list[Any]] = {}
        self.keep: str | None = None

    def rows(self) -> Rows | None:
        """Every person's entry, or None when the scenario is not supported."""
        measures = self.calc.scenario.measures
        if not (self.people and self.periods and measures):
            return None
        try:
            grid = (  # one row per person and period, in that order (kept by every join)
                pl.DataFrame({WHO: range(len(self.people))}, schema={WHO: pl.UInt32})
                .join(self._period_frame(), how="cross")
                .sort(WHO, AT)
            )
            parts: list[list[pl.Expr]] = [[], [], []]  # actual, target, attainment
            paces: list[list[pl.Expr]] = []  # elapsed, projected, status
            pace_bits: list[pl.Expr] = []
            for i, (name, measure) in enumerate(measures.items()):
                engine = self.calc.measures
                actual, info = self._actuals(name, f"__a{i}", engine.default_scope(name))
                scale = info.scale
                target, target_scale = self._targets(name, i)
                self.scales[name] = (i, scale, target_scale)
                grid = grid.join(actual, on=[WHO, AT], how="left", maintain_order="left").join(
                    target, on=[WHO, AT], how="left", maintain_order="left"
                )
                grid = grid.with_columns(pl.col(f"__s{i}").fill_null(0))
                if not info.nullable:  # no records: a sum, a count or a distinct count of 0
                    grid = grid.with_columns(pl.col(f"__a{i}").fill_null(lit(0)))
                if info.shares_scale is not None:
                    grid = grid.with_columns(self._average(i, info, target_scale))
                    grid = grid.with_columns(self._average_quotients(i, measure.money))
                    texts = self._average_texts(i, measure.money, target_scale)
                else:
                    grid = grid.with_columns(self._numbers(i, measure.money, scale, target_scale))
                    grid = grid.with_columns(self._quotients(i, measure.money, scale))
                    texts = self._texts(i, measure.money, scale, target_scale)
                actual_text, target_text, ratio, pace, with_pace = texts
                names = [actual_column(i)] + [f"__x{i}_{k}" for k in range(1, 6)]
                grid = grid.with_columns(actual_text.alias(names[0])).with_columns(
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
            grid, head = self._head(grid, parts, paces, pace_bits)
            grid = grid.with_columns(head.alias("__head"))
            if self.units:  # a unit's row ends after its pace
                grid = grid.with_columns(pl.lit(closing(3)).alias("__end"))
            elif self.calc.scenario.plans:
                grid = PlanColumns(self, grid).with_ends()
            else:
                grid = grid.with_columns(pl.lit(self.writer.period_end({}, 3)).alias("__end"))
            return self._entries(grid)
        except (Unsupported, ArithmeticError, pl.exceptions.PolarsError):
            # something the columns cannot hold (a number of too many digits, say):
            # every row is Python's, as before the columns
            return None

    def actual_column(
        self, grid: pl.DataFrame, name: str, scope: str
    ) -> tuple[pl.DataFrame, str, int]:
        """`grid` with a measure's actual in `scope` (self, team, team_and_self) as a
        column: (the grid, the column, its scale)."""
        i, scale, _target_scale = self.scales[name]
        if scope == self.calc.measures.default_scope(name):
            return grid, f"__a{i}", scale
        column = f"__a{i}_{scope}"
        if column not in grid.columns:
            frame, info = self._actuals(name, column, scope)
            scale = info.scale
            grid = grid.join(frame, on=[WHO, AT], how="left", maintain_order="left").with_columns(
                pl.col(column).fill_null(lit(0))
            )
        return grid, column, scale

    def extra_column(self, grid: pl.DataFrame, name: str) -> tuple[pl.DataFrame, str, int]:
        """`grid` with the actual of a measure the engine made for a plan (a spiff's) in
        its own records' scope: (the grid, the column, its scale)."""
        number = list(self.extras).index(name) if name in self.extras else len(self.extras)
        column = f"__extra{number}"
        if column not in grid.columns:
            frame, info = self._actuals(name, column, "self")
            self.extras[name] = info.scale
            grid = grid.join(frame, on=[WHO, AT], how="left", maintain_order="left").with_columns(
                pl.col(column).fill_null(lit(0))
            )
        return grid, column, self.extras[name]

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
                elapsed, _at_risk, _days, days = _elapsed(period.start, period.days, as_of)
                rows.append((at, period.days, int(days), ratio_text(elapsed), 2))
        return pl.DataFrame(
            rows,
            schema={
                AT: pl.UInt32,
                "__days": _I128,
                "__elapsed_days": _I128,
                "__elapsed": pl.String,
                "__pace": pl.Int8,
            },
            orient="row",
        )

    # -- actuals ------------------------------------------------------------------------
    def _actuals(self, name: str, alias: str, scope: str) -> tuple[pl.DataFrame, Actual]:
        """Per person (or unit) and period, the measure's value in `scope`, in column
        `alias` (see :class:`Actual`)."""
        engine = self.calc.measures
        agg = engine.measure(name).agg
        if agg not in ("sum", "count"):
            return self._grouped(name, alias, scope, agg)
        column = CREDITED if agg == "sum" else SHARE
        key = PERSON
        if self.units:  # a unit's own and its descendants' records
            key = UNIT
            months = engine.unit_days(name).with_columns(pl.col(UNIT).cast(pl.String))
        else:
            months = engine.months(name)
        if scope == "self" and not self.units:
            months = months.filter(~pl.col(TEAM))
        elif scope == "team":
            months = months.filter(pl.col(TEAM))
        dtype = months.schema[column]
        if not isinstance(dtype, pl.Decimal):
            raise Unsupported(f"{name}: {dtype}")
        periods = [(at, m.key) for at, p in enumerate(self.periods) for m in p.months]
        month_frame = pl.DataFrame(
            {AT: [a for a, _m in periods], MONTH: [m for _a, m in periods]},
            schema={AT: pl.UInt32, MONTH: pl.Int32},
        )
        frame = (
            months.lazy()
            .select(key, MONTH, column)
            .join(self._index_frame(key, months.schema[key]).lazy(), on=key)
            .join(month_frame.lazy(), on=MONTH)
            .group_by(WHO, AT)
            .agg(pl.col(column).sum().to_physical().cast(_I128).alias(alias))
            .collect()
        )
        return frame, Actual(dtype.scale or 0)

    def _index_frame(self, key: str, dtype: pl.DataType) -> pl.DataFrame:
        """Each id asked for and its position."""
        return pl.DataFrame(
            {key: self.people, WHO: range(len(self.people))},
            schema={key: dtype, WHO: pl.UInt32},
        )

    def _grouped(self, name: str, alias: str, scope: str, agg: str) -> tuple[pl.DataFrame, Actual]:
        """A distinct count, minimum, maximum or average per period, from the
        statistics the engine groups for each period (``Stats``)."""
        engine = self.calc.measures
        key = UNIT if self.units else PERSON
        if self.units:
            engine.prefetch_unit_distinct(name, self.periods)
        else:
            engine.prefetch_distinct(name, self.periods, scope)
        frames = []
        for at, period in enumerate(self.periods):
            if self.units:
                grouped = engine.unit_period_groups(name, period)
                grouped = grouped.with_columns(pl.col(UNIT).cast(pl.String))
            else:
                grouped = engine.period_groups(name, scope, period)
            frames.append(grouped.with_columns(pl.lit(at, dtype=pl.UInt32).alias(AT)))
        found = pl.concat(frames, how="vertical_relaxed")
        found = found.join(self._index_frame(key, found.schema[key]), on=key)
        if agg == "distinct":
            value = pl.col("distinct").cast(_I128).alias(alias)
            return found.select(WHO, AT, value), Actual(0)
        columns = {"min": ["minimum"], "max": ["maximum"], "avg": ["total", "shares"]}[agg]
        scales: list[int] = []
        for column in columns:
            dtype = found.schema[column]
            if not isinstance(dtype, pl.Decimal):
                raise Unsupported(f"{name}: {dtype}")
            scales.append(dtype.scale or 0)
        values = [pl.col(c).to_physical().cast(_I128) for c in columns]
        if agg != "avg":
            frame = found.select(WHO, AT, values[0].alias(alias))
            return frame, Actual(scales[0], nullable=True)
        total = values[0].fill_null(lit(0)).alias(alias)  # as Stats: no total counts as 0
        frame = found.select(WHO, AT, total, values[1].alias(f"{alias}_d"))
        return frame, Actual(scales[0], nullable=True, shares_scale=scales[1])

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
        written: dict[Decimal, str] = {}  # a decomposition repeats its values
        for person, pid, spec in book.given_of(name):
            k = index.get(person)
            if k is None:
                continue
            who.append(k)
            needs.append(codes.setdefault(pid, len(codes)))
            text = written.get(spec.value)
            if text is None:
                text = written[spec.value] = format(spec.value, "f")
            texts.append(text)
            spreads.append(spec.spread)
        if not texts:
            empty = pl.DataFrame(
                schema={WHO: pl.UInt32, AT: pl.UInt32, value: _I128, state: pl.Int8}
            )
            return empty, 0
        scale = max(map(decimals_of, written.values()))
        whole_digits = max(len(t.lstrip("-").split(".")[0]) for t in written.values())
        if scale > MAX_SCALE or whole_digits + scale > 30:  # each below 10³⁰, scaled
            raise Unsupported(f"{name}: targets of {whole_digits} digits and {scale} decimals")
        values = pl.Series(texts, dtype=pl.String).cast(pl.Decimal(38, scale)).to_physical()
        specs = pl.DataFrame(
            {WHO: who, _NEEDS: needs, "__v": values.cast(_I128), "__spread": spreads},
            schema={WHO: pl.UInt32, _NEEDS: pl.Int32, "__v": _I128, "__spread": pl.Boolean},
        )
        steps, extra = self._steps(book, codes)
        scale += extra
        found = _first_complete(specs, steps)
        total = pl.col("__v")
        spread = (pl.col("__rule") == 1) & pl.col("__spread")
        exact = total * pl.col("__a") * lit(10**extra)
        # the engine multiplies value × part with 40 digits first: exact only while the
        # digits of both together fit (else Python's rounded product, so Python's row)
        product_fits = total.abs() < lit(10**37) // pl.col("__p")
        amount = (
            pl.when(spread)
            .then(pl.when((exact % pl.col("__b") == 0) & product_fits).then(exact // pl.col("__b")))
            .otherwise(total * lit(10**extra))
        )
        bound = lit(COMPARED)
        checked = pl.when(
            total.abs() < lit(LIMIT // 10**extra) // (pl.col("__a").abs() + lit(1))
        ).then(amount)
        zero_weights = spread & (pl.col("__b") == 0)
        result = found.with_columns(checked.alias(value)).select(
            WHO,
            AT,
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

    def _steps(self, book: TargetBook, codes: dict[str, int]) -> tuple[list[list[_Step]], int]:
        """Every period's rule 5.1 steps, in order (see :class:`_Step`; a target not
        given to anyone has code -1), and the decimals a spread needs."""
        found: list[list[_Step]] = []
        extra = 0
        for period in self.periods:
            steps: list[_Step] = []
            for step in book.steps(period):
                a, b, k, digits = 1, 1, 0, 1
                if step.rule == "enclosing" and step.period is not None:
                    whole = book.weights(step.period)
                    if whole == 0:
                        b = 0
                    else:
                        part = book.weights(period)
                        a, b, k = reduced(part, whole)
                        digits = max(abs(mantissa(part)), 1)
                if max(abs(a), b, digits) >= 10**30 or k > 12:
                    raise Unsupported(f"{period.id}: month weights of too many digits")
                extra = max(extra, k)
                needs = tuple(codes.get(need, -1) for need in step.ids)
                steps.append(_Step(needs, 1 if step.rule == "enclosing" else 0, a, b, digits))
            found.append(steps)
        return found, extra

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
            & (actual.abs() < lit(COMPARED // 10 ** (common - scale)))
            & (target < lit(COMPARED // 10 ** (common - target_scale)))
        )
        a = pl.when(compared).then(actual * lit(10 ** (common - scale)))
        t = pl.when(compared).then(target * lit(10 ** (common - target_scale)))
        return [a.alias(f"__A{i}"), t.alias(f"__T{i}")]

    def _quotients(self, i: int, money: bool, scale: int) -> list[pl.Expr]:
        a, t = pl.col(f"__A{i}"), pl.col(f"__T{i}")
        ratio, ratio_places = quotient(a, t, False, 6)
        num = pl.col(f"__a{i}") * pl.col("__days")
        den = pl.col("__elapsed_days") * lit(10**scale)
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
        missing = actual.is_null()  # a minimum or maximum of no records: no attainment
        actual_text = (
            pl.when(missing)
            .then(pl.lit("null"))
            .otherwise(number_text(actual, scale, money, places))
        )
        target_text = self._target_text(i, target_scale, money)
        ratio = (
            pl.when(no_target | zero | missing)
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
            .then(pl.col(actual_column(i)))  # the actual's text, written first
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
            .when(~zero & (a * days * lit(5) >= elapsed * t * lit(4)))
            .then(pl.lit(status_text("at_risk")))
            .otherwise(pl.lit(status_text("behind")))
        )
        pace = [pl.col("__elapsed"), projected, status]
        with_pace = has & (pl.col("__pace") > 0) & ~missing
        return actual_text, target_text, ratio, pace, with_pace

    def _target_text(self, i: int, target_scale: int, money: bool) -> pl.Expr:
        state = pl.col(f"__s{i}")
        return (
            pl.when(state == 0)
            .then(pl.lit("null"))
            .when(state.is_in([1, 3]))
            .then(number_text(pl.col(f"__t{i}"), target_scale, money, self.places))
        )

    # -- averages: a quotient the engine rounded to 40 digits, then divided again -----
    def _average(self, i: int, info: Actual, target_scale: int) -> list[pl.Expr]:
        """An average as a fraction ``__n{i} / __d{i}`` of integers (null: no value,
        or out of range), and the average over the target as ``__nt{i} / __dt{i}``
        (null without a target above 0)."""
        assert info.shares_scale is not None
        total, shares = pl.col(f"__a{i}"), pl.col(f"__a{i}_d")
        fits = (total.abs() < lit(10**30 // 10**info.shares_scale)) & (
            shares.abs() < lit(10**30 // 10**info.scale)
        )
        valid = (shares > 0) & fits
        num = pl.when(valid).then(total * lit(10**info.shares_scale))
        den = pl.when(valid).then(shares * lit(10**info.scale))
        target = pl.col(f"__t{i}")
        # the fractions' terms stay below 10³³ (compared after multiplying by ≤ 5 × 366)
        small = (num.abs() < lit(min(10**16, 10**33 // 10**target_scale))) & (
            (den < lit(10**16)) & (target < lit(10**16))
        )
        has = (pl.col(f"__s{i}") == 1) & small
        return [
            num.alias(f"__n{i}"),
            den.alias(f"__d{i}"),
            pl.when(has).then(num * lit(10**target_scale)).alias(f"__nt{i}"),
            pl.when(has).then(den * target).alias(f"__dt{i}"),
        ]

    def _average_quotients(self, i: int, money: bool) -> list[pl.Expr]:
        """The average's value, attainment and projection as :func:`quotient` gives
        them (each a column: the texts use them several times)."""
        num, den = pl.col(f"__n{i}"), pl.col(f"__d{i}")
        days, elapsed = pl.col("__days"), pl.col("__elapsed_days")
        found = [
            ("__v", quotient(num, den, money, self.places)),
            ("__r", quotient(pl.col(f"__nt{i}"), pl.col(f"__dt{i}"), False, 6, ties=True)),
            ("__p", quotient(num * days, den * elapsed, money, self.places, ties=True)),
        ]
        columns: list[pl.Expr] = []
        for name, (value, places) in found:
            columns.append(value.alias(f"{name}{i}"))
            if not isinstance(places, int):
                places = places.alias(f"{name}p{i}")
            else:
                places = pl.lit(places, dtype=pl.Int32).alias(f"{name}p{i}")
            columns.append(places)
        return columns

    def _average_texts(
        self, i: int, money: bool, target_scale: int
    ) -> tuple[pl.Expr, pl.Expr, pl.Expr, list[pl.Expr], pl.Expr]:
        """:meth:`_texts` of an average. Its value is the engine's 40-digit quotient,
        written rounded once (as any quotient); its attainment and projection divide
        that rounded value again, so where the exact quotient lies on a rounding
        boundary, or equals what it is compared with, the row is left to Python."""
        places = self.places
        over_target, under = pl.col(f"__nt{i}"), pl.col(f"__dt{i}")
        shares = pl.col(f"__a{i}_d")
        state = pl.col(f"__s{i}")
        zero = state == 3
        has = (state == 1) | zero
        missing = shares.is_null() | (shares == 0)  # no value: null, as Stats gives it
        value = pl.col(f"__v{i}")
        actual_text = (
            pl.when(missing)
            .then(pl.lit("null"))
            .when(value.is_not_null())
            .then(fixed(value, places if money else pl.col(f"__vp{i}")))
        )
        ratio_value = pl.col(f"__r{i}")
        ratio = (
            pl.when((state == 0) | zero | missing)
            .then(pl.lit("null"))
            .when(ratio_value.is_not_null())
            .then(fixed(ratio_value, pl.col(f"__rp{i}")))
        )
        days = pl.col("__days")
        elapsed = pl.col("__elapsed_days")
        over = pl.col("__pace") == 1
        projected_value = pl.col(f"__p{i}")
        projected = (
            pl.when(over)
            .then(pl.col(actual_column(i)))  # the actual's text, written first
            .when(projected_value.is_not_null())
            .then(fixed(projected_value, places if money else pl.col(f"__pp{i}")))
        )
        compared = over_target.is_not_null() & under.is_not_null()
        reach = over_target * days  # attainment ≥ elapsed share: reach ≥ due
        due = under * elapsed
        status = (
            pl.when(zero & over)
            .then(pl.lit(status_text("missed")))
            .when(zero)
            .then(pl.lit(status_text("behind")))
            .when(~compared)
            .then(None)
            .when(over & (over_target > under))
            .then(pl.lit(status_text("met")))
            .when(over & (over_target < under))
            .then(pl.lit(status_text("missed")))
            .when(over)
            .then(None)
            .when(reach > due)
            .then(pl.lit(status_text("on_track")))
            .when(reach == due)
            .then(None)
            .when(reach * lit(5) > due * lit(4))
            .then(pl.lit(status_text("at_risk")))
            .when(reach * lit(5) == due * lit(4))
            .then(None)
            .otherwise(pl.lit(status_text("behind")))
        )
        pace = [pl.col("__elapsed"), projected, status]
        with_pace = has & (pl.col("__pace") > 0) & ~missing
        return actual_text, self._target_text(i, target_scale, money), ratio, pace, with_pace

    def _head(
        self,
        grid: pl.DataFrame,
        parts: list[list[pl.Expr]],
        paces: list[list[pl.Expr]],
        with_pace: list[pl.Expr],
    ) -> tuple[pl.DataFrame, pl.Expr]:
        """The grid with each row's shape (which measures have a pace), and the head
        text: the writer's template of that shape with the row's values put in."""
        shape = pl.lit(0, dtype=pl.Int64)
        for bit, present in enumerate(with_pace):
            shape = shape + pl.when(present).then(pl.lit(1 << bit, dtype=pl.Int64)).otherwise(0)
        grid = grid.with_columns(shape.alias("__shape"))
        text: Any = pl.when(pl.lit(False)).then(pl.lit(None, dtype=pl.String))
        for found in grid.get_column("__shape").unique().sort().to_list():
            pieces = self.writer.period_pieces(3, found)
            values = [*parts[0], *parts[1], *parts[2]]
            for bit, pace in enumerate(paces):
                if found & (1 << bit):
                    values += pace
            joined: list[pl.Expr] = [pl.lit(pieces[0])]
            for value, piece in zip(values, pieces[1:], strict=True):
                joined += [value, pl.lit(piece)]
            text = text.when(pl.col("__shape") == found).then(pl.concat_str(joined))
        return grid, text.otherwise(None)

    def _entries(self, grid: pl.DataFrame) -> Rows:
        """Each person's entry (its rows joined), and the rows of those who have one
        left to Python."""
        if self.keep is not None:  # the numbers an application stores beside the texts
            self.kept = {
                column: grid.get_column(column).to_list()
                for column in [*self._attainment_columns(self.keep), *self.score_columns]
                if column in grid.columns
            }
        periods = len(self.periods)
        keys = [self.writer.key(p.id) for p in self.periods]
        key = pl.col(AT).replace_strict(list(range(periods)), keys, return_dtype=pl.String)
        row = pl.concat_str(key, pl.col("__head"), pl.col("__end"))
        grid = grid.select(WHO, AT, "__head", "__end", row.alias("__row"))
        joined = (  # the grid's rows are in order: each person's periods in turn
            pl.col("__row").reshape((-1, periods)).arr.join(separator(2), ignore_nulls=False)
        )
        entries: list[str | None] = (
            grid.select(pl.concat_str(pl.lit(opening(2)), joined, pl.lit(closing(2))))
            .to_series()
            .to_list()
        )
        left = [k for k, entry in enumerate(entries) if entry is None]
        heads: dict[int, list[str | None]] = {}
        ends: dict[int, list[str | None]] = {}
        if left:
            some = grid.filter(pl.col(WHO).is_in(left))
            head_texts = some.get_column("__head").to_list()
            end_texts = some.get_column("__end").to_list()
            for n, k in enumerate(left):
                heads[k] = head_texts[n * periods : (n + 1) * periods]
                ends[k] = end_texts[n * periods : (n + 1) * periods]
        return Rows(entries, heads, ends)

    def _attainment_columns(self, name: str) -> list[str]:
        """A measure's actual and target scaled alike and its target's state (see
        :meth:`_numbers`): what its attainment is computed from (none for an average,
        whose columns differ, or a measure the scenario does not have)."""
        if name not in self.scales:
            return []
        i = self.scales[name][0]
        return [f"__{x}{i}" for x in "ATs"]

    def has_attainment(self, name: str) -> bool:
        """Whether :meth:`attainment` gives measure `name`'s (kept with ``keep``)."""
        return name not in self.scales or f"__A{self.scales[name][0]}" in self.kept

    def attainment(self, name: str, row: int) -> Decimal | None:
        """Measure `name`'s attainment on grid row `row` (person-major), as the engine
        computes it (``actual / target`` in its context), for a row the columns wrote;
        see :meth:`has_attainment`."""
        if name not in self.scales:  # no such measure
            return None
        i = self.scales[name][0]
        if self.kept[f"__s{i}"][row] != 1:  # no target, or a target of 0
            return None
        actual, target = self.kept[f"__A{i}"][row], self.kept[f"__T{i}"][row]
        if actual is None or target is None:  # no value (a minimum of no records)
            return None
        return Decimal(actual) / Decimal(target)

    def score(self, plan: str, component: str, row: int) -> Decimal | None:
        """A scorecard's score on grid row `row`, to store with 6 decimals: a value
        within the bounds the columns found (the engine's lies there too) where no
        rounding to 6 places falls between them, else None (the caller computes it)."""
        name = f"__score:{plan}:{component}"
        los, his = self.kept.get(f"{name}:score_lo"), self.kept.get(f"{name}:score_hi")
        if los is None or his is None:  # not a component the columns scored
            return None
        lo, hi = los[row], his[row]
        if lo is None or hi is None:
            return None
        if lo != hi:
            half = 10 ** (SCORE_DECIMALS - 6) // 2  # a rounding boundary at 6 places
            step = 2 * half
            # the boundaries are ..., k·step + half, ...: none may lie within [lo, hi]
            if (lo - half) // step != (hi - half) // step or (lo - half) % step == 0:
                return None
        return Decimal(lo).scaleb(-SCORE_DECIMALS)


@dataclass(frozen=True)
class Actual:
    """How a measure's value is held in the grid: ``__a{i}``, an integer at `scale`
    (`nullable`: null where there is no value, a minimum or maximum of no records);
    for an average (`shares_scale` given), ``__a{i}`` is the total and ``__a{i}_d`` the
    shares, at their scales (no shares: no value)."""

    scale: int
    nullable: bool = False
    shares_scale: int | None = None


@dataclass
class Rows:
    """What the columns wrote: each person's entry (after its ``"id": ``), or None when
    some of its rows are left to Python; for those people, each row's head and end
    (None: left to Python)."""

    entries: list[str | None]
    heads: dict[int, list[str | None]]
    ends: dict[int, list[str | None]]

    @property
    def heads_written(self) -> bool:
        """Whether every row's head was written (what is left is plans only)."""
        return all(head is not None for heads in self.heads.values() for head in heads)

    @property
    def left(self) -> int:
        """How many rows are left to Python."""
        return sum(
            head is None or end is None
            for k, heads in self.heads.items()
            for head, end in zip(heads, self.ends[k], strict=True)
        )


def actual_column(i: int) -> str:
    """The column of measure i's actual as text (a period that is over projects it)."""
    return f"__x{i}_0"


@dataclass(frozen=True)
class _Step:
    """One rule 5.1 step of a period: the targets it needs (their codes), its rule (0 a
    sum or the given target, 1 an enclosing one), and an enclosing target's spread
    factor a / b (b = 0: the months weigh nothing) with the digits of its part."""

    needs: tuple[int, ...]
    rule: int
    a: int
    b: int
    digits: int


def _first_complete(specs: pl.DataFrame, steps: list[list[_Step]]) -> pl.DataFrame:
    """Per person (``WHO``) and period (``AT``, a position in `steps`) with a complete
    step: the first one's Σ of the targets it needs (``__v``), the spread flag of an
    enclosing one's target (``__spread``), and its ``__rule``, ``__a``, ``__b``, ``__p``.

    The targets are pivoted to one row per person, a column per code, so each step is
    a few expressions over those rows, not a join and a grouping of every target."""
    values = specs.pivot(on=_NEEDS, index=WHO, values="__v")
    spreads = specs.pivot(on=_NEEDS, index=WHO, values="__spread")
    wide = values.rename({c: f"__v{c}" for c in values.columns if c != WHO}).join(
        spreads.rename({c: f"__f{c}" for c in spreads.columns if c != WHO}), on=WHO
    )
    present = {int(c[3:]) for c in wide.columns if c.startswith("__v")}
    frames: list[pl.DataFrame] = []
    for at, period_steps in enumerate(steps):
        usable = [s for s in period_steps if s.needs and all(n in present for n in s.needs)]
        if not usable:
            continue
        complete = [
            pl.all_horizontal(pl.col(f"__v{n}").is_not_null() for n in s.needs) for s in usable
        ]

        def first(values: list[pl.Expr], complete: list[pl.Expr] = complete) -> pl.Expr:
            """The value of the first complete step (each is known where it is)."""
            return pl.coalesce(pl.when(c).then(v) for c, v in zip(complete, values, strict=True))

        totals = [
            pl.col(f"__v{s.needs[0]}")
            if len(s.needs) == 1
            else pl.sum_horizontal(pl.col(f"__v{n}") for n in s.needs)
            for s in usable
        ]
        spread = [pl.col(f"__f{s.needs[0]}") if s.rule == 1 else pl.lit(False) for s in usable]
        frames.append(
            wide.filter(pl.any_horizontal(complete)).select(
                WHO,
                pl.lit(at, dtype=pl.UInt32).alias(AT),
                first(totals).cast(_I128).alias("__v"),
                first(spread).alias("__spread"),
                first([pl.lit(s.rule, dtype=pl.Int8) for s in usable]).alias("__rule"),
                *(
                    first([pl.lit(getattr(s, k), dtype=_I128) for s in usable]).alias(f"__{name}")
                    for k, name in (("a", "a"), ("b", "b"), ("digits", "p"))
                ),
            )
        )
    if not frames:
        return pl.DataFrame(
            schema={
                WHO: pl.UInt32,
                AT: pl.UInt32,
                "__v": _I128,
                "__spread": pl.Boolean,
                "__rule": pl.Int8,
                "__a": _I128,
                "__b": _I128,
                "__p": _I128,
            }
        )
    return pl.concat(frames)
