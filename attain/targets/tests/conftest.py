from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from attain.conftest import Company
from attain.org import services as org
from attain.org.models import Unit
from attain.targets import services
from attain.targets.models import TargetPlan

EQUAL_LEVELS = {
    "units": [{"method": "blend", "blend": {"equal": "0.5", "capacity": "0.5"}}],
    "people": {"method": "equal"},
}


def new_plan(
    company: Company, actor: Any = None, total: Any = "1200000", **settings: Any
) -> TargetPlan:
    """A draft FY2026 revenue plan of ``total`` from hq (equal months, equal split per
    person, half equal and half capacity per unit unless ``settings`` say otherwise)."""
    settings = {"name": "t", "levels": EQUAL_LEVELS, "months": "equal", **settings}
    return services.create_target_plan(
        actor,
        fiscal_year=2026,
        root_unit=company.hq,
        measures={"revenue": Decimal(total)},
        **settings,
    )


def move_to_west(company: Company, code: str, on: datetime.date) -> None:
    """``code`` moves to the west unit under m3 on ``on`` (a row under each team)."""
    org.transfer_person(
        None, company.people[code], on=on, unit=company.west, manager=company.people["m3"]
    )


def hire_rep(company: Company, code: str, unit: Unit, start: datetime.date, manager: str) -> None:
    """A new rep (named as their code in capitals) from ``start``."""
    org.create_person(
        None,
        code=code,
        name=code.upper(),
        unit=unit,
        title="rep",
        start=start,
        manager=company.people[manager],
    )


@pytest.fixture
def plan(company: Company) -> TargetPlan:
    """A draft FY2026 revenue plan of 1,200,000 from hq: east and west, then reps."""
    return new_plan(company, company.users["sales_ops"], name="FY2026 revenue")


def publish(company: Company, plan: TargetPlan) -> TargetPlan:
    services.submit_plan(company.users["sales_ops"], plan)
    services.approve_plan(company.users["executive"], plan)
    return services.publish_plan(company.users["sales_ops"], plan)
