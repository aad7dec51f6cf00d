"""The forecast's data from the database: a measure's credited values, the organisation,
and (for measures over order amounts) the opportunities with their stage history.

The engine (:mod:`attain.engine`'s ``forecast``) cuts every frame to what was known at
its cut-off; this adapter only reads. Opportunities carry no current stage and no close
date here: the stage on any day comes from the dated stage history alone, so a forecast
for a past day cannot see how a deal ended. See docs/forecast.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import polars as pl

from attain.crm.models import Opportunity, Stage, StageChange
from attain.engine import (
    ForecastData,
    ForecastPeriod,
    MeasureEngine,
    Org,
    backtest,
    forecast_booked_where,
    forecast_period,
    forecast_rollup,
    forecast_rows,
)
from attain.measures.models import Aggregation, Measure
from attain.org.models import Assignment, Person, Unit

from .org import load_org
from .periods import fiscal_year_start
from .run import loaded
from .sources import open_source
from .tables import DATE, INSTANT_DATE, MONEY, TEXT, Sql, TableSql, typed

HISTORY_YEARS = 2  # history read before the first cut-off: seasonality needs a year or two
FIRST_DAY = datetime.date(1900, 1, 1)  # forecasts are made for days in this range only
LAST_DAY = datetime.date(9990, 12, 31)


class NotForecastable(ValueError):
    """The measure cannot be forecast (unknown, or not a sum or a count)."""


def forecastable(measure: Measure) -> bool:
    return measure.agg in (Aggregation.SUM, Aggregation.COUNT)


def feeds_pipeline(measure: Measure) -> bool:
    """Order amounts are what won opportunities turn into."""
    return (
        measure.table == "orders" and measure.value == "amount" and measure.agg == Aggregation.SUM
    )


def load_values(measure: Measure, start: datetime.date, end: datetime.date) -> pl.DataFrame:
    """The measure's credited values from ``start`` to ``end``: person, date, value."""
    return load_many_values([measure], start, end)[measure.code]


def load_many_values(
    measures: Sequence[Measure], start: datetime.date, end: datetime.date
) -> dict[str, pl.DataFrame]:
    """:func:`load_values` of several measures, from one load of the tables they read
    (a table two measures read, such as the orders, is read once)."""
    empty = pl.DataFrame(schema={"person": pl.String, "date": pl.Date, "value": pl.Float64})
    found_values: dict[str, pl.DataFrame] = {}
    with loaded(
        start=start, end=end, measures={m.code: m.as_scenario() for m in measures}, as_of=end
    ) as found:
        scenario = found.checked()
        engine = MeasureEngine(scenario, Org(scenario.units, scenario.people), set())
        for measure in measures:
            rows = engine.credited(measure.code)
            if rows.height == 0:
                found_values[measure.code] = empty
                continue
            column = "__share" if measure.agg == Aggregation.COUNT else "__credited"
            found_values[measure.code] = rows.select(
                pl.col("__person").cast(pl.String).alias("person"),
                pl.col("__date").cast(pl.Date).alias("date"),
                pl.col(column).cast(pl.Float64).fill_null(0.0).alias("value"),
            ).filter(pl.col("person").is_not_null())
    return found_values


def load_people(on: datetime.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(people: person, unit, start, end — their unit on ``on``; units: unit, parent,
    opened)."""
    unit_frame, people = load_org(start=on)
    # typed, also when there is nobody yet (an empty frame's columns are null-typed and
    # do not join the values' text person column)
    people = people.select(
        pl.col("id").alias("person"), "unit", pl.col("start"), pl.col("end")
    ).cast({"person": pl.String, "unit": pl.String, "start": pl.Date, "end": pl.Date})
    opened = {code: day for code, day in Unit.objects.values_list("code", "opened")}
    units = unit_frame.select(
        pl.col("id").cast(pl.String).alias("unit"), pl.col("parent").cast(pl.String)
    ).with_columns(
        pl.col("unit")
        .map_elements(lambda code: opened.get(code), return_dtype=pl.Date)
        .alias("opened")
    )
    return people, units


def load_spells(start: datetime.date, end: datetime.date) -> pl.DataFrame:
    """Everyone's assignments that overlap ``start``…``end``: person, unit, valid_from,
    valid_to (exclusive; null while open), so a unit keeps what someone booked there
    before they moved (:func:`attain.engine.forecast_booked_where`)."""
    rows = (
        Assignment.objects.filter(valid_from__lte=end)
        .exclude(valid_to__lte=start)
        .values_list("person__code", "unit__code", "valid_from", "valid_to")
    )
    return pl.DataFrame(
        list(rows),
        schema={"person": pl.String, "unit": pl.String, "valid_from": pl.Date, "valid_to": pl.Date},
        orient="row",
    )


def load_pipeline() -> tuple[pl.DataFrame, pl.DataFrame]:
    """(opportunities: id, owner, amount, created; stages: opportunity, stage, kind, date
    — the day, in the company's time zone, the opportunity entered the stage)."""
    with open_source() as source:
        q = Sql(source.vendor)
        opportunities = TableSql(
            "opportunities",
            (
                ("id", q.c("y", Opportunity, "id"), TEXT),
                ("owner", q.c("p", Person, "code"), TEXT),
                ("amount", q.decimal_text(q.c("y", Opportunity, "amount"), 2), MONEY),
                ("created", q.c("y", Opportunity, "created_on"), DATE),
            ),
            q.t(Opportunity, "y") + q.join(Person, "p", ("y", Opportunity, "owner")),
            {},
        )
        stages = TableSql(
            "stage_changes",
            (
                ("opportunity", q.c("c", StageChange, "opportunity"), TEXT),
                ("stage", q.c("s", Stage, "code"), TEXT),
                ("kind", q.c("s", Stage, "kind"), TEXT),
                ("date", q.c("c", StageChange, "changed_at"), INSTANT_DATE),
                ("__id", q.c("c", StageChange, "id"), TEXT),
            ),
            q.t(StageChange, "c") + q.join(Stage, "s", ("c", StageChange, "to_stage")),
            {},
        )
        frames = []
        for spec in (opportunities, stages):
            select = ", ".join(f"{sql} AS {q.quote(name)}" for name, sql, _kind in spec.columns)
            raw = pl.from_arrow(source.query(f"SELECT {select} FROM {spec.source}"))
            assert isinstance(raw, pl.DataFrame)
            frames.append(typed(raw, spec))
    opportunity_frame = frames[0].with_columns(pl.col("amount").cast(pl.Float64))
    stage_frame = (
        frames[1]
        .with_columns(pl.col("__id").cast(pl.Int64))
        .sort("opportunity", "date", "__id")
        .drop("__id")
    )
    return opportunity_frame, stage_frame


def load(
    measure: Measure,
    start: datetime.date,
    end: datetime.date,
    org: tuple[pl.DataFrame, pl.DataFrame] | None = None,
    values: pl.DataFrame | None = None,
) -> ForecastData:
    """Everything a forecast of ``measure`` reads, from ``start`` to ``end`` (``org``:
    :func:`load_people` of ``end``, ``values``: :func:`load_values`, when already read)."""
    if not forecastable(measure):
        raise NotForecastable(measure.code)
    people, units = org or load_people(end)
    if values is None:
        values = load_values(measure, start, end)
    data = ForecastData(values=values, people=people, units=units)
    if feeds_pipeline(measure):
        opportunities, stages = load_pipeline()
        data = ForecastData(data.values, people, units, opportunities, stages)
    return data


def measure_named(code: str) -> Measure:
    found = Measure.objects.filter(code=code).first()
    if found is None:
        raise NotForecastable(code)
    return found


def _years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` earlier; 28 February for a 29 February that year lacks."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def run_backtest(code: str, first: datetime.date, last: datetime.date) -> dict[str, Any]:
    """``attain forecast backtest``: the JSON document of :func:`attain.engine.backtest`."""
    measure = measure_named(code)
    history = _years_before(first, HISTORY_YEARS)
    data = load(measure, history, last)
    return backtest(data, first, last, fiscal_year_start())


def forecast_periods(
    codes: Sequence[str], as_of: datetime.date, kinds: Sequence[str] = ("quarter", "month")
) -> list[tuple[str, ForecastPeriod, pl.DataFrame, pl.DataFrame]]:
    """The forecasts of the periods of ``kinds`` around ``as_of`` for the measures named
    that can be forecast: (measure, period, people's rows, units' rows) — each measure's
    data read once, up to ``as_of`` only."""
    found: list[tuple[str, ForecastPeriod, pl.DataFrame, pl.DataFrame]] = []
    if not FIRST_DAY <= as_of <= LAST_DAY:  # no history before, no calendar after
        return found
    start = fiscal_year_start()
    by_code = {m.code: m for m in Measure.objects.filter(code__in=codes)}
    measures = [by_code[c] for c in dict.fromkeys(codes) if c in by_code]
    measures = [m for m in measures if forecastable(m)]
    if not measures:
        return found
    org = load_people(as_of)
    periods = [forecast_period(kind, as_of, start) for kind in kinds]
    history = _years_before(min(p.start for p in periods), HISTORY_YEARS)
    values = load_many_values(measures, history, as_of)  # the tables read once for all
    spells = load_spells(min(p.start for p in periods), as_of)
    for measure in measures:
        code = measure.code
        data = load(measure, history, as_of, org, values[code])
        for period in periods:
            rows = forecast_rows(data, as_of, period, start)
            # a unit keeps what someone booked there before they moved (as pace counts it)
            by_unit = forecast_booked_where(rows, data.values, spells, period, as_of)
            found.append((code, period, rows, forecast_rollup(by_unit, data.units)))
    return found
