"""The fan chart's points of the pace page (attain.targets.forecast.fan)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from attain.targets.forecast import ForecastRow, fan
from attain.web import charts

D = Decimal


def _row(period: str, actual: str, p10: str, p50: str, p90: str) -> ForecastRow:
    return ForecastRow(
        "east", "华东", "unit", "revenue", period, D(actual), None, D(p10), D(p50), D(p90),
        None, None, "units",
    )  # fmt: skip


def test_the_fan_widens_from_today_to_the_ends_of_the_month_and_the_quarter():
    quarter = (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    today = datetime.date(2026, 5, 10)
    ahead = [
        _row("2026-05", "100", "150", "200", "260"),  # the month: 100 so far
        _row("2026-Q2", "500", "700", "900", "1200"),  # the quarter: 500 so far
    ]
    found = fan(quarter, today, D(500), D(900), ahead)
    assert found is not None
    assert found.dates == [
        datetime.date(2026, 4, 1),
        datetime.date(2026, 4, 30),
        today,
        datetime.date(2026, 5, 31),
        datetime.date(2026, 6, 30),
    ]
    assert found.actual == [D(0), None, D(500), None, None]
    # the month end: 500 + (150 − 100) … ; the quarter end: the quarter's own range
    assert found.p10 == [None, None, D(500), D(550), D(700)]
    assert found.p50 == [None, None, D(500), D(600), D(900)]
    assert found.p90 == [None, None, D(500), D(660), D(1200)]
    assert found.target[0] == 0 and found.target[-1] == D("900.00")
    option = charts.fan(
        [d.isoformat() for d in found.dates],
        actual=("actual", found.actual),
        p10=found.p10,
        p50=("P50", found.p50),
        p90=found.p90,
        band="band",
    )
    band = next(s for s in option["series"] if s["name"] == "band")
    assert band["data"][-1] == 500.0 and band["stack"] == "band"  # P90 − P10
    assert band["data"][0] == "-"  # ECharts' empty value (its description says "-")


def test_no_fan_without_a_forecast_ahead():
    year = (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert fan(year, datetime.date(2026, 5, 10), D(1), None, []) is None
    past = [_row("2026-04", "1", "1", "1", "1")]  # ended before today
    assert fan(year, datetime.date(2026, 5, 10), D(1), None, past) is None
