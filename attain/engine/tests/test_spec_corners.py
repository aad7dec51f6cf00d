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


@pytest.mark.parametrize(
    "expression", ["amount < 1e400", "amount < 99999999999999999999999999999999999999999"]
)
def test_a_record_literal_beyond_38_digits_is_a_problem_when_loaded(expression: str) -> None:
    """Section 9: an expression that cannot be computed is reported when the scenario is
    loaded. A literal beyond Polars' 38-digit decimals in a record expression ended the
    run with a Polars error (a traceback, exit 1)."""
    measures = {"m": {"from": "orders", "value": "amount", "where": expression}}
    document = scenario(records={"orders": ORDERS}, measures=measures)
    loaded, problems = scenario_from_data(document)
    assert loaded is None
    assert [p.path for p in problems] == ["measures.m.where"]
    assert "38 digits" in problems[0].message


def test_a_record_value_given_as_a_number_beyond_38_digits_is_a_problem_when_loaded() -> None:
    """`value: 1000…0` written as a YAML number, not text, skipped the literal check and
    ended the run with a Polars error (a traceback) when the measure was computed."""
    measures = {"m": {"from": "orders", "value": 10**40}}
    document = scenario(
        records={"orders": ORDERS}, measures=measures, report={"periods": ["2025-01"]}
    )
    loaded, problems = scenario_from_data(document)
    assert loaded is None
    assert [p.path for p in problems] == ["measures.m.value"]
    assert "38 digits" in problems[0].message


def test_a_record_literal_of_many_decimals_is_read_rounded() -> None:
    """1e-400 in a record expression made Polars panic; like a record's value, a literal
    keeps at most 20 decimals (so it is 0 here)."""
    measures = {"m": {"from": "orders", "value": "amount + 1e-400", "where": "amount > 1e-400"}}
    document = scenario(
        records={"orders": ORDERS}, measures=measures, report={"periods": ["2025-01"]}
    )
    loaded, problems = scenario_from_data(document)
    assert loaded is not None, problems
    assert calculate(loaded).people["zhang"]["2025-01"].measures["m"] == Decimal(10)


def _plan(*components: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": "p",
            "applies_to": {"role": "rep"},
            "effective": {"from": "2025-01-01", "to": "2025-03-31"},
            "period": "quarter",
            "components": list(components),
        }
    ]


def test_payouts_beyond_40_digits_are_rounded_not_a_traceback() -> None:
    """A component amount of 10^50 (more digits than the engine's 40-digit context)
    ended the run with decimal.InvalidOperation when rounded to fen (a traceback);
    rounding it to the minor unit is exact in a wider context."""
    big = "1" + "0" * 50
    plans = _plan(
        {"id": "b", "kind": "bonus", "when": "true", "amount": "1e50"},
        {"id": "r", "kind": "bonus", "when": "true", "amount": "ROUND(1e50 + 0.5, 2)"},
    )
    document = scenario(records={"orders": ORDERS}, measures={"m": {"from": "orders"}}, plans=plans)
    loaded, problems = scenario_from_data(document)
    assert loaded is not None, problems
    result = calculate(loaded)
    plan = result.people["zhang"]["2025-Q1"].plans["p"]
    assert plan.components["b"].amount == Decimal(big)
    text = to_json(result)
    assert f'"b": "{big}.00"' in text
    errors, written = workers.run_json(loaded, workers=1)
    assert errors == [] and written == text


def test_the_first_fiscal_years_have_four_digit_ids() -> None:
    """Periods of the years 1 … 999 (valid: `0001`) were built with the id `1-Q1`, which
    is no period id, and failed an assertion (a traceback) when rule 5.1 looked for the
    quarter enclosing a month."""
    orders = [{"id": "o1", "date": "0001-02-03", "owner": "zhang", "amount": Decimal(3)}]
    targets = [{"measure": "revenue", "who": "zhang", "period": "0001", "value": Decimal(12)}]
    document = scenario(
        records={"orders": orders},
        measures={"revenue": {"from": "orders", "value": "amount"}},
        targets=targets,
        report={"periods": ["0001-02", "0001-Q1"]},
    )
    loaded, problems = scenario_from_data(document)
    assert loaded is not None, problems
    result = calculate(loaded)
    row = result.people["zhang"]["0001-02"]
    assert (row.targets["revenue"].value, row.attainment["revenue"]) == (1, 3)
    assert result.people["zhang"]["0001-Q1"].targets["revenue"].value == 3
    errors, text = workers.run_json(loaded, workers=1)
    assert errors == [] and text == to_json(result)


def _seasonal(period: str, **extra: Any) -> dict[str, Any]:
    decomposition = {
        "id": "d",
        "measure": "revenue",
        "from": {"who": "east", "period": period, "value": Decimal(12)},
        "to": "people",
        "method": "equal",
        "months": "seasonal",
        **extra,
    }
    orders = [{"id": "o1", "date": "0001-02-03", "owner": "zhang", "amount": Decimal(3)}]
    return scenario(
        records={"orders": orders},
        measures={"revenue": {"from": "orders", "value": "amount"}},
        decompositions=[decomposition],
    )


@pytest.mark.parametrize("period", ["0001", "0002"])
def test_seasonal_months_of_the_first_fiscal_years_use_the_years_there_are(period: str) -> None:
    """`seasonal` without `seasonal_years` takes the two fiscal years before the period:
    for the years 1 and 2 those included the years -1 and 0, and the run ended with
    "ValueError: year -1 is out of range". Only years from 1 on are used (none: equal)."""
    loaded, problems = scenario_from_data(_seasonal(period))
    assert loaded is not None, problems
    result = calculate(loaded)
    assert not result.errors
    months = [t for t in result.generated if t.who == "zhang" and t.period.kind == "month"]
    assert len(months) == 12 and sum(t.value for t in months) == 4  # 12 over 3 people


@pytest.mark.parametrize("year", [0, 9999, "10000"])
def test_seasonal_years_outside_the_fiscal_years_are_problems(year: object) -> None:
    """A seasonal year of 0 or beyond 9998 ended the run with a ValueError."""
    loaded, problems = scenario_from_data(_seasonal("0001", seasonal_years=[year]))
    assert loaded is None
    assert [p.path for p in problems] == ["decompositions[0].seasonal_years[0]"]


@pytest.mark.parametrize("where", ["1 / 0 > 1", "(1 % 0) + amount > 0", "1 % 0.0 == null"])
def test_a_constant_divided_by_zero_in_a_where_is_null(where: str) -> None:
    """Section 9: `x / 0` is null. With both sides constants Polars folded the division
    while planning and the run ended with "ComputeError: division by zero Decimal"."""
    measures = {"m": {"from": "orders", "value": "amount", "where": where}}
    document = scenario(
        records={"orders": ORDERS}, measures=measures, report={"periods": ["2025-01"]}
    )
    loaded, problems = scenario_from_data(document)
    assert loaded is not None, problems
    result = calculate(loaded)
    assert result.people["zhang"]["2025-01"].measures["m"] == 0  # null is not true
