"""A plan in force with a reallocation proposal shows its "Mid-period changes" to everyone
who reads the plan page: the people's cells of each proposal (now → proposed) and the
organisation changes since publication. Both follow the one visibility rule: a rep read
their colleagues' month targets and who had left or moved anywhere in the company."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from attain.conftest import Company
from attain.crm.tests import make
from attain.org import services as org
from attain.targets import services
from attain.targets.models import TargetPlan

from .conftest import publish

pytestmark = pytest.mark.django_db


def org_changes(page: str) -> str:
    """The paragraph of the organisation changes since publication ("" when none)."""
    start = page.find("Organisation changes since publication")
    return page[start : page.find("</p>", start)] if start >= 0 else ""


def page_of(company: Company, role: str, plan: TargetPlan) -> str:
    client = Client()
    client.force_login(company.users[role])
    response = client.get(reverse("targets:plan", args=[plan.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_proposal_and_the_org_changes_show_only_the_people_one_may_see(
    company: Company, plan: TargetPlan
) -> None:
    publish(company, plan)
    org.end_employment(None, company.people["r2"], on=datetime.date(2026, 6, 30))
    org.end_employment(None, company.people["r4"], on=datetime.date(2026, 6, 30))
    for unit in ("east", "west"):
        services.propose_reallocation(
            company.users["sales_ops"], plan, unit=unit, from_month="2026-07", reason="left"
        )
    ops = page_of(company, "sales_ops", plan)
    for code in ("r1", "r2", "r3", "r4"):
        assert f'<td class="mono">{code}</td>' in ops
    assert "R2" in org_changes(ops) and "R4" in org_changes(ops)  # their leaving
    rep = page_of(company, "rep", plan)
    assert '<td class="mono">r1</td>' in rep
    for code in ("r2", "r3", "r4"):
        assert f'<td class="mono">{code}</td>' not in rep, code
    assert "R2" not in org_changes(rep) and "R4" not in org_changes(rep)
    manager = page_of(company, "manager", plan)  # m1: r1, r2 (left, still theirs), m2, r3
    assert '<td class="mono">r3</td>' in manager
    assert '<td class="mono">r4</td>' not in manager and "R4" not in org_changes(manager)


def test_the_engine_warnings_naming_people_are_for_those_who_see_them(
    company: Company,
) -> None:
    """A draft's engine warnings name people ("华西 (west): R4 refunded more than they sold
    in 2025…"): a manager who decomposes their part of the company plan read them about
    people outside their team. They are shown to those who see everyone and to the plan's
    owner (whose plan holds only their own people)."""
    from attain.crm import services as crm

    from .conftest import new_plan

    customer = crm.create_customer(None, name="甲", owner=company.people["r4"])
    for rep, amount in (("r1", 5000), ("r4", -9000), ("r4", 1000)):
        make.order(customer, company.people[rep], datetime.date(2025, 5, 10), amount)
    levels = {"units": [{"method": "equal"}], "people": {"method": "history"}}
    draft = new_plan(company, company.users["sales_ops"], levels=levels)
    assert "R4 refunded" in page_of(company, "sales_ops", draft)
    assert "R4 refunded" not in page_of(company, "manager", draft)
