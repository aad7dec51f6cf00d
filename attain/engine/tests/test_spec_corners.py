"""Corners of the scenario spec, checked by hand against the spec's text (not the
engine's output), and the columns' text against the Python rows' on each."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from attain.engine import calculate, to_json, workers
from attain.engine.scenario import scenario_from_data

from .helpers import scenario

ORDERS = [
    {"id": "o1", "date": "2025-01-05", "owner": "zhang", "amount": Decimal(10), "status": "ok"},
    {"id": "o2", "date": "2025-01-06", "owner": "zhang", "amount": Decimal(0), "status": ""},
    {"id": "o3", "date": "2025-01-07", "owner": "zhang", "amount": Decimal(-4), "status": "x"},
]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("amount", "6"),  # a number is true when not 0
        ("-amount", "6"),
        ("ROUND(amount, 0)", "6"),
        ("COALESCE(amount, 0)", "6"),
        ("IF(amount > 1, 1, 0)", "10"),
        ("1", "6"),
        ("status", "6"),  # text is true when not empty
        ("'x'", "6"),
        ("null", "0"),
    ],
)
@pytest.mark.parametrize("others", [0, 1])
def test_a_where_that_is_no_boolean_keeps_the_records_it_is_true_for(
    where: str, expected: str, others: int
) -> None:
    """Section 9 / docs: a number is true when not 0, text when not empty. A `where`
    giving a number or a text ended the run with a Polars SchemaError (a traceback)
    when another sum measure of the same table was credited in the same pass."""
    measures: dict[str, Any] = {"m": {"from": "orders", "value": "amount", "where": where}}
    if others:
        measures["all"] = {"from": "orders", "value": "amount"}
    loaded, problems = scenario_from_data(
        scenario(records={"orders": ORDERS}, measures=measures, report={"periods": ["2025-01"]})
    )
    assert loaded is not None, problems
    result = calculate(loaded)
    assert result.people["zhang"]["2025-01"].measures["m"] == Decimal(expected)
    errors, text = workers.run_json(loaded, workers=1)
    assert errors == [] and text == to_json(result)
