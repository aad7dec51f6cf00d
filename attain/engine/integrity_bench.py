"""`attain bench integrity`: the integrity scan of a generated company against a bare
Polars group-by of the same orders, in the same run.

The company (people in units of twelve, orders over two years with about 5% split
between two people, a few cancellations and returns, one customer per twenty orders)
is generated into parquet files; then two fresh helper processes read them, one running
every detector over the last eight quarters (:func:`attain.engine.integrity.scan`), the
other summing the orders per person and quarter. Each reports its wall clock and peak
memory (``ru_maxrss`` of the helper); the ratio is scan time over group-by time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import polars as pl

FIRST = dt.date(2025, 1, 1)
DAYS = 700

_HELPER = r"""
import json, resource, sys, time, datetime as dt
import polars as pl
folder, mode = sys.argv[1], sys.argv[2]
began = time.perf_counter()
orders = pl.read_parquet(folder + "/orders.parquet")
if mode == "bare":
    out = orders.group_by("owner", pl.col("date").dt.truncate("1q")).agg(pl.col("amount").sum())
    alerts = out.height
else:
    from attain.engine.integrity import Records, ScanPeriod, scan
    frames = {"orders": orders}
    for name in ("credits", "customers", "people", "payments"):
        frames[name] = pl.read_parquet(f"{folder}/{name}.parquet")
    periods = []
    for year in (2025, 2026):
        for q in range(4):
            start = dt.date(year, 3 * q + 1, 1)
            end = (dt.date(year + (q == 3), (3 * q + 3) % 12 + 1, 1) - dt.timedelta(days=1))
            periods.append(ScanPeriod(f"{year}-Q{q + 1}", start, end))
    found = scan(Records(frames), periods, as_of=dt.date(2026, 12, 31))
    alerts = len(found.alerts)
seconds = time.perf_counter() - began
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak_bytes": peak, "alerts": alerts}))
"""


def generate(folder: Path, people: int, orders: int, seed: int = 1) -> float:
    """Write orders, credits, customers, payments and people as parquet; seconds taken."""
    began = time.perf_counter()
    codes = pl.DataFrame(
        {
            "code": [f"E{i:06d}" for i in range(people)],
            "unit": [f"U{i // 12:05d}" for i in range(people)],
            "email": [f"e{i}@bench.example" for i in range(people)],
        }
    )
    codes.write_parquet(folder / "people.parquet")
    customers = max(50, orders // 20)
    index = pl.int_range(0, orders, eager=True).alias("i")
    h = index.hash(seed)
    hashes = {f"h{k}": index.hash(seed * 100 + k) for k in range(8)}
    frame = pl.DataFrame({"i": index, "h": h, **hashes}).with_columns(
        pl.format("B{}", pl.col("i")).alias("id"),
        (pl.lit(FIRST) + pl.duration(days=(pl.col("h1") % DAYS).cast(pl.Int64))).alias("date"),
        pl.format("E{}", (pl.col("h2") % people).cast(pl.String).str.zfill(6)).alias("owner"),
        pl.format("C{}", pl.col("h3") % customers).alias("customer"),
        ((pl.col("h4") % 2_000_000) / 100 + 100).alias("amount"),
        pl.when(pl.col("h5") % 100 < 3)
        .then(pl.lit("cancelled"))
        .when(pl.col("h5") % 100 < 5)
        .then(pl.lit("returned"))
        .otherwise(pl.lit("confirmed"))
        .alias("status"),
    )
    frame = frame.with_columns(
        pl.when(pl.col("status") != "confirmed")
        .then(pl.col("date") + pl.duration(days=(pl.col("h6") % 40).cast(pl.Int64)))
        .otherwise(None)
        .alias("status_changed_on")
    )
    frame.select(
        "id", "date", "owner", "customer", "amount", "status", "status_changed_on"
    ).write_parquet(folder / "orders.parquet")
    split = frame.filter(pl.col("h7") % 100 < 5)
    partner = pl.format(
        "E{}",
        ((pl.col("owner").str.slice(1).cast(pl.Int64) // 12 * 12 + pl.col("h") % 12) % people)
        .cast(pl.String)
        .str.zfill(6),
    )
    pl.concat(
        [
            split.select(
                pl.col("id").alias("order"),
                pl.col("owner").alias("person"),
                pl.lit(0.5).alias("share"),
            ),
            split.select(
                pl.col("id").alias("order"), partner.alias("person"), pl.lit(0.5).alias("share")
            ),
        ]
    ).write_parquet(folder / "credits.parquet")
    pl.DataFrame({"i": pl.int_range(0, customers, eager=True)}).select(
        pl.format("C{}", pl.col("i")).alias("id"),
        pl.format("E{}", (pl.col("i").hash(seed + 1) % people).cast(pl.String).str.zfill(6)).alias(
            "owner"
        ),
        (
            pl.lit(FIRST) + pl.duration(days=(pl.col("i").hash(seed + 2) % DAYS).cast(pl.Int64))
        ).alias("created"),
        pl.format("021-{}", pl.col("i")).alias("phone"),
    ).write_parquet(folder / "customers.parquet")
    frame.filter(pl.col("status") == "confirmed").select(
        pl.format("P{}", pl.col("i")).alias("id"),
        (pl.col("date") + pl.duration(days=20)).alias("date"),
        pl.col("id").alias("order"),
        "customer",
        "amount",
    ).write_parquet(folder / "payments.parquet")
    return time.perf_counter() - began


def _measure(folder: Path, mode: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _HELPER, str(folder), mode],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    data: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def main(args: Sequence[str], out: TextIO, err: TextIO) -> int:
    parser = argparse.ArgumentParser(prog="attain bench integrity")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(list(args))
    with tempfile.TemporaryDirectory(prefix="attain-integrity-bench-") as name:
        folder = Path(name)
        generated = generate(folder, options.people, options.orders, options.seed)
        bare = _measure(folder, "bare")
        scan = _measure(folder, "scan")
    gb = 1024**3
    out.write(
        f"people {options.people}, orders {options.orders:,} (generated in {generated:.1f} s)\n"
        f"integrity scan   {scan['seconds']:8.2f} s  peak {scan['peak_bytes'] / gb:5.2f} GB"
        f"  alerts {int(scan['alerts'])}\n"
        f"bare group-by    {bare['seconds']:8.2f} s  peak {bare['peak_bytes'] / gb:5.2f} GB\n"
        f"ratio            {scan['seconds'] / max(bare['seconds'], 1e-9):8.1f}x\n"
    )
    del err
    return 0
