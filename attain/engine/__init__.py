"""Attain's calculation engine: scenarios in, targets, measures and payouts out.

Pure Python + Polars. Never imports Django or the apps (checked by import-linter).

    scenario, problems = load_scenario("plan.yaml")      # problems: list[Problem]
    result = calculate(scenario, as_of=date(2025, 3, 15))
    print(to_json(result))                               # spec section 8
    print(explanation_text(explain(result, "zhang", parse_period("2025-Q1"))))

This module is the engine's public API: code outside ``attain.engine`` imports from here,
never from its submodules. The command line (``attain.engine.cli``, with ``bench`` and
``workers``) sits above the calculation and is not part of it.
"""

from .calculate import Result, calculate
from .decomposition import Caches, Decomposer, largest_remainder
from .effectiveness import DRAFT as WHAT_IF_DRAFT
from .effectiveness import (
    EVERYONE_MAX,
    HEALTHY_BAND,
    NOBODY_PAID,
    Comparison,
    component_findings,
    pay_for_performance,
)
from .effectiveness import IN_FORCE as WHAT_IF_IN_FORCE
from .effectiveness import bucket_labels as attainment_buckets
from .effectiveness import compare as compare_payouts
from .effectiveness import cost_of_sales as cost_of_sales_by_period
from .effectiveness import distribution as attainment_distribution
from .effectiveness import fairness as quota_fairness
from .explain import Explanation, explain, explanation_document, explanation_json, explanation_text
from .forecast import BASES as FORECAST_BASES
from .forecast import ForecastData, ForecastPeriod, backtest_cutoffs, known_at
from .forecast import backtest as backtest
from .forecast import booked_where as forecast_booked_where
from .forecast import forecast as forecast_rows
from .forecast import period_of as forecast_period
from .forecast import roll_up as forecast_rollup
from .measures import MeasureEngine
from .memory import no_cycle_collection
from .model import Decomposition, Scenario, TargetSpec
from .numbers import (
    CURRENCIES,
    ENGINE_CONTEXT,
    minor_unit,
    money_text,
    number_text,
    round_half_up,
)
from .org import Org
from .output import Number, period_document, to_document, to_json
from .periods import (
    Month,
    Period,
    fiscal_month_index,
    fiscal_year_of,
    fiscal_year_period,
    month_period,
    parse_date,
    parse_period,
)
from .phones import phone_key, phone_keys, same_line, shares_a_line, split_phones
from .problems import Problem
from .scenario import load_scenario, scenario_from_data
from .stored import StoredRow, calculate_rows
from .targets import TargetBook, exact_targets
from .yamlio import read_yaml

__all__ = [
    "CURRENCIES",
    "ENGINE_CONTEXT",
    "EVERYONE_MAX",
    "FORECAST_BASES",
    "HEALTHY_BAND",
    "NOBODY_PAID",
    "WHAT_IF_DRAFT",
    "WHAT_IF_IN_FORCE",
    "Caches",
    "Comparison",
    "Decomposer",
    "Decomposition",
    "Explanation",
    "ForecastData",
    "ForecastPeriod",
    "MeasureEngine",
    "Month",
    "Number",
    "Org",
    "Period",
    "Problem",
    "Result",
    "Scenario",
    "StoredRow",
    "TargetBook",
    "TargetSpec",
    "attainment_buckets",
    "attainment_distribution",
    "backtest",
    "backtest_cutoffs",
    "calculate",
    "calculate_rows",
    "compare_payouts",
    "component_findings",
    "cost_of_sales_by_period",
    "exact_targets",
    "explain",
    "explanation_document",
    "explanation_json",
    "explanation_text",
    "fiscal_month_index",
    "fiscal_year_of",
    "fiscal_year_period",
    "forecast_booked_where",
    "forecast_period",
    "forecast_rollup",
    "forecast_rows",
    "known_at",
    "largest_remainder",
    "load_scenario",
    "minor_unit",
    "money_text",
    "month_period",
    "no_cycle_collection",
    "number_text",
    "parse_date",
    "parse_period",
    "pay_for_performance",
    "period_document",
    "phone_key",
    "phone_keys",
    "quota_fairness",
    "read_yaml",
    "round_half_up",
    "same_line",
    "scenario_from_data",
    "shares_a_line",
    "split_phones",
    "to_document",
    "to_json",
]
