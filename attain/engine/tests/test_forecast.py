"""The forecast: it reads nothing after its cut-off, falls back honestly, beats the
run-rate on a generated company, and its backtest has the documented shape."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from attain.engine import (
    FORECAST_BASES,
    ForecastData,
    backtest,
    backtest_cutoffs,
    forecast_period,
    forecast_rollup,
    forecast_rows,
)
from attain.engine.forecast_bench import generate

AS_OF = dt.date(2025, 5, 20)


@cache
def company() -> tuple[ForecastData, ForecastData]:
    return generate(300, seed=7)


def appended(frame: pl.DataFrame | None, **columns: list[Any]) -> pl.DataFrame:
    """``frame`` with rows added: ``columns`` by name, in the frame's own types."""
    assert frame is not None
    return pl.concat([frame, pl.DataFrame(columns, schema=frame.schema)])


def _poisoned(data: ForecastData, as_of: dt.date) -> ForecastData:
    """The same data with the future changed: huge orders after the cut-off, every open
    opportunity won the day after, new opportunities, a person and a unit that come
    later."""
    assert data.opportunities is not None and data.stages is not None
    later = as_of + dt.timedelta(days=1)
    values = pl.concat(
        [
            data.values,
            data.values.head(500).with_columns(
                pl.lit(later).alias("date"), (pl.col("value") * 1000).alias("value")
            ),
        ]
    )
    wins = (
        data.stages.filter(pl.col("date") <= as_of)
        .select("opportunity")
        .unique()
        .with_columns(
            pl.lit("won").alias("stage"), pl.lit("won").alias("kind"), pl.lit(later).alias("date")
        )
    )
    new_opportunities = data.opportunities.head(200).with_columns(
        ("x" + pl.col("id")).alias("id"), pl.lit(later).alias("created")
    )
    new_stages = new_opportunities.select(
        pl.col("id").alias("opportunity"),
        pl.lit("negotiate").alias("stage"),
        pl.lit("open").alias("kind"),
        pl.lit(later).alias("date"),
    )
    people = appended(data.people, person=["late"], unit=["t0001"], start=[later], end=[None])
    # someone who leaves after the cut-off: not known at it
    people = people.with_columns(
        pl.when(pl.col("person") == "p00003")
        .then(pl.lit(later))
        .otherwise(pl.col("end"))
        .alias("end")
    )
    assert data.units is not None
    units = appended(data.units, unit=["later"], parent=["hq"], opened=[later])
    return ForecastData(
        values,
        people,
        units,
        pl.concat([data.opportunities, new_opportunities]),
        pl.concat([data.stages, wins, new_stages]),
    )


@pytest.mark.parametrize("kind", ["month", "quarter"])
def test_no_record_after_the_cut_off_is_read(kind: str) -> None:
    revenue, _ = company()
    period = forecast_period(kind, AS_OF)
    honest = forecast_rows(revenue, AS_OF, period)
    poisoned = forecast_rows(_poisoned(revenue, AS_OF), AS_OF, period)
    assert honest.height > 250
    # the same rows and values (up to the order floating-point sums are added in)
    assert_frame_equal(honest.sort("person"), poisoned.sort("person"), rel_tol=1e-9, abs_tol=1e-6)
    # and the poison is strong enough to show if it were read: a day later it counts
    later = AS_OF + dt.timedelta(days=1)
    moved = forecast_rows(_poisoned(revenue, AS_OF), later, period)
    assert float(moved["actual"].sum()) > 100 * float(honest["actual"].sum())


def test_backtest_beats_the_run_rate_and_has_the_documented_shape() -> None:
    revenue, _ = company()
    result = backtest(revenue, dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert set(result) == {"cutoffs", "wape_model", "wape_run_rate"}
    cutoffs = result["cutoffs"]
    assert isinstance(cutoffs, list)
    assert {"date", "period", "wape_model", "wape_run_rate", "people"} == set(cutoffs[0])
    assert cutoffs[0] == {**cutoffs[0], "date": "2025-01-10", "period": "2025-01"}
    model, rate = result["wape_model"], result["wape_run_rate"]
    assert isinstance(model, float) and isinstance(rate, float)
    assert model <= 0.7 * rate, (model, rate)


def test_cut_offs_are_each_month_and_quarter_at_one_and_two_thirds() -> None:
    found = backtest_cutoffs(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert len(found) == 12 * 2 + 4 * 2
    labels = [(day.isoformat(), period.id) for day, period, _third in found]
    assert ("2025-01-10", "2025-01") in labels
    assert ("2025-01-30", "2025-Q1") in labels  # day 30 of 90
    assert ("2025-03-01", "2025-Q1") in labels  # day 60 of 90
    assert ("2025-02-09", "2025-02") in labels  # day 9 of 28


def test_fallbacks_say_what_they_are_based_on() -> None:
    revenue, deals = company()
    as_of = dt.date(2025, 5, 20)
    period = forecast_period("quarter", as_of)
    newcomer_start = dt.date(2025, 5, 12)
    people = appended(
        revenue.people,
        person=["newbie", "moved"],
        unit=["t0001", "fresh"],
        start=[newcomer_start, newcomer_start],
        end=[None, None],
    )
    assert revenue.units is not None
    units = appended(revenue.units, unit=["fresh"], parent=["hq"], opened=[dt.date(2025, 5, 2)])
    values = appended(
        revenue.values, person=["newbie"], date=[dt.date(2025, 5, 14)], value=[5000.0]
    )
    data = ForecastData(values, people, units, revenue.opportunities, revenue.stages)
    rows = {r["person"]: r for r in forecast_rows(data, as_of, period).iter_rows(named=True)}
    newbie, moved = rows["newbie"], rows["moved"]
    assert newbie["basis"] == "no_history"
    assert moved["basis"] == "new_unit"
    assert newbie["p50"] == pytest.approx(newbie["run_rate"])  # the run-rate ...
    assert newbie["p10"] == pytest.approx(5000.0)  # ... with a wide range
    assert newbie["p90"] >= newbie["p50"] * 2
    assert rows["p00010"]["basis"] == "model"
    assert set(r["basis"] for r in rows.values()) <= set(FORECAST_BASES)
    for row in rows.values():
        assert row["p10"] <= row["p50"] + 1e-6 <= row["p90"] + 2e-6
        assert row["p10"] >= row["actual"] - 1e-6
    no_pipeline = forecast_rows(deals, as_of, period)
    fallbacks = pl.col("basis").is_in(["no_history", "left"])
    assert set(no_pipeline.filter(~fallbacks)["basis"]) == {"no_pipeline"}


def test_units_roll_up_their_people() -> None:
    revenue, _ = company()
    period = forecast_period("quarter", AS_OF)
    rows = forecast_rows(revenue, AS_OF, period)
    units = forecast_rollup(rows, revenue.units)
    hq = units.filter(pl.col("unit") == "hq").row(0, named=True)
    assert hq["people"] == rows.height
    assert hq["p50"] == pytest.approx(float(rows["p50"].sum()))
    assert hq["p10"] <= hq["p50"] <= hq["p90"]
    # a unit's range is narrower than the sum of its people's
    assert hq["p90"] - hq["p10"] < float((rows["p90"] - rows["p10"]).sum())


def test_the_backtest_reads_nothing_after_its_last_period() -> None:
    """The backtest prepares the stage history once from all of it; every cut-off still
    reads only what was known then: poisoning everything after the last period scored
    changes no figure."""
    revenue, _ = company()
    last = dt.date(2025, 3, 31)
    honest = backtest(revenue, dt.date(2025, 1, 1), last)
    poisoned = backtest(_poisoned(revenue, last), dt.date(2025, 1, 1), last)
    assert honest == poisoned


def test_a_newcomer_whose_first_record_is_a_refund_is_not_forecast_more_refunds() -> None:
    """A new hire (too little history) whose only record so far is a refund: the run-rate
    would extrapolate the refund (P50 below the actual, outside its own P10–P90). The
    remainder is never negative: P50 is the actual, within the range, and so is their
    unit's."""
    revenue, _ = company()
    as_of = dt.date(2025, 5, 20)
    period = forecast_period("quarter", as_of)
    start = dt.date(2025, 5, 12)
    people = appended(revenue.people, person=["refund"], unit=["t0001"], start=[start], end=[None])
    values = appended(
        revenue.values, person=["refund"], date=[dt.date(2025, 5, 14)], value=[-3000.0]
    )
    data = ForecastData(values, people, revenue.units, revenue.opportunities, revenue.stages)
    rows = forecast_rows(data, as_of, period)
    row = rows.filter(pl.col("person") == "refund").row(0, named=True)
    assert row["basis"] == "no_history"
    assert row["p10"] <= row["p50"] <= row["p90"]
    assert row["p50"] == pytest.approx(-3000.0)
    units = forecast_rollup(rows, data.units)
    for unit in units.iter_rows(named=True):
        assert unit["p10"] <= unit["p50"] + 1e-6 <= unit["p90"] + 2e-6


def test_someone_who_left_during_the_period_keeps_what_they_booked() -> None:
    """p00010 leaves on 2025-05-05, inside the quarter: no forecast ahead (basis ``left``,
    P10 = P50 = P90 = what they booked), and their unit's and the company's forecasts
    include it (before, a unit's P50 could lie below its actual to date)."""
    revenue, _ = company()
    as_of = dt.date(2025, 5, 20)
    period = forecast_period("quarter", as_of)
    leaving = dt.date(2025, 5, 5)
    people = revenue.people.with_columns(
        pl.when(pl.col("person") == "p00010")
        .then(pl.lit(leaving))
        .otherwise(pl.col("end"))
        .alias("end")
    )
    values = revenue.values.filter((pl.col("person") != "p00010") | (pl.col("date") <= leaving))
    data = ForecastData(values, people, revenue.units, revenue.opportunities, revenue.stages)
    rows = forecast_rows(data, as_of, period)
    booked = float(
        values.filter((pl.col("person") == "p00010") & (pl.col("date") >= period.start))[
            "value"
        ].sum()
    )
    gone = rows.filter(pl.col("person") == "p00010").row(0, named=True)
    assert booked > 0 and gone["basis"] == "left"
    assert gone["p10"] == gone["p50"] == gone["p90"] == pytest.approx(booked)
    units = forecast_rollup(rows, data.units)
    hq = units.filter(pl.col("unit") == "hq").row(0, named=True)
    active = float(rows.filter(pl.col("basis") != "left")["actual"].sum())
    assert hq["actual"] == pytest.approx(float(rows["actual"].sum()))
    assert hq["actual"] >= active + booked - 1e-6
    assert hq["p10"] >= hq["actual"] - 1e-6


def test_a_unit_whose_month_nets_to_refunds_is_not_forecast_trillions() -> None:
    """A one-person unit whose Decembers are only returns: its December seasonal weight
    came out negative, the pace signal divided by a weight clipped to 1e-9, and early in
    December its P50 was about 2.5e13. Day weights are never negative, and the forecast
    stays within what the person ever sold."""
    revenue, _ = company()
    as_of = dt.date(2025, 12, 5)
    period = forecast_period("month", as_of)
    people = appended(
        revenue.people, person=["ret"], unit=["solo"], start=[dt.date(2023, 1, 1)], end=[None]
    )
    day, rows = dt.date(2023, 1, 2), []
    while day <= as_of:
        if day.weekday() < 5:
            rows.append(("ret", day, -500.0 if day.month == 12 else 800.0))
        day += dt.timedelta(days=1)
    values = pl.concat(
        [revenue.values, pl.DataFrame(rows, schema=revenue.values.schema, orient="row")]
    )
    assert revenue.units is not None
    units = appended(revenue.units, unit=["solo"], parent=[None], opened=[None])
    data = ForecastData(values, people, units)
    row = forecast_rows(data, as_of, period).filter(pl.col("person") == "ret").row(0, named=True)
    sold = sum(value for _p, _d, value in rows if value > 0)
    assert row["actual"] == pytest.approx(-2500.0)  # 1–5 December
    assert row["p10"] <= row["p50"] <= row["p90"] < sold


def test_p50_lies_within_the_range_when_most_remainders_beat_the_fit() -> None:
    """Most of the earlier rows (small ones) ended at twice their fitted remainder, a few
    big ones exactly on it: the least-squares weight follows the big ones, and the 10th
    percentile of actual ÷ fitted was 1.4, so P10 = actual + 1.4 × remainder lay above
    P50 = actual + remainder."""
    from attain.engine.forecast import fit

    small, big = 22, 3
    rows = pl.DataFrame(
        {
            "history": [100.0] * small + [100000.0] * big,
            "pipeline": [0.0] * (small + big),
            "pace": [0.0] * (small + big),
            "remainder": [200.0] * small + [100000.0] * big,
            "history_days": [365] * (small + big),
        }
    )
    fitted = fit(rows, ("history", "pace"))
    assert fitted.weights["history"] == pytest.approx(1.0, rel=1e-3)
    low, high = fitted.ratios
    assert 0.0 <= low <= 1.0 <= high


@pytest.mark.parametrize("amount", [0.0, -100.0])
def test_two_years_that_sold_nothing_give_numbers_not_nan(amount: float) -> None:
    """Every record of two years is 0 (samples booked at no charge) or a refund: no day
    weighs anything, so the daily rate was 0 ÷ 0 and every P10, P50 and P90 came out
    NaN, for the people and their unit. Such years teach no seasonality: the calendar
    is flat, as with under a year of data."""
    as_of = dt.date(2024, 2, 29)  # a leap day, mid-quarter
    people = pl.DataFrame(
        {
            "person": ["a", "b"],
            "unit": ["u", "u"],
            "start": [dt.date(2020, 1, 1)] * 2,
            "end": [None, None],
        },
        schema={"person": pl.String, "unit": pl.String, "start": pl.Date, "end": pl.Date},
    )
    first = dt.date(2022, 1, 3)
    values = pl.DataFrame(
        [(p, first + dt.timedelta(days=7 * i), amount) for i in range(110) for p in "ab"],
        schema={"person": pl.String, "date": pl.Date, "value": pl.Float64},
        orient="row",
    )
    units = pl.DataFrame(
        {"unit": ["u"], "parent": [None], "opened": [None]},
        schema={"unit": pl.String, "parent": pl.String, "opened": pl.Date},
    )
    data = ForecastData(values, people, units)
    for kind in ("quarter", "month"):
        rows = forecast_rows(data, as_of, forecast_period(kind, as_of))
        rolled = forecast_rollup(rows, units)
        for frame in (rows, rolled):
            for row in frame.iter_rows(named=True):
                assert not any(row[k] != row[k] for k in ("p10", "p50", "p90")), row  # NaN
                assert row["actual"] <= row["p10"] <= row["p50"] <= row["p90"], row


def test_a_new_hires_run_rate_counts_their_own_days_in_the_period() -> None:
    """Hired 12 May into 2025-Q2 (91 days), 5,000 sold by 20 May. Before: run-rate =
    5,000 ÷ (50/91 of the quarter gone) = 9,100, as if they had sold since 1 April. After:
    9 of their 50 days in the quarter gone: 5,000 × 50 ÷ 9 = 27,777.78."""
    revenue, _ = company()
    as_of = dt.date(2025, 5, 20)
    period = forecast_period("quarter", as_of)
    people = pl.concat(
        [
            revenue.people,
            pl.DataFrame(
                {"person": ["hired"], "unit": ["t0001"], "start": [dt.date(2025, 5, 12)]},
                schema={"person": pl.String, "unit": pl.String, "start": pl.Date},
            ).with_columns(pl.lit(None, dtype=pl.Date).alias("end")),
        ],
        how="diagonal_relaxed",
    ).select(revenue.people.columns)
    values = appended(revenue.values, person=["hired"], date=[dt.date(2025, 5, 14)], value=[5000.0])
    data = ForecastData(values, people, revenue.units, revenue.opportunities, revenue.stages)
    rows = forecast_rows(data, as_of, period)
    row = rows.filter(pl.col("person") == "hired").row(0, named=True)
    assert row["basis"] == "no_history"
    assert row["run_rate"] == pytest.approx(5000.0 * 50 / 9)
    assert row["p50"] == pytest.approx(5000.0 * 50 / 9)
    # someone there all quarter keeps the period's share
    veteran = rows.filter(pl.col("person") == "p00010").row(0, named=True)
    assert veteran["run_rate"] == pytest.approx(veteran["actual"] / (50 / 91))
