"""Plan approval (docs/incentives.md, "Plan approval"; issue 13, plan governance).

A plan version goes draft → submitted → approved → active, as target plans are
approved: the plan editors (sales operations, administrators) submit a version and,
once approved, activate it (:func:`attain.incentives.services.activate_plan`); an
approver (executives, administrators) approves it. Four eyes: whoever submitted a version
does not approve it (another login with the right does), unless the company turned the
rule off (``CompanySettings.plan_four_eyes``); the refusal is audited. A submitted or
approved version goes back to draft with a reason. Every step is checked against the role
(:mod:`.access`), refused with a clear error when the version is not in the state the
step starts from (nothing changes then), and audited.

:func:`overlap_warnings` says plainly when two plans that are active or on their way
(submitted, approved) would pay the same person for the same measure over the same
days: the engine pays both, which is rarely what a company means.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from attain.audit.models import Action
from attain.audit.services import record_event, save_values
from attain.measures.services import measure_names
from attain.org.company import company
from attain.org.models import Assignment, Unit
from attain.org.selectors import unit_descendant_ids

from .access import can_approve_plans, can_edit_plans, can_return_plans
from .models import Plan, PlanVersion, VersionStatus

# The states of versions that pay, or are on their way to paying.
IN_PLAY = (VersionStatus.SUBMITTED, VersionStatus.APPROVED, VersionStatus.ACTIVE)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


class OwnSubmission(PermissionDenied):
    """Four eyes: the login approving a plan version is the one who wrote or submitted it."""


def own_submission_refusal(version: PlanVersion, user: Any = None) -> str:
    """The message refusing to approve a version the login submitted (or, ``user`` its
    author and not its submitter, wrote)."""
    values = {"number": version.number, "plan": version.plan.code}
    pk = getattr(user, "pk", None)
    if pk is not None and version.created_by_id == pk and version.submitted_by_id != pk:
        return (
            _(
                "You wrote version %(number)s of %(plan)s: another login with the right approves "
                "it (four eyes)."
            )
            % values
        )
    return (
        _(
            "You submitted version %(number)s of %(plan)s for approval: another login with "
            "the right approves it (four eyes)."
        )
        % values
    )


def submitted_it(user: Any, version: PlanVersion) -> bool:
    """Whether the four-eyes rule keeps ``user`` from approving ``version``: the rule is
    on and ``user`` wrote the version or submitted it, maker not checker (the system
    itself, ``user`` None, is never held)."""
    pk = getattr(user, "pk", None)
    return (
        pk is not None
        and pk in (version.submitted_by_id, version.created_by_id)
        and company().plan_four_eyes
    )


def _step(
    actor: Any,
    version: PlanVersion,
    to: str,
    allowed: Iterable[str],
    action: str,
    reason: str = "",
) -> PlanVersion:
    """Move ``version`` to ``to`` when its status is one of ``allowed`` (audited)."""
    with transaction.atomic():
        locked = PlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)
        if locked.status not in allowed:
            raise ValidationError(
                {
                    "status": [
                        _("Version %(number)s of %(plan)s is %(status)s: it cannot be %(action)s.")
                        % {
                            "number": locked.number,
                            "plan": locked.plan.code,
                            "status": locked.get_status_display().lower(),
                            "action": action,
                        }
                    ]
                }
            )
        if to == VersionStatus.APPROVED and submitted_it(actor, locked):
            raise OwnSubmission(own_submission_refusal(locked, actor))
        # who submitted it, for the four eyes of its approval (none again once in draft)
        submitted_by = locked.submitted_by
        if to == VersionStatus.SUBMITTED:
            submitted_by = actor if getattr(actor, "is_authenticated", False) else None
        elif to == VersionStatus.DRAFT:
            submitted_by = None
        save_values(actor, locked, {"status": to, "submitted_by": submitted_by}, reason=reason)
    version.refresh_from_db()
    return version


def submit_plan_version(actor: Any, version: PlanVersion, *, reason: str = "") -> PlanVersion:
    """Draft (or retired) → submitted: sales operations propose the version."""
    _require(can_edit_plans(actor), _("Only administrators and sales operations propose plans."))
    return _step(
        actor,
        version,
        VersionStatus.SUBMITTED,
        (VersionStatus.DRAFT, VersionStatus.RETIRED),
        _("submitted"),
        reason,
    )


def approve_plan_version(actor: Any, version: PlanVersion, *, reason: str = "") -> PlanVersion:
    """Submitted → approved: an executive or an administrator."""
    _require(can_approve_plans(actor), _("Only executives and administrators approve plans."))
    try:
        return _step(
            actor,
            version,
            VersionStatus.APPROVED,
            (VersionStatus.SUBMITTED,),
            _("approved"),
            reason,
        )
    except OwnSubmission as refusal:
        # audited, and kept: the refusal is written after the step's transaction ended
        record_event(
            actor,
            Action.REFUSED,
            PlanVersion,
            version.pk,
            str(version),
            after={"step": "approve", "status": version.status, "rule": "four eyes"},
            reason=str(refusal),
        )
        raise


def return_plan_version(actor: Any, version: PlanVersion, *, reason: str) -> PlanVersion:
    """Submitted or approved → draft, with the reason."""
    _require(can_return_plans(actor), _("You may not return this plan."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the plan goes back.")]})
    return _step(
        actor,
        version,
        VersionStatus.DRAFT,
        (VersionStatus.SUBMITTED, VersionStatus.APPROVED),
        _("returned"),
        reason,
    )


def require_approved(actor: Any, version: PlanVersion) -> None:
    """Before activation: the version must be approved. The system itself (``actor``
    None: the demo, the command line) records the submit and approve steps on the way."""
    if version.status == VersionStatus.APPROVED:
        return
    if actor is None and version.status in (
        VersionStatus.DRAFT,
        VersionStatus.RETIRED,
        VersionStatus.SUBMITTED,
    ):
        if version.status != VersionStatus.SUBMITTED:
            submit_plan_version(None, version)
        approve_plan_version(None, version)
        return
    raise ValidationError(
        {
            "status": [
                _("Version %(number)s of %(plan)s is %(status)s: it cannot be %(action)s.")
                % {
                    "number": version.number,
                    "plan": version.plan.code,
                    "status": version.get_status_display().lower(),
                    "action": _("activated"),
                }
            ]
        }
    )


# Overlapping plans -------------------------------------------------------------------

_FAR_PAST = datetime.date.min
_FAR_FUTURE = datetime.date.max
_DAY = datetime.timedelta(days=1)


def _set(value: Any) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str | int):
        return frozenset({str(value)})
    return frozenset(str(v) for v in value)


def plan_measures(document: dict[str, Any]) -> set[tuple[str, str]]:
    """What a plan's components pay on: (measure, scope) of a component's own measure
    and a scorecard's metrics (scope ``self`` unless the component says ``team`` or
    ``team_and_self``)."""
    found: set[tuple[str, str]] = set()
    for component in document.get("components") or []:
        if not isinstance(component, dict):
            continue
        scope = str(component.get("scope") or "self")
        if component.get("measure"):
            found.add((str(component["measure"]), scope))
        for metric in component.get("metrics") or []:
            if isinstance(metric, dict) and metric.get("measure"):
                found.add((str(metric["measure"]), scope))
    return found


def _shared_measures(
    first: frozenset[tuple[str, str]], second: frozenset[tuple[str, str]]
) -> set[str]:
    """The measures both pay on for the same records: the same scope, or one of them
    ``team_and_self`` (a plan on a person's own revenue and one on their team's do not
    pay the same money)."""
    return {
        measure
        for measure, scope in first
        for other_measure, other_scope in second
        if measure == other_measure
        and (scope == other_scope or "team_and_self" in (scope, other_scope))
    }


@dataclass(frozen=True)
class _Candidate:
    version: PlanVersion
    start: datetime.date
    end: datetime.date
    measures: frozenset[tuple[str, str]]
    rule: dict[str, frozenset[str] | None]


def _candidate(version: PlanVersion) -> _Candidate:
    document = version.document()
    applies = document.get("applies_to") or {}
    roles = _set(applies.get("role"))
    if applies.get("roles") is not None:
        roles = (roles or frozenset()) | (_set(applies.get("roles")) or frozenset())
    # the engine reads both keys; the designer writes ``manager``
    managers = _set(applies.get("manager"))
    if applies.get("managers") is not None:
        managers = (managers or frozenset()) | (_set(applies.get("managers")) or frozenset())
    return _Candidate(
        version=version,
        start=version.effective_from or _FAR_PAST,
        end=version.effective_to or _FAR_FUTURE,
        measures=frozenset(plan_measures(document)),
        rule={
            "roles": roles,
            "people": _set(applies.get("people")),
            "units": _set(applies.get("units")),
            "managers": managers,
        },
    )


def _covered(
    candidate: _Candidate, start: datetime.date, end: datetime.date, units: dict[str, set[int]]
) -> dict[str, list[tuple[datetime.date, datetime.date]]]:
    """The days of [start, end] on which ``candidate``'s plan covers each person (code →
    inclusive day ranges): their assignments on those days, matched as the engine
    matches ``applies_to``."""
    rule = candidate.rule
    rows = Assignment.objects.filter(valid_from__lte=end).exclude(valid_to__lte=start)
    if rule["people"] is not None:
        rows = rows.filter(person__code__in=rule["people"])
    if rule["roles"] is not None:
        rows = rows.filter(title__in=rule["roles"])
    if rule["managers"] is not None:
        rows = rows.filter(manager__code__in=rule["managers"])
    if rule["units"] is not None:
        ids: set[int] = set()
        for code in rule["units"]:
            if code not in units:
                unit = Unit.objects.filter(code=code).first()
                units[code] = unit_descendant_ids(unit) if unit is not None else set()
            ids |= units[code]
        rows = rows.filter(unit_id__in=ids)
    found: dict[str, list[tuple[datetime.date, datetime.date]]] = {}
    for code, valid_from, valid_to in rows.values_list("person__code", "valid_from", "valid_to"):
        last = end if valid_to is None else min(end, valid_to - datetime.timedelta(days=1))
        found.setdefault(code, []).append((max(start, valid_from), last))
    return found


def _same_days(
    first: list[tuple[datetime.date, datetime.date]],
    second: list[tuple[datetime.date, datetime.date]],
) -> bool:
    return any(max(a, c) <= min(b, d) for a, b in first for c, d in second)


def _span(start: datetime.date, end: datetime.date) -> str:
    """Days in a sentence, written as the reader's language writes dates."""
    first = "…" if start == _FAR_PAST else date_format(start, "DATE_FORMAT")
    last = "…" if end == _FAR_FUTURE else date_format(end, "DATE_FORMAT")
    return f"{first} – {last}"


Days = tuple[datetime.date, datetime.date]  # first and last (open ends: far past, future)


def covered_days(plan: Plan) -> list[Days]:
    """The days some active version of ``plan`` is in effect, as separate runs of days."""
    spans = sorted(
        (v.effective_from or _FAR_PAST, v.effective_to or _FAR_FUTURE)
        for v in PlanVersion.objects.filter(plan=plan, status=VersionStatus.ACTIVE)
    )
    runs: list[Days] = []
    for start, end in spans:
        if runs and (runs[-1][1] == _FAR_FUTURE or start <= runs[-1][1] + _DAY):
            runs[-1] = (runs[-1][0], max(runs[-1][1], end))
        else:
            runs.append((start, end))
    return runs


def _lost(before: list[Days], after: list[Days]) -> list[Days]:
    """The days of ``before`` that ``after`` does not cover."""
    lost: list[Days] = []
    for start, end in before:
        for kept_start, kept_end in after:
            if kept_end < start or kept_start > end:
                continue
            if kept_start > start:
                lost.append((start, kept_start - _DAY))
            if kept_end >= end:
                break
            start = kept_end + _DAY
        else:
            lost.append((start, end))
    return lost


def activation_warnings(
    version: PlanVersion, covered_before: list[Days] | None = None
) -> list[str]:
    """What the one who activated ``version`` should know beyond the overlaps: the days
    its plan was in effect before (``covered_before``, :func:`covered_days`) that no
    version covers now (a version activated inside a longer one ends that one the day
    before it starts), and what the apps listening to
    :data:`attain.incentives.events.version_activated` answer (pay governance: the closed
    pay periods it takes effect in)."""
    from .events import version_activated

    found: list[str] = [
        _(
            "No version of “%(plan)s” is in effect over %(span)s any more: activating "
            "version %(n)s cut short the version that covered those days. Activate a "
            "version for them if the plan still pays then."
        )
        % {"plan": version.plan.code, "span": _span(start, end), "n": version.number}
        for start, end in _lost(covered_before or [], covered_days(version.plan))
    ]
    for _receiver, answer in version_activated.send(sender=PlanVersion, version=version):
        found.extend(str(warning) for warning in answer or [])
    return found


def overlap_warnings(focus: PlanVersion | None = None) -> list[str]:
    """A plain sentence for every two plans, each with a version active or on its way
    (submitted, approved), that would pay someone twice for one measure over the same
    days. With ``focus``: only the pairs that version is in (whatever its own state)."""
    versions = list(
        PlanVersion.objects.filter(status__in=IN_PLAY).select_related("plan").order_by("pk")
    )
    if focus is not None and all(v.pk != focus.pk for v in versions):
        versions.append(focus)
    candidates = [_candidate(v) for v in versions]
    names = measure_names()  # the measures as the pages name them, lists the reader's way
    separator = pgettext("list separator", ", ")
    units: dict[str, set[int]] = {}
    warnings: list[str] = []
    for index, first in enumerate(candidates):
        for second in candidates[index + 1 :]:
            if first.version.plan_id == second.version.plan_id:
                continue  # versions of one plan replace each other on activation
            if focus is not None and focus.pk not in (first.version.pk, second.version.pk):
                continue
            measures = _shared_measures(first.measures, second.measures)
            start, end = max(first.start, second.start), min(first.end, second.end)
            if not measures or start > end:
                continue
            one, other = _covered(first, start, end, units), _covered(second, start, end, units)
            people = sorted(
                code for code in one.keys() & other.keys() if _same_days(one[code], other[code])
            )
            if not people:
                continue
            shown = separator.join(people[:10]) + (" …" if len(people) > 10 else "")
            warnings.append(
                ngettext(
                    "“%(first)s” (v%(first_number)s, %(first_status)s) and “%(second)s” "
                    "(v%(second_number)s, %(second_status)s) would both pay %(count)s person "
                    "(%(people)s) on %(measures)s over %(span)s.",
                    "“%(first)s” (v%(first_number)s, %(first_status)s) and “%(second)s” "
                    "(v%(second_number)s, %(second_status)s) would both pay %(count)s people "
                    "(%(people)s) on %(measures)s over %(span)s.",
                    len(people),
                )
                % {
                    "first": first.version.plan.name,
                    "first_number": first.version.number,
                    "first_status": first.version.get_status_display().lower(),
                    "second": second.version.plan.name,
                    "second_number": second.version.number,
                    "second_status": second.version.get_status_display().lower(),
                    "count": len(people),
                    "people": shown,
                    "measures": separator.join(sorted(names.get(m, m) for m in measures)),
                    "span": _span(start, end),
                }
            )
    return warnings
