"""QA (scoreqa): target planning's pace of a measure where less is better."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from attain.conftest import Company
from attain.targets import services
from attain.targets.pace import pace_report

from .conftest import EQUAL_LEVELS, publish


@pytest.mark.django_db
def test_no_complaints_against_a_complaints_target_is_not_behind(company: Company) -> None:
    """A target plan on complaints (a measure defined as lower is better): people with
    no complaint at all were 'behind' in the pace report, and so got behind-pace
    notices, as if more complaints were wanted."""
    plan = services.create_target_plan(
        None,
        fiscal_year=2026,
        root_unit=company.hq,
        measures={"complaints": Decimal("120")},
        name="complaints",
        levels=EQUAL_LEVELS,
        months="equal",
    )
    publish(company, plan)
    rows = [r for r in pace_report(plan, datetime.date(2026, 2, 10)) if r.kind == "person"]
    assert rows and all(r.target for r in rows)
    assert {r.status for r in rows if r.actual == 0} <= {"on_track", "met"}


@pytest.mark.django_db
def test_an_average_is_not_split_among_units_and_people(company: Company, plan) -> None:
    """A plan split satisfaction 4.5 (an average of survey scores) like revenue: each
    person's quarter target read 1.125. Averages, minimums and maximums are refused."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with pytest.raises(ValidationError) as refused:
        services.create_target_plan(
            None,
            fiscal_year=2026,
            root_unit=company.hq,
            measures={"revenue": Decimal("1000"), "satisfaction": Decimal("4.5")},
            name="with satisfaction",
            levels=EQUAL_LEVELS,
        )
    assert "satisfaction is an average" in str(refused.value.message_dict["measures"])
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.update_plan(None, plan, measures={"revenue": "1000", "collaboration": "4"})
    assert "collaboration 是平均值、最小值或最大值" in str(refused.value.message_dict["measures"])
    assert sorted(plan.plan_measures.values_list("measure", flat=True)) == ["revenue"]
