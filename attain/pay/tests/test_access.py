"""Every pay governance permission as a table: role × action → allowed (Y) or refused
(-), checked against the access functions, the pages and the API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from attain.conftest import role_cases, user_of
from attain.pay import access

TABLE = """
action            admin sales_ops finance executive manager rep anonymous
review_records    Y     Y         Y       -         -       -   -
set_record_policy Y     Y         -       -         -       -   -
"""

CHECKS = {
    "review_records": access.can_review_records,
    "set_record_policy": access.can_set_record_policy,
}


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(TABLE))
def test_access_functions(company, action, role, allowed):
    assert CHECKS[action](user_of(company, role)) is allowed


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(TABLE))
def test_pages_and_api(company, client, action, role, allowed):
    api = APIClient()
    if role != "anonymous":
        client.force_login(company.users[role])
        api.force_authenticate(company.users[role])
    if action == "review_records":
        page = client.get("/pay/review/")
        answer = api.get("/api/pay/records/")
        if role == "anonymous":
            assert page.status_code == 302 and answer.status_code == 401
        else:
            assert page.status_code == (200 if allowed else 403)
            assert answer.status_code == (200 if allowed else 403)
    else:
        body = {"table": "orders", "review_own": True, "max_future_days": 10, "amount_ceiling": "5"}
        answer = api.put("/api/pay/policies/", body, format="json")
        expected = 200 if allowed else (401 if role == "anonymous" else 403)
        assert answer.status_code == expected
