"""Scale-out on PostgreSQL (docs/scaling.md): two real ``attain worker`` processes take
the slices of one partitioned full run of the demo company from the task queue, and the
merged results equal, row for row, those of the same run calculated in one process.

It needs committed data that other processes see, so it works in a database of its own
(created and dropped here) on the PostgreSQL server of ``DATABASE_URL``: it runs in CI's
PostgreSQL pass."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import dj_database_url
import psycopg
import pytest

from attain.web.testing import command_env, run_attain

URL = os.environ.get("DATABASE_URL", "")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not URL.startswith(("postgres://", "postgresql://")),
        reason="scale-out runs on PostgreSQL (CI's PostgreSQL pass)",
    ),
]
YEAR = "2026"
SLICES = 6
# Every stored number of every person and period, and of every component: one digest.
DIGEST = """
SELECT md5(string_agg(concat_ws('|', p.code, r.period, r.period_kind, r.start, r."end",
    r.unit_id, r.role, r.measures::text, r.targets::text, r.attainment::text, r.pace::text,
    r.plans::text, r.payout, r.main_attainment), E'\\n' ORDER BY p.code, r.period)),
    count(*)
FROM incentives_periodresult r JOIN org_person p ON p.id = r.person_id
UNION ALL
SELECT md5(string_agg(concat_ws('|', p.code, c.period, c.plan, c.component, c.kind,
    c.amount, c.level, c.score), E'\\n' ORDER BY p.code, c.period, c.plan, c.component)),
    count(*)
FROM incentives_componentresult c JOIN org_person p ON p.id = c.person_id
"""


def server(database: str) -> str:
    config = dj_database_url.parse(URL)
    host, port, user = config["HOST"] or "127.0.0.1", config["PORT"] or 5432, config["USER"]
    return f"postgresql://{user}@{host}:{port}/{database}"


@pytest.fixture
def database() -> Iterator[str]:
    name = f"attain_scale_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server(name)
    finally:
        with psycopg.connect(server("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_workers_calculate_a_partitioned_run_equal_to_one_process(
    database: str, tmp_path: Path
) -> None:
    env = command_env(database, tmp_path / "var")

    def attain(*args: str) -> str:
        done = run_attain(*args, env=env, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def digest() -> list[tuple[str, int]]:
        with psycopg.connect(database) as db:
            return [(str(md5), int(n)) for md5, n in db.execute(DIGEST).fetchall()]

    attain("migrate", "--no-input", "-v", "0")
    attain("demo", "load")
    attain("calculate", YEAR, "--here")
    whole = digest()
    assert whole[0][1] > 1000 and whole[1][1] > 1000

    logs = [tmp_path / f"worker-{n}.log" for n in (1, 2)]
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "attain.cli",
                "worker",
                "--queue-name",
                "*",
                "--interval",
                "0.2",
                "--no-startup-delay",
            ],
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        for log in logs
    ]
    try:
        deadline = time.monotonic() + 120
        while not all("Starting worker" in log.read_text() for log in logs):
            assert all(w.poll() is None for w in workers), "a worker exited"
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.2)
        out = attain("calculate", YEAR, "--partitions", str(SLICES), "--wait")
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    assert "Done 100%" in out

    assert digest() == whole
    with psycopg.connect(database) as db:
        rows = db.execute(
            "SELECT p.status, p.worker, r.status FROM incentives_runpartition p "
            "JOIN incentives_calculationrun r ON r.id = p.run_id"
        ).fetchall()
        staged = db.execute(
            "SELECT (SELECT count(*) FROM incentives_stagedperiodresult)"
            " + (SELECT count(*) FROM incentives_stagedcomponentresult)"
        ).fetchone()
    assert len(rows) == SLICES
    assert {(status, run) for status, _worker, run in rows} == {("done", "done")}
    assert len({worker for _status, worker, _run in rows}) == 2  # both workers took slices
    assert staged == (0,)
