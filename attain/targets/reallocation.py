"""Mid-period changes: when people join, leave or transfer, the remaining months of a
unit's published targets are reallocated by the engine with the plan's own people-level
method, month by month: each remaining month's team target is decomposed (spec section
6) to the people employed in that month. The unit's month targets stay as published;
only how they are shared changes. The proposal is stored for approval.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from attain.audit.models import AuditEvent
from attain.calc.periods import year_month_ids
from attain.org.models import Assignment, Person
from attain.web.problems import problem_text

from .allocation import (
    history_year,
    level_spec,
    measure_specs,
    plan_scenario,
    prepare,
    run_decomposer,
    unit_tree,
    uses_method,
)
from .cells import CellChange
from .models import Kind, TargetCell, TargetPlan


def leaf_units(plan: TargetPlan, unit: str) -> list[str]:
    """The teams (units without children) at or below ``unit`` in the plan's tree."""
    tree = unit_tree(plan.root_unit, plan.fiscal_year)
    below: set[str] = {unit}
    for code, parent, _depth, _children in tree:
        if parent in below:
            below.add(code)
    return [code for code, _p, _d, has_children in tree if code in below and not has_children]


def remaining_months(plan: TargetPlan, from_month: str) -> list[str]:
    """The plan's fiscal months from ``from_month`` on (April … March of the next calendar
    year when the fiscal year starts in April)."""
    months = year_month_ids(plan.fiscal_year)
    if from_month not in months:
        raise ValidationError(
            {
                "from_month": [
                    _("Choose a month of the fiscal year %(year)s (%(first)s to %(last)s).")
                    % {"year": plan.fiscal_year, "first": months[0], "last": months[-1]}
                ]
            }
        )
    return months[months.index(from_month) :]


def propose_changes(plan: TargetPlan, unit: str, from_month: str) -> list[CellChange]:
    """The engine's reallocation of ``unit``'s remaining months (people level)."""
    months = remaining_months(plan, from_month)
    teams = leaf_units(plan, unit)
    if not teams:
        raise ValidationError({"unit": [_("%(unit)s is not in this plan.") % {"unit": unit}]})
    measures = list(plan.plan_measures.values_list("measure", flat=True))
    cells = TargetCell.objects.filter(plan=plan, period__in=months)
    published = {
        (c.measure, c.who, c.period): c.value for c in cells.filter(who__in=teams, kind=Kind.UNIT)
    }
    people_before: dict[tuple[str, str, str], tuple[Decimal, str]] = {}
    for c in cells.filter(parent__in=teams, kind=Kind.PERSON):
        key = (c.measure, c.who, c.period)
        earlier = people_before.get(key)
        people_before[key] = (c.value + earlier[0], c.parent) if earlier else (c.value, c.parent)
    spec = level_spec(plan, 0, True)
    entries: list[dict[str, Any]] = []
    for measure in measures:
        for team in teams:
            for month in months:
                value = published.get((measure, team, month))
                if value is None:
                    continue
                entry: dict[str, Any] = {
                    "id": f"{measure}.{team}.{month}",
                    "measure": measure,
                    "from": {"who": team, "period": month, "value": value},
                    "to": "people",
                    **spec,
                    "round_to": plan.round_to,
                    "max_overassign": plan.max_overassign,
                }
                if plan.role_list:
                    entry["roles"] = plan.role_list
                if uses_method(spec, "history"):
                    entry["history_period"] = str(history_year(plan))
                if uses_method(spec, "capacity") and plan.ramp:
                    entry["ramp"] = [Decimal(str(r)) for r in plan.ramp]
                entries.append(entry)
    specs = measure_specs(measures)
    prepared = prepare(plan, specs)
    scenario = plan_scenario(
        plan, prepared, specs, {m: Decimal(0) for m in measures}, {}, [], entries
    )
    decomposer = run_decomposer(scenario, prepared=prepared, staff_roles=plan.role_list)
    if decomposer.errors:
        raise ValidationError([f"{p.path}: {problem_text(p.message)}" for p in decomposer.errors])
    after: dict[tuple[str, str, str], tuple[Decimal, str]] = {}
    for allocation in decomposer.allocations:
        d = allocation.decomposition
        for person, amount in allocation.parts.items():
            key = (d.measure, person, d.period.id)
            earlier = after.get(key)  # moved mid-month: a share of both teams' month
            after[key] = (amount + earlier[0], d.who) if earlier else (amount, d.who)
    changes: list[CellChange] = []
    for key in sorted(set(after) | set(people_before)):
        old, old_parent = people_before.get(key, (Decimal(0), ""))
        new, new_parent = after.get(key, (Decimal(0), old_parent))
        if old != new:
            measure, who, period = key
            changes.append(
                CellChange(measure, who, period, old, new, parent=new_parent or old_parent)
            )
    return changes


def org_changes_since(plan: TargetPlan, codes: set[str] | None = None) -> list[AuditEvent]:
    """Joins, leaves and transfers recorded since the plan was published; with ``codes``
    (the people the reader may see, :func:`.selectors.visible_codes`), only theirs."""
    if plan.published is None:
        return []
    from django.contrib.contenttypes.models import ContentType

    types = ContentType.objects.get_for_models(Person, Assignment)
    events = AuditEvent.objects.filter(at__gt=plan.published, content_type__in=types.values())
    if codes is not None:
        people = list(Person.objects.filter(code__in=codes).values_list("pk", flat=True))
        assignments = Assignment.objects.filter(person_id__in=people).values_list("pk", flat=True)
        events = events.filter(
            Q(content_type=types[Person], object_id__in=[str(pk) for pk in people])
            | Q(content_type=types[Assignment], object_id__in=[str(pk) for pk in assignments])
        )
    return list(events.order_by("-at")[:50])


def visible_changes(changes: Iterable[dict[str, Any]], codes: set[str] | None) -> list[Any]:
    """The cells of a proposal whose person the reader may see (``codes`` None: all)."""
    return [change for change in changes if codes is None or change.get("who") in codes]


def apply_changes(
    new: TargetPlan, changes: Iterable[dict[str, str]], unit: str | None = None
) -> None:
    """Write the changed month cells into ``new`` (a copy of the published cells) and
    the people's year cells as the sum of their months. Someone who moved between teams
    has a row under each (their cells by parent): a month's value goes to the row of
    the team the change names (a new row for someone who joined it), their rows under
    the other reallocated teams (of ``unit``; None: any) get 0 for that month, rows under
    teams not reallocated stay as published, and each row's year is its months' sum."""
    year = str(new.fiscal_year)
    teams = set(leaf_units(new, unit)) if unit else None
    touched: set[tuple[str, str]] = set()
    for change in changes:
        measure, who, period = change["measure"], change["who"], change["period"]
        parent, value = change["parent"], Decimal(change["after"])
        rows = TargetCell.objects.filter(
            plan=new, measure=measure, who=who, period=period, kind=Kind.PERSON
        )
        others = rows.exclude(parent=parent)
        if teams is not None:
            others = others.filter(parent__in=teams)
        others.update(value=Decimal(0))
        touched.add((measure, who))
        if rows.filter(parent=parent).update(value=value):
            continue
        existing = set(  # someone who joined the team: a new row, zeros before
            TargetCell.objects.filter(
                plan=new, measure=measure, who=who, parent=parent, kind=Kind.PERSON
            ).values_list("period", flat=True)
        )
        TargetCell.objects.bulk_create(
            [
                TargetCell(
                    plan=new,
                    measure=measure,
                    who=who,
                    kind=Kind.PERSON,
                    parent=parent,
                    period=p,
                    value=value if p == period else Decimal(0),
                    engine_value=value if p == period else Decimal(0),
                )
                for p in [year, *year_month_ids(new.fiscal_year)]
                if p not in existing
            ]
        )
    for measure, who in touched:
        cells = TargetCell.objects.filter(plan=new, measure=measure, who=who, kind=Kind.PERSON)
        for parent in set(cells.values_list("parent", flat=True)):
            row = cells.filter(parent=parent)
            total = sum((c.value for c in row.exclude(period=year)), Decimal(0))
            row.filter(period=year).update(value=total)
