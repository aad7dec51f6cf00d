"""``attain bench engine``: a large synthetic scenario, timed against a bare Polars group-by.

The generator is deterministic for a seed and vectorised (random bits come from
``random.Random(seed).randbytes`` and are turned into columns by Polars), so 10 million
orders take seconds. It writes parquet tables and a ``scenario.yaml`` under ``--dir``
(default: a temporary directory, removed afterwards unless ``--keep``).

The runner times whole processes, each started from a small helper process so that
``RUSAGE_CHILDREN.ru_maxrss`` of the helper is the peak memory of that one command:

- ``attain scenario run scenario.yaml`` (stdout to ``result.json`` in the directory);
- the bare group-by ``scan_parquet(orders) → group_by(owner, month) → sum(amount)``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

import polars as pl
import pyarrow as pa

FIRST_DAY = dt.date(2024, 1, 1)  # orders span fiscal years 2024 and 2025
DAYS = 731
AS_OF = dt.date(2025, 11, 15)
# seasonality of orders over the calendar months (a quarter-end push, a slow February)
SEASON = (7, 6, 9, 8, 8, 10, 7, 8, 10, 8, 9, 12)
TEAM_SIZE = 10
TEAMS_PER_REGION = 50

BARE_GROUP_BY = (
    "import polars as pl, sys; "
    "pl.scan_parquet(sys.argv[1]).group_by('owner', pl.col('date').dt.month())"
    ".agg(pl.col('amount').sum()).collect()"
)

_HELPER = """
import json, resource, subprocess, sys, time
command, output = json.loads(sys.argv[1]), sys.argv[2]
with open(output, "wb") as out:
    start = time.perf_counter()
    done = subprocess.run(command, stdout=out, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak, cpu = usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime
print(json.dumps({"seconds": seconds, "peak_bytes": peak, "exit": done.returncode, "cpu": cpu,
                  "stderr": done.stderr.decode("utf-8", "replace")[-2000:]}))
"""


# -- random columns --------------------------------------------------------------------
class Bits:
    """Deterministic random columns (uniform integers and floats) from one seed."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def words(self, n: int) -> pl.Series:
        raw = self.random.randbytes(8 * n)
        array = pa.Array.from_buffers(pa.uint64(), n, [None, pa.py_buffer(raw)])
        series = pl.from_arrow(array)
        assert isinstance(series, pl.Series)
        return series

    def uniform(self, n: int) -> pl.Series:
        """Floats in [0, 1)."""
        return (self.words(n) // 2048).cast(pl.Float64) * (2.0**-53)

    def integers(self, n: int, low: int, high: int) -> pl.Series:
        """Integers in [low, high)."""
        return (self.words(n) % (high - low)).cast(pl.Int64) + low

    def normal(self, n: int) -> pl.Series:
        u1 = 1.0 - self.uniform(n)
        u2 = self.uniform(n)
        return ((-2.0 * u1.log()).sqrt() * (2 * 3.141592653589793 * u2).cos()).alias("normal")


def weighted(bits: Bits, n: int, weights: Sequence[float]) -> pl.Series:
    """n indices drawn with the given (unnormalised) weights."""
    cumulative: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    edges = pl.Series([c / total for c in cumulative[:-1]], dtype=pl.Float64)
    return edges.search_sorted(bits.uniform(n), side="right").cast(pl.Int64)


# -- the organisation --------------------------------------------------------------------
@dataclass
class SyntheticOrg:
    people: pl.DataFrame
    units: pl.DataFrame
    reps: list[int]  # indices of people with role rep
    start_day: list[int]  # employment start, as an offset from FIRST_DAY (clipped)
    end_day: list[int]


def _day(offset: int) -> dt.date:
    return FIRST_DAY + dt.timedelta(days=offset)


def generate_org(people: int, bits: Bits) -> SyntheticOrg:
    rng = bits.random
    teams = max(1, people // TEAM_SIZE)
    regions = max(1, teams // TEAMS_PER_REGION)
    units: list[dict[str, object]] = [{"id": "hq", "name": "总部", "parent": None}]
    for r in range(regions):
        units.append({"id": f"r{r:03d}", "name": f"大区 {r}", "parent": "hq"})
    for t in range(teams):
        units.append({"id": f"t{t:04d}", "name": f"团队 {t}", "parent": f"r{t % regions:03d}"})
    unit_frame = pl.DataFrame(
        {
            "id": [u["id"] for u in units],
            "name": [u["name"] for u in units],
            "parent": [u["parent"] for u in units],
            "potential": [rng.randrange(5_000, 50_000) * 1000 for _ in units],
        }
    )
    ids: list[str] = []
    names: list[str] = []
    unit_of: list[str] = []
    managers: list[str | None] = []
    roles: list[str] = []
    starts: list[dt.date | None] = []
    ends: list[dt.date | None] = []
    potentials: list[int] = []
    histories: list[str | None] = []
    reps: list[int] = []
    start_day: list[int] = []
    end_day: list[int] = []
    directors = min(regions, people)
    managers_count = min(teams, people - directors)
    for i in range(people):
        if i < directors:
            pid, role, unit, manager = f"d{i:03d}", "director", f"r{i:03d}", None
        elif i < directors + managers_count:
            t = i - directors
            pid, role, unit = f"m{t:04d}", "manager", f"t{t:04d}"
            manager = f"d{t % regions:03d}" if directors else None
        else:
            k = i - directors - managers_count
            t = k % teams
            pid, role, unit = f"p{k:05d}", "rep", f"t{t:04d}"
            manager = f"m{t:04d}" if t < managers_count else None
            reps.append(i)
        # tenure: most joined before 2024; about 12% during 2024-2025, a few leave in 2025
        draw = rng.random()
        joins_late = draw < 0.12 and role == "rep"
        first = rng.randrange(0, 640) if joins_late else -rng.randrange(30, 3000)
        last = DAYS + 400
        if role == "rep" and rng.random() < 0.03:
            last = rng.randrange(max(first + 30, 380), DAYS)
        history = None
        if role == "rep" and teams > 1 and rng.random() < 0.02:
            move = rng.randrange(max(first + 1, 370), 700)
            target = rng.randrange(teams)
            if target != t and target < managers_count:
                entry = {"from": _day(move).isoformat(), "unit": f"t{target:04d}"}
                entry["manager"] = f"m{target:04d}"
                history = json.dumps([entry])
        ids.append(pid)
        names.append(f"员工 {i}")
        unit_of.append(unit)
        managers.append(manager)
        roles.append(role)
        starts.append(_day(first))
        ends.append(_day(last) if last < DAYS else None)
        potentials.append(rng.randrange(300, 3000) * 1000)
        histories.append(history)
        start_day.append(max(first, 0))
        end_day.append(min(last, DAYS - 1))
    frame = pl.DataFrame(
        {
            "id": ids,
            "name": names,
            "unit": unit_of,
            "manager": managers,
            "role": roles,
            "start": starts,
            "end": ends,
            "potential": potentials,
            "history": histories,
        },
        schema={
            "id": pl.String,
            "name": pl.String,
            "unit": pl.String,
            "manager": pl.String,
            "role": pl.String,
            "start": pl.Date,
            "end": pl.Date,
            "potential": pl.Int64,
            "history": pl.String,
        },
    )
    return SyntheticOrg(frame, unit_frame, reps or list(range(people)), start_day, end_day)


# -- records ------------------------------------------------------------------------------
def _money(cents: pl.Expr) -> pl.Expr:
    """Integer cents as an exact Decimal(18, 2)."""
    return cents.cast(pl.Decimal(18, 0)) * pl.lit(1).cast(pl.Decimal(3, 2)) / 100


def generate_orders(org: SyntheticOrg, orders: int, bits: Bits) -> pl.DataFrame:
    reps = org.reps
    productivity = (bits.normal(len(reps)) * 0.6).exp().to_list()
    owner_index = pl.Series(reps, dtype=pl.Int64).gather(weighted(bits, orders, productivity))
    month_days: list[float] = []
    for offset in range(DAYS):
        month_days.append(float(SEASON[_day(offset).month - 1]))
    raw_day = weighted(bits, orders, month_days)
    # orders fall inside the owner's employment: wrap the drawn day into it
    lo = pl.Series(org.start_day, dtype=pl.Int64).gather(owner_index)
    hi = pl.Series(org.end_day, dtype=pl.Int64).gather(owner_index)
    span = (hi - lo + 1).clip(lower_bound=1)
    day = lo + raw_day % span
    # amounts: log-normal around 8,000 CNY, 2% refunds (negative), 5% cancelled
    cents = ((bits.normal(orders) * 0.9 + 13.6).exp()).cast(pl.Int64).clip(100, 5_000_000_00)
    refund = bits.uniform(orders) < 0.02
    status_draw = bits.uniform(orders)
    ids = pl.Series(org.people["id"])
    frame = pl.DataFrame(
        {
            "owner_index": owner_index,
            "day": day,
            "cents": cents,
            "refund": refund,
            "status_draw": status_draw,
            "customer": bits.integers(orders, 0, max(100, orders // 20)),
            "product": bits.integers(orders, 1, 21),
            "split": bits.uniform(orders) < 0.05,
            "partner": pl.Series(reps, dtype=pl.Int64).gather(bits.integers(orders, 0, len(reps))),
            "share": bits.integers(orders, 0, 3),
        }
    )
    share_text = pl.col("share").replace_strict({0: "0.5", 1: "0.6", 2: "0.7"})
    rest_text = pl.col("share").replace_strict({0: "0.5", 1: "0.4", 2: "0.3"})
    owner = pl.col("owner_index").map_batches(lambda s: ids.gather(s), return_dtype=pl.String)
    partner = pl.col("partner").map_batches(lambda s: ids.gather(s), return_dtype=pl.String)
    status = (
        pl.when(pl.col("refund"))
        .then(pl.lit("refunded"))
        .when(pl.col("status_draw") < 0.05)
        .then(pl.lit("cancelled"))
        .when(pl.col("status_draw") < 0.25)
        .then(pl.lit("shipped"))
        .otherwise(pl.lit("confirmed"))
    )
    cents_signed = (
        pl.when(pl.col("refund")).then(-(pl.col("cents") // 3)).otherwise(pl.col("cents"))
    )
    credit = (
        pl.when(pl.col("split") & (pl.col("partner") != pl.col("owner_index")))
        .then(pl.format('{{"{}": {}, "{}": {}}}', owner, share_text, partner, rest_text))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    return frame.select(
        (pl.int_range(pl.len(), dtype=pl.Int64) + 1).alias("id"),
        (pl.lit(FIRST_DAY) + pl.duration(days=pl.col("day"))).cast(pl.Date).alias("date"),
        owner.alias("owner"),
        pl.format("c{}", pl.col("customer")).alias("customer"),
        pl.format("p{}", pl.col("product").cast(pl.String).str.zfill(2)).alias("product"),
        _money(cents_signed).alias("amount"),
        status.alias("status"),
        credit.alias("credit"),
    )


def generate_payments(orders: pl.DataFrame, bits: Bits) -> pl.DataFrame:
    """A payment for about a fifth of the confirmed or shipped orders, 0-60 days later."""
    picked = orders.filter(
        pl.col("status")
        .is_in(["confirmed", "shipped"])
        .and_(pl.Series("pick", bits.uniform(orders.height)) < 0.2)
    )
    picked = picked.with_columns(bits.integers(picked.height, 0, 61).alias("__lag"))
    return picked.select(
        (pl.int_range(pl.len(), dtype=pl.Int64) + 1).alias("id"),
        (pl.col("date") + pl.duration(days=pl.col("__lag"))).alias("date"),
        pl.col("owner").alias("collector"),
        pl.col("id").alias("order"),
        pl.col("amount"),
    )


SCENARIO = """\
# Generated by `attain bench engine` (people {people}, orders {orders}, seed {seed}).
version: 1
currency: CNY
fiscal_year_start: 1
as_of: {as_of}
distribution: [7, 6, 9, 8, 8, 10, 7, 8, 10, 8, 9, 10]
units: {{parquet: units.parquet}}
people: {{parquet: people.parquet}}
records:
  orders: {{parquet: orders.parquet}}
  payments: {{parquet: payments.parquet}}
measures:
  revenue: {{from: orders, value: amount, where: "status != 'cancelled'"}}
  deals: {{from: orders, where: "status != 'cancelled' and amount > 0", agg: count}}
  collected: {{from: payments, value: amount, person: collector}}
targets:
  - {{measure: revenue, who: hq, period: 2025, value: {hq_target}}}
decompositions:
  - id: fy2025-reps
    measure: revenue
    from: {{who: hq, period: 2025}}
    to: people
    roles: [rep]
    method: blend
    history_period: 2024
    potential_field: potential
    blend: {{history: 0.5, potential: 0.3, capacity: 0.2}}
    ramp: [0.25, 0.5, 0.75]
    overassign: 1.05
    months: seasonal
    seasonal_years: [2024]
    round_to: 100
plans:
  - id: rep-2025
    name: 2025 销售代表方案
    applies_to: {{role: rep}}
    effective: {{from: 2025-01-01, to: 2025-12-31}}
    period: quarter
    components:
      - id: commission
        kind: commission
        measure: revenue
        tiers:
          basis: attainment
          mode: marginal
          table:
            - {{from: 0, rate: 0.02}}
            - {{from: 0.8, rate: 0.04}}
            - {{from: 1.0, rate: 0.06}}
            - {{from: 1.5, rate: 0.08}}
        cap: 200000
      - id: level
        kind: bonus
        measure: revenue
        levels:
          - {{min_attainment: 0.8, amount: 2000, label: 基础}}
          - {{min_attainment: 1.0, amount: 5000, label: 优秀}}
          - {{min_attainment: 1.2, amount: 10000, label: 卓越}}
      - id: kpi
        kind: scorecard
        metrics:
          - {{measure: revenue, weight: 70}}
          - {{measure: deals, weight: 30, target: {deals_target}}}
        score: {{floor: 0, cap: 1.2}}
        payout: "score * 3000"
      - id: collection
        kind: bonus
        when: "attainment('revenue') >= 1 and actual('collected') >= 0.15 * actual('revenue')"
        amount: 1000
  - id: manager-2025
    name: 2025 经理团队提成
    applies_to: {{role: manager}}
    effective: {{from: 2025-01-01, to: 2025-12-31}}
    period: quarter
    components:
      - {{id: override, kind: commission, measure: revenue, scope: team, rate: 0.005, cap: 150000}}
"""


@dataclass
class Generated:
    directory: Path
    scenario: Path
    orders: Path
    people: int
    order_count: int
    seconds: float


def generate(directory: Path, people: int, orders: int, seed: int = 1) -> Generated:
    """Write units, people, orders and payments parquet files and scenario.yaml."""
    import time

    started = time.perf_counter()
    directory.mkdir(parents=True, exist_ok=True)
    people = max(people, 3)
    bits = Bits(seed)
    org = generate_org(people, bits)
    order_frame = generate_orders(org, orders, bits)
    payments = generate_payments(order_frame, bits)
    org.units.write_parquet(directory / "units.parquet")
    org.people.write_parquet(directory / "people.parquet")
    order_file = directory / "orders.parquet"
    order_frame.write_parquet(order_file)
    payments.write_parquet(directory / "payments.parquet")
    revenue_2024 = order_frame.filter(
        (pl.col("status") != "cancelled") & (pl.col("date").dt.year() == 2024)
    )["amount"].sum()
    hq_target = int(revenue_2024 * 11 / 10 // 10_000 * 10_000) if revenue_2024 else 1_000_000
    per_rep_quarter = orders / max(len(org.reps), 1) / 8 * 0.9
    text = SCENARIO.format(
        people=people,
        orders=orders,
        seed=seed,
        as_of=AS_OF.isoformat(),
        hq_target=max(hq_target, 10_000),
        deals_target=max(int(per_rep_quarter), 1),
    )
    scenario = directory / "scenario.yaml"
    scenario.write_text(text, encoding="utf-8")
    return Generated(directory, scenario, order_file, people, orders, time.perf_counter() - started)


# -- timing -------------------------------------------------------------------------------
@dataclass
class Timing:
    seconds: float
    peak_bytes: int
    exit: int
    stderr: str
    cpu_seconds: float = 0.0  # user + system time of the command, all its threads


def measure(command: list[str], output: Path) -> Timing:
    """Run `command` from a fresh helper process: wall clock and peak RSS of that command."""
    done = subprocess.run(
        [sys.executable, "-c", _HELPER, json.dumps(command), str(output)],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(done.stdout)
    return Timing(
        float(data["seconds"]),
        int(data["peak_bytes"]),
        int(data["exit"]),
        str(data["stderr"]),
        float(data["cpu"]),
    )


def scenario_command(scenario: Path) -> list[str]:
    return [sys.executable, "-m", "attain.cli", "scenario", "run", str(scenario)]


def bare_command(orders: Path) -> list[str]:
    return [sys.executable, "-c", BARE_GROUP_BY, str(orders)]


def _interleaved(
    generated: Generated, scenario: Path, result: Path, repeat: int, label: str = ""
) -> tuple[list[Timing], list[Timing]]:
    """The scenario's runs and the bare group-bys around each of them, `repeat` times."""
    runs: list[Timing] = []
    bare: list[Timing] = []
    for _ in range(max(repeat, 1)):
        bare.append(measure(bare_command(generated.orders), Path("/dev/null")))
        run = measure(scenario_command(scenario), result)
        if run.exit != 0:
            raise RuntimeError(
                f"{label}attain scenario run failed (exit {run.exit}):\n{run.stderr}"
            )
        runs.append(run)
        bare.append(measure(bare_command(generated.orders), Path("/dev/null")))
    return runs, bare


@dataclass
class Row:
    people: int
    orders: int
    generate_seconds: float
    scenario_seconds: float
    scenario_peak_bytes: int
    bare_seconds: float
    bare_peak_bytes: int
    ratio: float
    output_bytes: int


def run_one(generated: Generated, repeat: int = 1) -> Row:
    """Time the scenario run and the bare group-by, interleaved, `repeat` times each."""
    result = generated.directory / "result.json"
    scenario_runs, bare_runs = _interleaved(generated, generated.scenario, result, repeat)
    scenario_seconds = statistics.median(t.seconds for t in scenario_runs)
    bare_seconds = statistics.median(t.seconds for t in bare_runs)
    return Row(
        people=generated.people,
        orders=generated.order_count,
        generate_seconds=generated.seconds,
        scenario_seconds=scenario_seconds,
        scenario_peak_bytes=max(t.peak_bytes for t in scenario_runs),
        bare_seconds=bare_seconds,
        bare_peak_bytes=max(t.peak_bytes for t in bare_runs),
        ratio=scenario_seconds / bare_seconds if bare_seconds else float("inf"),
        output_bytes=result.stat().st_size if result.exists() else 0,
    )


def _gb(value: int) -> str:
    return f"{value / 1e9:.2f} GB"


def table(rows: Sequence[Row]) -> str:
    header = (
        f"{'people':>8} {'orders':>11} {'generate':>9} {'scenario run':>13} {'peak':>8} "
        f"{'bare group-by':>14} {'peak':>8} {'ratio':>7} {'output':>9}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r.people:>8,} {r.orders:>11,} {r.generate_seconds:>8.1f}s "
            f"{r.scenario_seconds:>12.2f}s {_gb(r.scenario_peak_bytes):>8} "
            f"{r.bare_seconds:>13.2f}s {_gb(r.bare_peak_bytes):>8} {r.ratio:>6.1f}x "
            f"{r.output_bytes / 1e6:>7.1f}MB"
        )
    if len(rows) == 2 and rows[0].scenario_seconds:
        growth = rows[1].scenario_seconds / rows[0].scenario_seconds
        size = rows[1].orders / rows[0].orders
        lines.append(f"scaling: {size:.0f}x the orders took {growth:.2f}x the time")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="attain bench engine",
        description="Generate a large scenario and time `attain scenario run` against a "
        "bare Polars group-by over the same orders.",
    )
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", dest="directory", help="where to write (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each command (median)")
    parser.add_argument(
        "--scaling", action="store_true", help="also run at a tenth of the orders (same people)"
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="write the scenario, do not time it"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--matrix",
        action="store_true",
        help="time each feature of the format alone (and all together) on the same orders",
    )
    parser.add_argument(
        "--features", help="with --matrix: a comma-separated subset (default: every feature)"
    )
    return parser


def main(args: Sequence[str], out: TextIO, err: TextIO) -> int:
    """``attain bench engine ...``; `args` are the words after ``engine``."""
    parser = _parser()
    try:
        options = parser.parse_args(list(args))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if options.people < 1 or options.orders < 1:
        print("attain bench engine: --people and --orders must be at least 1", file=err)
        return 2
    repo = Path(__file__).resolve().parents[2]
    if options.directory:
        base = Path(options.directory).resolve()
        if base == repo or repo in base.parents:
            print("attain bench engine: --dir must be outside the repository", file=err)
            return 2
        remove = False
    else:
        base = Path(tempfile.mkdtemp(prefix="attain-bench-"))
        remove = not options.keep
    features = matrix_features()
    if options.features:
        features = [f.strip() for f in options.features.split(",") if f.strip()]
        unknown = [f for f in features if f not in matrix_features()]
        if unknown:
            known = ", ".join(matrix_features())
            print(f"attain bench engine: unknown feature {unknown[0]} (known: {known})", file=err)
            return 2
    sizes = [options.orders]
    if options.scaling:
        sizes = [max(options.orders // 10, 1), options.orders]
    rows: list[Row] = []
    matrix: list[MatrixRow] = []
    try:
        for size in sizes:
            folder = base / f"people{options.people}-orders{size}-seed{options.seed}"
            print(f"generating {options.people:,} people, {size:,} orders in {folder}", file=err)
            generated = generate(folder, options.people, size, options.seed)
            if options.generate_only:
                if options.matrix:
                    for path in write_matrix(generated, features).values():
                        print(str(path), file=out)
                print(str(generated.scenario), file=out)
                continue
            if options.matrix:
                print(f"timing the matrix (generation took {generated.seconds:.1f}s)", file=err)
                matrix.extend(run_matrix(generated, features, options.repeat, err))
                continue
            print(f"timing (generation took {generated.seconds:.1f}s)", file=err)
            rows.append(run_one(generated, options.repeat))
    except RuntimeError as error:
        print(f"attain bench engine: {error}", file=err)
        return 1
    finally:
        if remove:
            shutil.rmtree(base, ignore_errors=True)
    if options.generate_only:
        return 0
    if options.matrix:
        if options.json:
            out.write(json.dumps({"matrix": [asdict(r) for r in matrix]}, indent=2) + "\n")
        else:
            out.write(matrix_table(matrix) + "\n")
    elif options.json:
        out.write(json.dumps({"rows": [asdict(r) for r in rows]}, indent=2) + "\n")
    else:
        out.write(table(rows) + "\n")
    return 0


# -- the feature matrix -----------------------------------------------------------------
# Each feature is the same generated data with one feature of the scenario format alone,
# so its cost can be seen against the bare group-by of the same orders. Every scenario
# reads the shared parquet files of the folder above it; `orders-plain.parquet` is the
# orders without their `credit` column (only the `credit-splits` and `all` rows use the
# splits). Features that need a person's target (gate, bonus levels) take it from an
# `equal` decomposition, so their cost is over the `decomposition-equal` row.
MATRIX_HEAD = """\
# Generated by `attain bench engine --matrix` (feature {feature}).
version: 1
currency: CNY
fiscal_year_start: {fiscal}
as_of: {as_of}
units: {{parquet: ../../units.parquet}}
people: {{parquet: ../../people.parquet}}
records:
  orders: {{parquet: ../../{orders}}}
  payments: {{parquet: ../../payments.parquet}}
"""
_QUARTERS = "report: {{periods: [2025-Q1, 2025-Q2, 2025-Q3, 2025-Q4]}}\n"
_MONTH_IDS = ", ".join(f"2025-{m:02d}" for m in range(1, 13))
_MONTHS = "report: {{periods: [" + _MONTH_IDS + "]}}\n"
_REVENUE = (
    "measures:\n  revenue: {{from: orders, value: amount, where: \"status != 'cancelled'\"}}\n"
)
_EQUAL_TARGETS = """\
targets:
  - {{measure: revenue, who: hq, period: 2025, value: {hq_target}}}
decompositions:
  - {{id: fy2025-reps, measure: revenue, from: {{who: hq, period: 2025}}, to: people,
     roles: [rep], method: equal, months: equal, round_to: 100}}
"""


def _rep_plan(*components: str, role: str = "rep") -> str:
    body = "".join(f"      - {c}\n" for c in components)
    return (
        "plans:\n"
        f"  - id: {role}-2025\n"
        f"    applies_to: {{{{role: {role}}}}}\n"
        "    effective: {{from: 2025-01-01, to: 2025-12-31}}\n"
        "    period: quarter\n"
        "    components:\n" + body
    )


def _decomposition(method: str) -> str:
    extra = {
        "equal": "",
        "history": ", history_period: 2024",
        "potential": ", potential_field: potential",
        "capacity": ", ramp: [0.25, 0.5, 0.75]",
        "blend": ", history_period: 2024, potential_field: potential, "
        "blend: {{history: 0.5, potential: 0.3, capacity: 0.2}}, ramp: [0.25, 0.5, 0.75]",
        "seasonal": ", months: seasonal, seasonal_years: [2024]",
    }[method]
    name = "equal" if method == "seasonal" else method
    months = "" if method == "seasonal" else ", months: equal"
    return (
        _REVENUE + "targets:\n  - {{measure: revenue, who: hq, period: 2025, value: {hq_target}}}\n"
        "decompositions:\n"
        f"  - {{{{id: fy2025-reps, measure: revenue, from: {{{{who: hq, period: 2025}}}},"
        f" to: people, roles: [rep], method: {name}{months}, round_to: 100{extra}}}}}\n"
    )


_TIERS = (
    "{{id: commission, kind: commission, measure: revenue, tiers: {{basis: amount, mode: %s,"
    " table: [{{from: 0, rate: 0.02}}, {{from: 300000, rate: 0.04}},"
    " {{from: 600000, rate: 0.06}}]}}}}"
)

MATRIX: dict[str, str] = {
    "sum": _REVENUE + _QUARTERS,
    "count": "measures:\n  deals: {{from: orders, agg: count}}\n" + _QUARTERS,
    "distinct": "measures:\n  customers: {{from: orders, value: customer, agg: distinct}}\n"
    + _QUARTERS,
    "avg": "measures:\n  ticket: {{from: orders, value: amount, agg: avg}}\n" + _QUARTERS,
    "rollup": "measures:\n  team_revenue: {{from: orders, value: amount, rollup: true}}\n"
    + _QUARTERS,
    "tiers-marginal": _REVENUE + _rep_plan(_TIERS % "marginal"),
    "tiers-whole": _REVENUE + _rep_plan(_TIERS % "whole"),
    "gate": _REVENUE
    + _EQUAL_TARGETS
    + _rep_plan(
        "{{id: commission, kind: commission, measure: revenue, rate: 0.03,"
        " gate: {{min_attainment: 0.8}}}}"
    ),
    "cap-floor": _REVENUE
    + _rep_plan(
        "{{id: commission, kind: commission, measure: revenue, rate: 0.03, cap: 20000, floor: 0}}"
    ),
    "bonus-levels": _REVENUE
    + _EQUAL_TARGETS
    + _rep_plan(
        "{{id: level, kind: bonus, measure: revenue, levels: ["
        "{{min_attainment: 0.8, amount: 2000, label: 基础}},"
        " {{min_attainment: 1.0, amount: 5000, label: 优秀}},"
        " {{min_attainment: 1.2, amount: 10000, label: 卓越}}]}}"
    ),
    "scorecard": _REVENUE
    + "  deals: {{from: orders, agg: count}}\n"
    + _rep_plan(
        "{{id: kpi, kind: scorecard, metrics: [{{measure: revenue, weight: 70, target: 400000}},"
        " {{measure: deals, weight: 30, target: {deals_target}}}],"
        " score: {{floor: 0, cap: 1.2}}, payout: 'score * 3000'}}"
    ),
    "spiff": _REVENUE
    + _rep_plan(
        "{{id: new-product, kind: spiff, from: orders, where: \"product == 'p07'\", amount: '50'}}"
    ),
    "team-override": _REVENUE
    + _rep_plan(
        "{{id: override, kind: commission, measure: revenue, scope: team, rate: 0.005}}",
        role="manager",
    ),
    "clawback": "measures:\n  refunds: {{from: orders, value: amount, where: 'amount < 0'}}\n"
    + _rep_plan("{{id: clawback, kind: commission, measure: refunds, rate: 0.03}}"),
    "credit-splits": _REVENUE + _QUARTERS,
    "decomposition-equal": _decomposition("equal"),
    "decomposition-history": _decomposition("history"),
    "decomposition-potential": _decomposition("potential"),
    "decomposition-capacity": _decomposition("capacity"),
    "decomposition-blend": _decomposition("blend"),
    "decomposition-seasonal": _decomposition("seasonal"),
    "periods-monthly": _REVENUE + _MONTHS,
    "periods-quarterly": _REVENUE + _QUARTERS,
    "periods-yearly": _REVENUE + "report: {{periods: [2025]}}\n",
    "fiscal-years": _REVENUE + "report: {{periods: [2025, 2025-Q1, 2025-Q2, 2025-Q3, 2025-Q4]}}\n",
}
# `all`: the default scenario of `attain bench engine` (measures, the blended
# decomposition, tiers with a cap, levels, a scorecard, a `when` bonus, a team override,
# its 17 periods) with credit splits, and a distinct, an avg and a rollup measure, a
# spiff and a clawback measure added.
_ALL_EXTRA_MEASURES = (
    "  customers: {{from: orders, value: customer, agg: distinct}}\n"
    "  ticket: {{from: orders, value: amount, agg: avg}}\n"
    "  team_revenue: {{from: orders, value: amount, rollup: true}}\n"
    "  refunds: {{from: orders, value: amount, where: 'amount < 0'}}\n"
)
_ALL_EXTRA_COMPONENTS = (
    "      - {{id: new-product, kind: spiff, from: orders, where: \"product == 'p07'\","
    " amount: '50'}}\n"
    "      - {{id: clawback, kind: commission, measure: refunds, rate: 0.03}}\n"
    "      - {{id: reach, kind: scorecard, metrics: [{{measure: customers, weight: 1,"
    " target: 20}}], score: {{floor: 0, cap: 1.5}}, payout: 'score * 500'}}\n"
)
_SPLIT_FEATURES = {"credit-splits", "all"}


def _all_scenario() -> str:
    text = SCENARIO.split("measures:\n", 1)[1]
    measures, rest = text.split("targets:\n", 1)
    rep, manager = rest.split("  - id: manager-2025\n", 1)
    report = "report: {{periods: [2025, 2025-Q1, 2025-Q2, 2025-Q3, 2025-Q4, " + _MONTH_IDS + "]}}\n"
    return (
        "distribution: [7, 6, 9, 8, 8, 10, 7, 8, 10, 8, 9, 10]\n"
        "measures:\n"
        + measures
        + _ALL_EXTRA_MEASURES
        + "targets:\n"
        + rep
        + _ALL_EXTRA_COMPONENTS
        + "  - id: manager-2025\n"
        + manager
        + report
    )


def matrix_features() -> list[str]:
    return [*MATRIX, "all"]


def write_matrix(generated: Generated, features: Sequence[str]) -> dict[str, Path]:
    """One scenario per feature, in a folder of its own next to the generated data."""
    orders = pl.read_parquet(generated.orders)
    plain = generated.directory / "orders-plain.parquet"
    if not plain.exists():
        orders.drop("credit").write_parquet(plain)
    revenue_2024 = orders.filter(
        (pl.col("status") != "cancelled") & (pl.col("date").dt.year() == 2024)
    )["amount"].sum()
    reps = max(
        int((pl.read_parquet(generated.directory / "people.parquet")["role"] == "rep").sum()), 1
    )
    values = {
        "hq_target": max(
            int(revenue_2024 * 11 / 10 // 10_000 * 10_000) if revenue_2024 else 0, 10_000
        ),
        "deals_target": max(int(generated.order_count / reps / 8 * 0.9), 1),
        "people": generated.people,
        "orders": generated.order_count,
        "seed": 0,
        "as_of": AS_OF.isoformat(),
    }
    written: dict[str, Path] = {}
    for feature in features:
        body = _all_scenario() if feature == "all" else MATRIX[feature]
        head = MATRIX_HEAD.format(
            feature=feature,
            fiscal=4 if feature == "fiscal-years" else 1,
            as_of=AS_OF.isoformat(),
            orders="orders.parquet" if feature in _SPLIT_FEATURES else "orders-plain.parquet",
        )
        folder = generated.directory / "matrix" / feature
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "scenario.yaml"
        path.write_text(head + body.format(**values), encoding="utf-8")
        written[feature] = path
    return written


@dataclass
class MatrixRow:
    feature: str
    people: int
    orders: int
    seconds: float
    peak_bytes: int
    bare_seconds: float
    bare_peak_bytes: int
    ratio: float
    output_bytes: int
    cpu_seconds: float = 0.0
    bare_cpu_seconds: float = 0.0
    cpu_ratio: float = 0.0


def run_matrix(
    generated: Generated, features: Sequence[str], repeat: int, err: TextIO
) -> list[MatrixRow]:
    """Each feature's run between two bare group-bys, `repeat` times; medians and peaks."""
    scenarios = write_matrix(generated, features)
    rows: list[MatrixRow] = []
    for feature, scenario in scenarios.items():
        result = scenario.parent / "result.json"
        runs, bare = _interleaved(generated, scenario, result, repeat, label=f"{feature}: ")
        seconds = statistics.median(t.seconds for t in runs)
        bare_seconds = statistics.median(t.seconds for t in bare)
        row = MatrixRow(
            feature=feature,
            people=generated.people,
            orders=generated.order_count,
            seconds=seconds,
            peak_bytes=max(t.peak_bytes for t in runs),
            bare_seconds=bare_seconds,
            bare_peak_bytes=max(t.peak_bytes for t in bare),
            ratio=seconds / bare_seconds if bare_seconds else float("inf"),
            output_bytes=result.stat().st_size if result.exists() else 0,
            cpu_seconds=statistics.median(t.cpu_seconds for t in runs),
            bare_cpu_seconds=statistics.median(t.cpu_seconds for t in bare),
        )
        row.cpu_ratio = row.cpu_seconds / row.bare_cpu_seconds if row.bare_cpu_seconds else 0.0
        print(f"{feature}: {row.seconds:.2f}s ({row.ratio:.1f}x, {_gb(row.peak_bytes)})", file=err)
        rows.append(row)
    return rows


def matrix_table(rows: Sequence[MatrixRow]) -> str:
    header = (
        f"{'feature':<24} {'orders':>11} {'scenario run':>13} {'peak':>8} "
        f"{'bare group-by':>14} {'peak':>8} {'ratio':>7} {'cpu':>8} {'bare cpu':>9} {'ratio':>7}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r.feature:<24} {r.orders:>11,} {r.seconds:>12.2f}s {_gb(r.peak_bytes):>8} "
            f"{r.bare_seconds:>13.2f}s {_gb(r.bare_peak_bytes):>8} {r.ratio:>6.1f}x "
            f"{r.cpu_seconds:>7.2f}s {r.bare_cpu_seconds:>8.2f}s {r.cpu_ratio:>6.1f}x"
        )
    return "\n".join(lines)
