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
the payouts with a reason (:func:`attain.pay.services_disputes.settle_adjustment`).

A negative payout's carried deficit (:mod:`attain.pay.models_deficits`) is placed, kept
through recalculations, stranded and settled by the same rules; its payout keeps the
line that brought it back to zero."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from attain.audit.models import Action
from attain.audit.services import record_change, snapshot
from attain.incentives.models import ComponentResult, PeriodResult

from .models import Payout, PayoutState
from .models_deficits import CARRIED, FROM, CarriedDeficit
from .models_disputes import ADJUSTMENT_KIND, ADJUSTMENT_PLAN, DisputeAdjustment, PlacedAmount

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


PLACED = (DisputeAdjustment, CarriedDeficit)  # the amounts placed in a later payout
Placed = type[DisputeAdjustment] | type[CarriedDeficit]


def create(
    actor: Any, model: Placed, *, person: Any, after: datetime.date, reason: str, **fields: Any
) -> Any:
    """Write a dispute adjustment or carried deficit (``model``) for ``person``, placed
    at once in their first open payout on or after ``after`` when they have one;
    audited with ``reason``."""
    row = model.objects.create(
        person=person,
        after=after,
        reason=reason,
        period=first_open_period(person.pk, after),
        created_by=actor,
        **fields,
    )
    record_change(actor, Action.CREATE, row, after=snapshot(row), reason=reason)
    return row


def place_waiting(people: Iterable[int] | None = None) -> list[PlacedAmount]:
    """Give each waiting adjustment or carried deficit (of ``people``; all when None)
    its payout period when the person has an open one now. Returns those placed."""
    placed: list[PlacedAmount] = []
    for model in PLACED:
        placed += _place(model, people)
    return placed


def _place(model: Placed, people: Iterable[int] | None) -> list[PlacedAmount]:
    """:func:`place_waiting` for the rows of one ``model``."""
    waiting = model.objects.filter(period="", settled_at__isnull=True)
    if people is not None:
        waiting = waiting.filter(person_id__in=list(people))
    placed: list[PlacedAmount] = []
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


def stranded(model: Placed = DisputeAdjustment) -> QuerySet[Any]:
    """The adjustments (or, ``model`` :class:`CarriedDeficit`, the carried deficits)
    still waiting for a payout (none settled) of people whose employment has ended:
    unless a last calculation brings them a payout, nothing will pay them, so finance
    settles them (oldest first)."""
    today = timezone.localdate()
    related = ["person", "dispute" if model is DisputeAdjustment else "payout"]
    return (
        model.objects.filter(period="", settled_at__isnull=True)
        .filter(person__end__isnull=False, person__end__lte=today)
        .select_related(*related)
        .order_by("created_at", "pk")
    )


def lines(
    people: Iterable[int] | None = None, periods: Iterable[str] | None = None
) -> dict[tuple[int, str], Lines]:
    """The adjustment lines of each (person pk, period) payout: dispute adjustments and
    carried deficits where they are paid, and a carried deficit's line back to zero on
    the payout it was carried from (deficits carried from one period to one payout
    make one line)."""
    pks = None if people is None else list(people)
    ids = None if periods is None else list(periods)
    found: dict[tuple[int, str], Lines] = {}

    def add(person_id: int, period: str, component: str, amount: Decimal) -> None:
        lines = found.setdefault((person_id, period), {})
        before = lines.get((ADJUSTMENT_PLAN, component), (ADJUSTMENT_KIND, Decimal("0.00")))[1]
        lines[(ADJUSTMENT_PLAN, component)] = (ADJUSTMENT_KIND, before + amount)

    for model in PLACED:
        rows = model.objects.exclude(period="")
        if pks is not None:
            rows = rows.filter(person_id__in=pks)
        if ids is not None:
            rows = rows.filter(period__in=ids)
        for row in rows.order_by("pk"):
            add(row.person_id, row.period, row.component, row.amount)
    carried = CarriedDeficit.objects.all()
    if pks is not None:
        carried = carried.filter(person_id__in=pks)
    if ids is not None:
        carried = carried.filter(source_period__in=ids)
    for person_id, period, amount in carried.order_by("pk").values_list(
        "person_id", "source_period", "amount"
    ):
        add(person_id, period, CARRIED, -amount)
    return found


def line_label(component: str) -> str:
    """A carried deficit's line in the reader's language ("Deficit carried from
    2026-03", or on the payout it left "Deficit carried to a later payout"); "" for
    another line."""
    if component == CARRIED:
        return _("Deficit carried to a later payout")
    if component.startswith(FROM):
        return _("Deficit carried from %(period)s") % {"period": component.removeprefix(FROM)}
    return ""
