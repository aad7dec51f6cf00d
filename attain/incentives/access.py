"""Who may do what with incentive plans and results, one condition per line.

Whose results anyone sees is the one visibility rule
(:func:`attain.org.selectors.visible_people`); this module says which pages and actions
a role may use.
"""

from __future__ import annotations

from typing import Any

from attain.accounts.models import Role
from attain.org.selectors import role_of

# Plans, versions, YAML, measures and calculation runs.
PLAN_EDITOR_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS})
# Plan approval (docs/incentives.md, "Plan approval"), as target plans are approved:
# the plan editors propose and activate, executives and administrators approve.
PLAN_APPROVER_ROLES = frozenset({Role.ADMIN, Role.EXECUTIVE})
# The team page: a manager's subtree, everyone for the roles that lead or plan sales.
TEAM_ROLES = frozenset({Role.MANAGER, Role.ADMIN, Role.SALES_OPS, Role.EXECUTIVE})
# Plan effectiveness and what-ifs on history (docs/effectiveness.md): those who design
# plans and those who approve them; finance sees payouts on the dashboard and registers.
EFFECTIVENESS_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS, Role.EXECUTIVE})
# The company dashboard and the company-wide leaderboard.
DASHBOARD_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE, Role.EXECUTIVE})


def can_edit_plans(user: Any) -> bool:
    if user is None:  # the system itself (demo, CLI, tasks)
        return True
    return role_of(user) in PLAN_EDITOR_ROLES


def can_see_team(user: Any) -> bool:
    return role_of(user) in TEAM_ROLES


def can_see_dashboard(user: Any) -> bool:
    return role_of(user) in DASHBOARD_ROLES


def ranks_everyone(user: Any) -> bool:
    """The leaderboard ranks the whole company for the dashboard roles."""
    return role_of(user) in DASHBOARD_ROLES


def ranks_own_unit(user: Any) -> bool:
    """A rep's leaderboard is their own unit's (names and attainment, never payouts)."""
    return role_of(user) == Role.REP


def can_approve_plans(user: Any) -> bool:
    if user is None:  # the system itself (demo, CLI)
        return True
    return role_of(user) in PLAN_APPROVER_ROLES


def can_see_plans(user: Any) -> bool:
    """The plans page: those who propose plans and those who approve them."""
    return can_edit_plans(user) or can_approve_plans(user)


def can_return_plans(user: Any) -> bool:
    """Send a submitted or approved version back to draft: proposer or approver."""
    return can_edit_plans(user) or can_approve_plans(user)


def can_see_effectiveness(user: Any) -> bool:
    """The plan effectiveness page and its figures."""
    return role_of(user) in EFFECTIVENESS_ROLES


def can_run_what_if(user: Any) -> bool:
    """Run a draft plan over history (stores nothing but the run and its comparison)."""
    if user is None:  # the system itself (CLI, tests)
        return True
    return role_of(user) in EFFECTIVENESS_ROLES
