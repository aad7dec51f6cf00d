"""``attain bench_notify`` end to end on a small count: its own workers deliver to its
local receiver (on 127.0.0.1, which personal webhooks may not reach otherwise).

The workers are other processes, so this works on a database file of its own."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from attain.web.testing import command_env, run_attain

pytestmark = pytest.mark.slow


def test_bench_notify_delivers_through_its_workers(tmp_path: Path) -> None:
    env = command_env(
        f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        tmp_path / "var",
        leave_out={"ATTAIN_PERSONAL_WEBHOOKS_ANYWHERE"},
    )

    def attain(*args: str) -> subprocess.CompletedProcess[str]:
        return run_attain(*args, env=env, timeout=300)

    assert attain("migrate", "--no-input", "-v", "0").returncode == 0
    done = attain("bench_notify", "--count", "20", "--workers", "1", "--timeout", "120")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "notifications: 20 to a local webhook" in done.stdout
    assert "goal ≤ 60 s: met" in done.stdout
