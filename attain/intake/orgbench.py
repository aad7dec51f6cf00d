"""`attain bench_import --table people --rows N`: how fast an organisation imports.

Generates an HR export of N people (Chinese headers, GBK as Excel saves it) in a tree
of units (regions, branches, teams) with managers above everyone, an email each (so
every person gets a login), then:

1. imports the units file, then the people file (hires: people, first assignments,
   logins, audit events);
2. imports "next month's" export of the same people: 5 % transferred to another team
   under its lead, 2 % with a new job role, 1 % leaving (end date), effective on a
   date chosen at import; the rest unchanged (no-ops);

and reports each step's wall time next to a baseline measured in the same run on the
same database: Python's csv module reading the same people file and inserting its rows
with one ``executemany`` into a bare table (no checks, no history, no audit, no logins).
Invitations are not sent (an email backend per person would measure the mail server).
Use a fresh database:

    ATTAIN_VAR_DIR=/tmp/bench-var attain migrate
    ATTAIN_VAR_DIR=/tmp/bench-var attain bench_import --table people --rows 50000
"""

from __future__ import annotations

import csv
import datetime
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from .services import batch_for_file, run_batch

START = datetime.date(2020, 1, 1)
HEADER = ["工号", "姓名", "部门", "岗位", "直属上级", "入职日期", "离职日期", "邮箱", "手机"]
EFFECTIVE = "2026-07-01"
LAST_DAY = "2026-06-30"


def _units(rows: int) -> list[tuple[str, str, str, str]]:
    """(code, name, parent, lead's employee id): a root, regions, branches, teams (one
    team per ~100 people)."""
    teams = max(1, rows // 100)
    branches = max(1, teams // 4)
    regions = max(1, branches // 10)
    units = [("BU-ROOT", "全国销售", "", "BP000000")]
    for r in range(regions):
        units.append((f"BU-R{r:03d}", f"大区{r}", "BU-ROOT", f"BPR{r:05d}"))
    for b in range(branches):
        units.append((f"BU-B{b:04d}", f"分公司{b}", f"BU-R{b % regions:03d}", f"BPB{b:05d}"))
    for t in range(teams):
        units.append((f"BU-T{t:05d}", f"销售{t}组", f"BU-B{t % branches:04d}", f"BPT{t:05d}"))
    return units


def generate(folder: Path, rows: int, seed: int) -> tuple[Path, Path, Path]:
    """The units file, the people file and next month's people file."""
    rng = random.Random(seed)
    units = _units(rows)
    folder.mkdir(parents=True, exist_ok=True)
    units_path = folder / f"bench-units-{rows}.csv"
    with units_path.open("w", encoding="gbk", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["部门编码", "部门名称", "上级部门编码"])
        out.writerows((code, name, parent) for code, name, parent, _lead in units)
    lead_of = {code: lead for code, _n, _p, lead in units}
    people: list[list[str]] = []
    for code, _name, parent, lead in units:  # the leads, under their parent unit's lead
        manager = lead_of.get(parent, "")
        people.append([lead, f"主管{lead}", code, "manager", manager, START.isoformat()])
    teams = [code for code, *_rest in units if code.startswith("BU-T")]
    for n in range(rows - len(people)):
        team = teams[n % len(teams)]
        day = START + datetime.timedelta(days=1 + rng.randrange(6 * 365))
        people.append([f"BP{n:06d}X", f"销售{n}", team, "rep", lead_of[team], day.isoformat()])
    for row in people:
        row.extend(["", f"{row[0].lower()}@example.com", f"139{rng.randrange(10**8):08d}"])
    first = folder / f"bench-people-{rows}.csv"
    _write(first, people)
    reps = [row for row in people if row[3] == "rep"]
    rng.shuffle(reps)
    count = len(reps)
    moved = reps[: count * 5 // 100]
    retitled = reps[count * 5 // 100 : count * 7 // 100]
    leaving = reps[count * 7 // 100 : count * 8 // 100]
    for row in moved:
        team = rng.choice(teams)
        if team == row[2]:
            team = teams[(teams.index(team) + 1) % len(teams)]
        row[2], row[4] = team, lead_of[team]
    for row in retitled:
        row[3] = "senior rep"
    for row in leaving:
        row[6] = LAST_DAY
    second = folder / f"bench-people-{rows}-next.csv"
    _write(second, people)
    return units_path, first, second


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="gbk", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        out.writerows(rows)


def baseline(path: Path) -> float:
    """Seconds to read ``path`` with csv and insert it with one executemany into a bare
    table (dropped afterwards), in one transaction."""
    started = time.perf_counter()
    with path.open(encoding="gbk", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = [tuple(row) for row in reader]
    columns = ", ".join(f"c{i} varchar(200)" for i in range(len(HEADER)))
    marks = ", ".join(["%s"] * len(HEADER))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_baseline ({columns})")
        cursor.executemany(f"INSERT INTO bench_baseline VALUES ({marks})", rows)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_baseline")
    return seconds


def run(folder: Path, rows: int, seed: int, echo: Callable[[str], None]) -> None:
    started = time.perf_counter()
    units, first, second = generate(folder, rows, seed)
    echo(f"generated {rows:,} people in {time.perf_counter() - started:.1f} s: {first}")
    base = baseline(first)
    echo(f"baseline: csv.reader + one executemany into a bare table: {base:.2f} s")
    total = 0.0
    steps: list[tuple[str, Path, dict[str, Any]]] = [
        ("units", units, {"invite": False}),
        ("people", first, {"invite": False}),
        ("people", second, {"invite": False, "effective": EFFECTIVE}),
    ]
    for table, path, options in steps:
        batch = batch_for_file(table, path, options=options)
        began = time.perf_counter()
        result = run_batch(batch)
        wall = time.perf_counter() - began
        total += wall
        echo(f"{table} {path.name}: {result.summary}; {'; '.join(result.notes)}")
        echo(f"  {wall:.1f} s wall ({result.rows / wall:,.0f} rows/s), {wall / base:.1f}× baseline")
    echo(f"organisation of {rows:,} people with a month of history: {total:.1f} s in all")
    echo(f"database: {connection.settings_dict['NAME']}")
