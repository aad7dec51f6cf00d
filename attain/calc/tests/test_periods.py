"""Fiscal periods from the configured first month, with the engine's period rules."""

from __future__ import annotations

import datetime

import pytest

from attain.calc import periods

D = datetime.date


@pytest.mark.parametrize(
    ("start", "day", "expected"),
    [
        (1, D(2026, 2, 10), ["2026", "2026-H1", "2026-Q1", "2026-02"]),
        (1, D(2026, 12, 31), ["2026", "2026-H2", "2026-Q4", "2026-12"]),
        (4, D(2026, 4, 1), ["2026", "2026-H1", "2026-Q1", "2026-04"]),
        (4, D(2027, 3, 31), ["2026", "2026-H2", "2026-Q4", "2027-03"]),
        (4, D(2026, 10, 15), ["2026", "2026-H2", "2026-Q3", "2026-10"]),
        (7, D(2026, 1, 1), ["2025", "2025-H2", "2025-Q3", "2026-01"]),
    ],
)
def test_periods_of_a_day(settings, start, day, expected):
    settings.ATTAIN_FISCAL_YEAR_START = start
    assert periods.periods_of_day(day) == expected
    assert periods.fiscal_year_of_day(day) == int(expected[0])


def test_a_fiscal_year_starting_in_april(settings):
    settings.ATTAIN_FISCAL_YEAR_START = 4
    assert periods.year_bounds(2026) == (D(2026, 4, 1), D(2027, 3, 31))
    year = periods.year_periods(2026)
    assert year[:7] == ["2026", "2026-H1", "2026-H2", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert year[7:] == [f"2026-{m:02d}" for m in range(4, 13)] + ["2027-01", "2027-02", "2027-03"]
    assert periods.period_bounds("2026-Q4") == (D(2027, 1, 1), D(2027, 3, 31))
    assert periods.period_bounds("garbage") is None


def test_report_periods_lie_wholly_in_the_range(settings):
    assert periods.report_periods(D(2026, 1, 1), D(2026, 12, 31)) == [
        "2026",
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]
    assert periods.report_periods(D(2026, 2, 1), D(2026, 9, 30)) == ["2026-Q2", "2026-Q3"]
    settings.ATTAIN_FISCAL_YEAR_START = 4
    assert periods.report_periods(D(2026, 4, 1), D(2027, 3, 31))[0] == "2026"
