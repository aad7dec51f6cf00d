"""``attain bench_notify`` end to end on a small count: its own workers deliver to its
local receiver (on 127.0.0.1, which personal webhooks may not reach otherwise).

The workers are other processes, so this works on a database file of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_bench_notify_delivers_through_its_workers(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"ATTAIN_TASKS", "DJANGO_SETTINGS_MODULE", "ATTAIN_PERSONAL_WEBHOOKS_ANYWHERE"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        ATTAIN_VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="config.settings",
    )

    def attain(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "attain.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    assert attain("migrate", "--no-input", "-v", "0").returncode == 0
    done = attain("bench_notify", "--count", "20", "--workers", "1", "--timeout", "120")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "notifications: 20 to a local webhook" in done.stdout
    assert "goal ≤ 60 s: met" in done.stdout
