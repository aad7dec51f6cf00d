"""Who may define measures: every role (attain.measures.access)."""

from __future__ import annotations

import pytest

from attain.conftest import page_statuses, role_cases, statuses_of, user_of
from attain.measures import access

ALLOWED = """
    action            admin sales_ops finance executive manager rep anonymous
    define_measures   Y     Y         -       -         -       -   -
"""


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(ALLOWED))
def test_role_may(company, action, role, allowed):
    assert access.can_define_measures(user_of(company, role)) is allowed


def test_the_measures_page_follows_the_table(company, client):
    statuses = statuses_of(client, company, "/performance/measures/")
    assert statuses == page_statuses(ALLOWED, "define_measures")
