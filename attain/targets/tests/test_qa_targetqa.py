"""Targets QA (targetqa): decomposition, approval and acknowledgement edge cases."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from attain.conftest import Company
from attain.targets import services
from attain.targets.allocation import compute_allocation
from attain.targets.guards import overassignment
from attain.targets.models import PlanStatus, TargetCell, TargetPlan


def test_months_edited_above_the_limit_are_inflation_too(
    company: Company, plan: TargetPlan
) -> None:
    """A rep's twelve months typed far above their year: the stored (published) year is
    the months' sum, so the over-assignment guard counts it, and submission is refused."""
    ops = company.users["sales_ops"]
    for month in range(1, 13):
        services.edit_cell(
            ops, plan, measure="revenue", who="r4", period=f"2026-{month:02d}", value="9000000"
        )
    grid = compute_allocation(plan).grids["revenue"]
    west = next(o for o in overassignment(grid, plan.max_overassign) if o.who == "west")
    assert west.children_value == 108_000_000
    assert west.over_limit
    with pytest.raises(ValidationError):
        services.submit_plan(ops, plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not TargetCell.objects.filter(plan=plan).exists()
