"""``kill -9`` of a real ``attain worker`` during an import and during a calculation run,
against a file SQLite database (ATTAIN_VAR_DIR in tmp_path), with a web write meanwhile:
the write answers 503 with Retry-After (never a 500), nothing half-written is left, the
next worker marks the dead worker's batch, run and tasks failed, and they run again.

The worker is stopped at a known point by a small harness (it wraps one function to
write a flag file and sleep) so the kill always lands inside the import's merge (its
transaction open, the first chunk written) or inside the calculation."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ROWS = 2500  # customers
SETUP = """
import django, os, sys
django.setup()
"""
HARNESS = (
    SETUP
    + """
import pathlib, time
flag = pathlib.Path(os.environ["STALL_FLAG"])

def stall():
    flag.write_text(str(os.getpid()))
    time.sleep(600)

if os.environ["STALL"] == "merge":
    from attain.crm import bulk
    original = bulk.Upsert.write

    def write(self, accepted, existing):
        keys = original(self, accepted, existing)
        stall()  # the merge's transaction is open, one chunk written
        return keys

    bulk.Upsert.write = write
else:
    from attain.incentives import calculation

    def calculating(*args, **kwargs):
        stall()

    calculation.run_rows = calculation.run_engine = calculating
from django.core.management import call_command
call_command("worker", "--queue-name", "*", "--interval", "0.1", "--no-startup-delay")
"""
)
CLIENT = (
    SETUP
    + """
import json
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from attain.accounts.models import User
client = Client()
client.force_login(User.objects.get(username="boss"))
print("ready", flush=True)
for line in sys.stdin:
    response = client.post(
        "/api/customers/", {"name": line.strip()}, content_type="application/json"
    )
    print(json.dumps([response.status_code, response.get("Retry-After")]), flush=True)
"""
)


class Site:
    def __init__(self, tmp_path: Path) -> None:
        self.var = tmp_path / "var"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "ATTAIN_TASKS", "DJANGO_SETTINGS_MODULE"}
        }
        self.env.update(
            ATTAIN_VAR_DIR=str(self.var),
            DJANGO_SETTINGS_MODULE="config.settings",
            ATTAIN_DEBUG="1",
            ATTAIN_SQLITE_BUSY_SECONDS="1",
            ATTAIN_INCENTIVES_LIVE="off",
            STALL_FLAG=str(tmp_path / "stalled"),
        )
        self.flag = tmp_path / "stalled"

    def python(self, code: str, **env: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def attain(self, *args: str) -> str:
        return self.python(f"{SETUP}from attain.cli import main\nmain({list(args)!r})")

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.var / "attain.sqlite3", timeout=30) as db:
            return db.execute(sql).fetchall()

    def stalled_worker(self, stall: str) -> subprocess.Popen[str]:
        self.flag.unlink(missing_ok=True)
        worker = subprocess.Popen(
            [sys.executable, "-c", HARNESS],
            env={**self.env, "STALL": stall},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        deadline = time.monotonic() + 120
        while not self.flag.exists():
            assert worker.poll() is None, "the worker exited"
            assert time.monotonic() < deadline, "the worker never reached the stall"
            time.sleep(0.1)
        return worker


def kill_9(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_kill_9_during_an_import_and_a_run_leaves_everything_re_runnable(
    tmp_path: Path,
) -> None:
    site = Site(tmp_path)
    site.attain("migrate", "--no-input", "-v", "0")
    csv_path = tmp_path / "customers.csv"
    csv_path.write_text(
        "external_id,name\n" + "".join(f"K-{n},Kunde {n}\n" for n in range(ROWS)),
        encoding="utf-8",
    )
    batch_id = site.python(
        SETUP
        + f"""
from pathlib import Path
from attain.accounts.models import Role
from attain.org import services
from attain.intake import importer
from attain.intake.services import batch_for_file
from attain.intake.tasks import enqueue_import
services.create_login(None, username="boss", role=Role.ADMIN, password="pw-boss-1")
batch = batch_for_file("customers", Path({str(csv_path)!r}))
enqueue_import(batch)
print(batch.pk)
"""
    ).strip()
    client = subprocess.Popen(
        [sys.executable, "-c", CLIENT],
        env=site.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert client.stdout is not None and client.stdin is not None
    assert client.stdout.readline().strip() == "ready"

    def web_write(name: str) -> list[Any]:
        assert client.stdin is not None and client.stdout is not None
        client.stdin.write(name + "\n")
        client.stdin.flush()
        return list(json.loads(client.stdout.readline()))

    try:
        # An import: killed inside its merge, while a web write waits for the lock.
        worker = site.stalled_worker("merge")
        status, retry_after = web_write("Web customer")
        assert status == 503 and retry_after  # not a 500, and says when to come back
        kill_9(worker)
        assert site.query("SELECT count(*) FROM crm_customer") == [(0,)]  # all or nothing
        assert site.query(f"SELECT status FROM intake_importbatch WHERE id={batch_id}") == [
            ("running",)
        ]
        # The next worker marks the batch and its task failed; the batch runs again.
        site.attain("worker", "--batch", "--no-startup-delay", "-v", "0")
        status_error = site.query(
            f"SELECT status, error FROM intake_importbatch WHERE id={batch_id}"
        )
        assert status_error[0][0] == "failed" and "stopped" in status_error[0][1]
        assert site.query("SELECT status FROM django_tasks_database_dbtaskresult") == [("FAILED",)]
        site.python(
            SETUP
            + f"""
from attain.intake.models import ImportBatch
from attain.intake.services import retry_batch
from attain.intake.tasks import enqueue_import
batch = ImportBatch.objects.get(pk={batch_id})
retry_batch(None, batch)
enqueue_import(batch)
"""
        )
        site.attain("worker", "--batch", "--no-startup-delay", "-v", "0")
        assert site.query(
            f"SELECT status, imported FROM intake_importbatch WHERE id={batch_id}"
        ) == [("done", ROWS)]
        assert site.query("SELECT count(*) FROM crm_customer") == [(ROWS,)]
        assert web_write("Web customer")[0] == 201  # the lock is free again

        # A calculation run: killed while calculating.
        start = SETUP + (
            "from attain.accounts.models import User\n"
            "from django.utils import timezone\n"
            "from attain.calc.periods import fiscal_year_of_day\n"
            "from attain.incentives.services import start_calculation\n"
            "year = fiscal_year_of_day(timezone.localdate())  # a site with no records: this year\n"
            "print(start_calculation(User.objects.get(username='boss'), year).pk)\n"
        )
        run_id = site.python(start).strip()
        worker = site.stalled_worker("calc")
        assert site.query(f"SELECT status FROM incentives_calculationrun WHERE id={run_id}") == [
            ("running",)
        ]
        kill_9(worker)
        site.attain("worker", "--batch", "--no-startup-delay", "-v", "0")
        status_problems = site.query(
            f"SELECT status, problems FROM incentives_calculationrun WHERE id={run_id}"
        )
        assert status_problems[0][0] == "failed" and "stopped" in status_problems[0][1]
        running = site.query(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status='RUNNING'"
        )
        assert running == [(0,)]
        again = site.python(start).strip()
        site.attain("worker", "--batch", "--no-startup-delay", "-v", "0")
        assert site.query(f"SELECT status FROM incentives_calculationrun WHERE id={again}") == [
            ("done",)
        ]
    finally:
        client.kill()
        client.wait()
