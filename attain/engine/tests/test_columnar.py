"""The columnar rows (attain.engine.columnar): the same digits as the engine's Python."""

from __future__ import annotations

import decimal
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from attain.engine import calculate, load_scenario, to_json, workers
from attain.engine.bench import generate
from attain.engine.calculate import finish, prepare
from attain.engine.columnar import PeopleColumns, Rows
from attain.engine.columnar.integers import fixed, number_text, quotient
from attain.engine.model import Scenario
from attain.engine.numbers import ENGINE_CONTEXT
from attain.engine.numbers import number_text as python_number_text
from attain.engine.numbers import quotient_text as python_quotient_text
from attain.engine.output import DocumentWriter
from attain.engine.periods import intersect
from attain.engine.plans import whole_period
from attain.engine.scenario import scenario_from_data

from .helpers import scenario

_I128 = pl.Int128


def _one(expression: pl.Expr, **columns: int) -> str | None:
    frame = pl.DataFrame({k: pl.Series([v], dtype=_I128) for k, v in columns.items()})
    return frame.select(expression.alias("x")).item()


@given(
    value=st.integers(min_value=-(10**30), max_value=10**30),
    scale=st.integers(min_value=0, max_value=12),
    money=st.booleans(),
    places=st.sampled_from([0, 2, 3]),
)
@example(value=5, scale=3, money=True, places=2)  # 0.005 rounds half-up to 0.01
@example(value=-5, scale=3, money=True, places=2)
@example(value=-4, scale=3, money=True, places=2)  # -0.004: "0", never "-0"
@example(value=1234567, scale=7, money=False, places=2)
def test_number_text_is_the_engines(value: int, scale: int, money: bool, places: int) -> None:
    found = _one(number_text(pl.col("v"), scale, money, places), v=value)
    exact = Decimal((0 if value >= 0 else 1, tuple(map(int, str(abs(value)))), -scale))
    with decimal.localcontext(ENGINE_CONTEXT):
        expected = python_number_text(exact, money, places)
    assert found is None or found == expected
    if money or scale <= 6 or value % 10 ** (scale - 6) == 0:
        assert found == expected  # left to Python only where significant digits count


@given(
    num=st.integers(min_value=-(10**24), max_value=10**24),
    den=st.integers(min_value=1, max_value=10**24),
    money=st.booleans(),
    places=st.sampled_from([0, 2, 3]),
)
@example(num=1, den=8, money=False, places=2)  # 0.125
@example(num=31, den=40, money=True, places=2)  # 0.775: a half cent, rounded up
@example(num=-31, den=40, money=True, places=2)
@example(num=1, den=3, money=False, places=2)
@example(num=999_999_5, den=100_000_000, money=False, places=2)  # 0.0999999|5: 7 places
@example(num=1, den=10**13, money=False, places=2)  # too small: left to Python
@example(num=10**24, den=1, money=False, places=2)  # too large: left to Python
def test_quotients_round_as_the_engine_does(num: int, den: int, money: bool, places: int) -> None:
    rounded, digits = quotient(pl.col("n"), pl.col("d"), money, places)
    found = None
    if _one(rounded, n=num, d=den) is not None:
        found = _one(fixed(rounded, digits), n=num, d=den)
    with decimal.localcontext(ENGINE_CONTEXT):
        expected = python_quotient_text(Decimal(num) / Decimal(den), money, places)
    assert found is None or found == expected
    if num == 0 or ((money or abs(num) * 10**12 >= den) and abs(num) < 10**19):
        assert found == expected  # left to Python only when very small or large


def _rows(loaded: Scenario) -> tuple[Rows | None, int]:
    """What the columns write, and how many rows Python has to: those a plan covers
    for part of the period, and those where Python warns (tiers by attainment or a
    gate without a revenue target, in the plans of these tests)."""
    with decimal.localcontext(ENGINE_CONTEXT):
        calc, decomposer, periods = prepare(loaded, None)
        writer = DocumentWriter(finish(calc, decomposer, periods, {}, {}))
        rows = PeopleColumns(calc, writer, periods, list(loaded.people)).rows()
        python = set()
        for plan in loaded.plans:
            for pid in loaded.people:
                for period in periods:
                    if period.kind != plan.period_kind:
                        continue
                    covered = intersect(calc.coverage(plan, pid), [(period.start, period.end)])
                    target = calc.book.value("revenue", pid, period)
                    if covered and (not whole_period(covered, period) or not target):
                        python.add((pid, period.id))
    return rows, len(python)


def test_the_columns_write_every_row_of_a_generated_company(tmp_path: Path) -> None:
    """`attain bench engine`'s company (sums and counts, targets from a blended
    decomposition, months, quarters and the year, tiers with a cap, a gated
    commission, levels, a scorecard, people joining and moving): the columns write
    every row but the scorecard's and those of partly covered periods, and the text is
    one process's."""
    files = generate(tmp_path, people=60, orders=3_000, seed=5)
    loaded, problems = load_scenario(files.scenario)
    assert loaded is not None, problems
    rows, _partial = _rows(loaded)
    assert rows is not None
    assert sum(entry is not None for entry in rows.entries) > 0
    assert all(head is not None for heads in rows.heads.values() for head in heads)
    errors, written = workers.run_json(loaded, workers=1)
    assert errors == []
    assert written == to_json(calculate(loaded))


def test_a_company_of_commissions_and_levels_is_written_by_the_columns(tmp_path: Path) -> None:
    files = generate(tmp_path, people=60, orders=3_000, seed=5)
    text = files.scenario.read_text(encoding="utf-8")
    plans = text.index("plans:\n")  # the last section: replaced
    files.scenario.write_text(text[:plans] + PLANS, encoding="utf-8")
    loaded, problems = load_scenario(files.scenario)
    assert loaded is not None, problems
    rows, partial = _rows(loaded)
    assert rows is not None
    assert rows.left == partial > 0
    errors, written = workers.run_json(loaded, workers=1)
    assert errors == []
    assert written == to_json(calculate(loaded))


PLANS = """\
plans:
  - id: rep-2025
    applies_to: {role: rep}
    effective: {from: 2025-01-01, to: 2025-12-31}
    period: quarter
    components:
      - {id: commission, kind: commission, measure: revenue, tiers: {basis: attainment,
         mode: marginal, table: [{from: 0, rate: 0.02}, {from: 0.8, rate: 0.04},
         {from: 1.2, rate: 0.06}]}, cap: 30000, floor: 0}
      - {id: whole, kind: commission, measure: deals, tiers: {basis: amount, mode: whole,
         table: [{from: 0, rate: 0.5}, {from: 10, rate: 1}]}}
      - {id: level, kind: bonus, measure: revenue, levels: [
         {min_attainment: 0.8, amount: 2000, label: 基础},
         {min_attainment: 1.0, amount: 5000, label: 优秀}]}
  - id: manager-2025
    applies_to: {role: manager}
    effective: {from: 2025-01-01, to: 2025-12-31}
    period: quarter
    components:
      - {id: override, kind: commission, measure: revenue, scope: team, rate: 0.005,
         gate: {min_attainment: 0.5}}
"""


def _loaded(**parts: Any) -> Scenario:
    loaded, problems = scenario_from_data(scenario(**parts))
    assert loaded is not None, problems
    return loaded


REVENUE = {"revenue": {"from": "orders", "value": "amount"}}
ORDERS = {
    "orders": [
        {"id": "o1", "date": "2025-01-10", "owner": "zhang", "amount": Decimal("1000.5")},
        {"id": "o2", "date": "2025-02-11", "owner": "wang", "amount": Decimal("-30")},
    ]
}


@pytest.mark.parametrize("agg", ["distinct", "min", "max", "avg"])
@pytest.mark.parametrize("as_of", ["2025-01-20", "2025-12-31"])
def test_every_measure_kind_is_written_by_the_columns(agg: str, as_of: str) -> None:
    """Distinct counts, minimums, maximums and averages, with targets and pace, for
    people and units: every row from the columns, the text of one process."""
    value = "customer" if agg == "distinct" else "amount"
    orders = [
        {"id": f"o{n}", "date": f"2025-0{1 + n % 3}-{10 + n % 7}", "owner": owner,
         "amount": Decimal(amount), "customer": f"c{n % 4}"}
        for n, (owner, amount) in enumerate(
            [("zhang", "100.5"), ("wang", "30"), ("zhang", "7.25"), ("li", "-2"),
             ("wang", "1000"), ("zhang", "0.01"), ("wang", "33.33")]
        )
    ]  # fmt: skip
    targets = [
        {"measure": "m", "who": who, "period": "2025-Q1", "value": Decimal(v)}
        for who, v in [("zhang", "3"), ("wang", "0"), ("east", "150.5"), ("hq", "7")]
    ]
    loaded = _loaded(
        records={"orders": orders},
        measures={"m": {"from": "orders", "value": value, "agg": agg}},
        targets=targets,
        report={"periods": ["2025", "2025-Q1", "2025-01", "2025-02", "2025-04"]},
        as_of=as_of,
    )
    rows, _python = _rows(loaded)
    assert rows is not None
    assert rows.left == 0
    errors, written = workers.run_json(loaded, workers=1)
    assert errors == []
    assert written == to_json(calculate(loaded))


@pytest.mark.parametrize("target", ["0", "-100", "100.125", "1E+3", "3000.0000001"])
@pytest.mark.parametrize("as_of", [None, "2025-02-14", "2025-12-31"])
def test_targets_of_zero_or_less_and_odd_digits_write_the_engines_text(
    target: str, as_of: str | None
) -> None:
    spec = {"measure": "revenue", "who": "zhang", "period": "2025", "value": Decimal(target)}
    parts: dict[str, Any] = {"records": ORDERS, "measures": REVENUE, "targets": [spec]}
    parts["report"] = {"periods": ["2025", "2025-Q1", "2025-01", "2025-02"]}
    if as_of is not None:
        parts["as_of"] = as_of
    loaded = _loaded(**parts)
    errors, written = workers.run_json(loaded, workers=1)
    assert errors == []
    assert written == to_json(calculate(loaded))


def _same_text(**parts: Any) -> None:
    loaded = _loaded(**parts)
    errors, written = workers.run_json(loaded, workers=1)
    assert errors == []
    assert written == to_json(calculate(loaded))


def _plan(component: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [
        {
            "id": "p",
            "applies_to": {"role": "rep"},
            "effective": {"from": "2025-01-01", "to": "2025-12-31"},
            "period": "quarter",
            "components": [] if component is None else [component],
        }
    ]


def _target(who: str, period: str, value: str) -> dict[str, Any]:
    return {"measure": "revenue", "who": who, "period": period, "value": Decimal(value)}


REPORT = {"periods": ["2025", "2025-Q1", "2025-01", "2025-02"]}


def test_a_plan_without_components_is_left_to_python() -> None:
    _same_text(records=ORDERS, measures=REVENUE, plans=_plan(None), report=REPORT)


@pytest.mark.parametrize(
    "component",
    [
        {"id": "c", "kind": "commission", "measure": "revenue", "rate": Decimal("0.1"),
         "cap": Decimal("1E+40")},
        {"id": "c", "kind": "bonus", "measure": "revenue", "floor": Decimal("2E+36"),
         "levels": [{"min_attainment": Decimal("0.5"), "amount": Decimal(100)}]},
    ],
)  # fmt: skip
def test_numbers_beyond_128_bits_leave_the_rows_to_python(component: dict[str, Any]) -> None:
    targets = [_target("zhang", "2025", "1000")]
    _same_text(
        records=ORDERS, measures=REVENUE, targets=targets, report=REPORT, plans=_plan(component)
    )


def test_targets_of_many_digits_leave_the_rows_to_python() -> None:
    targets = [_target("zhang", "2025", "1000000000000000000000000")]
    targets.append(_target("wang", "2025", "0.0000000000000001"))
    _same_text(records=ORDERS, measures=REVENUE, targets=targets, report=REPORT)


def test_a_spread_whose_product_the_engine_rounds_is_left_to_python() -> None:
    """value × part has more than 40 digits: the engine rounds it before dividing, so
    an exact spread would differ (here: met against missed)."""
    weight = Decimal("8.333333333333333333333333333")
    orders = {
        "orders": [
            {
                "id": "o1",
                "date": "2025-01-10",
                "owner": "zhang",
                "amount": Decimal("809340848746.25"),
            }
        ]
    }
    _same_text(
        records=orders,
        measures=REVENUE,
        distribution=[weight] * 12,
        targets=[_target("zhang", "2025", "9712090184955")],
        report={"periods": ["2025-01"]},
        as_of="2025-03-01",
    )


@pytest.mark.parametrize(
    "weights",
    [
        [Decimal("8.66666666666666666666666666666666667")] * 3 + [Decimal(8)] * 8 + [Decimal(10)],
        [Decimal("8.3333333333333333333333333333333333333")] * 11
        + [100 - 11 * Decimal("8.3333333333333333333333333333333333333")],
    ],
)
def test_month_weights_of_many_digits_write_the_engines_text(weights: list[Decimal]) -> None:
    _same_text(
        records=ORDERS,
        measures=REVENUE,
        distribution=weights,
        targets=[_target("zhang", "2025-Q1", "11.655"), _target("wang", "2025", "1200")],
        report={"periods": ["2025-01", "2025-Q1", "2025"]},
    )
