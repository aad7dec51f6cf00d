"""Forecast of a period's end value per person, with a P10–P90 range, and its backtest.

Pure Polars + the standard library. The caller passes frames and a cut-off date; every
frame is cut to what was known on that date (:func:`known_at`) before anything is
computed, so a forecast never reads a record dated after its cut-off.

Inputs (:class:`ForecastData`):

- ``values``: the measure's credited values, one row per record or day:
  ``person`` (str), ``date`` (date), ``value`` (float);
- ``people``: ``person``, ``unit``, ``start`` (date or null), ``end`` (date or null);
- ``units`` (optional): ``unit``, ``parent``, ``opened`` (date or null);
- ``opportunities`` (optional, for measures the pipeline feeds): ``id``, ``owner``,
  ``amount`` (float), ``created`` (date);
- ``stages`` (optional): the opportunities' stage history, ``opportunity``, ``stage``,
  ``kind`` (``open``/``won``/``lost``), ``date`` (the day the opportunity entered it).

Forecast = actual to date + expected remainder. The remainder is a non-negative
least-squares blend of three signals, fitted at every cut-off on the same cut-off point of
earlier periods (data known at the cut-off only):

- ``history``: the person's daily rate over the trailing year (shrunk toward the unit's
  per-person rate when the person's history is short) × the day weights of the days left
  (calendar-month seasonality of the unit, shrunk toward the company's, × weekday shape);
- ``pipeline``: open opportunities × the win probability learned from the company's stage
  history (stage and age in stage) × the learned chance that a win lands before period end;
- ``pace``: the actual to date, seasonally scaled to the days left.

The range comes from the ratios actual ÷ forecast remainder of the same fitted rows
(their 10th and 90th percentiles). See docs/forecast.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import polars as pl

# what a forecast is based on (the apps translate these)
BASIS_MODEL = "model"  # history + pipeline + pace
BASIS_NO_PIPELINE = "no_pipeline"  # history + pace (no opportunities feed this measure)
BASIS_NO_HISTORY = "no_history"  # run-rate only, wide range (under MIN_HISTORY_DAYS)
BASIS_NEW_UNIT = "new_unit"  # run-rate only, wide range (the unit opened this month)
BASIS_LEFT = "left"  # left during the period, by the cut-off: what they booked is final
BASES = (BASIS_MODEL, BASIS_NO_PIPELINE, BASIS_NO_HISTORY, BASIS_NEW_UNIT, BASIS_LEFT)

MIN_HISTORY_DAYS = 60  # less history than this before the period: run-rate fallback
SHRINK_DAYS = 90.0  # a person's rate counts like this many days of the unit's rate
SEASON_SHRINK = 200.0  # a unit's month index counts like this many records of the company's
TRAINING_PERIODS = {"month": 6, "quarter": 4}  # earlier periods the blend is fitted on
AGE_EDGES = (0, 14, 30, 60, 90, 180)  # days in stage, for win probability and timing
PRIOR_STRENGTH = 20.0  # pseudo-opportunities of the stage's rate behind an age bucket's
OWNER_STRENGTH = 10.0  # pseudo-opportunities of the company's win rate behind an owner's
FEATURES = ("history", "pipeline", "pace")
DEFAULT_WEIGHTS = {"history": 1.0, "pipeline": 0.0, "pace": 0.0}
DEFAULT_RATIOS = (0.4, 1.8)  # the P10/P90 ratios when nothing can be fitted
FALLBACK_RATIOS = (0.0, 2.5)  # the wide range of the run-rate fallback


@dataclass(frozen=True)
class ForecastData:
    values: pl.DataFrame
    people: pl.DataFrame
    units: pl.DataFrame | None = None
    opportunities: pl.DataFrame | None = None
    stages: pl.DataFrame | None = None

    @property
    def has_pipeline(self) -> bool:
        return (
            self.opportunities is not None
            and self.stages is not None
            and self.opportunities.height > 0
        )


@dataclass(frozen=True)
class ForecastPeriod:
    id: str  # "2025-Q1" or "2025-02"
    kind: str  # "month" or "quarter"
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class Fit:
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    ratios: tuple[float, float] = DEFAULT_RATIOS
    rows: int = 0


# -- periods and cut-offs -------------------------------------------------------------------
def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def month_of(day: dt.date) -> ForecastPeriod:
    return ForecastPeriod(
        f"{day.year:04d}-{day.month:02d}",
        "month",
        day.replace(day=1),
        _month_end(day.year, day.month),
    )


def quarter_of(day: dt.date, fiscal_year_start: int = 1) -> ForecastPeriod:
    offset = (day.month - fiscal_year_start) % 12
    first_month = day.month - offset % 3
    year = day.year
    if first_month < 1:
        first_month += 12
        year -= 1
    start = dt.date(year, first_month, 1)
    end_month = first_month + 2
    end_year = year + (end_month - 1) // 12
    end_month = (end_month - 1) % 12 + 1
    fiscal_year = year if first_month >= fiscal_year_start else year - 1
    quarter = ((first_month - fiscal_year_start) % 12) // 3 + 1
    return ForecastPeriod(
        f"{fiscal_year:04d}-Q{quarter}", "quarter", start, _month_end(end_year, end_month)
    )


def period_of(kind: str, day: dt.date, fiscal_year_start: int = 1) -> ForecastPeriod:
    return month_of(day) if kind == "month" else quarter_of(day, fiscal_year_start)


def previous(period: ForecastPeriod, fiscal_year_start: int = 1) -> ForecastPeriod:
    return period_of(period.kind, period.start - dt.timedelta(days=1), fiscal_year_start)


def cutoff(period: ForecastPeriod, third: int) -> dt.date:
    """The cut-off at ``third``/3 of the period: the last day whose data is known."""
    elapsed = max(1, round(period.days * third / 3))
    return period.start + dt.timedelta(days=elapsed - 1)


def backtest_cutoffs(
    first: dt.date, last: dt.date, fiscal_year_start: int = 1
) -> list[tuple[dt.date, ForecastPeriod, int]]:
    """Every month's and quarter's 1/3 and 2/3 point between ``first`` and ``last``
    (periods that end by ``last``)."""
    found: dict[tuple[dt.date, str], tuple[dt.date, ForecastPeriod, int]] = {}
    for kind in ("month", "quarter"):
        period = period_of(kind, first, fiscal_year_start)
        while period.end <= last:
            for third in (1, 2):
                day = cutoff(period, third)
                if day >= first:
                    found[(day, period.id)] = (day, period, third)
            period = period_of(kind, period.end + dt.timedelta(days=1), fiscal_year_start)
    return [found[key] for key in sorted(found)]


# -- what was known at a cut-off ------------------------------------------------------------
def known_at(data: ForecastData, as_of: dt.date) -> ForecastData:
    """Every frame cut to rows dated on or before ``as_of``: the only data a forecast at
    ``as_of`` reads (people who start later, records, opportunities and stage changes after
    it are dropped; an end date after it is not known yet)."""
    day = pl.lit(as_of)
    people = data.people.filter(pl.col("start").is_null() | (pl.col("start") <= day))
    people = people.with_columns(
        pl.when(pl.col("end") <= day).then(pl.col("end")).otherwise(None).alias("end")
    )
    units = data.units
    if units is not None:
        units = units.filter(pl.col("opened").is_null() | (pl.col("opened") <= day))
    opportunities, stages = data.opportunities, data.stages
    if opportunities is not None:
        opportunities = opportunities.filter(pl.col("created") <= day)
    if stages is not None:
        stages = stages.filter(pl.col("date") <= day)
    return ForecastData(
        values=data.values.filter(pl.col("date") <= day),
        people=people,
        units=units,
        opportunities=opportunities,
        stages=stages,
    )


# -- day weights: seasonality and weekday shape ----------------------------------------------
def _day_weights(values: pl.DataFrame, people: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Per unit (and ``None`` for the company) and calendar month: the month index × 7
    weekday factors, from the two years before ``as_of``. Rows: unit, month, weekday, w."""
    first = as_of - dt.timedelta(days=729)
    rows = values.filter(pl.col("date") >= first).join(
        people.select("person", "unit"), on="person", how="left"
    )
    span_days = (as_of - max(first, _first_date(values) or as_of)).days + 1
    months = pl.DataFrame({"month": list(range(1, 13))}, schema={"month": pl.Int8})
    # two years that netted to nothing or to refunds teach no seasonality either: their
    # weights would all be 0 (a rate of 0 ÷ 0) or turn the refunds' months positive
    total = float(rows["value"].sum()) if rows.height else 0.0
    if span_days < 365 or total <= 0:
        company = months.with_columns(pl.lit(1.0).alias("index"))
        weekday = pl.DataFrame(
            {"weekday": list(range(1, 8)), "shape": [1.0] * 7},
            schema={"weekday": pl.Int8, "shape": pl.Float64},
        )
        units = pl.DataFrame(schema={"unit": pl.String, "month": pl.Int8, "index": pl.Float64})
    else:
        calendar_days = pl.DataFrame(
            {"date": pl.date_range(first, as_of, eager=True)}
        ).with_columns(
            pl.col("date").dt.month().cast(pl.Int8).alias("month"),
            pl.col("date").dt.weekday().cast(pl.Int8).alias("weekday"),
        )
        day_counts = calendar_days.group_by("month").agg(pl.len().alias("days"))
        rows = rows.with_columns(
            pl.col("date").dt.month().cast(pl.Int8).alias("month"),
            pl.col("date").dt.weekday().cast(pl.Int8).alias("weekday"),
        )
        per_day = total / calendar_days.height
        company = (
            months.join(rows.group_by("month").agg(pl.col("value").sum()), on="month", how="left")
            .join(day_counts, on="month", how="left")
            .select(
                "month",
                (pl.col("value").fill_null(0.0) / pl.col("days").fill_null(1) / per_day)
                .fill_nan(1.0)
                .clip(lower_bound=0.0)  # a month of net refunds weighs nothing, not less
                .alias("index"),
            )
        )
        weekday_days = calendar_days.group_by("weekday").agg(pl.len().alias("days"))
        weekday = (
            weekday_days.join(
                rows.group_by("weekday").agg(pl.col("value").sum()), on="weekday", how="left"
            )
            .select(
                "weekday",
                (pl.col("value").fill_null(0.0) / pl.col("days") / per_day).clip(lower_bound=0.0),
            )
            .rename({"value": "shape"})
        )
        # a unit's own month index, shrunk toward the company's by its number of records
        unit_totals = rows.group_by("unit").agg(
            pl.col("value").sum().alias("total"), pl.len().alias("records")
        )
        units = (
            rows.group_by("unit", "month")
            .agg(pl.col("value").sum())
            .join(day_counts, on="month")
            .join(unit_totals, on="unit")
            .join(company, on="month")
            .filter(pl.col("total") > 0)
            .with_columns(
                (pl.col("value") / pl.col("days") / (pl.col("total") / calendar_days.height))
                .fill_nan(1.0)
                .clip(lower_bound=0.0)
                .alias("raw")
            )
            .select(
                "unit",
                "month",
                (
                    (pl.col("raw") * pl.col("records") + pl.col("index") * SEASON_SHRINK)
                    / (pl.col("records") + SEASON_SHRINK)
                ).alias("index"),
            )
        )
    company = company.with_columns(pl.lit(None, dtype=pl.String).alias("unit"))
    return (
        pl.concat([company.select("unit", "month", "index"), units])
        .join(weekday, how="cross")
        .select("unit", "month", "weekday", (pl.col("index") * pl.col("shape")).alias("w"))
    )


def _first_date(values: pl.DataFrame) -> dt.date | None:
    if values.height == 0:
        return None
    found = values["date"].min()
    return found if isinstance(found, dt.date) else None


def _weight_sums(
    weights: pl.DataFrame, units: Iterable[str | None], first: dt.date, last: dt.date
) -> pl.DataFrame:
    """Per unit: the sum of day weights from ``first`` to ``last`` (0 when empty)."""
    unit_list = sorted({u for u in units if u is not None})
    if last < first:
        return pl.DataFrame({"unit": unit_list, "wsum": [0.0] * len(unit_list)}).cast(
            {"unit": pl.String, "wsum": pl.Float64}
        )
    days = (
        pl.DataFrame({"date": pl.date_range(first, last, eager=True)})
        .with_columns(
            pl.col("date").dt.month().cast(pl.Int8).alias("month"),
            pl.col("date").dt.weekday().cast(pl.Int8).alias("weekday"),
        )
        .group_by("month", "weekday")
        .agg(pl.len().alias("n"))
    )
    company = weights.filter(pl.col("unit").is_null()).drop("unit")
    own = weights.filter(pl.col("unit").is_not_null())
    grid = pl.DataFrame({"unit": unit_list}, schema={"unit": pl.String}).join(days, how="cross")
    grid = (
        grid.join(company, on=["month", "weekday"], how="left")
        .join(own.rename({"w": "own"}), on=["unit", "month", "weekday"], how="left")
        .with_columns(pl.coalesce("own", "w").fill_null(1.0).alias("w"))
    )
    return grid.group_by("unit").agg((pl.col("w") * pl.col("n")).sum().alias("wsum"))


# -- the pipeline: win probability and timing from stage history ---------------------------
def prepare_stages(opportunities: pl.DataFrame, stages: pl.DataFrame) -> pl.DataFrame:
    """The stage history once, ordered, each row with the day its opportunity left that
    stage (``next_date``), the owner, amount and creation day. Nothing here is used at a
    cut-off without its own date check: :func:`_stage_visits` reads ``next_date`` only
    when it is on or before the cut-off."""
    return (
        stages.with_row_index("__order")
        # grouped by a hash of the id (a number sorts faster than text); the next row
        # belongs to the same opportunity only when the ids are equal
        .sort(pl.col("opportunity").hash(), "date", "__order")
        .with_columns(
            pl.when(pl.col("opportunity").shift(-1) == pl.col("opportunity"))
            .then(pl.col("date").shift(-1))
            .otherwise(None)
            .alias("next_date")
        )
        .join(
            opportunities.select(
                pl.col("id").alias("opportunity"),
                pl.col("owner").alias("person"),
                "amount",
                "created",
            ),
            on="opportunity",
        )
        .select(
            pl.col("opportunity").hash().alias("key"),  # a number joins faster than text
            "person",
            "amount",
            "created",
            pl.col("stage").cast(pl.Categorical),
            pl.col("kind").cast(pl.Categorical),
            "date",
            "next_date",
        )
    )


def _stage_visits(
    prepared: pl.DataFrame, as_of: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(visits of open stages by opportunities resolved by ``as_of``, with their outcome,
    days stayed and days from entering the stage to the close; the opportunities open at
    ``as_of`` with their stage and age in it; per owner, wins and resolved deals)."""
    day = pl.lit(as_of)
    known = prepared.lazy().filter((pl.col("date") <= day) & (pl.col("created") <= day))
    # the row an opportunity is in at the cut-off: entered by then, not left by then
    standing = known.filter(pl.col("next_date").is_null() | (pl.col("next_date") > day))
    resolved = standing.filter(pl.col("kind") != "open").select(
        "key",
        "person",
        (pl.col("kind") == "won").alias("won"),
        pl.col("date").alias("closed"),
    )
    visits = (
        known.filter(pl.col("kind") == "open")
        .select("key", "stage", "date", "next_date")
        .join(resolved.select("key", "won", "closed"), on="key")
        .select(
            "stage",
            "won",
            (pl.col("next_date") - pl.col("date")).dt.total_days().alias("stayed"),
            (pl.col("closed") - pl.col("date")).dt.total_days().alias("to_close"),
        )
    )
    current = standing.filter(pl.col("kind") == "open").select(
        "person",
        "amount",
        "stage",
        (day - pl.col("date")).dt.total_days().alias("age"),
    )
    owners = resolved.group_by("person").agg(pl.col("won").sum().alias("wins"), pl.len().alias("n"))
    found = pl.collect_all([visits, current, owners])
    return found[0], found[1], found[2]


def _age_bucket(expr: pl.Expr) -> pl.Expr:
    bucket = pl.lit(0, dtype=pl.Int8)
    for i, edge in enumerate(AGE_EDGES[1:], start=1):
        bucket = pl.when(expr >= edge).then(pl.lit(i, dtype=pl.Int8)).otherwise(bucket)
    return bucket


def pipeline_value(
    data: ForecastData,
    as_of: dt.date,
    period_end: dt.date,
    prepared: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Per owner: open opportunities' amount × P(win | stage, age in stage) × P(the win
    lands by ``period_end`` | stage, age), learned from the opportunities resolved by
    ``as_of``. ``data`` must already be cut at ``as_of``, or ``prepared`` be
    :func:`prepare_stages` of any data (it is cut here). Rows: person, pipeline,
    open_amount."""
    empty = pl.DataFrame(
        schema={"person": pl.String, "pipeline": pl.Float64, "open_amount": pl.Float64}
    )
    if not data.has_pipeline:
        return empty
    assert data.opportunities is not None and data.stages is not None
    if prepared is None:
        prepared = prepare_stages(data.opportunities, data.stages)
    visits, current, owners = _stage_visits(prepared, as_of)
    if current.height == 0:
        return empty
    horizon = (period_end - as_of).days
    overall = float(visits["won"].mean()) if visits.height else 0.0  # type: ignore[arg-type]
    overall = overall if visits.height else 0.2
    by_stage = (
        visits.group_by("stage")
        .agg(pl.col("won").sum().alias("wins"), pl.len().alias("n"))
        .with_columns(
            ((pl.col("wins") + PRIOR_STRENGTH * overall) / (pl.col("n") + PRIOR_STRENGTH)).alias(
                "p_stage"
            )
        )
    )
    # P(win | stayed at least `edge` days): visits that lasted ≥ edge (or are still there)
    rows = []
    for i, edge in enumerate(AGE_EDGES):
        at_least = visits.filter(pl.col("stayed").is_null() | (pl.col("stayed") >= edge))
        won = at_least.filter(pl.col("won"))
        rows.append(
            at_least.group_by("stage")
            .agg(pl.col("won").sum().alias("wins_b"), pl.len().alias("n_b"))
            .join(
                # timing: of the wins after ≥ edge days, the share closed within edge + horizon
                won.group_by("stage").agg(
                    (pl.col("to_close") <= edge + horizon).sum().alias("in_time"),
                    pl.len().alias("won_b"),
                ),
                on="stage",
                how="left",
            )
            .with_columns(pl.lit(i, dtype=pl.Int8).alias("bucket"))
        )
    buckets = pl.concat(rows).join(by_stage, on="stage", how="left")
    buckets = buckets.select(
        "stage",
        "bucket",
        (
            (pl.col("wins_b") + PRIOR_STRENGTH * pl.col("p_stage"))
            / (pl.col("n_b") + PRIOR_STRENGTH)
        ).alias("p_win"),
        ((pl.col("in_time").fill_null(0) + 1.0) / (pl.col("won_b").fill_null(0) + 2.0)).alias(
            "p_time"
        ),
    )
    open_opps = current.with_columns(_age_bucket(pl.col("age")).alias("bucket"))
    # the owner's own win rate, shrunk toward the company's: a factor on the stage's odds
    resolved = owners.select(
        "person",
        (
            (pl.col("wins") + OWNER_STRENGTH * overall)
            / (pl.col("n") + OWNER_STRENGTH)
            / max(overall, 1e-9)
        ).alias("owner_factor"),
    )
    valued = (
        open_opps.join(buckets, on=["stage", "bucket"], how="left")
        .join(resolved, on="person", how="left")
        .with_columns(
            (pl.col("p_win").fill_null(overall * 0.5) * pl.col("owner_factor").fill_null(1.0))
            .clip(upper_bound=1.0)
            .alias("p_win"),
            pl.col("p_time").fill_null(0.5),
        )
    )
    return valued.group_by("person").agg(
        (pl.col("amount") * pl.col("p_win") * pl.col("p_time")).sum().alias("pipeline"),
        pl.col("amount").sum().alias("open_amount"),
    )


# -- features at one cut-off -----------------------------------------------------------------
def features(
    data: ForecastData,
    as_of: dt.date,
    period: ForecastPeriod,
    prepared: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The signals of every person active at ``as_of`` (reads only data known then).
    Rows: person, unit, actual, elapsed, run_rate, history, pipeline, pace, history_days,
    new_unit."""
    known = known_at(data, as_of)
    people = known.people.filter(pl.col("end").is_null())
    elapsed_days = (as_of - period.start).days + 1
    elapsed = elapsed_days / period.days
    values = known.values
    actual = (
        values.filter(pl.col("date") >= period.start)
        .group_by("person")
        .agg(pl.col("value").sum().alias("actual"))
    )
    year_first = as_of - dt.timedelta(days=364)
    trailing = (
        values.filter(pl.col("date") >= year_first)
        .group_by("person")
        .agg(pl.col("value").sum().alias("trailing"))
    )
    first_seen = values.group_by("person").agg(pl.col("date").min().alias("first_seen"))
    frame = (
        people.select("person", "unit", "start")
        .join(actual, on="person", how="left")
        .join(trailing, on="person", how="left")
        .join(first_seen, on="person", how="left")
        .with_columns(pl.col("actual").fill_null(0.0), pl.col("trailing").fill_null(0.0))
    )
    began = pl.coalesce(pl.min_horizontal("start", "first_seen"), pl.lit(as_of))
    frame = frame.with_columns(
        # days of history: in the trailing year, and before the period began
        ((pl.lit(as_of) - pl.max_horizontal(began, pl.lit(year_first))).dt.total_days() + 1)
        .clip(lower_bound=1)
        .alias("days"),
        (pl.lit(period.start) - began).dt.total_days().clip(lower_bound=0).alias("history_days"),
    )
    weights = _day_weights(values, known.people, as_of)
    unit_ids = frame["unit"].unique().to_list()
    window = _weight_sums(weights, unit_ids, year_first, as_of).rename({"wsum": "w_year"})
    done = _weight_sums(weights, unit_ids, period.start, as_of).rename({"wsum": "w_done"})
    left = _weight_sums(weights, unit_ids, as_of + dt.timedelta(days=1), period.end).rename(
        {"wsum": "w_left"}
    )
    frame = frame.join(window, on="unit", how="left").join(done, on="unit", how="left")
    frame = frame.join(left, on="unit", how="left").with_columns(
        pl.col("w_year").fill_null(365.0), pl.col("w_done").fill_null(1.0)
    )
    frame = frame.with_columns(pl.col("w_left").fill_null(0.0))
    # the person's weighted daily rate, shrunk toward the unit's per-person rate
    frame = frame.with_columns(
        (pl.col("w_year") * pl.col("days") / 365.0).alias("w_had"),
    )
    unit_rate = frame.group_by("unit").agg(
        (pl.col("trailing").sum() / pl.col("w_had").sum()).alias("unit_rate")
    )
    frame = frame.join(unit_rate, on="unit", how="left").with_columns(
        pl.col("unit_rate").fill_null(0.0).fill_nan(0.0)
    )
    shrink = pl.col("w_year") / 365.0 * SHRINK_DAYS
    frame = frame.with_columns(
        ((pl.col("trailing") + shrink * pl.col("unit_rate")) / (pl.col("w_had") + shrink)).alias(
            "rate"
        )
    )
    # the share of their own days in the period gone by: someone who started during the
    # period has sold over fewer days than the period's (the run-rate of a new hire)
    first = pl.max_horizontal(pl.col("start").fill_null(period.start), pl.lit(period.start))
    frame = frame.with_columns(
        (
            ((pl.lit(as_of) - first).dt.total_days() + 1).clip(lower_bound=1)
            / ((pl.lit(period.end) - first).dt.total_days() + 1).clip(lower_bound=1)
        )
        .clip(upper_bound=1.0)
        .alias("own_elapsed")
    )
    pipeline = pipeline_value(known, as_of, period.end, prepared)
    frame = frame.join(pipeline, on="person", how="left")
    new_units: list[str] = []
    if known.units is not None:
        month_start = as_of.replace(day=1)
        new_units = known.units.filter(pl.col("opened") >= month_start)["unit"].to_list()
    return frame.select(
        "person",
        "unit",
        "actual",
        pl.lit(elapsed).alias("elapsed"),
        (pl.col("actual") / pl.col("own_elapsed")).alias("run_rate"),
        (pl.col("rate") * pl.col("w_left")).alias("history"),
        pl.col("pipeline").fill_null(0.0),
        pl.col("open_amount").fill_null(0.0),
        # the days done weigh nothing (no sales on them in two years): the calendar's share
        pl.when(pl.col("w_done") > 1e-9)
        .then(pl.col("actual") * pl.col("w_left") / pl.col("w_done"))
        .otherwise(pl.col("actual") * (1.0 - elapsed) / elapsed)
        .alias("pace"),
        "history_days",
        pl.col("unit").is_in(pl.Series(new_units, dtype=pl.String).implode()).alias("new_unit"),
    )


def period_actuals(data: ForecastData, period: ForecastPeriod) -> pl.DataFrame:
    """The period's whole actual per person (reads the future: only for the backtest's
    scoring and for fitting on periods that ended by the cut-off)."""
    return (
        data.values.filter(pl.col("date").is_between(period.start, period.end))
        .group_by("person")
        .agg(pl.col("value").sum().alias("final"))
    )


# -- fitting the blend -------------------------------------------------------------------------
def _solve(matrix: list[list[float]], vector: list[float]) -> list[float] | None:
    n = len(vector)
    a = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-12:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col:
                factor = a[r][col] / a[col][col]
                for c in range(col, n + 1):
                    a[r][c] -= factor * a[col][c]
    return [a[i][n] / a[i][i] for i in range(n)]


def fit(rows: pl.DataFrame, names: Sequence[str] = FEATURES) -> Fit:
    """Non-negative least squares (no intercept) of ``remainder`` on the features, then the
    10th/90th percentiles of remainder ÷ fitted remainder. ``rows`` are people at earlier
    cut-offs with model basis, their features and their actual ``remainder``."""
    rows = rows.filter(pl.col("history_days") >= MIN_HISTORY_DAYS)
    if rows.height < 20:
        return Fit(rows=rows.height)
    active = [n for n in names if float(rows[n].abs().sum()) > 0]
    weights: dict[str, float] = {}
    while active:
        xtx = [[float((rows[a] * rows[b]).sum()) for b in active] for a in active]
        xty = [float((rows[a] * rows["remainder"]).sum()) for a in active]
        solved = _solve(xtx, xty)
        if solved is None:
            active = active[:-1]
            continue
        negative = [n for n, w in zip(active, solved, strict=True) if w < 0]
        if not negative:
            weights = dict(zip(active, solved, strict=True))
            break
        active = [n for n in active if n not in negative]
    if not weights:
        return Fit(rows=rows.height)
    full = {n: weights.get(n, 0.0) for n in FEATURES}
    fitted = sum((pl.col(n) * w for n, w in full.items()), pl.lit(0.0))
    ratios = (
        rows.with_columns(fitted.alias("fitted"))
        .filter(pl.col("fitted") > 0)
        .select((pl.col("remainder") / pl.col("fitted")).alias("r"))
    )["r"]
    if ratios.len() < 20:
        return Fit(full, DEFAULT_RATIOS, rows.height)
    low = float(ratios.quantile(0.1, "linear") or 0.0)
    high = float(ratios.quantile(0.9, "linear") or 0.0)
    # the fitted remainder itself (P50) lies within the range, whichever way it is skewed
    return Fit(full, (min(max(0.0, low), 1.0), max(high, 1.0)), rows.height)


# -- the forecast ---------------------------------------------------------------------------
@dataclass
class Forecaster:
    """Forecasts for one data set, keeping the features of each (period, cut-off) it has
    computed, so a backtest reuses the training rows of earlier cut-offs."""

    data: ForecastData
    fiscal_year_start: int = 1
    _features: dict[tuple[str, dt.date], pl.DataFrame] = field(default_factory=dict)
    _prepared: pl.DataFrame | None = None

    def prepared(self) -> pl.DataFrame | None:
        """The stage history prepared once (:func:`prepare_stages`), cut at each use."""
        if self._prepared is None and self.data.has_pipeline:
            assert self.data.opportunities is not None and self.data.stages is not None
            self._prepared = prepare_stages(self.data.opportunities, self.data.stages)
        return self._prepared

    def features(self, as_of: dt.date, period: ForecastPeriod) -> pl.DataFrame:
        key = (period.id, as_of)
        if key not in self._features:
            self._features[key] = features(self.data, as_of, period, self.prepared())
        return self._features[key]

    def training(self, as_of: dt.date, period: ForecastPeriod) -> pl.DataFrame:
        """Features and remainders at the same point of the earlier periods that ended by
        ``as_of`` (their outcome is known then)."""
        elapsed = (as_of - period.start).days + 1
        share = elapsed / period.days
        parts = []
        earlier = previous(period, self.fiscal_year_start)
        known = ForecastData(self.data.values.filter(pl.col("date") <= as_of), self.data.people)
        for _ in range(TRAINING_PERIODS.get(period.kind, 4)):
            if earlier.end > as_of:
                earlier = previous(earlier, self.fiscal_year_start)
                continue
            point = earlier.start + dt.timedelta(days=max(1, round(earlier.days * share)) - 1)
            found = self.features(point, earlier)
            final = period_actuals(known, earlier)
            parts.append(
                found.join(final, on="person", how="left").with_columns(
                    (pl.col("final").fill_null(0.0) - pl.col("actual")).alias("remainder")
                )
            )
            earlier = previous(earlier, self.fiscal_year_start)
        if not parts:
            return pl.DataFrame()
        return pl.concat(parts, how="vertical_relaxed")

    def forecast(self, as_of: dt.date, period: ForecastPeriod) -> pl.DataFrame:
        """Per person active at ``as_of``: actual, run_rate, p10, p50, p90, basis, pipeline
        (the expected value of the open pipeline), target-free."""
        current = self.features(as_of, period)
        training = self.training(as_of, period)
        has_pipeline = self.data.has_pipeline
        names = FEATURES if has_pipeline else ("history", "pace")
        fitted = fit(training, names) if training.height else Fit()
        return _combine(current, fitted, has_pipeline)


def _combine(current: pl.DataFrame, fitted: Fit, has_pipeline: bool) -> pl.DataFrame:
    low, high = fitted.ratios
    remainder = sum((pl.col(n) * w for n, w in fitted.weights.items()), pl.lit(0.0)).clip(
        lower_bound=0.0
    )
    fallback_rem = (pl.col("run_rate") - pl.col("actual")).clip(lower_bound=0.0)
    thin = pl.col("history_days") < MIN_HISTORY_DAYS
    basis = (
        pl.when(thin & pl.col("new_unit"))
        .then(pl.lit(BASIS_NEW_UNIT))
        .when(thin)
        .then(pl.lit(BASIS_NO_HISTORY))
        .otherwise(pl.lit(BASIS_MODEL if has_pipeline else BASIS_NO_PIPELINE))
    )
    pipeline_part = (pl.col("pipeline") * fitted.weights.get("pipeline", 0.0)).clip(lower_bound=0.0)
    frame = current.with_columns(remainder.alias("__rem"), basis.alias("basis"))
    frame = frame.with_columns(
        (pl.col("__rem") - pipeline_part).clip(lower_bound=0.0).alias("__rest")
    )
    is_fallback = pl.col("basis").is_in([BASIS_NO_HISTORY, BASIS_NEW_UNIT])
    # the fallback's upper end: at least what a peer of the unit would still sell
    peer = pl.col("history").mean().over("unit")
    f_low, f_high = FALLBACK_RATIOS
    return frame.select(
        "person",
        "unit",
        "actual",
        "elapsed",
        "run_rate",
        "pipeline",
        pl.when(is_fallback)
        .then(pl.col("actual") + f_low * fallback_rem)
        .otherwise(pl.col("actual") + low * pl.col("__rem"))
        .alias("p10"),
        pl.when(is_fallback)  # the run-rate, but refunds to date are not extrapolated
        .then(pl.col("actual") + fallback_rem)
        .otherwise(pl.col("actual") + pl.col("__rem"))
        .alias("p50"),
        pl.when(is_fallback)
        .then(pl.col("actual") + pl.max_horizontal(f_high * fallback_rem, peer.fill_null(0.0)))
        .otherwise(
            # no more than every open deal won on top of the rest's own upper end
            pl.col("actual")
            + pl.min_horizontal(
                high * pl.col("__rem"),
                pl.max_horizontal(pl.col("__rem"), high * pl.col("__rest") + pl.col("open_amount")),
            )
        )
        .alias("p90"),
        "basis",
    )


def forecast(
    data: ForecastData, as_of: dt.date, period: ForecastPeriod, fiscal_year_start: int = 1
) -> pl.DataFrame:
    """Each active person's forecast of ``period``'s end value from data known at
    ``as_of``, and everyone who left during the period by then (basis ``left``: what
    they booked is final, so their units' forecasts keep it). Rows: person, unit, actual,
    elapsed, run_rate, pipeline, p10, p50, p90, basis."""
    known = known_at(data, as_of)
    rows = Forecaster(known, fiscal_year_start).forecast(as_of, period)
    return pl.concat([rows, _left(known, as_of, period, rows)], how="vertical_relaxed")


def _left(
    known: ForecastData, as_of: dt.date, period: ForecastPeriod, active: pl.DataFrame
) -> pl.DataFrame:
    """The people whose employment ended between the period's start and ``as_of``: their
    actual in the period, with no remainder."""
    gone = known.people.filter(
        pl.col("end").is_not_null() & (pl.col("end") >= period.start)
    ).filter(~pl.col("person").is_in(active["person"].implode()))
    actual = (
        known.values.filter(pl.col("date") >= period.start)
        .group_by("person")
        .agg(pl.col("value").sum().alias("actual"))
    )
    elapsed = ((as_of - period.start).days + 1) / period.days
    frame = (
        gone.select("person", "unit")
        .unique("person", keep="last")
        .join(actual, on="person", how="left")
        .with_columns(pl.col("actual").fill_null(0.0).cast(pl.Float64))
    )
    return frame.select(
        "person",
        "unit",
        "actual",
        pl.lit(elapsed).alias("elapsed"),
        pl.col("actual").alias("run_rate"),
        pl.lit(0.0).alias("pipeline"),
        pl.col("actual").alias("p10"),
        pl.col("actual").alias("p50"),
        pl.col("actual").alias("p90"),
        pl.lit(BASIS_LEFT).alias("basis"),
    ).cast(dict(active.schema))  # type: ignore[arg-type]


def booked_where(
    rows: pl.DataFrame,
    values: pl.DataFrame,
    spells: pl.DataFrame,
    period: ForecastPeriod,
    as_of: dt.date,
) -> pl.DataFrame:
    """The people's rows (:func:`forecast`) as their units add them up (:func:`roll_up`)
    when someone moved during the period: what they booked while in an earlier unit
    stays with that unit, final (as someone who left), and the rest of their forecast
    goes to the unit they are in at ``as_of`` (the unit of their row). ``spells``: each
    person's units, person, unit, valid_from, valid_to (exclusive; null while open).
    Rows: unit, actual, p10, p50, p90."""
    columns = ("actual", "p10", "p50", "p90")
    plain = rows.select("person", "unit", *columns)
    if spells.height == 0 or rows.height == 0:
        return plain.drop("person")
    last = min(as_of, period.end)
    booked = (
        values.filter((pl.col("date") >= period.start) & (pl.col("date") <= last))
        .join(spells, on="person")
        .filter(
            (pl.col("valid_from") <= pl.col("date"))
            & (pl.col("valid_to").is_null() | (pl.col("date") < pl.col("valid_to")))
        )
        .group_by("person", "unit")
        .agg(pl.col("value").sum().alias("booked"))
        .join(plain.select("person", pl.col("unit").alias("now")), on="person")
        .filter(pl.col("unit") != pl.col("now"))
    )
    if booked.height == 0:
        return plain.drop("person")
    moved = booked.group_by("person").agg(pl.col("booked").sum().alias("moved"))
    kept = (
        plain.join(moved, on="person", how="left")
        .with_columns(pl.col("moved").fill_null(0.0))
        .select("unit", *(pl.col(c) - pl.col("moved") for c in columns))
    )
    earlier = booked.select("unit", *(pl.col("booked").alias(c) for c in columns))
    return pl.concat([kept, earlier.cast(dict(kept.schema))], how="vertical")  # type: ignore[arg-type]


def roll_up(frame: pl.DataFrame, units: pl.DataFrame | None) -> pl.DataFrame:
    """Per unit and each of its ancestors: the sum of its people's actual and P50, and a
    P10–P90 range from the people's half-ranges added in quadrature (treating people as
    independent, so a unit's range is narrower than the sum of its people's).
    Rows: unit, people, actual, p10, p50, p90."""
    rows = frame.select(
        "unit",
        "actual",
        "p50",
        ((pl.col("p50") - pl.col("p10")) ** 2).alias("lo2"),
        ((pl.col("p90") - pl.col("p50")) ** 2).alias("hi2"),
    )
    parents: dict[str, str | None] = {}
    if units is not None:
        for unit, parent in units.select("unit", "parent").iter_rows():
            parents[unit] = parent
    expanded: list[tuple[str, str]] = []
    for unit in rows["unit"].unique().to_list():
        chain, seen = [], set()
        current: str | None = unit
        while current is not None and current not in seen:
            seen.add(current)
            chain.append(current)
            current = parents.get(current)
        expanded.extend((unit, ancestor) for ancestor in chain)
    mapping = pl.DataFrame(expanded, schema={"unit": pl.String, "rollup": pl.String}, orient="row")
    summed = (
        rows.join(mapping, on="unit")
        .group_by("rollup")
        .agg(
            pl.len().alias("people"),
            pl.col("actual").sum(),
            pl.col("p50").sum(),
            pl.col("lo2").sum().sqrt().alias("lo"),
            pl.col("hi2").sum().sqrt().alias("hi"),
        )
    )
    return summed.select(
        pl.col("rollup").alias("unit"),
        "people",
        "actual",
        pl.max_horizontal(pl.col("actual"), pl.col("p50") - pl.col("lo")).alias("p10"),
        "p50",
        (pl.col("p50") + pl.col("hi")).alias("p90"),
    ).sort("unit")


# -- the backtest -------------------------------------------------------------------------------
def _wape(errors: float, actuals: float) -> float:
    return errors / actuals if actuals else 0.0


def backtest(
    data: ForecastData, first: dt.date, last: dt.date, fiscal_year_start: int = 1
) -> dict[str, object]:
    """At each cut-off (every month's and quarter's 1/3 and 2/3 point), forecast each active
    person's period-end value from the data known then, and score it against the actual:
    WAPE = Σ|forecast − actual| ÷ Σ|actual|, of the model's P50 and of the run-rate
    (actual to date ÷ elapsed share). The result's shape is the CLI's ``--json``."""
    forecaster = Forecaster(data, fiscal_year_start)
    cutoffs = []
    total_model = total_rate = total_actual = 0.0
    for day, period, _third in backtest_cutoffs(first, last, fiscal_year_start):
        predicted = forecaster.forecast(day, period)
        scored = predicted.join(period_actuals(data, period), on="person", how="left").select(
            pl.col("final").fill_null(0.0).alias("final"),
            "p50",
            # the baseline: actual to date ÷ the period's elapsed share
            (pl.col("actual") / pl.col("elapsed")).alias("run_rate"),
        )
        actual = float(scored["final"].abs().sum())
        model = float((scored["p50"] - scored["final"]).abs().sum())
        rate = float((scored["run_rate"] - scored["final"]).abs().sum())
        total_model += model
        total_rate += rate
        total_actual += actual
        cutoffs.append(
            {
                "date": day.isoformat(),
                "period": period.id,
                "wape_model": round(_wape(model, actual), 4),
                "wape_run_rate": round(_wape(rate, actual), 4),
                "people": scored.height,
            }
        )
    return {
        "cutoffs": cutoffs,
        "wape_model": round(_wape(total_model, total_actual), 4),
        "wape_run_rate": round(_wape(total_rate, total_actual), 4),
    }


def without_pipeline(data: ForecastData) -> ForecastData:
    return replace(data, opportunities=None, stages=None)
