"""Period close (docs/pay.md, "Period close"): the only code that writes
:class:`~attain.pay.models_close.PayPeriod`, its snapshot and the prior-period
:class:`~attain.pay.models_close.Adjustment` rows. Every change is audited.

- :func:`close_period` (finance, sales operations) queues the close of a period that has
  ended; :func:`run_close` (the background task) brings its payouts up to date and
  freezes them: per person and component, with the explanation, the plan versions and
  two fingerprints. From then on nothing changes the period's payouts.
- :func:`reopen_period` (sales operations, administrators; with a reason) opens it again.
- :func:`refresh_adjustments` (called by :func:`attain.pay.services_payouts.sync_payouts`
  after every calculation): for every *frozen* payout (in a closed period, paid, or
  already adjusted by a settled adjustment) whose stored results now differ from what it
  froze, one open adjustment per person and period holds the difference per component
  and is paid as its own line on the person's first open payout after it. Editing again
  updates that same adjustment; once its payout is paid or closed it is settled, and a
  later change makes a new one for what is still missing.

Small functions for other code: :func:`is_closed`, :func:`closed_periods`,
:func:`adjustment_lines`, :func:`adjustments_of`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as noop
from django.utils.translation import ngettext, pgettext

from attain.audit.models import Action
from attain.audit.services import record_change, save_update, snapshot
from attain.calc.periods import period_bounds
from attain.incentives.models import ComponentResult, PeriodResult, PlanVersion, VersionStatus
from attain.incentives.services import explain_results
from attain.web import leases

from . import close_access as access
from .models import ZERO, Payout, PayoutLine, PayoutState
from .models_close import (
    ADJUSTMENT,
    Adjustment,
    ClosedLine,
    ClosedResult,
    PayPeriod,
    PeriodState,
)

log = logging.getLogger(__name__)

Key = tuple[int, str]  # (person pk, period id)
Component = tuple[str, str]  # (plan id, component id)

AUDITED = (
    "period",
    "state",
    "people",
    "total",
    "plan_versions",
    "data_fingerprint",
    "results_fingerprint",
    "close_reason",
    "reopen_reason",
)


def _state_of(row: PayPeriod) -> dict[str, Any]:
    values = snapshot(row)
    return {name: values[name] for name in AUDITED}


def _money(value: Any) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


# Reads other code may use ----------------------------------------------------------------


def closed_periods() -> set[str]:
    """The ids of the closed pay periods."""
    return set(PayPeriod.objects.filter(state=PeriodState.CLOSED).values_list("period", flat=True))


def closed_period_warnings(
    start: datetime.date | None, end: datetime.date | None, version: Any
) -> list[str]:
    """The warning for a plan ``version`` effective from ``start`` to ``end`` (None: no
    bound) when closed pay periods fall in those days: their payouts stay as frozen, and
    what the version changes there is paid as a prior-period adjustment."""
    periods = []
    for row in PayPeriod.objects.filter(state=PeriodState.CLOSED).order_by("period_end"):
        bounds = period_bounds(row.period)
        first, last = bounds if bounds is not None else (row.period_end, row.period_end)
        if (start is None or last >= start) and (end is None or first <= end):
            periods.append(row.period)
    if not periods:
        return []
    day = date_format(start, "DATE_FORMAT") if start is not None else "—"
    return [
        _(
            "Version %(number)s of %(plan)s takes effect on %(day)s, in the closed pay "
            "period(s) %(periods)s: their payouts will not change. What it changes there "
            "is paid as a prior-period adjustment in each person's first open payout."
        )
        % {
            "number": version.number,
            "plan": version.plan.name or version.plan.code,
            "day": day,
            "periods": pgettext("list separator", ", ").join(periods),
        }
    ]


def is_closed(period: str) -> bool:
    """Whether pay period ``period`` (e.g. "2026-Q3") is closed: its payouts are frozen."""
    return PayPeriod.objects.filter(period=period, state=PeriodState.CLOSED).exists()


def adjustment_lines(payout: Payout) -> list[PayoutLine]:
    """The payout's prior-period adjustment lines (kind "adjustment", plan "", component
    the adjusted period's id), in period order."""
    return [line for line in payout.lines.all() if line.kind == ADJUSTMENT and not line.plan]


def adjustments_of(payout: Payout) -> QuerySet[Adjustment]:
    """The adjustments paid on ``payout`` (their before and after per component)."""
    return Adjustment.objects.filter(payout=payout).order_by("source_period")


def adjustment_label(period: str) -> str:
    """The line's name in the reader's language: "Adjustment for 2026-Q3"."""
    return _("Adjustment for %(period)s") % {"period": period}


def lines_by_payout(payout_pks: Iterable[int]) -> dict[int, dict[Component, tuple[str, Decimal]]]:
    """The adjustment lines each payout should carry, as sync_payouts writes lines."""
    found: dict[int, dict[Component, tuple[str, Decimal]]] = defaultdict(dict)
    pks = list(payout_pks)
    for start in range(0, len(pks), 5000):
        for payout_id, period, amount in Adjustment.objects.filter(
            payout_id__in=pks[start : start + 5000]
        ).values_list("payout_id", "source_period", "amount"):
            found[payout_id][("", period)] = (ADJUSTMENT, amount)
    return found


def frozen_keys(people: Iterable[int] | None = None, closed: set[str] | None = None) -> set[Key]:
    """(person, period) of the payouts no calculation may change besides the paid ones:
    those of closed periods and those an adjustment already settled."""
    closed = closed_periods() if closed is None else closed
    payouts = Payout.objects.filter(period__in=closed)
    adjustments = Adjustment.objects.filter(payout__isnull=False).filter(
        Q(payout__state=PayoutState.PAID) | Q(payout__period__in=closed)
    )
    if people is not None:
        pks = list(people)
        payouts = payouts.filter(person_id__in=pks)
        adjustments = adjustments.filter(person_id__in=pks)
    keys = set(payouts.values_list("person_id", "period"))
    keys.update(adjustments.values_list("person_id", "source_period"))
    return keys


# Adjustments --------------------------------------------------------------------------


def _settled(adjustment: Adjustment, closed: set[str]) -> bool:
    payout = adjustment.payout
    return payout is not None and (payout.state == PayoutState.PAID or payout.period in closed)


def refresh_adjustments(actor: Any = None, *, people: Iterable[int] | None = None) -> set[Key]:
    """Bring the open adjustments of ``people`` (all when None) in line with the stored
    results. Returns the (person, period) of the payouts whose adjustment lines must
    change (sync_payouts brings them in line)."""
    closed = closed_periods()
    pks = None if people is None else list(people)
    payout_rows = Payout.objects.all()
    adjustments_qs = Adjustment.objects.select_related("payout", "person")
    if pks is not None:
        payout_rows = payout_rows.filter(person_id__in=pks)
        adjustments_qs = adjustments_qs.filter(person_id__in=pks)
    adjustments = list(adjustments_qs.order_by("pk"))
    if not closed and not adjustments and not payout_rows.filter(state=PayoutState.PAID).exists():
        return set()  # nothing frozen, nothing to adjust (without reading every payout)
    payouts = list(payout_rows.only("pk", "person_id", "period", "period_end", "state"))
    by_key = {(p.person_id, p.period): p for p in payouts}
    by_person: dict[int, list[Payout]] = defaultdict(list)
    for p in payouts:
        by_person[p.person_id].append(p)
    frozen: set[Key] = {
        key for key, p in by_key.items() if p.period in closed or p.state == PayoutState.PAID
    }
    settled_sums: dict[Key, dict[Component, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    open_adjustments: dict[Key, list[Adjustment]] = defaultdict(list)
    for adjustment in adjustments:
        key = (adjustment.person_id, adjustment.source_period)
        if _settled(adjustment, closed):
            frozen.add(key)
            for c in adjustment.components:
                settled_sums[key][(c["plan"], c["component"])] += Decimal(c["amount"])
        else:
            open_adjustments[key].append(adjustment)
    periods = {key[1] for key in frozen} | closed | {key[1] for key in open_adjustments}
    results: dict[Key, dict[Component, tuple[str, Decimal]]] = defaultdict(dict)
    components = ComponentResult.objects.filter(period__in=periods)
    ends = PeriodResult.objects.filter(period__in=periods)
    if pks is not None:
        components = components.filter(person_id__in=pks)
        ends = ends.filter(person_id__in=pks)
    for person_id, period, plan, component, kind, amount in components.values_list(
        "person_id", "period", "plan", "component", "kind", "amount"
    ):
        results[(person_id, period)][(plan, component)] = (kind, _money(amount))
    end_of: dict[Key, datetime.date] = {
        (r[0], r[1]): r[2] for r in ends.values_list("person_id", "period", "end")
    }
    for key in results:
        if key[1] in closed:
            frozen.add(key)  # results in a closed period where the person had no payout
    own: dict[int, dict[Component, tuple[str, Decimal]]] = defaultdict(dict)
    frozen_payouts = [by_key[k].pk for k in frozen if k in by_key]
    for start in range(0, len(frozen_payouts), 5000):
        for line in PayoutLine.objects.filter(
            payout_id__in=frozen_payouts[start : start + 5000]
        ).exclude(kind=ADJUSTMENT):  # neither prior-period nor dispute adjustments
            own[line.payout_id][(line.plan, line.component)] = (line.kind, line.amount)

    def is_target(payout: Payout, end: datetime.date) -> bool:
        return (
            payout.period not in closed
            and payout.state != PayoutState.PAID
            and payout.period_end > end
            and (payout.person_id, payout.period) not in frozen
        )

    changed: set[Key] = set()
    for key in sorted(frozen | set(open_adjustments)):
        person_id, period = key
        opens = open_adjustments.get(key, [])
        wanted: list[dict[str, str]] = []
        if key in frozen:
            payout = by_key.get(key)
            before_lines = own.get(payout.pk, {}) if payout is not None else {}
            after_lines = results.get(key, {})
            settled = settled_sums.get(key, {})
            for part in sorted(set(before_lines) | set(after_lines) | set(settled)):
                kind = (after_lines.get(part) or before_lines.get(part) or ("",))[0]
                before = before_lines.get(part, ("", ZERO))[1] + settled.get(part, ZERO)
                after = after_lines.get(part, ("", ZERO))[1]
                if after != before:
                    wanted.append(
                        {
                            "plan": part[0],
                            "component": part[1],
                            "kind": kind,
                            "before": str(_money(before)),
                            "after": str(after),
                            "amount": str(_money(after - before)),
                        }
                    )
        if not wanted:
            for adjustment in opens:
                _withdraw(actor, adjustment, changed)
            continue
        keep, extra = (opens[0], opens[1:]) if opens else (None, [])
        for adjustment in extra:
            _withdraw(actor, adjustment, changed)
        payout = by_key.get(key)
        end = end_of.get(key) or (payout.period_end if payout is not None else None)
        if end is None:
            continue
        target = keep.payout if keep is not None else None
        if target is None or not is_target(target, end):
            candidates = sorted(
                (p for p in by_person.get(person_id, []) if is_target(p, end)),
                key=lambda p: (p.period_end, _span(p.period), p.period),
            )
            target = candidates[0] if candidates else None
        amount = _money(sum((Decimal(c["amount"]) for c in wanted), ZERO))
        if keep is None:
            adjustment = Adjustment.objects.create(
                person_id=person_id,
                source_period=period,
                payout=target,
                amount=amount,
                components=wanted,
            )
            record_change(
                actor,
                Action.CREATE,
                adjustment,
                after=adjustment.as_data(),
                reason=adjustment_label(period),
            )
        elif (keep.amount, keep.components, keep.payout_id) != (
            amount,
            wanted,
            target.pk if target else None,
        ):
            previous = keep.as_data()
            if keep.payout is not None:
                changed.add((keep.payout.person_id, keep.payout.period))
            keep.amount, keep.components, keep.payout = amount, wanted, target
            keep.save()
            record_change(
                actor,
                Action.UPDATE,
                keep,
                before=previous,
                after=keep.as_data(),
                reason=adjustment_label(period),
            )
        else:
            continue
        if target is not None:
            changed.add((target.person_id, target.period))
    return changed


def _span(period: str) -> int:
    """Shorter periods first among those ending the same day: month, quarter, half, year
    (period ids as the calendar writes them: 2026-10, 2026-Q4, 2026-H2, 2026)."""
    if "-Q" in period:
        return 1
    if "-H" in period:
        return 2
    if "-" not in period:
        return 3
    return 0


def _withdraw(actor: Any, adjustment: Adjustment, changed: set[Key]) -> None:
    if adjustment.payout is not None:
        changed.add((adjustment.payout.person_id, adjustment.payout.period))
    before = adjustment.as_data()
    record_change(
        actor,
        Action.DELETE,
        adjustment,
        before=before,
        reason=noop("Adjustment withdrawn: nothing left to adjust"),
    )
    adjustment.delete()


# Close and reopen ---------------------------------------------------------------------


# A pay period's id: a year, half, quarter or month (2026, 2026-H1, 2026-Q3, 2026-03),
# matched with fullmatch (no newline). Anything else (2026-13, 2026Q1) names no period:
# refused, not read as a period without payouts.
PERIOD_RE = re.compile(r"^(?:19|[2-9][0-9])[0-9]{2}(?:-(?:H[12]|Q[1-4]|0[1-9]|1[0-2]))?$")


def _check_period(period: str) -> str:
    period = (period or "").strip()
    if not PERIOD_RE.fullmatch(period):
        raise ValidationError({"period": _("Give a period id such as 2026-Q3.")})
    return period


def period_end(period: str) -> datetime.date | None:
    """The last day of ``period`` as its payouts (or stored results) know it."""
    end = Payout.objects.filter(period=period).aggregate(m=Max("period_end"))["m"]
    if end is None:
        end = PeriodResult.objects.filter(period=period).aggregate(m=Max("end"))["m"]
    return end  # type: ignore[no-any-return]


class DeficitsLeft(ValidationError):
    """The close of ``period`` refused for its payouts below zero (``people``: their
    codes): the pages and the API add the way to carry them forward."""

    def __init__(self, message: Any, *, period: str, people: list[str]) -> None:
        super().__init__(message)
        self.period = period
        self.people = people


def below_zero(period: str) -> QuerySet[Payout]:
    """The payouts of ``period`` below zero, by person code: they stop its close."""
    return (
        Payout.objects.filter(period=period, amount__lt=ZERO)
        .select_related("person")
        .order_by("person__code")
    )


def _check_no_deficit(period: str) -> None:
    """A payout below zero left in a closing period would be frozen with its deficit, which
    no later payout would then recover: its deficit is carried forward first."""
    below = list(below_zero(period))
    if not below:
        return
    count = len(below)
    names = sorted(payout.person.name for payout in below)
    shown = pgettext("list separator", ", ").join(names[:5]) + ("…" if count > 5 else "")
    raise DeficitsLeft(
        {
            "period": ngettext(
                "%(period)s has %(count)s payout below zero (%(people)s): carry its deficit "
                "forward on the payout register first (“Carry the deficit forward”), or "
                "closing would freeze it and no later payout would recover it.",
                "%(period)s has %(count)s payouts below zero (%(people)s): carry their "
                "deficits forward on the payout register first (“Carry the deficit "
                "forward”), or closing would freeze them and no later payout would recover "
                "them.",
                count,
            )
            % {"period": period, "count": count, "people": shown}
        },
        period=period,
        people=[payout.person.code for payout in below],
    )


def close_period(
    actor: Any, period: str, *, reason: str = "", background: bool = True
) -> PayPeriod:
    """Queue the close of ``period`` (a background task freezes it, with progress;
    ``background=False``: the caller runs :func:`run_close` itself, as the command
    line does)."""
    access.check_close_periods(actor)
    period = _check_period(period)
    end = period_end(period)
    if end is None:
        raise ValidationError({"period": _("%(period)s has no payouts.") % {"period": period}})
    today = timezone.localdate()
    if end >= today:
        raise ValidationError(
            {
                "period": _("%(period)s ends on %(end)s: it can be closed only after it ends.")
                % {"period": period, "end": date_format(end, "DATE_FORMAT")}
            }
        )
    _check_no_deficit(period)
    reason = (reason or "").strip()[:500]
    with transaction.atomic():
        row, created = PayPeriod.objects.select_for_update().get_or_create(
            period=period, defaults={"period_end": end}
        )
        if row.state == PeriodState.CLOSED:
            raise ValidationError(
                {"period": _("%(period)s is already closed.") % {"period": period}}
            )
        if row.state == PeriodState.CLOSING:
            raise ValidationError(
                {"period": _("%(period)s is being closed already.") % {"period": period}}
            )
        before = None if created else _state_of(row)
        row.state, row.period_end = PeriodState.CLOSING, end
        row.progress, row.stage, row.problems = 0, noop("Queued"), []
        row.worker, row.heartbeat_at = "", None
        row.requested_by = actor if getattr(actor, "is_authenticated", False) else None
        row.close_reason = reason
        row.save()
        record_change(
            actor,
            Action.CREATE if created else Action.UPDATE,
            row,
            before=before,
            after=_state_of(row),
            reason=reason or noop("Close started"),
        )
        if background:
            from .tasks_close import close_task

            pk, language = row.pk, translation.get_language() or ""
            transaction.on_commit(lambda: close_task.enqueue(pk, language))
    return row


def _progress(row: PayPeriod, percent: int, stage: str, report: Any = None) -> None:
    """Progress, written outside the freezing transaction so the page sees it move; it is
    also the close's heartbeat (attain.web.leases)."""
    row.progress, row.stage, row.heartbeat_at = percent, stage, timezone.now()
    PayPeriod.objects.filter(pk=row.pk).update(
        progress=percent, stage=stage, worker=leases.holder(), heartbeat_at=row.heartbeat_at
    )
    if report is not None:
        report(percent, stage)


def _fingerprint(parts: Iterable[Any]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(json.dumps(part, default=str, ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _plan_versions(plans: set[str], end: datetime.date) -> dict[str, int]:
    """The version of each plan in force on the period's last day."""
    found: dict[str, int] = {}
    versions = (
        PlanVersion.objects.filter(
            plan__code__in=plans, status__in=[VersionStatus.ACTIVE, VersionStatus.RETIRED]
        )
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=end))
        .order_by("plan__code", "-number")
        .values_list("plan__code", "number", "effective_to")
    )
    for code, number, effective_to in versions:
        if code not in found and (effective_to is None or effective_to >= end):
            found[code] = number
    for code, number, _to in versions:
        found.setdefault(code, number)
    return found


def explain_payouts(period: str) -> int:
    """Compute the explanations a full run leaves out for the results behind the
    period's payouts (closing freezes them, statements print them)."""
    return explain_results(
        PeriodResult.objects.filter(
            period=period,
            explanation="",
            person_id__in=Payout.objects.filter(period=period).values("person_id"),
        ).select_related("person", "run")
    )


def run_close(pk: int, actor: Any = None, report: Any = None) -> PayPeriod:
    """The close itself (the background task): bring the period's payouts up to date,
    then freeze them in one transaction. ``report(percent, stage)`` hears the progress."""
    from attain.calc.cache import data_fingerprint

    from .services_payouts import sync_payouts

    row = PayPeriod.objects.get(pk=pk)
    if row.state != PeriodState.CLOSING:
        return row
    actor = actor or row.requested_by
    try:
        _progress(row, 5, noop("Bringing payouts up to date"), report)
        sync_payouts(actor, periods=[row.period])
        _progress(row, 30, noop("Explaining results"), report)
        explain_payouts(row.period)
        _progress(row, 40, noop("Freezing results"), report)
        with transaction.atomic():
            row = PayPeriod.objects.select_for_update().get(pk=pk)
            if row.state != PeriodState.CLOSING:
                return row
            # the period's payouts locked first, in the order a sync locks them: a
            # recalculation writing one now is waited for, so the check and the freeze
            # see it (and a sync after the freeze finds the period closed)
            locked = Payout.objects.select_for_update(of=("self",)).filter(period=row.period)
            list(locked.order_by("period", "person__code").values_list("pk", flat=True))
            # checked again: a recalculation since the close was asked for (a clawback)
            # may have brought a payout below zero, and freezing it would lose the deficit
            _check_no_deficit(row.period)
            before = _state_of(row)
            payouts = list(
                Payout.objects.filter(period=row.period)
                .select_related("person")
                .prefetch_related("lines")
                .order_by("person__code")
            )
            explanations = dict(
                PeriodResult.objects.filter(period=row.period).values_list(
                    "person_id", "explanation"
                )
            )
            ClosedResult.objects.filter(pay_period=row).delete()
            results = ClosedResult.objects.bulk_create(
                [
                    ClosedResult(
                        pay_period=row,
                        person_id=p.person_id,
                        unit_id=p.unit_id,
                        state=p.state,
                        amount=p.amount,
                        explanation=explanations.get(p.person_id, ""),
                    )
                    for p in payouts
                ],
                batch_size=500,
            )
            frozen_lines = []
            numbers: list[Any] = []
            plans: set[str] = set()
            for payout, result in zip(payouts, results, strict=True):
                numbers.append([payout.person.code, str(payout.amount)])
                for line in payout.lines.all():
                    frozen_lines.append(
                        ClosedLine(
                            result=result,
                            plan=line.plan,
                            component=line.component,
                            kind=line.kind,
                            amount=line.amount,
                        )
                    )
                    numbers.append(
                        [payout.person.code, line.plan, line.component, line.kind, str(line.amount)]
                    )
                    if line.plan:
                        plans.add(line.plan)
            ClosedLine.objects.bulk_create(frozen_lines, batch_size=1000)
            row.plan_versions = _plan_versions(plans, row.period_end)
            row.data_fingerprint = _fingerprint(
                data_fingerprint(ignore_audit_of=("pay", "incentives", "notify"))[2:]
            )
            row.results_fingerprint = _fingerprint(numbers)
            row.people = len(payouts)
            row.total = sum((p.amount for p in payouts), ZERO)
            row.state, row.progress, row.stage = PeriodState.CLOSED, 100, noop("Done")
            row.closed_at = timezone.now()
            save_update(
                actor,
                row,
                before=before,
                state=_state_of,
                reason=row.close_reason or noop("Period closed"),
            )
    except Exception as error:  # a failed close is shown, and the period stays open
        log.exception("closing %s failed", row.period)
        with transaction.atomic():
            row = PayPeriod.objects.select_for_update().get(pk=pk)
            before = _state_of(row)
            row.state, row.stage = PeriodState.OPEN, noop("Failed")
            row.problems = (
                error.messages  # a refusal, such as a payout below zero: its reason
                if isinstance(error, ValidationError)
                else [f"{type(error).__name__}: {error}"]
            )
            save_update(actor, row, before=before, state=_state_of, reason=noop("Failed"))
        raise
    return row


def fail_abandoned_closes() -> int:
    """Put back to open, with the reason, the closes whose worker died
    (:func:`attain.web.leases.abandoned`): the freezing is one transaction, so nothing
    was frozen and the period can be closed again. Called by the pages and the API that
    list periods. Returns how many were put back."""

    def mark(row: PayPeriod, reason: str) -> None:
        before = _state_of(row)
        row.state, row.stage, row.problems = PeriodState.OPEN, noop("Failed"), [reason]
        save_update(None, row, before=before, state=_state_of, reason=reason)

    return leases.fail_abandoned(
        PayPeriod.objects.filter(state=PeriodState.CLOSING).exclude(worker=""),
        _(
            "The worker closing this period (%(worker)s) stopped before it finished; "
            "nothing was frozen. Close it again."
        ),
        mark,
    )


def reopen_period(actor: Any, period: str, *, reason: str) -> PayPeriod:
    """Open a closed period again (rare; with a reason). Its payouts follow the stored
    results again (the recalculation rule), and the open adjustments that carried its
    changes are withdrawn; adjustments already paid stay, and the payouts they settled
    stay frozen."""
    access.check_reopen_periods(actor)
    period = _check_period(period)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for reopening the period.")})
    with transaction.atomic():
        row = PayPeriod.objects.select_for_update().filter(period=period).first()
        if row is None or row.state != PeriodState.CLOSED:
            raise ValidationError(
                {
                    "period": _("%(period)s is not closed: only a closed period can be reopened.")
                    % {"period": period}
                }
            )
        before = _state_of(row)
        row.state, row.progress, row.stage = PeriodState.OPEN, 0, ""
        row.reopened_by = actor if getattr(actor, "is_authenticated", False) else None
        row.reopened_at = timezone.now()
        row.reopen_reason = reason[:500]
        save_update(actor, row, before=before, state=_state_of, reason=reason)
        from .services_payouts import sync_payouts

        people = list(Payout.objects.filter(period=period).values_list("person_id", flat=True))
        people += list(
            Adjustment.objects.filter(source_period=period).values_list("person_id", flat=True)
        )
        if people:
            sync_payouts(actor, people=set(people))
    return row
