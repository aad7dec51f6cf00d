"""Fixtures for every test of the project (outside the ``attain`` package, so the
layers import-linter checks are not crossed by a fixture)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_calculation_cache() -> None:
    """Test databases reuse ids after a rollback: never share a cached result."""
    from attain.calc import cache
    from attain.org import company

    cache.clear()
    company.forget()  # the first-run setup's cached answers: the test's database decides
