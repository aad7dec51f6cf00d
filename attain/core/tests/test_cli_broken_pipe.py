"""A reader that stops early (`attain scenario run F | head`, `| less` quit at once)
ends the command quietly, as any Unix tool: no Python traceback on the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "01-team-quarter.yaml"


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    base = {k: v for k, v in os.environ.items() if not k.startswith("ATTAIN_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "attain.cli", "scenario", "run", str(EXAMPLE)],
        env={**base, "ATTAIN_VAR_DIR": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the first line is written
    error = process.stderr.read().decode()
    process.wait(timeout=120)
    assert "Traceback" not in error
    assert "BrokenPipeError" not in error
    assert process.returncode == 1


def test_a_pipe_broken_inside_a_command_is_not_hidden(tmp_path):
    """Only standard output's reader going away is quiet: a pipe or socket the command
    itself uses breaking is its error, shown."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("ATTAIN_")}
    script = (
        "import sys, attain.cli as cli\n"
        "def broken(argv):\n"
        "    raise BrokenPipeError('a socket of the command')\n"
        "cli._main = broken\n"
        "sys.exit(cli.main([]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**base, "ATTAIN_VAR_DIR": str(tmp_path)},
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert "BrokenPipeError: a socket of the command" in done.stderr.decode()
    assert done.returncode == 1
