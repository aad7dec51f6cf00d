"""Dispute adjustments in the payouts (docs/pay.md, "Disputes"): where a resolved
dispute's amount is paid, and the payout lines it adds. :func:`sync_payouts
<attain.pay.services_payouts.sync_payouts>` asks :func:`place_waiting` and
:func:`lines` on every run, so an adjustment stays in its payout through every
recalculation, as a line of its own (plan ``adjustment``, component ``dispute-<n>``).

An adjustment is paid in the person's **first open payout**: the earliest payout (by
its last day; of those ending the same day, the shortest period) ending on or after the
disputed period that is not paid, not frozen by a settled prior-period adjustment and
whose period :func:`period_is_open`. Until the
person has one (the next period is not calculated yet) it waits, and the next
calculation places it. One waiting for someone who has left (:func:`stranded`: no later
payout may ever come) is shown to finance on the pay periods page, who settle it outside
the payouts with a reason (:func:`attain.pay.services_disputes.settle_adjustment`)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from attain.audit.models import Action
from attain.audit.services import record_change
from attain.incentives.models import ComponentResult, PeriodResult

from .models import Payout, PayoutState
from .models_disputes import ADJUSTMENT_KIND, ADJUSTMENT_PLAN, DisputeAdjustment

Lines = dict[tuple[str, str], tuple[str, Decimal]]


def period_is_open(period: str) -> bool:
    """Whether a pay period still takes changes: not closed (services_close)."""
    from .services_close import is_closed  # services_close builds on payouts, as this does

    return not is_closed(period)


def first_open_period(person_id: int, after: object) -> str:
    """The period of the person's first open payout ending on or after ``after`` (a
    date): an unpaid payout, or results not yet brought into a payout, that no close
    froze (its period closed, or a paid prior-period adjustment settled it: no
    calculation writes that payout again); "" when none."""
    from .services_close import frozen_keys

    frozen = {period for _person, period in frozen_keys([person_id])}
    paid = set(
        Payout.objects.filter(person_id=person_id, state=PayoutState.PAID).values_list(
            "period", flat=True
        )
    )
    has_lines = ComponentResult.objects.filter(
        person_id=OuterRef("person_id"), period=OuterRef("period")
    )
    candidates = (
        PeriodResult.objects.filter(person_id=person_id, end__gte=after)
        .filter(Exists(has_lines))
        .order_by("end", "-start", "period")  # ending first; of those, the shortest
        .values_list("period", flat=True)
    )
    for period in candidates:
        if period not in paid and period not in frozen and period_is_open(period):
            return str(period)
    return ""


def place_waiting(people: Iterable[int] | None = None) -> list[DisputeAdjustment]:
    """Give each waiting adjustment (of ``people``; all when None) its payout period
    when the person has an open one now. Returns the adjustments placed."""
    waiting = DisputeAdjustment.objects.filter(period="", settled_at__isnull=True)
    if people is not None:
        waiting = waiting.filter(person_id__in=list(people))
    placed = []
    for adjustment in waiting.select_for_update():
        period = first_open_period(adjustment.person_id, adjustment.after)
        if period:
            adjustment.period = period
            adjustment.save(update_fields=["period"])
            record_change(  # where the waiting amount is paid: audited as every change
                None,
                Action.UPDATE,
                adjustment,
                before={"period": ""},
                after={"period": period},
                reason=gettext_noop("Adjustment placed in the first open payout"),
            )
            placed.append(adjustment)
    return placed


def stranded() -> QuerySet[DisputeAdjustment]:
    """The adjustments still waiting for a payout (none settled) of people whose
    employment has ended: unless a last calculation brings them a payout, nothing will
    pay them, so finance settles them (oldest first)."""
    today = timezone.localdate()
    return (
        DisputeAdjustment.objects.filter(period="", settled_at__isnull=True)
        .filter(person__end__isnull=False, person__end__lte=today)
        .select_related("person", "dispute")
        .order_by("created_at", "pk")
    )


def lines(
    people: Iterable[int] | None = None, periods: Iterable[str] | None = None
) -> dict[tuple[int, str], Lines]:
    """The adjustment lines of each (person pk, period) payout."""
    rows = DisputeAdjustment.objects.exclude(period="")
    if people is not None:
        rows = rows.filter(person_id__in=list(people))
    if periods is not None:
        rows = rows.filter(period__in=list(periods))
    found: dict[tuple[int, str], Lines] = {}
    for adjustment in rows.order_by("pk"):
        key = (adjustment.person_id, adjustment.period)
        line = (ADJUSTMENT_PLAN, adjustment.component)
        found.setdefault(key, {})[line] = (ADJUSTMENT_KIND, adjustment.amount)
    return found
