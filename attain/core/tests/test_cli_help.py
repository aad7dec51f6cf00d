"""`attain --help` lists every subcommand, the engine's (`scenario`, `bench`) too."""

from __future__ import annotations

import pytest

from attain.cli import main


@pytest.mark.parametrize("args", [[], ["--help"], ["help"], ["-h"]])
def test_the_help_names_the_engine_commands(args, capsys):
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "    migrate" in out
    assert "    scenario" in out and "    bench" in out
