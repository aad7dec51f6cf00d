"""attain bench_targets --people 10000: time a decomposition preview on a generated company.

Run it against a separate database:

    ATTAIN_VAR_DIR=/tmp/tgt-bench attain migrate
    ATTAIN_VAR_DIR=/tmp/tgt-bench attain demo generate --people 10000
    ATTAIN_VAR_DIR=/tmp/tgt-bench attain bench_targets --people 10000

The preview is the plan page's: hq → regions → teams → reps by a blend of history,
potential and capacity, seasonal months, 12 months per person. Reported against a
baseline measured in the same run: a bare Polars pass over the same people × 12 months
(a per-team share of potential, as floats), the least any split could cost.
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
        parser.add_argument("--runs", type=int, default=3, help="warm previews to time")

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
        allocation._PREPARED.clear()
        started = time.perf_counter()
        cold = allocation.compute_allocation(plan, totals=totals, edits={})
        cold_seconds = time.perf_counter() - started
        warm: list[float] = []
        cpu: list[float] = []
        parts: dict[str, float] = {}
        kept: list[allocation.Allocation] = []  # freed after timing, as after a response
        for run in range(options["runs"]):
            started, started_cpu = time.perf_counter(), time.process_time()
            result = allocation.compute_allocation(
                plan, totals={"revenue": totals["revenue"] + run + 1}, edits={}
            )
            warm.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            parts = result.seconds
            kept.append(result)
        kept.clear()
        grid = cold.grids["revenue"]
        carriers = sum(1 for row in grid.rows if row.kind == "person")
        baseline = self.baseline(allocation._PREPARED)
        median = statistics.median(warm)
        self.stdout.write(f"people in the database      {people}")
        self.stdout.write(
            f"grid rows (units + people)  {len(grid.rows)} ({carriers} people × 12 months)"
        )
        self.stdout.write(f"baseline (bare Polars pass) {baseline:.3f} s")
        self.stdout.write(
            f"first preview (loads data)  {cold_seconds:.3f} s "
            f"(load {cold.seconds['load']:.2f}, decompose {cold.seconds['decompose']:.2f})"
        )
        self.stdout.write(
            f"preview (median of {len(warm)})     {median:.3f} s"
            f"  = {median / baseline:.0f}× baseline"
            f"  [{', '.join(f'{k} {v:.2f}' for k, v in parts.items())}]"
        )
        self.stdout.write(f"preview CPU time (median)   {statistics.median(cpu):.3f} s")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        self.stdout.write(
            f"target ≤ 2 s wall: {'met' if median <= 2 else 'NOT met'}"
            f" (load average {load:.1f} on {os.cpu_count()} CPUs)"
        )

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
