"""Who may do what with target plans, one condition per line.

- administrators and sales operations (planners) own every plan: create, edit, submit,
  publish, lock and revise;
- a manager owns the plans of the units they lead (their unit and everything below it):
  creates one for such a unit, decomposes it, edits cells under their unit (never their
  own unit's or their own target), submits and publishes it;
- executives and administrators approve submitted plans and reallocations; the owner
  may return a plan or reject a reallocation too;
- people acknowledge their own published targets and commit to a number for themself
  (a manager also for the units and people they lead).

``actor`` None is the system itself (demo generator, CLI): it may do everything.
Whose targets anyone sees is the one visibility rule
(:func:`attain.org.selectors.visible_people`, via :mod:`.selectors`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from attain.accounts.models import Role
from attain.org.models import Unit
from attain.org.selectors import person_of, role_of, unit_descendant_ids, visible_people

from .models import TargetPlan

PLANNER_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS})
APPROVER_ROLES = frozenset({Role.ADMIN, Role.EXECUTIVE})
# The roles that read every plan's change log.
LOG_READER_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS, Role.EXECUTIVE, Role.FINANCE})
# The team pace page: everyone but reps (a rep's pace is on their own targets page).
PACE_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS, Role.EXECUTIVE, Role.FINANCE, Role.MANAGER})


def led_unit_ids(actor: Any, on: datetime.date | None = None) -> set[int]:
    """The units a manager leads: the unit of their assignment today and all below it."""
    if role_of(actor) != Role.MANAGER:
        return set()
    me = person_of(actor)
    if me is None:
        return set()
    assignment = me.assignment_on(on or timezone.localdate())
    if assignment is None:
        return set()
    return unit_descendant_ids(assignment.unit)


def is_planner(actor: Any) -> bool:
    if actor is None:
        return True
    return role_of(actor) in PLANNER_ROLES


def can_approve(actor: Any) -> bool:
    if actor is None:
        return True
    return role_of(actor) in APPROVER_ROLES


def can_create_plan(actor: Any, root_unit: Unit | None = None) -> bool:
    """Planners create any plan; a manager one for a unit they lead (any, when no unit
    is named yet: the page offers the form)."""
    if is_planner(actor):
        return True
    led = led_unit_ids(actor)
    if root_unit is None:
        return bool(led)
    return root_unit.pk in led


def owns_plan(actor: Any, plan: TargetPlan) -> bool:
    """Planners own every plan; a manager owns the plans of the units they lead."""
    if is_planner(actor):
        return True
    return plan.root_unit_id in led_unit_ids(actor)


def can_return(actor: Any, plan: TargetPlan) -> bool:
    """Send a submitted or approved plan back, or reject a reallocation of it."""
    if can_approve(actor):
        return True
    return owns_plan(actor, plan)


def can_decompose(actor: Any, plan: TargetPlan) -> bool:
    """Edit the grid and take it out to Excel and back: the owner, or any manager (who
    then edits only the cells under their unit, :func:`editable_codes`)."""
    if owns_plan(actor, plan):
        return True
    return role_of(actor) == Role.MANAGER


def editable_codes(actor: Any, plan: TargetPlan) -> set[str] | None:
    """The units and people whose cells ``actor`` may edit (None: all of them). A manager
    edits the units below their own and the people below them, never their own unit's
    or their own target."""
    if is_planner(actor):
        return None
    if role_of(actor) != Role.MANAGER:
        return set()
    me = person_of(actor)
    units = led_unit_ids(actor)
    if me is None or not units:
        return set()
    mine = me.assignment_on(timezone.localdate())
    codes = set(
        Unit.objects.filter(pk__in=units)
        .exclude(pk=plan.root_unit_id)
        .values_list("code", flat=True)
    )
    if mine is not None:
        codes.discard(mine.unit.code)
    codes |= set(visible_people(actor).exclude(pk=me.pk).values_list("code", flat=True))
    return codes


def can_edit_cell(actor: Any, plan: TargetPlan, who: str) -> bool:
    codes = editable_codes(actor, plan)
    return codes is None or who in codes


def can_commit_for(actor: Any, who: str) -> bool:
    """A commitment is one's own number; a manager's also for a unit or person they lead."""
    if is_planner(actor):
        return True
    me = person_of(actor)
    if me is not None and me.code == who:
        return True
    if role_of(actor) != Role.MANAGER:
        return False
    if Unit.objects.filter(pk__in=led_unit_ids(actor), code=who).exists():
        return True
    return visible_people(actor).filter(code=who).exists()


def can_read_changes(actor: Any, plan: TargetPlan) -> bool:
    """A plan's change log: the organisation-wide roles, and the plan's owner."""
    if role_of(actor) in LOG_READER_ROLES:
        return True
    return owns_plan(actor, plan)


def can_see_team_pace(actor: Any) -> bool:
    return role_of(actor) in PACE_ROLES
