from __future__ import annotations

from decimal import Decimal

import pytest

from attain.conftest import Company
from attain.targets import services
from attain.targets.models import TargetPlan

EQUAL_LEVELS = {
    "units": [{"method": "blend", "blend": {"equal": "0.5", "capacity": "0.5"}}],
    "people": {"method": "equal"},
}


@pytest.fixture
def plan(company: Company) -> TargetPlan:
    """A draft FY2026 revenue plan of 1,200,000 from hq: east and west, then reps."""
    return services.create_target_plan(
        company.users["sales_ops"],
        name="FY2026 revenue",
        fiscal_year=2026,
        root_unit=company.hq,
        measures={"revenue": Decimal("1200000")},
        levels=EQUAL_LEVELS,
        months="equal",
    )


def publish(company: Company, plan: TargetPlan) -> TargetPlan:
    services.submit_plan(company.users["sales_ops"], plan)
    services.approve_plan(company.users["executive"], plan)
    return services.publish_plan(company.users["sales_ops"], plan)
