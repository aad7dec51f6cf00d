"""Who may do what with incentive plans and results: every role × every action
(attain.incentives.access)."""

from __future__ import annotations

import pytest

from attain.conftest import page_statuses, role_cases, statuses_of, user_of
from attain.incentives import access

ALLOWED = """
    action          admin sales_ops finance executive manager rep anonymous
    edit_plans      Y     Y         -       -         -       -   -
    see_plans       Y     Y         -       Y         -       -   -
    approve_plans   Y     -         -       Y         -       -   -
    return_plans    Y     Y         -       Y         -       -   -
    see_team        Y     Y         -       Y         Y       -   -
    see_dashboard   Y     Y         Y       Y         -       -   -
    rank_everyone   Y     Y         Y       Y         -       -   -
    rank_own_unit   -     -         -       -         -       Y   -
    see_effectiveness Y   Y         -       Y         -       -   -
    run_what_if     Y     Y         -       Y         -       -   -
"""
CHECKS = {
    "edit_plans": access.can_edit_plans,
    "see_plans": access.can_see_plans,
    "approve_plans": access.can_approve_plans,
    "return_plans": access.can_return_plans,
    "see_team": access.can_see_team,
    "see_dashboard": access.can_see_dashboard,
    "rank_everyone": access.ranks_everyone,
    "rank_own_unit": access.ranks_own_unit,
    "see_effectiveness": access.can_see_effectiveness,
    "run_what_if": access.can_run_what_if,
}
PAGES = {
    "edit_plans": "/performance/plans/new/",
    "see_plans": "/performance/plans/",
    "see_team": "/performance/team/",
    "see_dashboard": "/performance/dashboard/",
    "see_effectiveness": "/performance/effectiveness/",
}


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(ALLOWED))
def test_role_may(company, action, role, allowed):
    assert CHECKS[action](user_of(company, role)) is allowed


def test_the_system_itself_edits_plans():
    assert access.can_edit_plans(None)


@pytest.mark.parametrize("action", sorted(PAGES))
def test_the_pages_follow_the_table(company, client, action):
    assert statuses_of(client, company, PAGES[action]) == page_statuses(ALLOWED, action)
