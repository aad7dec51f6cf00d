"""Who may do what with target plans: every role × every action (attain.targets.access).

The company: hq ─ east (m1, the manager login, leads it; r1 is the rep login) and west
(m3, r4). ``hq plan`` is a company plan; ``east plan`` a plan of the unit m1 leads.
"""

from __future__ import annotations

import pytest

from attain.conftest import page_statuses, role_cases, statuses_of, user_of
from attain.targets import access
from attain.targets.models import TargetPlan

ALLOWED = """
    action                   admin sales_ops finance executive manager rep anonymous
    create_a_plan            Y     Y         -       -         Y       -   -
    create_the_hq_plan       Y     Y         -       -         -       -   -
    create_the_east_plan     Y     Y         -       -         Y       -   -
    own_the_hq_plan          Y     Y         -       -         -       -   -
    own_the_east_plan        Y     Y         -       -         Y       -   -
    approve                  Y     -         -       Y         -       -   -
    return_the_hq_plan       Y     Y         -       Y         -       -   -
    return_the_east_plan     Y     Y         -       Y         Y       -   -
    decompose_the_hq_plan    Y     Y         -       -         Y       -   -
    edit_the_cell_of_r1      Y     Y         -       -         Y       -   -
    edit_the_cell_of_m1      Y     Y         -       -         -       -   -
    edit_the_cell_of_r4      Y     Y         -       -         -       -   -
    commit_for_r1            Y     Y         -       -         Y       Y   -
    commit_for_east          Y     Y         -       -         Y       -   -
    commit_for_r4            Y     Y         -       -         -       -   -
    read_the_hq_plan_log     Y     Y         Y       Y         -       -   -
    read_the_east_plan_log   Y     Y         Y       Y         Y       -   -
    see_team_pace            Y     Y         Y       Y         Y       -   -
"""


def check(action, user, company):
    hq_plan = TargetPlan(root_unit=company.hq)
    east_plan = TargetPlan(root_unit=company.east)
    checks = {
        "create_a_plan": lambda: access.can_create_plan(user),
        "create_the_hq_plan": lambda: access.can_create_plan(user, company.hq),
        "create_the_east_plan": lambda: access.can_create_plan(user, company.east),
        "own_the_hq_plan": lambda: access.owns_plan(user, hq_plan),
        "own_the_east_plan": lambda: access.owns_plan(user, east_plan),
        "approve": lambda: access.can_approve(user),
        "return_the_hq_plan": lambda: access.can_return(user, hq_plan),
        "return_the_east_plan": lambda: access.can_return(user, east_plan),
        "decompose_the_hq_plan": lambda: access.can_decompose(user, hq_plan),
        "edit_the_cell_of_r1": lambda: access.can_edit_cell(user, hq_plan, "r1"),
        "edit_the_cell_of_m1": lambda: access.can_edit_cell(user, hq_plan, "m1"),
        "edit_the_cell_of_r4": lambda: access.can_edit_cell(user, hq_plan, "r4"),
        "commit_for_r1": lambda: access.can_commit_for(user, "r1"),
        "commit_for_east": lambda: access.can_commit_for(user, "east"),
        "commit_for_r4": lambda: access.can_commit_for(user, "r4"),
        "read_the_hq_plan_log": lambda: access.can_read_changes(user, hq_plan),
        "read_the_east_plan_log": lambda: access.can_read_changes(user, east_plan),
        "see_team_pace": lambda: access.can_see_team_pace(user),
    }
    return checks[action]()


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(ALLOWED))
def test_role_may(company, action, role, allowed):
    assert check(action, user_of(company, role), company) is allowed


def test_the_system_itself_may_do_everything(company):
    plan = TargetPlan(root_unit=company.hq)
    assert access.is_planner(None) and access.can_approve(None)
    assert access.owns_plan(None, plan) and access.can_edit_cell(None, plan, "m1")


def test_a_manager_edits_below_their_unit_never_their_own(company):
    codes = access.editable_codes(company.users["manager"], TargetPlan(root_unit=company.hq))
    assert codes == {"r1", "r2", "m2", "r3"}  # east is m1's own unit; west is not theirs


def test_the_team_pace_page_follows_the_table(company, client):
    statuses = statuses_of(client, company, "/targets/pace/")
    assert statuses == page_statuses(ALLOWED, "see_team_pace")
