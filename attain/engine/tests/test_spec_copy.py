"""The repository carries the scenario format's specification (spec/scenario.md) for
its readers; the contract itself is kept beside the project (../shared/spec). Where
that one is present, the copy must be the same text."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
COPY = ROOT / "spec" / "scenario.md"
CONTRACT = ROOT.parent / "shared" / "spec" / "scenario.md"


def test_the_repository_has_the_format() -> None:
    assert COPY.read_text(encoding="utf-8").startswith("# Attain scenario format")


@pytest.mark.skipif(not CONTRACT.is_file(), reason="no shared contract beside the checkout")
def test_the_copy_is_the_contract() -> None:
    assert COPY.read_text(encoding="utf-8") == CONTRACT.read_text(encoding="utf-8"), (
        "spec/scenario.md differs from ../shared/spec/scenario.md: copy the contract again"
    )
