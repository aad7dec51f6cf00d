"""``attain bench forecast``: the forecast and its backtest on a generated company.

The company is :mod:`attain.engine.bench`'s organisation (teams of ten under regions)
with a funnel: each rep opens opportunities through the year (seasonal), each moves
through five open stages (lead → negotiate, 6–24 days each) and is lost at some step or
won; a win becomes an order on its day. Repeat orders without an opportunity come on
top. Reps differ in how many deals they open, how big and how often they win.

It times, in one process and one run:

- the forecast of every person × measure (revenue, with the pipeline; deals, a count
  without one) for the quarter around the cut-off, with the unit roll-up;
- the backtest of a year (every month's and quarter's 1/3 and 2/3 point) of revenue;
- a bare Polars pass over the same orders (group by owner and month, sum), the ratio's
  denominator.

It prints a table and (``--json FILE``) the figures, with the backtest's WAPEs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections.abc import Sequence
from typing import TextIO

import polars as pl

from .bench import DAYS, FIRST_DAY, SEASON, Bits, generate_org, weighted
from .forecast import ForecastData, backtest, forecast, period_of, roll_up

FUNNEL = ("lead", "qualify", "solution", "quote", "negotiate")
AS_OF = dt.date(2025, 11, 15)
OPPORTUNITIES_PER_REP_YEAR = 36
REPEAT_ORDERS_PER_REP_YEAR = 24


def generate(people: int, seed: int = 1) -> tuple[ForecastData, ForecastData]:
    """(revenue data with its pipeline, deals data) of a generated company."""
    bits = Bits(seed)
    org = generate_org(people, bits)
    reps = org.reps
    n_reps = len(reps)
    ids = org.people["id"]
    # the reps' traits: volume, deal size, win rate
    volume = (bits.normal(n_reps) * 0.5).exp()
    size = (bits.normal(n_reps) * 0.4).exp()
    win = bits.uniform(n_reps) * 0.3 + 0.2
    count = int(n_reps * OPPORTUNITIES_PER_REP_YEAR * DAYS / 365)
    owner_slot = weighted(bits, count, volume.to_list())
    day_weights = [float(SEASON[(FIRST_DAY + dt.timedelta(days=d)).month - 1]) for d in range(DAYS)]
    raw_day = weighted(bits, count, day_weights)
    lo = pl.Series(org.start_day, dtype=pl.Int64).gather(pl.Series(reps).gather(owner_slot))
    hi = pl.Series(org.end_day, dtype=pl.Int64).gather(pl.Series(reps).gather(owner_slot))
    created = lo + raw_day % (hi - lo + 1).clip(lower_bound=1)
    # lost at the first step (1-5) whose draw falls under 1 - win ** (1/5); 6 means won
    lose_chance = 1 - win.gather(owner_slot) ** 0.2
    lost_at = pl.Series([6] * count, dtype=pl.Int64)
    for step in range(5, 0, -1):
        draw = bits.uniform(count)
        lost_at = pl.Series(
            pl.select(pl.when(draw < lose_chance).then(pl.lit(step)).otherwise(lost_at)).to_series()
        )
    durations = [bits.integers(count, 6, 25) for _ in range(5)]
    amount = (bits.normal(count) * 0.7 + 10.2).exp() * size.gather(owner_slot)
    opps = pl.DataFrame(
        {
            "id": pl.int_range(count, eager=True).cast(pl.String),
            "owner": ids.gather(pl.Series(reps).gather(owner_slot)),
            "amount": amount.round(2),
            "created_day": created,
            "lost_at": lost_at,
        }
    )
    entered = created
    parts = []
    for step in range(6):
        kind = "open" if step < 5 else "won"
        stage = FUNNEL[step] if step < 5 else "won"
        rows = opps.with_columns(entered.alias("day")).filter(pl.col("lost_at") >= step)
        parts.append(
            rows.select(
                pl.col("id").alias("opportunity"),
                pl.when(pl.col("lost_at") == step)
                .then(pl.lit("lost"))
                .otherwise(pl.lit(stage))
                .alias("stage"),
                pl.when(pl.col("lost_at") == step)
                .then(pl.lit("lost"))
                .otherwise(pl.lit(kind))
                .alias("kind"),
                "day",
            )
        )
        if step < 5:
            entered = entered + durations[step]
    stages = pl.concat(parts).filter(pl.col("day") < DAYS)
    first = pl.lit(FIRST_DAY)
    stages = stages.select(
        "opportunity", "stage", "kind", (first + pl.duration(days="day")).alias("date")
    )
    wins = stages.filter(pl.col("kind") == "won").join(
        opps.select(pl.col("id").alias("opportunity"), "owner", "amount"), on="opportunity"
    )
    repeat_count = int(n_reps * REPEAT_ORDERS_PER_REP_YEAR * DAYS / 365)
    repeat_slot = weighted(bits, repeat_count, volume.to_list())
    r_lo = pl.Series(org.start_day, dtype=pl.Int64).gather(pl.Series(reps).gather(repeat_slot))
    r_hi = pl.Series(org.end_day, dtype=pl.Int64).gather(pl.Series(reps).gather(repeat_slot))
    r_day = r_lo + weighted(bits, repeat_count, day_weights) % (r_hi - r_lo + 1).clip(lower_bound=1)
    repeat = pl.DataFrame(
        {
            "person": ids.gather(pl.Series(reps).gather(repeat_slot)),
            "date": pl.select(first + pl.duration(days=pl.lit(r_day))).to_series(),
            "value": ((bits.normal(repeat_count) * 0.6 + 8.5).exp()).round(2),
        }
    )
    orders = pl.concat(
        [
            wins.select(pl.col("owner").alias("person"), "date", pl.col("amount").alias("value")),
            repeat,
        ],
        how="vertical_relaxed",
    )
    staff = org.people.select(pl.col("id").alias("person"), "unit", "start", "end")
    units = org.units.select(
        pl.col("id").alias("unit"), "parent", pl.lit(None, dtype=pl.Date).alias("opened")
    )
    opportunities = opps.select(
        "id", "owner", "amount", (first + pl.duration(days="created_day")).alias("created")
    )
    revenue = ForecastData(orders, staff, units, opportunities, stages)
    deals = ForecastData(orders.with_columns(pl.lit(1.0).alias("value")), staff, units)
    return revenue, deals


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="attain bench forecast")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--from", dest="first", default="2025-01-01")
    parser.add_argument("--to", dest="last", default="2025-12-31")
    parser.add_argument("--json", dest="json_file", default=None)
    return parser


def main(args: Sequence[str], out: TextIO, err: TextIO) -> int:
    try:
        options = _parser().parse_args(list(args))
    except SystemExit as exit_:  # --help (0), or a usage error argparse printed (2)
        return int(exit_.code or 0)
    started = time.perf_counter()
    revenue, deals = generate(options.people, options.seed)
    generated = time.perf_counter() - started

    started = time.perf_counter()
    bare = (
        revenue.values.lazy()
        .group_by("person", pl.col("date").dt.month())
        .agg(pl.col("value").sum())
        .collect()
    )
    bare_seconds = time.perf_counter() - started

    started, cpu = time.perf_counter(), time.process_time()
    period = period_of("quarter", AS_OF)
    rows = 0
    for data in (revenue, deals):
        found = forecast(data, AS_OF, period)
        roll_up(found, data.units)
        rows += found.height
    forecast_seconds = time.perf_counter() - started
    forecast_cpu = time.process_time() - cpu

    started, cpu = time.perf_counter(), time.process_time()
    first, last = dt.date.fromisoformat(options.first), dt.date.fromisoformat(options.last)
    scored = backtest(revenue, first, last)
    backtest_seconds = time.perf_counter() - started
    backtest_cpu = time.process_time() - cpu

    bare_seconds = max(bare_seconds, 1e-6)
    figures = {
        "people": options.people,
        "orders": revenue.values.height,
        "opportunities": 0 if revenue.opportunities is None else revenue.opportunities.height,
        "stage_changes": 0 if revenue.stages is None else revenue.stages.height,
        "generate_seconds": round(generated, 2),
        "bare_polars_seconds": round(bare_seconds, 4),
        "bare_rows": bare.height,
        "forecast_rows": rows,
        "forecast_seconds": round(forecast_seconds, 2),
        "forecast_ratio": round(forecast_seconds / bare_seconds, 1),
        "forecast_cpu_seconds": round(forecast_cpu, 2),
        "backtest_cutoffs": len(scored["cutoffs"]),  # type: ignore[arg-type]
        "backtest_seconds": round(backtest_seconds, 2),
        "backtest_ratio": round(backtest_seconds / bare_seconds, 1),
        "backtest_cpu_seconds": round(backtest_cpu, 2),
        "wape_model": scored["wape_model"],
        "wape_run_rate": scored["wape_run_rate"],
    }
    out.write(
        f"people {options.people:,}  orders {figures['orders']:,}  "
        f"opportunities {figures['opportunities']:,}  stage changes "
        f"{figures['stage_changes']:,}\n"
        f"bare Polars group-by            {bare_seconds:8.3f} s\n"
        f"forecast (people × measures)    {forecast_seconds:8.2f} s  "
        f"×{figures['forecast_ratio']} (limit 10 s; CPU {forecast_cpu:.1f} s)\n"
        f"backtest {first}…{last}  {backtest_seconds:8.2f} s  "
        f"×{figures['backtest_ratio']} (limit 120 s; CPU {backtest_cpu:.1f} s), "
        f"{figures['backtest_cutoffs']} cut-offs\n"
        f"WAPE model {scored['wape_model']}  run-rate {scored['wape_run_rate']}\n"
    )
    if options.json_file:
        with open(options.json_file, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=2)
    ok = forecast_seconds <= 10 and backtest_seconds <= 120
    return 0 if ok else 1
