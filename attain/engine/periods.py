"""Period ids (spec 4.1): ``2025`` (fiscal year), ``2025-H1``, ``2025-Q3``, ``2025-03``.

A fiscal year is named by the calendar year it starts in; with ``fiscal_year_start: 4``
``2025`` runs 2025-04-01 … 2026-03-31 and ``2025-Q1`` is April–June 2025. Months are
calendar months. Every period is a whole number of calendar months, both ends included.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal

PeriodKind = Literal["year", "half", "quarter", "month"]
KIND_MONTHS: dict[str, int] = {"year": 12, "half": 6, "quarter": 3, "month": 1}
KIND_ORDER: dict[str, int] = {"month": 0, "quarter": 1, "half": 2, "year": 3}

LAST_FISCAL_YEAR = 9998  # its last day may fall in 9999, the last year of dates

# ASCII digits only: "２０２６" is a digit string to \d, and to int(), but no period id
_PERIOD = re.compile(r"^([0-9]{4})(?:-(H[12]|Q[1-4]|[0-9]{2}))?$")


@lru_cache(maxsize=65536)
def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def key(self) -> int:
        """A sortable integer: months since year 0."""
        return self.year * 12 + self.month - 1

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return _last_day(self.year, self.month)

    @cached_property
    def id(self) -> str:  # kept: rule 5.1 asks for the ids of a period's months often
        return f"{self.year:04d}-{self.month:02d}"

    @staticmethod
    def from_key(key: int) -> Month:
        return Month(key // 12, key % 12 + 1)

    @staticmethod
    def of(day: dt.date) -> Month:
        return Month(day.year, day.month)


@dataclass(frozen=True)
class Period:
    id: str
    kind: PeriodKind
    start: dt.date
    end: dt.date
    months: tuple[Month, ...]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains_date(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def encloses(self, other: Period) -> bool:
        """True when `other` lies inside this period and is not the same period."""
        return self.id != other.id and self.start <= other.start and other.end <= self.end

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return self.start <= end and start <= self.end

    @property
    def sort_key(self) -> tuple[dt.date, int]:
        return (self.start, -KIND_ORDER[self.kind])


def _span(first: Month, count: int) -> tuple[Month, ...]:
    return tuple(Month.from_key(first.key + i) for i in range(count))


def _build(pid: str, kind: PeriodKind, first: Month, count: int) -> Period:
    months = _span(first, count)
    return Period(pid, kind, months[0].first_day, months[-1].last_day, months)


@lru_cache(maxsize=4096)
def month_period(month: Month) -> Period:
    return _build(month.id, "month", month, 1)


def fiscal_year_period(year: int, fiscal_year_start: int) -> Period:
    return _build(f"{year:04d}", "year", Month(year, fiscal_year_start), 12)


@lru_cache(maxsize=4096)
def _parse_period(text: str, fiscal_year_start: int) -> Period | None:
    return _parse(text, fiscal_year_start)


def parse_period(text: object, fiscal_year_start: int = 1) -> Period | None:
    """The period an id names, or None when the id is not valid."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        return None
    return _parse_period(str(text), fiscal_year_start)


def _parse(text: str, fiscal_year_start: int) -> Period | None:
    match = _PERIOD.match(text.strip())
    if not match:
        return None
    year = int(match.group(1))
    part = match.group(2)
    if year < 1 or year > LAST_FISCAL_YEAR:
        return None
    pid = text.strip()
    start = Month(year, fiscal_year_start)
    if part is None:
        return _build(pid, "year", start, 12)
    if part[0] == "H":
        return _build(pid, "half", Month.from_key(start.key + 6 * (int(part[1]) - 1)), 6)
    if part[0] == "Q":
        return _build(pid, "quarter", Month.from_key(start.key + 3 * (int(part[1]) - 1)), 3)
    month = int(part)
    if not 1 <= month <= 12:
        return None
    return month_period(Month(year, month))


def fiscal_year_of(month: Month, fiscal_year_start: int) -> int:
    return month.year if month.month >= fiscal_year_start else month.year - 1


def handled_days(fiscal_year_start: int) -> tuple[dt.date, dt.date]:
    """The first and the last day of the fiscal years periods can name (1 … 9998): the
    dates a record or ``as_of`` may have."""
    last = dt.date(9999, fiscal_year_start, 1) - dt.timedelta(days=1)  # FY 9998's last day
    return dt.date(1, fiscal_year_start, 1), last


def unhandled_day(day: dt.date, fiscal_year_start: int) -> str | None:
    """Why `day` cannot be a record's date or ``as_of``; None when it can."""
    first, last = handled_days(fiscal_year_start)
    if first <= day <= last:
        return None
    return f"{day.isoformat()} lies outside the fiscal years 1 … 9998 ({first} … {last})"


def fiscal_month_index(month: Month, fiscal_year_start: int) -> int:
    """0 for the fiscal year's first month … 11 for its last."""
    return (month.month - fiscal_year_start) % 12


@lru_cache(maxsize=4096)
def period_of_kind(kind: str, month: Month, fiscal_year_start: int) -> Period:
    """The period of `kind` that contains `month`."""
    if kind == "month":
        return month_period(month)
    year = fiscal_year_of(month, fiscal_year_start)
    index = fiscal_month_index(month, fiscal_year_start)
    if kind == "year":
        pid = f"{year:04d}"
    elif kind == "half":
        pid = f"{year:04d}-H{index // 6 + 1}"
    else:
        pid = f"{year:04d}-Q{index // 3 + 1}"
    period = parse_period(pid, fiscal_year_start)
    assert period is not None
    return period


def enclosing_periods(period: Period, fiscal_year_start: int) -> list[Period]:
    return list(_enclosing(period, fiscal_year_start))


@lru_cache(maxsize=4096)
def _enclosing(period: Period, fiscal_year_start: int) -> tuple[Period, ...]:
    """Every period that encloses `period`, innermost first."""
    result: list[Period] = []
    for kind in ("quarter", "half", "year"):
        if KIND_ORDER[kind] <= KIND_ORDER[period.kind]:
            continue
        candidate = period_of_kind(kind, period.months[0], fiscal_year_start)
        if candidate.encloses(period):
            result.append(candidate)
    return tuple(result)


def periods_overlapping(
    kind: str, start: dt.date, end: dt.date, fiscal_year_start: int
) -> list[Period]:
    """The periods of `kind` that share at least one day with [start, end], in order."""
    result: list[Period] = []
    key = Month.of(start).key
    last = Month.of(end).key
    seen: set[str] = set()
    while key <= last:
        period = period_of_kind(kind, Month.from_key(key), fiscal_year_start)
        if period.id not in seen:
            seen.add(period.id)
            result.append(period)
        key = period.months[-1].key + 1
    return result


def parse_date(value: object) -> dt.date | None:
    """An ISO ``YYYY-MM-DD`` date, or None when the text is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


Interval = tuple[dt.date, dt.date]


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Intersection of two sorted lists of disjoint closed date intervals."""
    result: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start <= end:
            result.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return result


def merge(intervals: list[Interval]) -> list[Interval]:
    """Sorted, disjoint, with adjacent intervals joined."""
    result: list[Interval] = []
    for start, end in sorted(intervals):
        if result and start <= result[-1][1] + dt.timedelta(days=1):
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result
