"""Who may define measures: every role (attain.measures.access)."""

from __future__ import annotations

import pytest

from attain.conftest import ROLE_COLUMNS, role_cases, user_of
from attain.measures import access

Y, N = True, False
# fmt: off
ALLOWED = {
    # action            admin ops fin  exec mgr  rep  anon
    "define_measures":  (Y,   Y,  N,   N,   N,   N,   N),
}
# fmt: on


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(ALLOWED))
def test_role_may(company, action, role, allowed):
    assert access.can_define_measures(user_of(company, role)) is allowed


def test_the_measures_page_follows_the_table(company, client):
    for role in ROLE_COLUMNS[:-1]:
        client.force_login(company.users[role])
        expected = 200 if ALLOWED["define_measures"][ROLE_COLUMNS.index(role)] else 403
        assert client.get("/performance/measures/").status_code == expected, role
