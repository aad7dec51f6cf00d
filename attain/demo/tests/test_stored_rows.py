"""A full run stores from the engine's columns (`attain.engine.calculate_rows`, the path
of `attain scenario run`) exactly what it stored from the Python rows: every stored
number and text of every person and period, the plans' totals and the warnings."""

from __future__ import annotations

from typing import Any

import pytest

from .test_browser_walk import demo_company  # noqa: F401

pytestmark = pytest.mark.slow


def _stored(run: Any) -> dict[str, Any]:
    from attain.incentives.models import ComponentResult, PeriodResult
    from attain.incentives.tests.test_partitions import COMPONENT_FIELDS, RESULT_FIELDS

    run.refresh_from_db()
    return {
        "periods": sorted(PeriodResult.objects.values_list(*RESULT_FIELDS, "explanation")),
        "components": sorted(ComponentResult.objects.values_list(*COMPONENT_FIELDS, "score")),
        "totals": run.totals,
        "warnings": run.warning_details,
        "counts": (run.people, run.rows, run.warnings),
    }


@pytest.mark.usefixtures("demo_company")
def test_a_full_run_stores_the_same_from_the_columns_as_from_python(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from attain.incentives import calculation, services

    year = 2026
    columns = _stored(services.run_calculation(None, year))
    assert columns["periods"] and columns["components"]
    assert any(c[4] == "scorecard" and c[7] is not None for c in columns["components"])

    def python(loaded: Any, as_of: Any, people: Any = None) -> Any:
        result = calculation.run_engine(loaded, as_of, people=people)
        return result, services.python_rows(result, people)

    monkeypatch.setattr(calculation, "run_rows", python)
    assert _stored(services.run_calculation(None, year)) == columns
