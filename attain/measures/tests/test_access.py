"""Who may define measures: every role (attain.measures.access)."""

from __future__ import annotations

import pytest

from attain.conftest import allowed_roles, role_cases, user_of
from attain.measures import access

ALLOWED = """
    action            admin sales_ops finance executive manager rep anonymous
    define_measures   Y     Y         -       -         -       -   -
"""


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(ALLOWED))
def test_role_may(company, action, role, allowed):
    assert access.can_define_measures(user_of(company, role)) is allowed


def test_the_measures_page_follows_the_table(company, client):
    editors = allowed_roles(ALLOWED, "define_measures")
    for role, user in company.users.items():
        client.force_login(user)
        status = client.get("/performance/measures/").status_code
        assert status == (200 if role in editors else 403), role
