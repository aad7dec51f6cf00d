"""The target to date on My performance (table and chart) adds up the months' exact
targets and rounds once: a year target of 40,000 spread over twelve months is 3,333.33…
a month, and the rounded months added up read 39,999.96 in December, not 40,000."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from attain.incentives import selectors
from attain.incentives.models import PeriodResult, PlanTarget
from attain.web.testing import read_page

from .conftest import YEAR


def to_date(company: Any, code: str = "r1") -> list[Decimal | None]:
    pace = selectors.pace_over_year(company.people[code], YEAR)
    return [p["target_to_date"] for p in pace]


def test_the_year_to_date_target_is_the_exact_sum_rounded_once(calculated: Any) -> None:
    months = to_date(calculated)
    assert months[0] == Decimal("3333.33")
    assert months[1] == Decimal("6666.67")  # not 6,666.66
    assert months[5] == Decimal("20000.00")  # not 19,999.98
    assert months[9] == Decimal("33333.33")  # not 33,333.30
    assert months[11] == Decimal("40000.00")  # not 39,999.96
    stored = PeriodResult.objects.get(person=calculated.people["r1"], period=f"{YEAR}-01")
    assert stored.targets["revenue"] == "3333.33"  # the months stay rounded


def test_the_page_shows_the_year_target_in_december(calculated: Any) -> None:
    text = read_page(calculated.users["rep"], f"/performance/?period={YEAR}", "en")
    figures = text[text.index("Actual to date") :]
    assert "40,000.00" in figures and "39,999.96" not in figures


def test_months_calculated_before_the_targets_changed_stay_as_stored(calculated: Any) -> None:
    """Until the results are calculated again, the line adds up the months it shows."""
    PlanTarget.objects.filter(who="r1", period=str(YEAR)).update(value=48000)
    months = to_date(calculated)
    assert months[11] == Decimal("39999.96")
    assert months[0] == Decimal("3333.33")
