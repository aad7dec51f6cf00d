"""The incentives pages' periods follow the company's fiscal year."""

from __future__ import annotations

import datetime

import pytest

D = datetime.date


@pytest.mark.parametrize(
    ("start", "period", "before"),
    [
        (1, "2026-Q1", "2025-Q4"),
        (1, "2026-01", "2025-12"),
        (1, "2026", "2025"),
        (1, "2026-H2", "2026-H1"),
        (4, "2026-Q1", "2025-Q4"),
        (4, "2026-Q3", "2026-Q2"),
        (4, "2026-04", "2026-03"),
        (1, "garbage", "garbage"),
    ],
)
def test_the_previous_period_of_the_same_kind(settings, start, period, before):
    from attain.incentives.selectors import previous_period

    settings.ATTAIN_FISCAL_YEAR_START = start
    assert previous_period(period) == before


def test_the_current_period_follows_the_fiscal_year(settings):
    from attain.incentives.selectors import current_period

    settings.ATTAIN_FISCAL_YEAR_START = 4
    assert current_period("quarter", D(2026, 5, 2)) == "2026-Q1"
    assert current_period("year", D(2027, 1, 2)) == "2026"
    assert current_period("month", D(2027, 1, 2)) == "2027-01"
    assert current_period("half", D(2027, 1, 2)) == "2026-H2"  # was the quarter


@pytest.mark.django_db
def test_typed_targets_of_an_april_year_include_january_to_march(settings):
    """With the fiscal year from April, FY2026's months run to 2027-03: a target typed
    for 2027-02 is the year's, one typed for 2026-02 is the year before's."""
    from decimal import Decimal

    from attain.incentives.calculation import targets_for
    from attain.incentives.models import PlanTarget

    settings.ATTAIN_FISCAL_YEAR_START = 4
    for period in ("2026", "2026-Q4", "2027-02", "2026-02"):
        PlanTarget.objects.create(measure="revenue", who="r1", period=period, value=Decimal(5))
    found = {t["period"] for t in targets_for(2026, ["revenue"])}
    assert found == {"2026", "2026-Q4", "2027-02"}


def test_cost_over_quarters_counts_fiscal_quarters(settings, monkeypatch):
    """With the fiscal year from April, February 2027 is in 2026-Q4: the quarters up to
    it are FY2026's, not calendar 2027's."""
    from decimal import Decimal

    from attain.incentives import selectors

    settings.ATTAIN_FISCAL_YEAR_START = 4
    monkeypatch.setattr(selectors, "cost_of_sales", lambda period: Decimal(1))
    found = [row["period"] for row in selectors.cost_over_quarters("2027-02", 3)]
    assert found == ["2026-Q2", "2026-Q3", "2026-Q4"]
    assert selectors.cost_over_quarters("garbage", 3) == []


def test_the_effectiveness_period_choices_are_the_fiscal_years(settings):
    from attain.incentives.views_effectiveness import _period_choices

    settings.ATTAIN_FISCAL_YEAR_START = 4
    choices = _period_choices("2027-02")
    assert choices[:1] == ["2025"] and "2026-Q4" in choices and "2027" not in choices


def test_the_period_choices_reach_the_years_before_and_after():
    """The list held the fiscal year's periods only: last year's board or results could
    be reached only by typing the address."""
    from attain.incentives.views import _period_choices

    choices = _period_choices(2026)
    assert choices[0] == "2025" and choices[-1] == "2027"
    assert choices[1:8] == [
        "2026",
        "2026-H1",
        "2026-H2",
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]
    assert len(choices) == 2 + 7 + 12
