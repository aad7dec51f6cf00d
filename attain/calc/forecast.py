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
from django.utils import timezone

from attain.crm.models import Opportunity, StageChange
from attain.engine import (
    ForecastData,
    ForecastPeriod,
    MeasureEngine,
    Org,
    backtest,
    forecast_period,
    forecast_rollup,
    forecast_rows,
)
from attain.measures.models import Aggregation, Measure
from attain.org.models import Unit

from .org import load_org
from .periods import fiscal_year_start
from .run import loaded

HISTORY_YEARS = 2  # history read before the first cut-off: seasonality needs a year or two


class NotForecastable(ValueError):
    """The measure cannot be forecast (unknown, or not a sum or a count)."""


def forecastable(measure: Measure) -> bool:
    return measure.agg in (Aggregation.SUM, Aggregation.COUNT)


def feeds_pipeline(measure: Measure) -> bool:
    """Order amounts are what won opportunities turn into."""
    return (
        measure.table == "orders" and measure.value == "amount" and measure.agg == Aggregation.SUM
    )


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def load_values(measure: Measure, start: datetime.date, end: datetime.date) -> pl.DataFrame:
    """The measure's credited values from ``start`` to ``end``: person, date, value."""
    empty = pl.DataFrame(schema={"person": pl.String, "date": pl.Date, "value": pl.Float64})
    with loaded(
        start=start, end=end, measures={measure.code: measure.as_scenario()}, as_of=end
    ) as found:
        scenario = found.checked()
        engine = MeasureEngine(scenario, Org(scenario.units, scenario.people), set())
        rows = engine.credited(measure.code)
    if rows.height == 0:
        return empty
    column = "__share" if measure.agg == Aggregation.COUNT else "__credited"
    return rows.select(
        pl.col("__person").cast(pl.String).alias("person"),
        pl.col("__date").cast(pl.Date).alias("date"),
        pl.col(column).cast(pl.Float64).fill_null(0.0).alias("value"),
    ).filter(pl.col("person").is_not_null())


def load_people(on: datetime.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(people: person, unit, start, end — their unit on ``on``; units: unit, parent,
    opened)."""
    unit_frame, people = load_org(start=on)
    people = people.select(
        pl.col("id").alias("person"), "unit", pl.col("start"), pl.col("end")
    ).cast({"start": pl.Date, "end": pl.Date})
    opened = {code: day for code, day in Unit.objects.values_list("code", "opened")}
    units = unit_frame.select(pl.col("id").alias("unit"), "parent").with_columns(
        pl.col("unit")
        .map_elements(lambda code: opened.get(code), return_dtype=pl.Date)
        .alias("opened")
    )
    return people, units


def load_pipeline() -> tuple[pl.DataFrame, pl.DataFrame]:
    """(opportunities: id, owner, amount, created; stages: opportunity, stage, kind, date)."""
    opportunities = list(
        Opportunity.objects.values_list("pk", "owner__code", "amount", "created_on")
    )
    changes = list(
        StageChange.objects.values_list(
            "opportunity_id", "to_stage__code", "to_stage__kind", "changed_at"
        ).order_by("opportunity_id", "changed_at", "pk")
    )
    opportunity_frame = pl.DataFrame(
        [(str(pk), owner, float(amount), created) for pk, owner, amount, created in opportunities],
        schema={"id": pl.String, "owner": pl.String, "amount": pl.Float64, "created": pl.Date},
        orient="row",
    )
    stage_frame = pl.DataFrame(
        [(str(o), code, kind, _local_date(at)) for o, code, kind, at in changes],
        schema={"opportunity": pl.String, "stage": pl.String, "kind": pl.String, "date": pl.Date},
        orient="row",
    )
    return opportunity_frame, stage_frame


def load(measure: Measure, start: datetime.date, end: datetime.date) -> ForecastData:
    """Everything a forecast of ``measure`` reads, from ``start`` to ``end``."""
    if not forecastable(measure):
        raise NotForecastable(measure.code)
    people, units = load_people(end)
    data = ForecastData(values=load_values(measure, start, end), people=people, units=units)
    if feeds_pipeline(measure):
        opportunities, stages = load_pipeline()
        data = ForecastData(data.values, people, units, opportunities, stages)
    return data


def measure_named(code: str) -> Measure:
    found = Measure.objects.filter(code=code).first()
    if found is None:
        raise NotForecastable(code)
    return found


def run_backtest(code: str, first: datetime.date, last: datetime.date) -> dict[str, Any]:
    """``attain forecast backtest``: the JSON document of :func:`attain.engine.backtest`."""
    measure = measure_named(code)
    history = first.replace(year=first.year - HISTORY_YEARS)
    data = load(measure, history, last)
    return backtest(data, first, last, fiscal_year_start())


def forecast_periods(
    codes: Sequence[str], as_of: datetime.date, kinds: Sequence[str] = ("quarter", "month")
) -> list[tuple[str, ForecastPeriod, pl.DataFrame, pl.DataFrame]]:
    """The forecasts of the periods of ``kinds`` around ``as_of`` for the measures named
    that can be forecast: (measure, period, people's rows, units' rows) — each measure's
    data read once, up to ``as_of`` only."""
    found = []
    start = fiscal_year_start()
    for code in codes:
        measure = Measure.objects.filter(code=code).first()
        if measure is None or not forecastable(measure):
            continue
        periods = [forecast_period(kind, as_of, start) for kind in kinds]
        first = min(p.start for p in periods)
        data = load(measure, first.replace(year=first.year - HISTORY_YEARS), as_of)
        for period in periods:
            rows = forecast_rows(data, as_of, period, start)
            found.append((code, period, rows, forecast_rollup(rows, data.units)))
    return found
