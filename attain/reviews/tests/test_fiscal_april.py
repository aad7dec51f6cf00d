"""A fiscal year starting in April: a review of January 2027 is in FY2026."""

from __future__ import annotations

import datetime

import pytest

from attain.conftest import Company
from attain.reviews.models import Review
from attain.reviews.packs import plan_for
from attain.targets.tests.conftest import new_plan, publish

pytestmark = pytest.mark.django_db


def test_a_review_of_january_reads_the_plan_of_the_fiscal_year_it_is_in(
    company: Company, settings: pytest.FixtureRequest
) -> None:
    settings.ATTAIN_FISCAL_YEAR_START = 4  # type: ignore[attr-defined]
    plan = publish(company, new_plan(company, company.users["sales_ops"]))
    review = Review(
        period="2027-01",
        period_start=datetime.date(2027, 1, 1),
        period_end=datetime.date(2027, 1, 31),
        manager=company.people["m1"],
    )
    assert plan_for(review) == plan
