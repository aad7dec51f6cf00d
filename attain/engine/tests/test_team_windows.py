"""A manager covered for part of a period: their team-scope value over those days.

After a few asks the engine reads every manager's team rows from an index made once
(``MeasureEngine._manager_records``) instead of crediting every record upward again per
ask; both must give the stats :meth:`MeasureEngine.records` gives.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from attain.engine.calculate import Calculation
from attain.engine.measures import (
    INDEX_AFTER,
    MeasureEngine,
    Scope,
    Stats,
    _record_stats_exprs,
    _to_stats,
)
from attain.engine.periods import Interval
from attain.engine.scenario import scenario_from_data

PEOPLE = [
    {"id": "boss", "unit": "hq", "role": "director"},
    {"id": "li", "unit": "east", "manager": "boss", "role": "manager"},
    {"id": "zhao", "unit": "west", "manager": "boss", "role": "manager"},
    {"id": "zhang", "unit": "east", "manager": "li", "role": "rep"},
    # moves from li's team to zhao's in the spring
    {
        "id": "wang",
        "unit": "east",
        "manager": "li",
        "role": "rep",
        "history": [{"from": "2025-04-10", "unit": "west", "manager": "zhao"}],
    },
    {"id": "chen", "unit": "west", "manager": "zhao", "role": "rep"},
]
REPS = ["zhang", "wang", "chen", "li"]
MEASURES = {
    "revenue": {"from": "orders", "value": "amount"},
    "deals": {"from": "orders", "agg": "count"},
    "customers": {"from": "orders", "value": "customer", "agg": "distinct"},
    "biggest": {"from": "orders", "value": "amount", "agg": "max"},
}
DAY0 = dt.date(2025, 1, 1)

days = st.integers(min_value=0, max_value=364)
orders = st.lists(
    st.tuples(
        days,
        st.sampled_from(REPS),
        st.integers(min_value=-500, max_value=5000),
        st.sampled_from(["c1", "c2", "c3", "c4"]),
    ),
    max_size=40,
)
windows = st.lists(
    st.tuples(
        st.sampled_from(["li", "zhao", "boss"]),
        st.sampled_from(["team", "team_and_self"]),
        st.lists(st.tuples(days, st.integers(min_value=0, max_value=120)), min_size=1, max_size=2),
    ),
    min_size=INDEX_AFTER + 2,
    max_size=INDEX_AFTER + 8,
)


def _engine(rows: list[tuple[int, str, int, str]]) -> MeasureEngine:
    document = {
        "version": 1,
        "currency": "CNY",
        "units": [
            {"id": "hq", "name": "HQ"},
            {"id": "east", "name": "East", "parent": "hq"},
            {"id": "west", "name": "West", "parent": "hq"},
        ],
        "people": PEOPLE,
        "records": {
            "orders": [
                {
                    "id": f"o{k}",
                    "date": (DAY0 + dt.timedelta(days=day)).isoformat(),
                    "owner": owner,
                    "amount": amount,
                    "customer": customer,
                }
                for k, (day, owner, amount, customer) in enumerate(rows)
            ]
        },
        "measures": MEASURES,
    }
    scenario, problems = scenario_from_data(document)
    assert scenario is not None, problems
    return Calculation(scenario, None).measures


def _expected(
    engine: MeasureEngine, name: str, person: str, intervals: list[Interval], scope: Scope
) -> Stats:
    distinct = engine.measure(name).agg == "distinct"
    frame = engine.records(name, person, intervals, scope)
    rows = frame.select(_record_stats_exprs(distinct)).to_dicts()
    return _to_stats(rows[0], distinct) if rows else Stats()


@settings(max_examples=40, deadline=None)
@given(rows=orders, asks=windows, name=st.sampled_from(sorted(MEASURES)))
def test_team_windows_from_the_index_equal_the_records(
    rows: list[tuple[int, str, int, str]], asks: list[tuple[str, Scope, Any]], name: str
) -> None:
    engine = _engine(rows)
    reference = _engine(rows)
    for person, scope, spans in asks:
        intervals = [
            (DAY0 + dt.timedelta(days=start), DAY0 + dt.timedelta(days=start + length))
            for start, length in spans
        ]
        got = engine.window_stats(name, person, intervals, scope)
        assert got == _expected(reference, name, person, intervals, scope)
    assert name in engine._by_manager  # the later asks were read from the index
