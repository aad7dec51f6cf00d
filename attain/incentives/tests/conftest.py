"""Fixtures: the shared small company with orders, payments, targets and two plans."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from attain.crm.models import Customer, Order, Payment
from attain.incentives import services
from attain.incentives.documents import level_bonus, marginal_commission, plan_document
from attain.incentives.models import PlanTarget

YEAR = 2026
REP_PLAN = plan_document(
    "rep",
    "Rep plan",
    "rep",
    YEAR,
    [
        marginal_commission("commission", [(0, Decimal("0.05")), (Decimal("1.0"), Decimal("0.1"))]),
        level_bonus(
            "levels", [(Decimal("0.8"), 100), (Decimal("1.0"), 200), (Decimal("1.2"), 400)]
        ),
    ],
)
MANAGER_PLAN = plan_document(
    "mgr",
    "Manager plan",
    "manager",
    YEAR,
    [
        {
            "id": "override",
            "kind": "commission",
            "measure": "revenue",
            "scope": "team",
            "rate": Decimal("0.01"),
        }
    ],
)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def sales(company):
    """r1 sells 12,000 in 2026-Q1 (target 10,000 a quarter: 40,000 a year), r2 6,000,
    r3 (under m2) 3,000."""
    people = company.people
    customer = Customer.objects.create(name="客户甲", owner=people["r1"])
    amounts = {
        "r1": [Decimal("5000"), Decimal("7000")],
        "r2": [Decimal("6000")],
        "r3": [Decimal("3000")],
    }
    for code, values in amounts.items():
        for n, amount in enumerate(values):
            order = Order.objects.create(
                external_id=f"o-{code}-{n}",
                customer=customer,
                owner=people[code],
                date=datetime.date(YEAR, 2, 10 + n),
                amount=amount,
            )
            Payment.objects.create(
                external_id=f"p-{code}-{n}",
                customer=customer,
                order=order,
                collector=people[code],
                date=datetime.date(YEAR, 3, 1),
                amount=amount,
            )
    for code in ("r1", "r2", "r3", "r4"):
        PlanTarget.objects.create(measure="revenue", who=code, period=str(YEAR), value=40000)
    PlanTarget.objects.create(measure="revenue", who="m1", period=str(YEAR), value=120000)
    for document in (REP_PLAN, MANAGER_PLAN):
        services.activate_plan(None, services.save_plan_version(None, document))
    return company


@pytest.fixture
def calculated(sales):
    services.run_calculation(None, YEAR)
    return sales
