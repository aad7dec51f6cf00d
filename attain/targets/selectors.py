"""Reads of target plans. People's targets are read through ``visible_people``."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from django.db.models import Max, QuerySet

from attain.accounts.models import Role
from attain.calc.periods import year_month_ids
from attain.org.models import Unit
from attain.org.selectors import person_of, role_of, unit_descendant_ids, visible_people

from .models import IN_FORCE, Kind, Notification, TargetCell, TargetPlan


def plans_in_force(*, fiscal_year: int | None = None) -> list[TargetPlan]:
    """The latest published (or acknowledged, or locked) version of every plan."""
    plans = TargetPlan.objects.filter(status__in=IN_FORCE)
    if fiscal_year is not None:
        plans = plans.filter(fiscal_year=fiscal_year)
    latest = {
        row["family"]: row["version"]
        for row in plans.values("family").annotate(version=Max("version"))
    }
    return [plan for plan in plans.order_by("id") if latest.get(plan.family) == plan.version]


def published_targets(
    *,
    measures: list[str] | None = None,
    fiscal_year: int | None = None,
    who: Collection[str] | None = None,
    excluding: uuid.UUID | None = None,
) -> list[dict[str, object]]:
    """Targets in force, in the engine's format (spec section 5), for every unit and person:

        {"measure": "revenue", "who": "r1", "period": "2026-03", "value": Decimal("80000")}

    Each who gets its twelve month targets and its year target (the sum of the months, so
    quarters follow by rule 5.1.2 and the year is explicit). A plan's root, which has only
    its year, gets months too (unless a plan above gives them): its year split over the
    months in the proportions of its parts' months, so its quarters are those of the
    units below it, not a quarter of the year each. Only the current version of
    each plan counts: a revised plan replaces its earlier versions once published. Where
    a manager's unit plan (decomposed from the unit's target in force) covers the same
    who and period as the plan above it, the unit plan's value wins. ``who``: only the
    targets of these units and people (the same entries, in the same order).
    ``excluding``: without the versions of this plan (``family``), e.g. what the plans
    above a unit plan give its unit.
    """
    plans = [p for p in plans_in_force(fiscal_year=fiscal_year) if p.family != excluding]
    if not plans:
        return []
    depth = unit_depths()
    plans.sort(key=lambda plan: (depth.get(plan.root_unit_id, 0), plan.pk))
    found: dict[tuple[str, str, str], Decimal] = {}
    # people's rows by the team they are under: someone who moved between teams has a
    # row under each, and a unit plan replaces only the rows under its own units
    people: dict[tuple[str, str, str, str], tuple[Decimal, int]] = {}  # value, plan depth
    codes = dict(Unit.objects.values_list("pk", "code"))
    roots: list[TargetPlan] = []
    for plan in plans:  # a unit's own plan refines the plan above it (deeper wins)
        cells = TargetCell.objects.filter(plan=plan)
        if measures is not None:
            cells = cells.filter(measure__in=measures)
        if who is not None:
            cells = cells.filter(who__in=sorted(who))
        rows = list(cells.values_list("measure", "who", "kind", "parent", "period", "value"))
        level = depth.get(plan.root_unit_id, 0)
        if people and rows:  # the rows a plan above gave under this plan's units
            below = {codes[pk] for pk in unit_descendant_ids(plan.root_unit) if pk in codes}
            covered = {row[0] for row in rows}
            for key in [
                k
                for k, (_v, above) in people.items()
                if above < level and k[0] in covered and k[2] in below
            ]:
                del people[key]
        for measure, code, kind, parent, period, value in rows:
            if kind == Kind.PERSON:
                people[(measure, code, parent, period)] = (value, level)
            else:
                found[(measure, code, period)] = value
        roots.append(plan)
    for (measure, code, _parent, period), (value, _level) in people.items():  # a mover's add up
        found[(measure, code, period)] = found.get((measure, code, period), Decimal(0)) + value
    for plan in roots:
        _root_months(plan, found, measures)
    return [
        {"measure": measure, "who": who, "period": period, "value": value}
        for (measure, who, period), value in sorted(found.items())
    ]


def _root_months(
    plan: TargetPlan, found: dict[tuple[str, str, str], Decimal], measures: list[str] | None
) -> None:
    """Month targets for the plan's root where nothing gives them (see published_targets)."""
    from .allocation import respread

    root, year = plan.root_unit.code, str(plan.fiscal_year)
    months = year_month_ids(plan.fiscal_year)
    wanted = [
        measure
        for (measure, who, period) in found
        if who == root
        and period == year
        and (measures is None or measure in measures)
        and not any((measure, root, month) in found for month in months)
    ]
    if not wanted:
        return
    parts: dict[tuple[str, str], Decimal] = {}
    cells = TargetCell.objects.filter(
        plan=plan, parent=root, measure__in=wanted, period__in=months
    ).values_list("measure", "period", "value")
    for measure, period, value in cells:
        parts[(measure, period)] = parts.get((measure, period), Decimal(0)) + value
    for measure in wanted:
        shape = [parts.get((measure, month), Decimal(0)) for month in months]
        values = respread(found[(measure, root, year)], shape, plan.round_to)
        for month, value in zip(months, values, strict=True):
            found[(measure, root, month)] = value


def unit_depths() -> dict[int, int]:
    """Unit id → depth in the unit tree (0 for a root)."""
    parents = dict(Unit.objects.values_list("pk", "parent_id"))
    depths: dict[int, int] = {}
    for pk in parents:
        chain: list[int] = []
        current: int | None = pk
        while current is not None and current not in depths and current not in chain:
            chain.append(current)
            current = parents.get(current)
        base = depths.get(current, -1) if current is not None else -1
        for offset, unit in enumerate(reversed(chain)):
            depths[unit] = base + offset + 1
    return depths


def visible_plans(user: Any) -> QuerySet[TargetPlan]:
    """Planners, finance and executives see every plan; managers and reps the plans in
    force and, for managers, drafts too (they decompose their own unit in them)."""
    role = role_of(user)
    plans = TargetPlan.objects.select_related("root_unit")
    if role in (Role.ADMIN, Role.SALES_OPS, Role.EXECUTIVE, Role.FINANCE, Role.MANAGER):
        return plans
    if role == Role.REP:
        return plans.filter(status__in=IN_FORCE)
    return plans.none()


def visible_codes(user: Any, on: datetime.date | None = None) -> set[str] | None:
    """Person codes the user may see targets of; ``None`` means everyone."""
    role = role_of(user)
    if role in (Role.ADMIN, Role.SALES_OPS, Role.EXECUTIVE, Role.FINANCE):
        return None
    return set(visible_people(user, on).values_list("code", flat=True))


def person_targets(plan: TargetPlan, person_code: str) -> dict[str, dict[str, Decimal]]:
    """measure → period → value for one person in one plan version."""
    found: dict[str, dict[str, Decimal]] = {}
    for measure, period, value in TargetCell.objects.filter(
        plan=plan, who=person_code, kind=Kind.PERSON
    ).values_list("measure", "period", "value"):
        periods = found.setdefault(measure, {})
        periods[period] = periods.get(period, Decimal(0)) + value  # moved: both teams' rows
    return found


def notifications_for(user: Any, limit: int = 20) -> list[Notification]:
    me = person_of(user)
    if me is None:
        return []
    return list(Notification.objects.filter(person=me).select_related("plan")[:limit])
