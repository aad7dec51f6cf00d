"""`calculate_rows` (the rows an application stores, from the columns) against
`calculate` (Python): the same document for every person and period, the same main
attainment, scores that store alike (6 decimals, either rounding) and the same
warnings, on random plans and on one whose rows the columns write every one."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings

from attain.engine import Number, calculate, calculate_rows, period_document
from attain.engine.model import Scenario

from .helpers import scenario
from .test_columnar_formulas import AMOUNTS, KPI, MEASURES, REPORT, _left, _loaded, _orders, _plan
from .test_columnar_formulas import documents as formula_documents

SIX = Decimal("0.000001")


def _text(document: dict[str, Any]) -> str:
    return json.dumps(document, default=lambda n: n.text if isinstance(n, Number) else str(n))


def _stored(score: Decimal | None) -> tuple[Decimal, Decimal] | None:
    if score is None:
        return None
    return score.quantize(SIX, ROUND_HALF_UP), score.quantize(SIX, ROUND_HALF_EVEN)


def _same(loaded: Scenario, main: str = "revenue") -> None:
    expected = calculate(loaded)
    result, rows = calculate_rows(loaded, main=main)
    assert [(w.path, w.message) for w in result.warnings] == [
        (w.path, w.message) for w in expected.warnings
    ]
    assert result.errors == expected.errors
    assert list(rows) == list(expected.people)
    for pid, periods in rows.items():
        python = expected.people[pid]
        assert [p.id for p, _row in periods] == list(python)
        for period, row in periods:
            want = python[period.id]
            assert _text(row.document) == _text(period_document(want, loaded, True))
            assert row.attainment == want.attainment.get(main), (pid, period.id)
            scores = {
                (plan_id, cid): c.score
                for plan_id, plan in want.plans.items()
                for cid, c in plan.components.items()
                if c.kind == "scorecard"
            }
            assert set(row.scores) == set(scores)
            for key, score in scores.items():
                assert _stored(row.scores[key]) == _stored(score), (pid, period.id, key)


@given(document=formula_documents())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_plans_store_what_python_stores(document: dict[str, Any]) -> None:
    _same(_loaded(document))


def test_rows_the_columns_write_store_what_python_stores() -> None:
    targets = [
        {"measure": "revenue", "who": who, "period": f"2025-Q{q}", "value": Decimal(value)}
        for who, value in [("zhang", "3000"), ("wang", "1234.5"), ("li", "777")]
        for q in range(1, 5)
    ]
    document = scenario(
        records={"orders": _orders(AMOUNTS)},
        measures=MEASURES,
        targets=targets,
        plans=_plan([KPI]),
        report=REPORT,
    )
    loaded = _loaded(document)
    assert _left(loaded) == 0  # every row is the columns'
    _same(loaded)
    _same(loaded, main="deals")
    _same(loaded, main="no such measure")


def test_a_score_whose_bounds_straddle_a_rounding_is_left_to_python() -> None:
    """The columns' bounds (at 18 places) give the score to store only where every value
    between them rounds alike to 6 places."""
    from attain.engine.columnar import PeopleColumns

    def score(lo: int, hi: int) -> Decimal | None:
        columns = PeopleColumns.__new__(PeopleColumns)
        columns.kept = {"__score:p:c:score_lo": [lo], "__score:p:c:score_hi": [hi]}
        return columns.score("p", "c", 0)

    half = 123456500000000000  # 0.1234565: between 0.123456 and 0.123457
    assert score(half, half) == Decimal("0.1234565")  # exact: stored as the engine's
    assert score(half - 1, half + 1) is None
    assert score(half, half + 2) is None
    assert score(half - 2, half) is None
    assert score(half + 1, half + 3) == Decimal("0.123456500000000001")
    assert score(half - 3, half - 1) == Decimal("0.123456499999999997")
    assert score(-half - 1, -half + 1) is None
    assert score(-half + 1, -half + 3) == Decimal("-0.123456499999999999")


def test_an_average_as_the_main_measure_stores_what_python_stores() -> None:
    """An administrator may make the main measure an average: its columns are a total
    and its shares, not an actual and a target scaled alike (a full run failed with
    KeyError: '__A0')."""
    measures = {**MEASURES, "revenue": {"from": "orders", "value": "amount", "agg": "avg"}}
    targets = [
        {"measure": "revenue", "who": who, "period": f"2025-Q{q}", "value": Decimal("400")}
        for who in ("zhang", "wang", "li")
        for q in range(1, 5)
    ]
    document = scenario(
        records={"orders": _orders(AMOUNTS)},
        measures=measures,
        targets=targets,
        plans=_plan([{**KPI, "metrics": [{"measure": "deals", "weight": 1, "target": 3}]}]),
        report=REPORT,
    )
    _same(_loaded(document))
