"""Periods of the company's fiscal year, from the engine's period rules
(:mod:`attain.engine.periods`) and the configured first month
(the company settings of the first-run setup, else ``settings.ATTAIN_FISCAL_YEAR_START``;
1 = January).

A fiscal year is named by the calendar year it starts in; months keep their calendar
ids (``2026-04``), years, halves and quarters are fiscal (``2026-Q1`` is April–June 2026
when the year starts in April).
"""

from __future__ import annotations

import datetime

from attain.engine import Month, fiscal_year_of, fiscal_year_period, parse_period
from attain.org.company import company


def fiscal_year_start() -> int:
    """The first month of the fiscal year (1 = January)."""
    return company().fiscal_year_start


def fiscal_year_of_day(day: datetime.date) -> int:
    return fiscal_year_of(Month.of(day), fiscal_year_start())


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of fiscal year ``year``."""
    period = fiscal_year_period(year, fiscal_year_start())
    return period.start, period.end


def year_months(year: int) -> list[Month]:
    """The twelve months of fiscal year ``year``, in order."""
    return list(fiscal_year_period(year, fiscal_year_start()).months)


def year_month_ids(year: int) -> list[str]:
    """The ids of the twelve months of fiscal year ``year`` (``2026-04`` …)."""
    return [month.id for month in year_months(year)]


def year_periods(year: int) -> list[str]:
    """Every period of a fiscal year: the year, halves, quarters, months."""
    return (
        [str(year), f"{year}-H1", f"{year}-H2"]
        + [f"{year}-Q{q}" for q in range(1, 5)]
        + year_month_ids(year)
    )


def periods_of_day(day: datetime.date) -> list[str]:
    """The year, half, quarter and month of the fiscal year that contain ``day``."""
    year = fiscal_year_of_day(day)
    index = (Month.of(day).key - Month(year, fiscal_year_start()).key) // 3  # quarter - 1
    # ids as the engine writes them: four digits (year 1 is "0001", its quarter "0001-Q4")
    return [
        f"{year:04d}",
        f"{year:04d}-H{index // 2 + 1}",
        f"{year:04d}-Q{index + 1}",
        Month.of(day).id,
    ]


def period_bounds(period: str) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day of a period id, or None when it is not one."""
    found = parse_period(period, fiscal_year_start())
    return (found.start, found.end) if found is not None else None


def report_periods(start: datetime.date, end: datetime.date) -> list[str]:
    """The fiscal years and quarters lying wholly in start…end."""
    first_year = fiscal_year_of_day(start)
    last_year = fiscal_year_of_day(end)
    years: list[str] = []
    quarters: list[str] = []
    for year in range(first_year, last_year + 1):
        for period in [str(year), *(f"{year}-Q{q}" for q in range(1, 5))]:
            bounds = period_bounds(period)
            if bounds is not None and start <= bounds[0] and bounds[1] <= end:
                (quarters if "-" in period else years).append(period)
    return years + quarters
