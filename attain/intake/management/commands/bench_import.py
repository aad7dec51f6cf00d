"""`attain bench_import --rows N`: how fast a large orders CSV imports.

Generates a realistic orders file (Chinese headers, amounts with ¥ and thousands
separators in some rows, a few date formats, credit splits on some rows, a few bad
rows) from the customers and people in the database (creating some when missing),
imports it into the configured database (staged, then merged in one transaction), and
reports rows per second, wall time, how long the merge held the write lock and peak
memory (and the CPU time, which says more than the wall time on a busy machine),
next to two baselines measured in the same run on the same file:

- *csv.reader*: the time Python's csv module takes just to read the file;
- *the executemany floor*: read with the csv module (in the file's encoding) and
  ``executemany`` the rows, as they are, into a fresh SQLite table in a temporary
  database file, indexed like the orders table (unique external id, owner and date,
  date), committed, with the import's SQLite settings (WAL, ``synchronous=NORMAL``,
  the merge's page cache). No parsing, no checks, no references, no audit: what no import can
  beat. The import's time is also given as a multiple of it.

``--encoding gbk`` writes the file in GBK (Excel's "CSV" on a Chinese Windows), as
many users bring it. Use a fresh database:

    ATTAIN_VAR_DIR=/tmp/bench-var attain migrate
    ATTAIN_VAR_DIR=/tmp/bench-var attain bench_import --rows 1000000 --encoding gbk

``--table people`` benchmarks an organisation import instead (units, people with
managers and logins, then next month's export with transfers and leavers): see
:mod:`attain.intake.orgbench`.
"""

from __future__ import annotations

import csv
import datetime
import random
import resource
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from attain.crm import dedupe
from attain.crm.models import Customer
from attain.intake import orgbench
from attain.intake.importer import SQLITE_CACHE_KB
from attain.intake.services import batch_for_file, run_batch
from attain.org import services as org
from attain.org.models import Person, Unit

START = datetime.date(2025, 1, 1)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def executemany_floor(path: Path, encoding: str) -> tuple[int, float]:
    """(rows, seconds): read ``path`` with the csv module and ``executemany`` its rows,
    as text, into a fresh indexed SQLite table in a temporary database file, committed.
    The floor an import of the file is measured against (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="attain-floor-") as folder:
        started = time.perf_counter()
        database = sqlite3.connect(Path(folder) / "floor.sqlite3")
        try:
            database.executescript(
                """
                CREATE TABLE orders (
                    id INTEGER PRIMARY KEY, external_id TEXT NOT NULL, customer TEXT,
                    owner TEXT, date TEXT, amount TEXT, status TEXT, credit TEXT
                );
                CREATE UNIQUE INDEX orders_external_id ON orders (external_id);
                CREATE INDEX orders_owner_date ON orders (owner, date);
                CREATE INDEX orders_date ON orders (date);
                """
            )
            # The settings the import runs with (config/settings.py, the merge's cache).
            database.execute("PRAGMA journal_mode=WAL")
            database.execute("PRAGMA synchronous=NORMAL")
            database.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
            with path.open(encoding=encoding, newline="") as handle:
                reader = csv.reader(handle)
                width = len(next(reader))
                placeholders = ", ".join(["?"] * width)
                columns = "external_id, customer, owner, date, amount, status, credit"
                database.executemany(
                    f"INSERT INTO orders ({columns}) VALUES ({placeholders})", reader
                )
            database.commit()
            (rows,) = database.execute("SELECT count(*) FROM orders").fetchone()
        finally:
            database.close()
        return rows, time.perf_counter() - started


BENCH_UNIT = "bench"  # the unit of the people the orders benchmark creates


class Command(BaseCommand):
    help = (
        "Benchmark importing a generated orders CSV of --rows rows, or with --table people "
        "an organisation of --rows people and next month's changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--file", type=Path, default=None, help="where to write the CSV")
        parser.add_argument("--chunk-size", type=int, default=None)
        parser.add_argument("--table", choices=["orders", "people"], default="orders")
        parser.add_argument(
            "--encoding",
            choices=["utf-8", "gbk"],
            default="utf-8",
            help="the generated orders file's encoding (gbk: as Excel saves it in China)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rows: int = options["rows"]
        self._refuse_a_company(options["table"])
        if options["table"] == "people":
            folder = options["file"].parent if options["file"] else Path(settings.VAR_DIR)
            orgbench.run(folder, rows, options["seed"], self.stdout.write)
            return
        rng = random.Random(options["seed"])
        people, customers = self._ensure_company()
        path = options["file"] or Path(settings.VAR_DIR) / f"bench-orders-{rows}.csv"
        echo = self.stdout.write

        encoding: str = options["encoding"]

        started = time.perf_counter()
        self._generate(path, rows, rng, people, customers, encoding)
        echo(
            f"generated {rows:,} rows ({encoding}) in {time.perf_counter() - started:.1f} s: {path}"
        )
        echo(f"file size {path.stat().st_size / 1e6:.1f} MB, RSS now {_current_rss_mb():.0f} MB")

        started = time.perf_counter()
        with path.open(encoding=encoding, newline="") as handle:
            count = sum(1 for _row in csv.reader(handle))
        baseline = time.perf_counter() - started
        echo(f"baseline: csv.reader reads {count - 1:,} rows in {baseline:.2f} s")
        cpu_started = time.process_time()
        floor_rows, floor = executemany_floor(path, encoding)
        echo(
            f"floor: csv.reader + executemany into an indexed SQLite table, "
            f"{floor_rows:,} rows in {floor:.2f} s ({time.process_time() - cpu_started:.2f} s CPU)"
        )

        rss_before = _current_rss_mb()
        samples: list[tuple[int, float]] = []

        def progress(done: int, seconds: float) -> None:
            samples.append((done, _current_rss_mb()))

        batch = batch_for_file("orders", path)
        kwargs = {"chunk_size": options["chunk_size"]} if options["chunk_size"] else {}
        started, cpu_started = time.perf_counter(), time.process_time()
        result = run_batch(batch, progress=progress, **kwargs)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        echo(result.summary)
        echo(
            f"import: {wall:.1f} s wall ({cpu:.1f} s CPU), {result.rows / wall:,.0f} rows/s, "
            f"{wall / baseline:.1f}× the csv.reader baseline, {wall / floor:.1f}× the floor"
        )
        echo(
            f"write lock: held {result.merge_seconds:.1f} s by the merge "
            f"(staging, without it: {wall - result.merge_seconds:.1f} s)"
        )
        quarter = samples[len(samples) // 4] if samples else (0, 0.0)
        last = samples[-1] if samples else (0, 0.0)
        echo(
            f"memory: RSS {rss_before:.0f} MB before, {quarter[1]:.0f} MB after "
            f"{quarter[0]:,} rows, {last[1]:.0f} MB after {last[0]:,} rows; "
            f"peak RSS (getrusage) {_rss_mb():.0f} MB"
        )
        echo(f"database: {settings.DATABASES['default']['NAME']}")

    def _refuse_a_company(self, table: str) -> None:
        """The benchmark writes generated people and orders into the configured database:
        never into one that holds a company's own (its orders would be credited to real
        people), only into a fresh one or one that holds only an earlier benchmark's."""
        people = Person.objects.all()
        if table == "orders":
            people = people.exclude(assignments__unit__code=BENCH_UNIT)
        if people.exists():
            raise CommandError(
                f"The database holds a company ({Person.objects.count():,} people): the "
                "benchmark writes generated records only into a fresh one, e.g. "
                "`export ATTAIN_VAR_DIR=/tmp/bench-var; attain migrate` first."
            )

    def _ensure_company(self) -> tuple[list[str], list[str]]:
        people = list(Person.objects.values_list("code", flat=True)[:200])
        if len(people) < 20:
            unit = Unit.objects.filter(code=BENCH_UNIT).first() or org.create_unit(
                None, code=BENCH_UNIT, name="Bench"
            )
            manager = org.create_person(
                None, code="BM001", name="Bench manager", unit=unit, title="manager", start=START
            )
            for n in range(1, 50):
                org.create_person(
                    None,
                    code=f"B{n:04d}",
                    name=f"Bench rep {n}",
                    unit=unit,
                    title="rep",
                    start=START,
                    manager=manager,
                )
            people = list(Person.objects.values_list("code", flat=True)[:200])
        customers = list(
            Customer.objects.filter(merged_into__isnull=True).values_list("external_id", flat=True)[
                :5000
            ]
        )
        if len(customers) < 1000:
            new = []
            for n in range(1, 2001):
                name = f"Bench customer {n} 有限公司"
                new.append(
                    Customer(external_id=f"BC{n:05d}", name=name, name_key=dedupe.name_key(name))
                )
            Customer.objects.bulk_create(new, ignore_conflicts=True)
            customers = list(
                Customer.objects.filter(merged_into__isnull=True).values_list(
                    "external_id", flat=True
                )[:5000]
            )
        return people, customers

    @staticmethod
    def _generate(
        path: Path,
        rows: int,
        rng: random.Random,
        people: list[str],
        customers: list[str],
        encoding: str = "utf-8",
    ) -> None:
        statuses = ["已确认"] * 17 + ["已取消", "已退货", "confirmed"]
        yen = "￥" if encoding == "gbk" else "¥"  # GBK has the full-width sign only
        with path.open("w", encoding=encoding, newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["订单号", "客户编号", "负责人", "下单日期", "金额", "状态", "业绩分配"])
            for n in range(1, rows + 1):
                day = START + datetime.timedelta(days=rng.randrange(365))
                cents = rng.randrange(10_000, 50_000_000)
                amount = f"{cents // 100}.{cents % 100:02d}"
                style = n % 10
                if style == 1:
                    amount = f"{yen}{cents // 100:,}.{cents % 100:02d}"
                elif style == 2:
                    amount = f"{cents // 100:,}.{cents % 100:02d}"
                date = day.isoformat()
                if style == 3:
                    date = f"{day.year}/{day.month}/{day.day}"
                elif style == 4:
                    date = f"{day.year}年{day.month}月{day.day}日"
                owner = rng.choice(people)
                credit = ""
                if style == 5:
                    other = rng.choice(people)
                    if other != owner:
                        credit = f"{owner}:0.6;{other}:0.4"
                if n % 1000 == 999:  # a bad row now and then
                    amount = "n/a"
                out.writerow(
                    [
                        f"BO{n:08d}",
                        rng.choice(customers),
                        owner,
                        date,
                        amount,
                        rng.choice(statuses),
                        credit,
                    ]
                )
