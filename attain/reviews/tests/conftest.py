"""A team with something to review: the shared company (attain/conftest.py: m1 leads r1,
r2 and m2; m3 leads r4), its CRM records (attain/crm/tests/conftest.py), a published
FY2026 revenue plan, and a 2026-Q1 funnel in which r1 never gets past the first stage
while r2 and m2 do (r1's weak stage: 线索 → 需求确认), plus a big deal of r1's that
should have closed on 2026-02-01."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from attain.conftest import Company
from attain.crm import services as crm_services
from attain.crm.models import Stage
from attain.crm.tests import make
from attain.crm.tests.conftest import Crm, crm  # noqa: F401  (the fixture)
from attain.targets.tests.conftest import new_plan, publish

D = datetime.date


@pytest.fixture
def team(company: Company, crm: Crm) -> Company:  # noqa: F811
    publish(company, new_plan(company, company.users["sales_ops"], name="FY2026 revenue"))
    p = company.people
    qualify = Stage.objects.get(code="qualify")
    solution = Stage.objects.get(code="solution")
    for i in range(3):
        make.opportunity(
            crm.customers["c_r1"], p["r1"], f"r1-{i}", Decimal(1000), created_on=D(2026, 1, 10)
        )
    for code, customer in (("r2", "c_r2"), ("m2", "c_r3")):
        for i in range(3):
            opp = make.opportunity(
                crm.customers[customer],
                p[code],
                f"{code}-{i}",
                Decimal(1000),
                created_on=D(2026, 1, 12),
            )
            crm_services.move_opportunity(None, opp, qualify)
            if i == 0:
                crm_services.move_opportunity(None, opp, solution)
    make.opportunity(
        crm.customers["c_r1"],
        p["r1"],
        "大单",
        Decimal(900000),
        created_on=D(2025, 12, 1),
        expected_close=D(2026, 2, 1),
    )
    return company
