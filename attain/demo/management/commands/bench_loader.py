"""`attain bench_loader [--orders 1000000]`: how fast the engine loader reads orders.

Makes sure the configured database holds at least that many orders (generating a
benchmark company and orders in bulk when it holds fewer), then times, in the same run:

- baseline: ``SELECT * FROM <orders table>`` through the same connection into Arrow
  (the raw rows, no joins, no types);
- loader: :func:`attain.calc.tables.load_table` for ``orders`` (ids joined to employee
  codes, customer ids, product lines; exact decimals; dates; credit splits as JSON).

Each is run ``--repeat`` times and the best time is reported.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from attain.calc.sources import Source, open_source
from attain.calc.tables import Sql, load_table
from attain.crm.models import Order
from attain.org.models import Person

EVERYTHING = (datetime.date(1900, 1, 1), datetime.date(2999, 12, 31))


def _timed(repeat: int, run: Callable[[], int]) -> tuple[float, float, int]:
    """(first run, best run, rows) in seconds."""
    times, rows = [], 0
    for _ in range(max(1, repeat)):
        began = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - began)
    return times[0], min(times), rows


class Command(BaseCommand):
    help = "Time the engine loader reading orders against a bare SELECT * into Arrow."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--orders", type=int, default=1_000_000, help="orders to read")
        parser.add_argument("--repeat", type=int, default=3, help="runs of each; best counts")
        parser.add_argument(
            "--people", type=int, default=1000, help="company size when one is generated"
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = options["orders"]
        present = Order.objects.count()
        if present < wanted:
            from attain.demo.generator import generate
            from attain.demo.orders import generate_orders

            if not Person.objects.exists():
                self.stdout.write(f"Generating a company of {options['people']} people …")
                generate(people=options["people"], seed=options["seed"], echo=self.stdout.write)
            self.stdout.write(f"Generating {wanted - present} orders …")
            generate_orders(wanted - present, seed=options["seed"], echo=self.stdout.write)
        with open_source() as source:
            self.run(source, options["repeat"])

    def run(self, source: Source, repeat: int) -> None:
        q = Sql(source.vendor)
        table = q.quote(str(Order._meta.db_table))

        def count() -> int:
            return int(source.query(f"SELECT count(*) AS n FROM {table}").column(0)[0].as_py())

        def bare() -> int:
            return int(source.query(f"SELECT * FROM {table}").num_rows)

        def loader() -> int:
            frame = load_table(source, "orders", start=EVERYTHING[0], end=EVERYTHING[1])
            return frame.height

        orders = count()
        self.stdout.write(
            f"Database: {source.vendor} via {type(source).__name__}, {orders} orders; "
            f"best of {repeat}."
        )
        baseline_first, baseline_seconds, baseline_rows = _timed(repeat, bare)
        loader_first, loader_seconds, loader_rows = _timed(repeat, loader)
        for name, first, seconds, rows in (
            ("baseline SELECT * → Arrow", baseline_first, baseline_seconds, baseline_rows),
            ("loader orders (+credit JSON)", loader_first, loader_seconds, loader_rows),
        ):
            self.stdout.write(
                f"{name:<30} {rows:>10} rows  best {seconds:6.2f} s (first {first:6.2f} s)"
                f" {rows / seconds:>12,.0f} rows/s"
            )
        self.stdout.write(f"loader / baseline: {loader_seconds / baseline_seconds:.2f}×")
