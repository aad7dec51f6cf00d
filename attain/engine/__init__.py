"""Attain's calculation engine: scenarios in, targets, measures and payouts out.

Pure Python + Polars. Never imports Django or the apps (checked by import-linter).

    scenario, problems = load_scenario("plan.yaml")      # problems: list[Problem]
    result = calculate(scenario, as_of=date(2025, 3, 15))
    print(to_json(result))                               # spec section 8
    print(explanation_text(explain(result, "zhang", parse_period("2025-Q1"))))
"""

from .calculate import Result, calculate
from .explain import Explanation, explain, explanation_document, explanation_json, explanation_text
from .model import Scenario
from .output import to_document, to_json
from .periods import Period, parse_period
from .problems import Problem
from .scenario import load_scenario, scenario_from_data

__all__ = [
    "Explanation",
    "Period",
    "Problem",
    "Result",
    "Scenario",
    "calculate",
    "explain",
    "explanation_document",
    "explanation_json",
    "explanation_text",
    "load_scenario",
    "parse_period",
    "scenario_from_data",
    "to_document",
    "to_json",
]
