"""Who may do what with incentive plans and results: every role × every action
(attain.incentives.access)."""

from __future__ import annotations

import pytest

from attain.conftest import ROLE_COLUMNS, role_cases, user_of
from attain.incentives import access

Y, N = True, False
# fmt: off
ALLOWED = {
    # action            admin ops fin  exec mgr  rep  anon
    "edit_plans":       (Y,   Y,  N,   N,   N,   N,   N),
    "see_team":         (Y,   Y,  N,   Y,   Y,   N,   N),
    "see_dashboard":    (Y,   Y,  Y,   Y,   N,   N,   N),
    "rank_everyone":    (Y,   Y,  Y,   Y,   N,   N,   N),
    "rank_own_unit":    (N,   N,  N,   N,   N,   Y,   N),
}
# fmt: on
CHECKS = {
    "edit_plans": access.can_edit_plans,
    "see_team": access.can_see_team,
    "see_dashboard": access.can_see_dashboard,
    "rank_everyone": access.ranks_everyone,
    "rank_own_unit": access.ranks_own_unit,
}
PAGES = {"edit_plans": "/performance/plans/", "see_dashboard": "/performance/dashboard/"}


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(ALLOWED))
def test_role_may(company, action, role, allowed):
    assert CHECKS[action](user_of(company, role)) is allowed


def test_the_system_itself_edits_plans():
    assert access.can_edit_plans(None)


@pytest.mark.parametrize("action", sorted(PAGES))
def test_the_pages_follow_the_table(company, client, action):
    for role in ROLE_COLUMNS[:-1]:
        client.force_login(company.users[role])
        expected = 200 if ALLOWED[action][ROLE_COLUMNS.index(role)] else 403
        assert client.get(PAGES[action]).status_code == expected, role
