"""A plan that is no longer a draft shows its stored cells, with last year's actuals and
the potentials beside them (the fairness report) from its allocation: that allocation
ran again on every view of the grid (1.0-1.6 s of CPU at 2,000 people). It is kept now
in the calculation cache (attain.calc.cache) while its inputs stay the same: the plan
(its row, totals and edits), the organisation and the records (the data fingerprint)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from attain.conftest import Company
from attain.crm import services as crm
from attain.crm.tests.make import order
from attain.targets import allocation
from attain.targets.models import TargetPlan

from .conftest import move_to_west, publish
from .test_views import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each run of a plan's allocation (its plan's id)."""
    found: list[int] = []
    real = allocation._compute

    def counting(plan: TargetPlan, *args: Any) -> Any:
        found.append(plan.pk)
        return real(plan, *args)

    monkeypatch.setattr(allocation, "_compute", counting)
    return found


def test_a_published_plans_allocation_runs_once_while_its_inputs_stay(
    company: Company, plan: TargetPlan, runs: list[int]
) -> None:
    publish(company, plan)
    runs.clear()
    client = login("sales_ops")
    url = reverse("targets:plan", args=[plan.pk])
    first = client.get(url)
    assert first.status_code == 200 and runs == [plan.pk]
    second = client.get(url)
    manager = login("manager").get(url)
    assert second.status_code == 200 and manager.status_code == 200
    assert runs == [plan.pk]  # the second view and another reader: no run
    assert second.context["fair"] == first.context["fair"]  # the same history
    # an input changes: the organisation (r2 moves to west) …
    move_to_west(company, "r2", datetime.date(2026, 2, 1))
    assert client.get(url).status_code == 200 and runs == [plan.pk] * 2
    assert client.get(url).status_code == 200 and runs == [plan.pk] * 2
    # … the plan's own inputs (its totals, its settings) …
    plan.plan_measures.update(total=Decimal("2400000"))
    assert client.get(url).status_code == 200 and runs == [plan.pk] * 3
    TargetPlan.objects.filter(pk=plan.pk).update(round_to=Decimal("10"))
    assert client.get(url).status_code == 200 and runs == [plan.pk] * 4
    # … the records (an order of last year, which the history reads)
    customer = crm.create_customer(None, name="甲公司", owner=company.people["r1"])
    order(customer, company.people["r1"], datetime.date(2025, 5, 3), Decimal("1000.10"))
    assert client.get(url).status_code == 200 and runs == [plan.pk] * 5
    assert client.get(url).status_code == 200 and runs == [plan.pk] * 5
