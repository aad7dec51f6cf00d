"""Two editors open the same plan in the designer; the first saves version 2. Before, the
second's Save made version 3 from the page they had opened on version 1, silently undoing
the first's change (whoever approved version 3 never saw it go). Now the second is told,
keeps what they typed, and saves again knowingly."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from attain.conftest import client_for
from attain.incentives.models import PlanVersion

from .conftest import YEAR

pytestmark = pytest.mark.django_db

FIELDS = {
    "id": "east-rep",
    "name": "New",
    "applies_kind": "role",
    "applies_value": "rep",
    "period": "quarter",
    "effective_from": f"{YEAR}-01-01",
    "c0-id": "c",
    "c0-kind": "commission",
    "c0-measure": "revenue",
    "c0-pay": "rate",
    "action": "save",
}


def based_on(page: str) -> str:
    found = re.search(r'name="based_on" value="(\d*)"', page)
    assert found, "the designer does not say which version it shows"
    return found.group(1)


def test_a_plan_changed_since_the_page_was_opened_is_not_overwritten(company):
    first, second = client_for(company, "sales_ops"), client_for(company, "admin")
    created = first.post(reverse("incentives:new_plan"), {**FIELDS, "c0-rate": "0.05"})
    assert created.status_code == 302
    url = reverse("incentives:designer", args=["east-rep"])
    seen_by_first = based_on(first.get(url).content.decode())
    seen_by_second = based_on(second.get(url).content.decode())
    assert seen_by_first == seen_by_second == "1"
    saved = second.post(url, {**FIELDS, "c0-rate": "0.06", "based_on": seen_by_second})
    assert saved.status_code == 302
    refused = first.post(url, {**FIELDS, "c0-rate": "0.07", "based_on": seen_by_first})
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Version 2 of this plan was saved" in page
    assert 'value="0.07"' in page  # what they typed is still there
    assert PlanVersion.objects.filter(plan__code="east-rep").count() == 2
    again = first.post(url, {**FIELDS, "c0-rate": "0.07", "based_on": based_on(page)})
    assert again.status_code == 302
    assert "rate: 0.07" in PlanVersion.objects.get(plan__code="east-rep", number=3).source
