"""attain bench_targets --people 10000: time a decomposition preview on a generated company.

Run it against a separate database:

    ATTAIN_VAR_DIR=/tmp/tgt-bench attain migrate
    ATTAIN_VAR_DIR=/tmp/tgt-bench attain demo generate --people 10000
    ATTAIN_VAR_DIR=/tmp/tgt-bench attain bench_targets --people 10000

The preview is the plan page's: hq → regions → teams → reps by a blend of history,
potential and capacity, seasonal months, 12 months per person. Three figures:

- cold, first in this process: nothing loaded or cached yet (a fresh worker);
- cold, after a data change: the organisation and records loaded again, the plan's
  decompositions checked again and every decomposition index rebuilt, as when the data
  fingerprint changes and the plan's shape with it (units, or teams someone moved
  into or out of) (median of runs);
- cold, after a change of records only: the same, but the plan's decompositions are
  the same as checked before, so the engine's check of them is reused (median of runs);
- warm: a repeated preview with other totals, everything cached (median of runs).

Reported against a baseline measured in the same run: a bare Polars pass over the same
people × 12 months (a per-team share of potential, as floats), the least any split could
cost.
"""

from __future__ import annotations

import os
import statistics
import time
from decimal import Decimal
from typing import Any

import polars as pl
from django.core.management.base import BaseCommand, CommandError, CommandParser

from attain.org.models import Person, Unit
from attain.targets import allocation
from attain.targets.demo import LEVELS
from attain.targets.models import TargetPlan


class Command(BaseCommand):
    help = "Time a decomposition preview (people × 12 months) against a bare Polars pass."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=10_000, help="expected head count")
        parser.add_argument(
            "--runs", type=int, default=3, help="previews to time, cold (data changed) and warm"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        root = Unit.objects.filter(code="hq").first()
        if root is None:
            raise CommandError(
                "No generated company here: run `attain demo generate --people N` first "
                "(with ATTAIN_VAR_DIR pointing at a separate database)."
            )
        people = Person.objects.count()
        if people < options["people"] * 0.9:
            self.stderr.write(f"note: {people} people here, fewer than --people")
        plan = TargetPlan(
            name="bench",
            fiscal_year=2026,
            root_unit=root,
            levels=LEVELS,
            months="seasonal",
            history_year=2025,
            ramp=["0.25", "0.5", "0.75"],
            roles="rep",
        )
        totals = {"revenue": Decimal("1500000000")}
        runs = options["runs"]
        allocation._PREPARED.clear()
        allocation._CHECKED.clear()
        first, first_parts, _cpu = self.timed(plan, totals)
        cold: list[float] = []
        cold_parts: dict[str, float] = {}
        for run in range(runs):
            allocation._PREPARED.clear()  # a new data fingerprint: load and index again
            allocation._CHECKED.clear()  # and other units or moved teams: check again
            seconds, cold_parts, _cpu = self.timed(plan, {"revenue": totals["revenue"] - run})
            cold.append(seconds)
        records: list[float] = []
        records_parts: dict[str, float] = {}
        for run in range(runs):
            allocation._PREPARED.clear()
            seconds, records_parts, _cpu = self.timed(plan, {"revenue": totals["revenue"] - run})
            records.append(seconds)
        warm: list[float] = []
        cpu: list[float] = []
        warm_parts: dict[str, float] = {}
        for run in range(runs):
            seconds, warm_parts, used = self.timed(plan, {"revenue": totals["revenue"] + run})
            warm.append(seconds)
            cpu.append(used)
        grid = allocation.compute_allocation(plan, totals=totals, edits={}).grids["revenue"]
        carriers = sum(1 for row in grid.rows if row.kind == "person")
        baseline = self.baseline(allocation._PREPARED)
        cold_median, warm_median = statistics.median(cold), statistics.median(warm)
        records_median = statistics.median(records)
        worst = max(first, cold_median, records_median, warm_median)

        def parts(found: dict[str, float]) -> str:
            return ", ".join(f"{k} {v:.2f}" for k, v in found.items())

        self.stdout.write(f"people in the database        {people}")
        self.stdout.write(
            f"grid rows (units + people)    {len(grid.rows)} ({carriers} people × 12 months)"
        )
        self.stdout.write(f"baseline (bare Polars pass)   {baseline:.3f} s")
        self.stdout.write(
            f"cold, first in the process    {first:.3f} s  = {first / baseline:.0f}× baseline"
            f"  [{parts(first_parts)}]"
        )
        self.stdout.write(
            f"cold, after a data change     {cold_median:.3f} s  = "
            f"{cold_median / baseline:.0f}× baseline  (median of {len(cold)})"
            f"  [{parts(cold_parts)}]"
        )
        self.stdout.write(
            f"cold, records changed only    {records_median:.3f} s  = "
            f"{records_median / baseline:.0f}× baseline  (median of {len(records)})"
            f"  [{parts(records_parts)}]"
        )
        self.stdout.write(
            f"warm, repeated preview        {warm_median:.3f} s  = "
            f"{warm_median / baseline:.0f}× baseline  (median of {len(warm)})"
            f"  [{parts(warm_parts)}]"
        )
        self.stdout.write(f"warm preview CPU time         {statistics.median(cpu):.3f} s")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        self.stdout.write(
            f"target ≤ 2 s wall, cold or warm: {'met' if worst <= 2 else 'NOT met'}"
            f" (slowest {worst:.3f} s; load average {load:.1f} on {os.cpu_count()} CPUs)"
        )

    @staticmethod
    def timed(
        plan: TargetPlan, totals: dict[str, Decimal]
    ) -> tuple[float, dict[str, float], float]:
        """Wall seconds, where they went, CPU seconds of one preview. The result is freed
        after timing, as after a response."""
        started, started_cpu = time.perf_counter(), time.process_time()
        result = allocation.compute_allocation(plan, totals=totals, edits={})
        seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        return seconds, result.seconds, cpu

    @staticmethod
    def baseline(prepared: dict[Any, allocation.Prepared]) -> float:
        scenario = next(iter(prepared.values())).scenario
        frame = pl.DataFrame(
            {
                "person": list(scenario.people),
                "unit": [p.unit for p in scenario.people.values()],
                "potential": [
                    float(p.attributes.get("potential", 0)) for p in scenario.people.values()
                ],
            }
        )
        months = pl.DataFrame({"month": list(range(1, 13))})
        started = time.perf_counter()
        shares = frame.with_columns(
            share=pl.col("potential") / pl.col("potential").sum().over("unit")
        ).join(months, how="cross")
        shares.with_columns(value=(pl.col("share") * 1_000_000 / 12).floor()).group_by("unit").agg(
            pl.col("value").sum()
        )
        return time.perf_counter() - started
