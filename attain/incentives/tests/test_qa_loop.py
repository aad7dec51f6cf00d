"""QA of My performance and the leaderboards as every role (loopqa)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_my_performance_leads_a_login_without_a_person_to_a_page_it_may_open(company, client):
    """A login with no person was sent to the teams' page; finance may not open it, so
    finance's My performance ended on 403."""
    for role in ("admin", "sales_ops", "finance", "executive"):
        client.force_login(company.users[role])
        response = client.get(reverse("incentives:mine"), follow=True)
        assert response.status_code == 200, role
    client.force_login(company.users["finance"])
    response = client.get(reverse("incentives:mine"))
    assert response.url == reverse("incentives:dashboard")
