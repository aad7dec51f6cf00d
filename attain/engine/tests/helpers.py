"""Small helpers so tests read like worked examples: a scenario dict in, numbers out."""

from __future__ import annotations

import json
from typing import Any

from attain.engine.calculate import Result, calculate
from attain.engine.output import to_json
from attain.engine.periods import parse_date
from attain.engine.problems import Problem
from attain.engine.scenario import scenario_from_data

BASE: dict[str, Any] = {
    "version": 1,
    "currency": "CNY",
    "units": [{"id": "hq", "name": "HQ"}, {"id": "east", "name": "East", "parent": "hq"}],
    "people": [
        {"id": "li", "unit": "east", "role": "manager"},
        {"id": "zhang", "unit": "east", "manager": "li", "role": "rep"},
        {"id": "wang", "unit": "east", "manager": "li", "role": "rep"},
    ],
}


def scenario(**parts: Any) -> dict[str, Any]:
    document = json.loads(json.dumps(BASE))
    document.update(parts)
    return document


def problems_of(document: dict[str, Any]) -> list[Problem]:
    loaded, problems = scenario_from_data(document)
    if loaded is not None:
        result = calculate(loaded)
        return result.errors
    return problems


def paths_of(document: dict[str, Any]) -> list[str]:
    return [p.path for p in problems_of(document)]


def result_of(document: dict[str, Any], as_of: str | None = None) -> Result:
    loaded, problems = scenario_from_data(document)
    assert loaded is not None, problems
    result = calculate(loaded, parse_date(as_of) if as_of else None)
    assert not result.errors, result.errors
    return result


def run(document: dict[str, Any], as_of: str | None = None) -> dict[str, Any]:
    """The section 8 JSON of a scenario, parsed back (numbers as floats, for comparison)."""
    output: dict[str, Any] = json.loads(to_json(result_of(document, as_of)))
    return output


def commission_plan(
    component: dict[str, Any], period: str = "quarter", role: str = "rep"
) -> list[dict[str, Any]]:
    return [
        {
            "id": "p",
            "applies_to": {"role": role},
            "effective": {"from": "2025-01-01", "to": "2025-12-31"},
            "period": period,
            "components": [component],
        }
    ]
