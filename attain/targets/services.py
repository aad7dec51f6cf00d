"""Writers of target plans: the only code that changes them. Each function checks the
actor's role, writes in one transaction and appends to the audit trail (before/after).

Who may do what:

- administrators and sales operations create company plans, edit them, submit, publish,
  lock and revise them;
- a manager creates a plan for a unit they lead (their unit or one below it), whose
  totals are that unit's targets in force, decomposes it, edits cells under their unit,
  submits it and, once approved, publishes it;
- executives and administrators approve (or return) submitted plans;
- people acknowledge their own published targets and may commit to a number.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from attain.audit.models import Action
from attain.audit.services import record_bulk, record_change, snapshot
from attain.calc.periods import year_month_ids
from attain.engine import round_half_up
from attain.measures.models import Aggregation, Measure
from attain.notify.services import announce
from attain.org.models import Person, Unit
from attain.org.selectors import person_of
from attain.web.forms import ungrouped

from .access import (
    can_approve,
    can_commit_for,
    can_create_plan,
    can_edit_cell,
    can_return,
    is_planner,
    owns_plan,
)
from .allocation import Allocation, compute_allocation, unit_tree
from .guards import check_levels, check_months_and_ramp, overassignment
from .models import (
    EDITABLE,
    IN_FORCE,
    Acknowledgement,
    Commitment,
    Kind,
    Notification,
    PlanMeasure,
    PlanStatus,
    Reallocation,
    TargetCell,
    TargetEdit,
    TargetPlan,
)

SETTINGS = (
    "name",
    "roles",
    "levels",
    "months",
    "month_weights",
    "history_year",
    "ramp",
    "round_to",
    "max_overassign",
)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _require_status(plan: TargetPlan, allowed: Iterable[str], action: str) -> None:
    if plan.status not in allowed:
        raise ValidationError(
            {
                "status": [
                    _("This plan is “%(status)s”: it cannot be %(action)s.")
                    % {"status": plan.get_status_display(), "action": action}
                ]
            }
        )


def _lock_in_status(plan: TargetPlan, allowed: Iterable[str], action: str) -> None:
    """In a transaction: lock the plan's row, read it again and check its status as
    stored. A change checked only against the plan as its request read it could land
    after another planner submitted the plan (and a settings save wrote "draft" back)."""
    TargetPlan.objects.select_for_update().filter(pk=plan.pk).exists()
    plan.refresh_from_db()
    _require_status(plan, allowed, action)


def settings_seen(plan: TargetPlan) -> str:
    """A digest of the plan's settings and totals as a page shows them: a save made
    from that page says it (``seen``), and is refused when they changed since. Read as
    stored (a plan just saved holds the values as typed, which may be written alike but
    be other Python values)."""
    data = _plan_snapshot(TargetPlan.objects.get(pk=plan.pk))
    shown = {key: data.get(key) for key in SETTINGS} | {"measures": data["measures"]}
    text = json.dumps(shown, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _plan_snapshot(plan: TargetPlan) -> dict[str, Any]:
    data = snapshot(plan, exclude=("created", "computed"))
    data["measures"] = {pm.measure: str(pm.total) for pm in plan.plan_measures.all()}
    return data


# totals, cells and commitments: SQLite keeps 15 significant digits, so a number below
# 10¹⁵ comes back below it, and over-assigned (by less than 1000×) fits the columns'
# 20 digits, 2 of them places
VALUE_LIMIT = Decimal(10) ** 15


def typed_number(value: Any, field: str) -> Decimal:
    """A number typed for a total, a cell or a commitment, rounded half-up to the 2
    places stored (not the database's half-even), and small enough to store."""
    try:
        number = Decimal(ungrouped(str(value)))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Enter a number.")]}) from None
    if not number.is_finite():
        raise ValidationError({field: [_("Enter a number.")]})
    if abs(number) >= VALUE_LIMIT or abs(number := round_half_up(number, 2)) >= VALUE_LIMIT:
        raise ValidationError({field: [_("Enter a number below 10¹⁵.")]})
    return number


# Plans ------------------------------------------------------------------------------------


def _check_limit(actor: Any, current: Decimal, wanted: Any) -> None:
    """The over-assignment limit is the planners' guard rail (层层加码): a manager keeps
    or lowers their unit plan's, never raises it (and so hands out more than allowed)."""
    if is_planner(actor):
        return
    try:
        raised = Decimal(str(wanted)) > current
    except (InvalidOperation, ValueError):
        return  # not a number: the model's own check says so
    _require(not raised, _("Only planners raise the over-assignment limit."))


def _check_years(plan: TargetPlan) -> None:
    """Refuse a fiscal or history year the plan's calendar cannot hold (a typo such as
    20266): its page, reading the months and the years before, would fail for good."""
    for field in ("fiscal_year", "history_year"):
        year = getattr(plan, field)
        if year is not None and not 1900 <= year <= 9998:
            raise ValidationError({field: [_("Enter a year from 1900 to 9998.")]})


def unit_target_in_force(
    unit: Unit, measure: str, fiscal_year: int, excluding: TargetPlan | None = None
) -> Decimal | None:
    """The year target of a unit in the plans in force (its parent's allocation), those
    of the plan ``excluding`` (its versions) aside."""
    from .selectors import published_targets

    family = excluding.family if excluding is not None else None
    found = published_targets(measures=[measure], fiscal_year=fiscal_year, excluding=family)
    for target in found:
        if target["who"] == unit.code and target["period"] == str(fiscal_year):
            value = target["value"]
            assert isinstance(value, Decimal)
            return value
    return None


def _check_splittable(codes: Iterable[str]) -> None:
    """A plan splits a total among units and people: an average, a minimum or a maximum
    (satisfaction 4.5) has no parts that add up to it (split, each person's quarter
    target read 1.125). Such a measure is given its own target, unsplit."""
    whole = list(
        Measure.objects.filter(
            code__in=list(codes), agg__in=[Aggregation.AVG, Aggregation.MIN, Aggregation.MAX]
        ).values_list("code", flat=True)
    )
    if whole:
        raise ValidationError(
            {
                "measures": [
                    _(
                        "%(measure)s is an average, a minimum or a maximum: it cannot be "
                        "split among units and people. Give it as a target of its own."
                    )
                    % {"measure": code}
                    for code in sorted(whole)
                ]
            }
        )


def create_target_plan(
    actor: Any,
    *,
    name: str,
    fiscal_year: int,
    root_unit: Unit,
    measures: Mapping[str, Any],
    **settings: Any,
) -> TargetPlan:
    """A draft plan decomposing ``measures`` (code → total) from ``root_unit``.

    A manager's plan is for a unit they lead, and each total must be that unit's target
    in force (empty: taken from it), so a unit plan stays within its parent allocation.
    """
    _require(
        can_create_plan(actor, root_unit),
        _("Only planners, or the manager of the unit, create a target plan."),
    )
    if not measures:
        raise ValidationError({"measures": [_("Choose at least one measure.")]})
    _check_splittable(measures)
    totals: dict[str, Decimal] = {}
    for code, value in measures.items():
        if not is_planner(actor):
            parent = unit_target_in_force(root_unit, code, fiscal_year)
            if parent is None:
                raise ValidationError(
                    {
                        "measures": [
                            _("%(unit)s has no %(measure)s target in force for %(year)s yet.")
                            % {"unit": root_unit.name, "measure": code, "year": fiscal_year}
                        ]
                    }
                )
            if value in (None, "") or typed_number(value, "measures") != parent:
                value = parent
        totals[code] = typed_number(value, "measures")
        if totals[code] < 0:
            raise ValidationError({"measures": [_("A total cannot be negative.")]})
    unknown = [key for key in settings if key not in SETTINGS]
    if unknown:
        raise TypeError(f"unknown plan settings: {unknown}")
    if "max_overassign" in settings:
        default = Decimal(str(TargetPlan._meta.get_field("max_overassign").default))
        _check_limit(actor, default, settings["max_overassign"])
    with transaction.atomic():
        plan = TargetPlan(
            name=name,
            fiscal_year=fiscal_year,
            root_unit=root_unit,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            **settings,
        )
        plan.full_clean(exclude=["family", "created_by"])
        _check_years(plan)
        if {"levels", "max_overassign"} & set(settings):
            check_levels(plan.levels, plan.max_overassign, unit_depth(plan))
        check_months_and_ramp(plan.month_weights, plan.ramp)
        plan.save()
        for code, total in totals.items():
            PlanMeasure.objects.create(plan=plan, measure=code, total=total)
        record_change(actor, Action.CREATE, plan, after=_plan_snapshot(plan))
    return plan


def unit_depth(plan: TargetPlan) -> int:
    """How many unit levels lie between the plan's root and its deepest team."""
    tree = unit_tree(plan.root_unit, plan.fiscal_year)
    return max((depth for _code, _parent, depth, _children in tree), default=0)


def update_plan(
    actor: Any,
    plan: TargetPlan,
    *,
    measures: Mapping[str, Any] | None = None,
    seen: str | None = None,
    **settings: Any,
) -> TargetPlan:
    """Change a draft plan's settings or totals. ``seen``: :func:`settings_seen` of the
    plan as the editor's page showed it; the save is refused when another planner has
    changed the settings or totals since (it would silently undo their change)."""
    _require(owns_plan(actor, plan), _("You may not change this plan."))
    _require_status(plan, EDITABLE, _("changed"))
    if "max_overassign" in settings:
        _check_limit(actor, plan.max_overassign, settings["max_overassign"])
    with transaction.atomic():
        _lock_in_status(plan, EDITABLE, _("changed"))
        if seen is not None and seen != settings_seen(plan):
            raise ValidationError(
                _(
                    "Someone else changed this plan's settings since you opened it: reload "
                    "the page to see their changes, then make yours again."
                )
            )
        before = _plan_snapshot(plan)
        for key, value in settings.items():
            if key not in SETTINGS:
                raise TypeError(f"unknown plan setting: {key}")
            setattr(plan, key, value)
        plan.full_clean(exclude=["family", "created_by"])
        _check_years(plan)
        if {"levels", "max_overassign"} & set(settings):
            check_levels(plan.levels, plan.max_overassign, unit_depth(plan))
        if {"month_weights", "ramp"} & set(settings):
            check_months_and_ramp(plan.month_weights, plan.ramp)
        plan.save()
        if measures is not None:
            _check_splittable(measures)
            current = {pm.measure: pm.total for pm in plan.plan_measures.all()}
            wanted = {code: typed_number(value, "measures") for code, value in measures.items()}
            if not is_planner(actor):  # the unit's targets in force, as they are now
                in_force = _parent_totals(plan, current)
                _require(
                    wanted.keys() == current.keys()
                    and all(wanted[code] in (current[code], in_force[code]) for code in wanted),
                    _("A unit plan's totals are its targets in force."),
                )
                wanted = in_force
            plan.plan_measures.exclude(measure__in=list(measures)).delete()
            for code in wanted:
                PlanMeasure.objects.update_or_create(
                    plan=plan, measure=code, defaults={"total": wanted[code]}
                )
        after = _plan_snapshot(plan)
        if before != after:
            record_change(actor, Action.UPDATE, plan, before=before, after=after)
    return plan


def _parent_totals(plan: TargetPlan, current: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Measure → the plan's root unit's year target in the plans in force above it (the
    plan's own total where none gives one)."""
    found: dict[str, Decimal] = {}
    for code, total in current.items():
        parent = unit_target_in_force(plan.root_unit, code, plan.fiscal_year, excluding=plan)
        found[code] = parent if parent is not None else total
    return found


def _amount(value: Decimal) -> str:
    """An amount in a message, grouped in the reader's language, cents only if any."""
    places = 0 if value == value.to_integral_value() else 2
    return number_format(value, places, force_grouping=True)


def _check_parent_totals(actor: Any, plan: TargetPlan) -> None:
    """A manager's unit plan decomposes its unit's targets in force: refused once the
    plan above has changed them (published, it would put the old allocation back in force
    for the unit and its people)."""
    if is_planner(actor):
        return
    current = {pm.measure: pm.total for pm in plan.plan_measures.all()}
    parent = _parent_totals(plan, current)
    stale = [code for code in current if parent[code] != current[code]]
    if stale:
        raise ValidationError(
            {
                "measures": [
                    _(
                        "%(unit)s's %(measure)s target in force is now %(value)s, not "
                        "%(total)s: save the plan's settings to take it."
                    )
                    % {
                        "unit": plan.root_unit.name,
                        "measure": code,
                        "value": _amount(parent[code]),
                        "total": _amount(current[code]),
                    }
                    for code in stale
                ]
            }
        )


def save_allocation(
    actor: Any, plan: TargetPlan, allocation: Allocation | None = None
) -> Allocation:
    """Compute the allocation and store it as the plan's cells (draft plans only)."""
    _require(owns_plan(actor, plan), _("You may not change this plan."))
    _require_status(plan, EDITABLE, _("recomputed"))
    allocation = allocation or compute_allocation(plan)
    with transaction.atomic():
        _lock_in_status(plan, EDITABLE, _("recomputed"))
        _store_cells(plan, allocation)
        before = {"computed": plan.computed.isoformat() if plan.computed else None}
        plan.computed = timezone.now()
        plan.save(update_fields=["computed"])
        record_change(
            actor,
            Action.UPDATE,
            plan,
            before=before,
            after={
                "computed": plan.computed.isoformat(),
                "totals": {m: str(g.rows[0].year) for m, g in allocation.grids.items()},
                "cells": sum(len(g.rows) for g in allocation.grids.values()),
            },
            reason=gettext_noop("allocation recomputed"),
        )
    return allocation


def _store_cells(plan: TargetPlan, allocation: Allocation) -> None:
    year = str(plan.fiscal_year)
    TargetCell.objects.filter(plan=plan).delete()
    cells: list[TargetCell] = []
    for measure, grid in allocation.grids.items():
        for row in grid.rows:
            periods = [(year, row.stored_year, row.engine_year)]
            periods += zip(grid.months, row.months, row.engine_months, strict=False)
            cells.extend(
                TargetCell(
                    plan=plan,
                    measure=measure,
                    who=row.who,
                    kind=row.kind,
                    parent=row.parent,
                    period=period,
                    value=value,
                    engine_value=engine_value,
                )
                for period, value, engine_value in periods
            )
    TargetCell.objects.bulk_create(cells, batch_size=5000)


def edit_cell(
    actor: Any,
    plan: TargetPlan,
    *,
    measure: str,
    who: str,
    period: str,
    value: Any,
    locked: bool = False,
) -> TargetEdit | None:
    """Set one cell (a year or month target); an empty value removes the edit.
    ``locked``: the caller's transaction holds the plan's row already (:func:`apply_edits`)."""
    _require(can_edit_cell(actor, plan, who), _("You may not change this target."))
    _require_status(plan, EDITABLE, _("changed"))
    if not plan.plan_measures.filter(measure=measure).exists():
        raise ValidationError({"measure": [_("This plan has no such measure.")]})
    year = str(plan.fiscal_year)
    if period != year and period not in year_month_ids(plan.fiscal_year):
        raise ValidationError({"period": [_("Not a period of this plan.")]})
    known = Unit.objects.filter(code=who).exists() or Person.objects.filter(code=who).exists()
    if value not in (None, "") and not known:  # an edit of no one: every later allocation failed
        raise ValidationError({"who": [_("No unit or person has this id: %(who)s") % {"who": who}]})
    with transaction.atomic():
        if not locked:
            _lock_in_status(plan, EDITABLE, _("changed"))
        existing = TargetEdit.objects.filter(
            plan=plan, measure=measure, who=who, period=period
        ).first()
        before = snapshot(existing) if existing else None
        if value in (None, ""):
            if existing is not None:
                record_change(actor, Action.DELETE, existing, before=before)
                existing.delete()
            return None
        number = typed_number(value, "value")
        if number < 0:
            raise ValidationError({"value": [_("A target cannot be negative.")]})
        edit, _created = TargetEdit.objects.update_or_create(
            plan=plan,
            measure=measure,
            who=who,
            period=period,
            defaults={"value": number, "by": actor if getattr(actor, "pk", None) else None},
        )
        after = snapshot(edit, exclude=("at",))
        record_change(
            actor, Action.UPDATE if existing else Action.CREATE, edit, before=before, after=after
        )
    return edit


def apply_edits(
    actor: Any, plan: TargetPlan, changes: Iterable[tuple[str, str, str, Decimal]]
) -> int:
    """Several cell edits at once (the Excel re-import), all or nothing."""
    count = 0
    with transaction.atomic():
        _lock_in_status(plan, EDITABLE, _("changed"))  # once for all the cells
        for measure, who, period, value in changes:
            edit_cell(
                actor, plan, measure=measure, who=who, period=period, value=value, locked=True
            )
            count += 1
    return count


# Workflow ---------------------------------------------------------------------------------


def _transition(
    actor: Any, plan: TargetPlan, status: str, *, reason: str = "", **fields: Any
) -> TargetPlan:
    """Move ``plan`` on to ``status`` from the status it was checked in. Its row is
    locked and its status read again: of two people acting on the plan at once (two
    approvers, two planners publishing), the later is refused, never applied twice."""
    with transaction.atomic():
        current = _locked_status(plan)
        if current != plan.status:
            plan.status = current
            raise ValidationError(
                {
                    "status": [
                        _("This plan was changed meanwhile and is now “%(status)s”.")
                        % {"status": plan.get_status_display()}
                    ]
                }
            )
        before = {"status": plan.status}
        plan.status = status
        for key, value in fields.items():
            setattr(plan, key, value)
        plan.save()
        record_change(
            actor, Action.UPDATE, plan, before=before, after={"status": status}, reason=reason
        )
    return plan


def _locked_status(plan: TargetPlan) -> str:
    """The plan's status as stored, its row locked until the transaction ends."""
    found = TargetPlan.objects.select_for_update().filter(pk=plan.pk)
    return str(found.values_list("status", flat=True).get())


def submit_plan(actor: Any, plan: TargetPlan) -> TargetPlan:
    """Draft → submitted, with the allocation recomputed and stored. Refused while a
    unit's children add up to more than the over-assignment limit."""
    _require(owns_plan(actor, plan), _("You may not submit this plan."))
    _require_status(plan, (PlanStatus.DRAFT,), _("submitted"))
    _check_parent_totals(actor, plan)
    with transaction.atomic():
        # the grid is computed with the plan locked: an edit saved between computing it
        # and locking would be kept as an edit but missing from the grid submitted
        _lock_in_status(plan, (PlanStatus.DRAFT,), _("submitted"))
        allocation = compute_allocation(plan)
        _refuse_overassignment(plan, allocation)
        save_allocation(actor, plan, allocation)
        return _transition(actor, plan, PlanStatus.SUBMITTED)


def _refuse_overassignment(plan: TargetPlan, allocation: Allocation) -> None:
    """Refused while a unit's children add up to more than the over-assignment limit."""
    over = [
        o
        for grid in allocation.grids.values()
        for o in overassignment(grid, plan.max_overassign)
        if o.over_limit
    ]
    if over:
        raise ValidationError(
            {
                "__all__": [
                    _("%(unit)s: its parts add up to %(ratio)s× its target (limit %(limit)s×).")
                    % {"unit": o.name, "ratio": o.ratio, "limit": o.limit}
                    for o in over
                ]
            }
        )


def approve_plan(actor: Any, plan: TargetPlan) -> TargetPlan:
    _require(can_approve(actor), _("Only executives approve."))
    _require_status(plan, (PlanStatus.SUBMITTED,), _("approved"))
    with transaction.atomic():
        return _transition(actor, plan, PlanStatus.APPROVED)


def return_plan(actor: Any, plan: TargetPlan, reason: str) -> TargetPlan:
    """Submitted or approved → back to draft, with the reason."""
    _require(can_return(actor, plan), _("You may not return this plan."))
    _require_status(plan, (PlanStatus.SUBMITTED, PlanStatus.APPROVED), _("returned"))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the plan goes back.")]})
    with transaction.atomic():
        return _transition(actor, plan, PlanStatus.DRAFT, reason=reason)


def publish_plan(actor: Any, plan: TargetPlan) -> TargetPlan:
    """Approved → published: the targets are in force and everyone with one is notified.
    A new version replaces the previous one, which becomes superseded; only the people
    whose targets changed are notified then."""
    _require(owns_plan(actor, plan), _("You may not publish this plan."))
    _require_status(plan, (PlanStatus.APPROVED,), _("published"))
    _check_parent_totals(actor, plan)
    return _publish(actor, plan)


def _publish(actor: Any, plan: TargetPlan) -> TargetPlan:
    """:func:`publish_plan` once the actor may (an approved reallocation's approver too)."""
    _require_status(plan, (PlanStatus.APPROVED,), _("published"))
    measures = list(plan.plan_measures.values_list("measure", flat=True))
    clash = (
        TargetPlan.objects.filter(
            status__in=IN_FORCE,
            fiscal_year=plan.fiscal_year,
            root_unit=plan.root_unit,
            plan_measures__measure__in=measures,
        )
        .exclude(family=plan.family)
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "__all__": [
                    _("“%(plan)s” already sets these targets for %(unit)s in %(year)s: revise it.")
                    % {"plan": clash.name, "unit": plan.root_unit.name, "year": plan.fiscal_year}
                ]
            }
        )
    with transaction.atomic():
        previous = plan.supersedes
        if previous is not None and previous.status in IN_FORCE:
            _transition(actor, previous, PlanStatus.SUPERSEDED, reason=plan.reason)
        _transition(actor, plan, PlanStatus.PUBLISHED, published=timezone.now())
        changed = _changed_cells(previous, plan) if previous else set()
        affected = {who for kind, _m, who in changed if kind == Kind.PERSON}
        if previous is None:
            affected = _people_of(plan)
        people = Person.objects.filter(code__in=affected)
        key = Notification.Key.PUBLISHED if previous is None else Notification.Key.CHANGED
        params = {
            "year": plan.fiscal_year,
            "plan": plan.name,
            "version": plan.version,
            "reason": plan.reason,
        }
        Notification.objects.bulk_create(
            [Notification(person=person, plan=plan, key=key, params=params) for person in people],
            batch_size=2000,
        )
        announce(str(key), people, **params)  # email, webhooks, the bell (attain.notify)
        if previous is not None:
            _carry_over(actor, previous, plan, changed)
            settle_acknowledgement(plan, actor)
    return plan


def _people_of(plan: TargetPlan) -> set[str]:
    cells = TargetCell.objects.filter(plan=plan, kind=Kind.PERSON)
    return set(cells.values_list("who", flat=True).distinct())


def _changed_cells(old: TargetPlan, new: TargetPlan) -> set[tuple[str, str, str]]:
    """(kind, measure, who) of every unit or person any of whose cells in a measure
    differs between two versions: a value, a period, or the team row it is under (someone
    who moved has a row under each team), or a cell only one version has."""

    def cells(plan: TargetPlan) -> Counter[tuple[Any, ...]]:
        return Counter(
            TargetCell.objects.filter(plan=plan).values_list(
                "kind", "measure", "who", "parent", "period", "value"
            )
        )

    before, after = cells(old), cells(new)
    return {key[:3] for key in (before - after) + (after - before)}


def _carry_over(
    actor: Any, old: TargetPlan, new: TargetPlan, changed: set[tuple[str, str, str]]
) -> None:
    """Keep, in a newly published version, what its revision did not touch: the
    acknowledgement of each person none of whose cells changed (their comment and the
    date they acknowledged), and each commitment for a unit or person whose cells in that
    measure did not change. Audited as carried over (the original date in ``after``)."""
    changed_people = {who for kind, _m, who in changed if kind == Kind.PERSON}
    in_new = set(
        TargetCell.objects.filter(plan=new, kind=Kind.PERSON).values_list("who", flat=True)
    )
    kept = [
        ack
        for ack in Acknowledgement.objects.filter(plan=old).select_related("person")
        if ack.person.code in in_new and ack.person.code not in changed_people
    ]
    reason = _("Carried over from version %(version)s: the targets are unchanged.") % {
        "version": old.version
    }
    batch = f"carry-over:{new.pk}"
    Acknowledgement.objects.bulk_create(
        [Acknowledgement(plan=new, person=a.person, comment=a.comment) for a in kept],
        batch_size=2000,
    )
    carried = Acknowledgement.objects.filter(plan=new)
    carried.update(  # auto_now_add dated them today: the original date stays
        at=Subquery(
            Acknowledgement.objects.filter(plan=old, person=OuterRef("person")).values("at")[:1]
        )
    )
    record_bulk(
        actor,
        Action.CREATE,
        Acknowledgement,
        ((a.pk, None, snapshot(a)) for a in carried),
        reason=reason,
        batch=batch,
        describe=lambda _pk, _before, after: f"{after['person']} acknowledged {new.pk}",
    )
    changed_pairs = {(measure, who) for _k, measure, who in changed}
    existing = set(Commitment.objects.filter(plan=new).values_list("measure", "who"))
    commitments = [
        Commitment(
            plan=new, measure=c.measure, who=c.who, value=c.value, comment=c.comment, by=c.by
        )
        for c in Commitment.objects.filter(plan=old)
        if (c.measure, c.who) not in changed_pairs | existing
    ]
    Commitment.objects.bulk_create(commitments, batch_size=2000)
    record_bulk(
        actor,
        Action.CREATE,
        Commitment,
        (
            (c.pk, None, snapshot(c, exclude=("at",)))
            for c in Commitment.objects.filter(plan=new, pk__in=[c.pk for c in commitments])
        ),
        reason=reason,
        batch=batch,
        describe=lambda _pk, _before, after: (
            f"{after['who']} · {after['measure']} · {after['value']}"  # as Commitment names itself
        ),
    )


def acknowledge_target(
    actor: Any, plan: TargetPlan, comment: str = "", *, person: Person | None = None
) -> Acknowledgement:
    """A person accepts their targets in a published plan, optionally with a comment.
    When everyone with a target has, the plan is acknowledged. Only the system itself
    (``actor`` None: the demo loader) acknowledges on behalf of a ``person``."""
    me = person if actor is None else person_of(actor)
    _require(me is not None, _("Only people with targets acknowledge them."))
    assert me is not None
    _require_status(plan, (PlanStatus.PUBLISHED, PlanStatus.ACKNOWLEDGED), _("acknowledged"))
    if not TargetCell.objects.filter(plan=plan, who=me.code, kind=Kind.PERSON).exists():
        raise ValidationError({"__all__": [_("You have no target in this plan.")]})
    with transaction.atomic():
        ack, created = Acknowledgement.objects.get_or_create(
            plan=plan, person=me, defaults={"comment": comment}
        )
        if not created:
            raise ValidationError({"__all__": [_("You have already acknowledged these targets.")]})
        record_change(actor, Action.CREATE, ack, after=snapshot(ack))
        settle_acknowledgement(plan, actor)
    return ack


def settle_acknowledgement(plan: TargetPlan, actor: Any = None) -> bool:
    """A published plan becomes acknowledged once everyone with a target who still
    works here has acknowledged: after the last of them does, or (``actor`` None, the
    daily reminders) after the last one still waiting has left. True when it did."""
    with transaction.atomic():
        plan.status = _locked_status(plan)  # the last two acknowledging at once
        if plan.status != PlanStatus.PUBLISHED:
            return False
        return _settle(plan, actor)


def _settle(plan: TargetPlan, actor: Any) -> bool:
    # someone who left cannot acknowledge: the plan waits only for those still here
    waiting = (
        TargetCell.objects.filter(plan=plan, kind=Kind.PERSON)
        .exclude(who__in=Acknowledgement.objects.filter(plan=plan).values("person__code"))
        .exclude(who__in=Person.objects.filter(end__lt=timezone.localdate()).values("code"))
    )
    if waiting.exists():  # one query, however many people have targets
        return False
    reason = "" if actor is not None else _("Everyone still employed has acknowledged")
    _transition(actor, plan, PlanStatus.ACKNOWLEDGED, reason=reason)
    return True


def lock_plan(actor: Any, plan: TargetPlan) -> TargetPlan:
    _require(is_planner(actor), _("Only planners lock a plan."))
    _require_status(plan, (PlanStatus.PUBLISHED, PlanStatus.ACKNOWLEDGED), _("locked"))
    with transaction.atomic():
        return _transition(actor, plan, PlanStatus.LOCKED)


def revise_plan(actor: Any, plan: TargetPlan, reason: str) -> TargetPlan:
    """A new draft version of a plan in force (settings, totals and edits copied). It
    replaces the current version when it is published."""
    _require(owns_plan(actor, plan), _("You may not revise this plan."))
    return _new_version(actor, plan, reason)


def _new_version(actor: Any, plan: TargetPlan, reason: str) -> TargetPlan:
    """:func:`revise_plan` once the actor may (an approved reallocation's approver too)."""
    _require_status(plan, IN_FORCE, _("revised"))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the change.")]})
    with transaction.atomic():
        # the plan's row locked first: of two people revising it at once, the later
        # finds the other's new version here (it failed on the version's number before)
        _locked_status(plan)
        if (
            TargetPlan.objects.filter(family=plan.family, version__gt=plan.version)
            .exclude(status=PlanStatus.SUPERSEDED)
            .exists()
        ):
            raise ValidationError({"__all__": [_("A newer version of this plan is already open.")]})
        new = TargetPlan.objects.get(pk=plan.pk)
        new.pk = None
        new.version = plan.version + 1
        new.status = PlanStatus.DRAFT
        new.reason = reason
        new.supersedes = plan
        new.created_by = actor if getattr(actor, "is_authenticated", False) else None
        new.computed = None
        new.published = None
        new.save()
        PlanMeasure.objects.bulk_create(
            [
                PlanMeasure(plan=new, measure=pm.measure, total=pm.total)
                for pm in plan.plan_measures.all()
            ]
        )
        TargetEdit.objects.bulk_create(
            [
                TargetEdit(
                    plan=new, measure=e.measure, who=e.who, period=e.period, value=e.value, by=e.by
                )
                for e in plan.edits.all()
            ]
        )
        record_change(actor, Action.CREATE, new, after=_plan_snapshot(new), reason=reason)
    return new


# Bottom-up ------------------------------------------------------------------------------


def submit_commitment(
    actor: Any, plan: TargetPlan, *, measure: str, who: str, value: Any, comment: str = ""
) -> Commitment:
    """A rep's (for themself) or a manager's (for themself or a unit they lead) own
    number for the year, set against the top-down allocation."""
    _require(
        can_commit_for(actor, who), _("You may commit only for yourself or the units you lead.")
    )
    if not plan.plan_measures.filter(measure=measure).exists():
        raise ValidationError({"measure": [_("This plan has no such measure.")]})
    number = typed_number(value, "value")
    with transaction.atomic():
        existing = Commitment.objects.filter(plan=plan, measure=measure, who=who).first()
        before = snapshot(existing, exclude=("at",)) if existing else None
        commitment, _c = Commitment.objects.update_or_create(
            plan=plan,
            measure=measure,
            who=who,
            defaults={
                "value": number,
                "comment": comment,
                "by": actor if getattr(actor, "pk", None) else None,
            },
        )
        record_change(
            actor,
            Action.UPDATE if existing else Action.CREATE,
            commitment,
            before=before,
            after=snapshot(commitment, exclude=("at",)),
        )
    return commitment


# Mid-period changes -----------------------------------------------------------------------


def propose_reallocation(
    actor: Any, plan: TargetPlan, *, unit: str, from_month: str, reason: str
) -> Reallocation:
    """The engine's reallocation of a unit's remaining months after joins, leaves or
    transfers (same method), stored for approval."""
    from .reallocation import propose_changes

    _require(owns_plan(actor, plan), _("You may not change this plan."))
    _require_status(plan, IN_FORCE, _("reallocated"))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the change.")]})
    changes = propose_changes(plan, unit, from_month)
    with transaction.atomic():
        proposal = Reallocation.objects.create(
            plan=plan,
            unit=unit,
            from_month=from_month,
            reason=reason,
            changes=[change.as_dict() for change in changes],
        )
        record_change(actor, Action.CREATE, proposal, after=snapshot(proposal), reason=reason)
    return proposal


def approve_reallocation(actor: Any, proposal: Reallocation) -> TargetPlan:
    """Apply a proposal: a new published version of the plan, equal to the current one
    except the reallocated months; the people whose targets change are notified."""
    from .reallocation import apply_changes

    _require(can_approve(actor), _("Only executives approve."))
    if proposal.state != Reallocation.State.PROPOSED:
        raise ValidationError({"state": [_("This proposal was already decided.")]})
    plan = proposal.plan
    _require_status(plan, IN_FORCE, _("reallocated"))
    reason = _("Reallocation of %(unit)s from %(month)s: %(reason)s") % {
        "unit": proposal.unit,
        "month": proposal.from_month,
        "reason": proposal.reason,
    }
    with transaction.atomic():
        # the approver creates and publishes the new version (so the trail says who)
        new = _new_version(actor, plan, reason)
        TargetCell.objects.bulk_create(
            [
                TargetCell(
                    plan=new,
                    measure=c.measure,
                    who=c.who,
                    kind=c.kind,
                    parent=c.parent,
                    period=c.period,
                    value=c.value,
                    engine_value=c.engine_value,
                )
                for c in plan.cells.all().iterator(chunk_size=5000)
            ],
            batch_size=5000,
        )
        apply_changes(new, proposal.changes, proposal.unit)
        new.computed = timezone.now()
        new.save(update_fields=["computed"])
        _transition(actor, new, PlanStatus.APPROVED, reason=reason)
        _publish(actor, new)
        before = {"state": proposal.state}
        proposal.state = Reallocation.State.APPLIED
        proposal.save(update_fields=["state"])
        record_change(actor, Action.UPDATE, proposal, before=before, after={"state": "applied"})
    return new


def reject_reallocation(actor: Any, proposal: Reallocation, reason: str = "") -> Reallocation:
    _require(can_return(actor, proposal.plan), _("You may not decide this proposal."))
    if proposal.state != Reallocation.State.PROPOSED:
        raise ValidationError({"state": [_("This proposal was already decided.")]})
    with transaction.atomic():
        proposal.state = Reallocation.State.REJECTED
        proposal.save(update_fields=["state"])
        record_change(
            actor,
            Action.UPDATE,
            proposal,
            before={"state": "proposed"},
            after={"state": "rejected"},
            reason=reason,
        )
    return proposal


def mark_notifications_read(actor: Any) -> int:
    me = person_of(actor)
    if me is None:
        return 0
    return Notification.objects.filter(person=me, read__isnull=True).update(read=timezone.now())
