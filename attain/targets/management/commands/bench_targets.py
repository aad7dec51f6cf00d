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
from django.db import transaction

from attain.calc import cache as calc_cache
from attain.org.models import Person, Unit
from attain.targets import allocation
from attain.targets.demo import LEVELS
from attain.targets.models import PlanMeasure, TargetPlan


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
        # the plan page previews a saved plan (its measures are rows of their own): the
        # bench saves one and takes it back when it is done, leaving the database as it was
        with transaction.atomic():
            self.bench(root, people, options["runs"])
            transaction.set_rollback(True)

    def bench(self, root: Unit, people: int, runs: int) -> None:
        plan = TargetPlan.objects.create(
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
        PlanMeasure.objects.create(plan=plan, measure="revenue", total=totals["revenue"])

        def forget_data() -> None:  # a new data fingerprint: load and index again
            calc_cache.forget("targets.prepared")

        def forget_all() -> None:  # and other units or moved teams: check again
            calc_cache.clear()

        cases = [  # label, what each run forgets first, runs
            ("cold, first in the process", forget_all, 1),
            ("cold, after a data change", forget_all, runs),
            ("cold, records changed only", forget_data, runs),
            ("warm, repeated preview", None, runs),
        ]
        timings: list[tuple[str, float, float, int, dict[str, float]]] = []
        for label, forget, count in cases:
            walls: list[float] = []
            cpus: list[float] = []
            parts: dict[str, float] = {}
            for run in range(count):
                if forget is not None:
                    forget()
                revenue = totals["revenue"] + len(timings) * 10 + run  # other totals each run
                seconds, parts, cpu = self.timed(plan, {"revenue": revenue})
                walls.append(seconds)
                cpus.append(cpu)
            timings.append((label, statistics.median(walls), statistics.median(cpus), count, parts))
        grid = allocation.compute_allocation(plan, totals=totals, edits={}).grids["revenue"]
        carriers = sum(1 for row in grid.rows if row.kind == "person")
        baseline = self.baseline(calc_cache.values("targets.prepared"))
        self.stdout.write(f"people in the database       {people}")
        self.stdout.write(
            f"grid rows (units + people)   {len(grid.rows)} ({carriers} people × 12 months)"
        )
        self.stdout.write(f"baseline (bare Polars pass)  {baseline:.3f} s")
        for label, wall, cpu, count, parts in timings:
            where = ", ".join(f"{k} {v:.2f}" for k, v in parts.items())
            self.stdout.write(
                f"{label:<28} {wall:.3f} s (CPU {cpu:.3f} s) = {wall / baseline:.0f}× baseline"
                + (f", median of {count}" if count > 1 else "")
                + f"  [{where}]"
            )
        worst = max(wall for _label, wall, _cpu, _count, _parts in timings)
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
    def baseline(prepared: list[allocation.Prepared]) -> float:
        scenario = prepared[-1].scenario
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
