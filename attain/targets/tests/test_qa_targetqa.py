"""Targets QA (targetqa): decomposition, approval and acknowledgement edge cases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from attain.conftest import Company
from attain.targets import services
from attain.targets.allocation import compute_allocation
from attain.targets.guards import overassignment
from attain.targets.models import PlanStatus, TargetCell, TargetPlan
from attain.targets.templatetags.targets_tags import whole
from attain.targets.tests.conftest import new_plan, publish


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


def test_targets_rounded_to_cents_are_shown_with_their_cents(
    company: Company, client: Client
) -> None:
    """A plan rounded to 0.01 of a tiny total: r1's target is 0.02 (two months of 0.01).
    My targets and the plan's grid showed every such target as 0."""
    ops = company.users["sales_ops"]
    plan = new_plan(company, ops, total="0.07", round_to="0.01")
    publish(company, plan)
    r1 = TargetCell.objects.get(plan=plan, who="r1", period="2026").value
    assert r1 == Decimal("0.02")
    client.force_login(company.users["rep"])
    mine = client.get("/targets/mine/").content.decode()
    assert ": 0.02</h3>" in mine
    assert ">0.01<" in mine  # a month
    client.force_login(ops)
    page = client.get(f"/targets/{plan.pk}/").content.decode()
    assert ">0.07<" in page  # the company's year


def test_whole_targets_keep_their_grouping() -> None:
    assert whole(Decimal("1234567.00")) == "1,234,567"
    assert whole(Decimal("1234567.5")) == "1,234,567.50"
    assert whole(Decimal("0.01")) == "0.01"
    assert whole(None) == "—"
