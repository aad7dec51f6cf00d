"""Two planners with the same plan open: a settings save made from a page that showed
older settings used to write them all back, silently undoing the other planner's change
(last write wins). The page now says what it showed, and such a save is refused."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from attain.conftest import Company
from attain.targets import services
from attain.targets.models import TargetPlan

pytestmark = pytest.mark.django_db


def test_a_save_from_a_page_older_than_the_settings_is_refused(
    company: Company, plan: TargetPlan
) -> None:
    ops = company.users["sales_ops"]
    seen = services.settings_seen(plan)
    services.update_plan(ops, plan, name="Another planner's name", seen=seen)
    with pytest.raises(ValidationError, match="Someone else changed this plan's settings"):
        services.update_plan(ops, plan, round_to=1000, seen=seen)
    plan.refresh_from_db()
    assert plan.name == "Another planner's name" and plan.round_to != 1000
    # from a page showing the settings as they are now, it saves
    services.update_plan(ops, plan, round_to=1000, seen=services.settings_seen(plan))
    plan.refresh_from_db()
    assert plan.round_to == 1000


def test_the_plan_page_carries_what_it_showed(company: Company, plan: TargetPlan) -> None:
    client = Client()
    client.force_login(company.users["sales_ops"])
    page = client.get(reverse("targets:plan", args=[plan.pk])).content.decode()
    found = re.search(r'name="seen" value="([0-9a-f]+)"', page)
    assert found and found.group(1) == services.settings_seen(plan)
    services.update_plan(company.users["sales_ops"], plan, name="Changed meanwhile")
    form = {
        "seen": found.group(1),
        "name": "Mine",
        "roles": "rep",
        "months": "seasonal",
        "round_to": "100",
        "max_overassign": "1.1",
    }
    answer = client.post(reverse("targets:settings", args=[plan.pk]), form, follow=True)
    assert "Someone else changed this plan&#x27;s settings" in answer.content.decode()
    plan.refresh_from_db()
    assert plan.name == "Changed meanwhile"
