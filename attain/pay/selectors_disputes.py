"""Reads of disputes (docs/pay.md, "Disputes"): the list a login may see, one dispute
with its thread, and the counts and time to resolution per period."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from attain.accounts.models import Role
from attain.org.selectors import role_of, visible_people

from . import dispute_access as access
from .models import PayoutLine
from .models_disputes import (
    ACTIVE,
    Dispute,
    DisputeAttachment,
    DisputeMessage,
    DisputeStatus,
    DisputeSubject,
)


def disputes(
    user: Any,
    *,
    status: str | None = None,
    period: str | None = None,
    overdue: bool | None = None,
    mine: bool = False,
) -> QuerySet[Dispute]:
    """The disputes ``user`` may see, newest first: every one for sales operations,
    finance and administrators; a manager's team's and their own; a rep's own."""
    rows = Dispute.objects.all()
    if role_of(user) not in access.SEE_ALL:
        if not access.can_list_disputes(user):
            return rows.none()
        rows = rows.filter(person__in=visible_people(user))
    if status:
        rows = rows.filter(status=status)
    if period:
        rows = rows.filter(period=period)
    now = timezone.now()
    if overdue is True:
        rows = rows.filter(status__in=ACTIVE, due_at__lt=now)
    elif overdue is False:
        rows = rows.exclude(status__in=ACTIVE, due_at__lt=now)
    if mine:
        rows = rows.filter(assignee=user)
    return rows.select_related("person", "assignee").order_by("-opened_at", "-pk")


def dispute_for(user: Any, pk: int) -> Dispute:
    """One dispute with its thread, or 404 when it does not exist or is not visible."""
    found = (
        Dispute.objects.select_related("person", "assignee", "payout", "closed_by")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=DisputeMessage.objects.select_related("author").prefetch_related(
                    Prefetch("attachments", queryset=DisputeAttachment.objects.order_by("pk"))
                ),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if found is None or not access.may_see(user, found):
        raise Http404
    found.line_amount_now = line_amount_now(found)  # type: ignore[attr-defined]
    return found


def line_amount_now(dispute: Dispute) -> Decimal | None:
    """The disputed line's amount as it stands now (a calculation may have changed it
    since the dispute was opened, as a corrected record does); None for a record
    dispute, or a line no longer in the payout."""
    if dispute.subject != DisputeSubject.LINE or dispute.payout_id is None:
        return None
    amount: Decimal | None = (
        PayoutLine.objects.filter(
            payout_id=dispute.payout_id, plan=dispute.plan, component=dispute.component
        )
        .values_list("amount", flat=True)
        .first()
    )
    return amount


def attachment_for(user: Any, pk: int) -> DisputeAttachment:
    found = DisputeAttachment.objects.select_related("message__dispute").filter(pk=pk).first()
    if found is None or not access.may_see(user, found.message.dispute):
        raise Http404
    return found


def periods(user: Any) -> list[str]:
    return list(disputes(user).order_by("-period").values_list("period", flat=True).distinct())


def assignees(dispute: Any = None) -> list[Any]:
    """The logins a dispute may go to: handlers, not the person it is about."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True, role__in=[Role.SALES_OPS, Role.ADMIN])
    if dispute is not None:
        users = users.exclude(person__pk=dispute.person_id)
    return list(users.order_by("role", "username"))


@dataclass
class PeriodStats:
    period: str
    opened: int = 0
    active: int = 0
    overdue: int = 0
    resolved: int = 0
    rejected: int = 0
    withdrawn: int = 0
    adjusted: Decimal = Decimal("0.00")
    hours: Decimal | None = None  # average hours from opening to resolution or rejection
    _closed_hours: Decimal = Decimal(0)
    _closed: int = 0


def stats(limit: int = 8) -> list[PeriodStats]:
    """Per disputed period (the newest ``limit``): opened, still open, overdue,
    resolved, rejected and withdrawn; the adjustments; the average time from opening to
    the answer (resolved or rejected), in hours."""
    now = timezone.now()
    found: dict[str, PeriodStats] = {}
    rows = Dispute.objects.values_list(
        "period", "status", "due_at", "opened_at", "closed_at", "adjustment_amount"
    )
    for period, status, due_at, opened_at, closed_at, amount in rows:
        row = found.setdefault(period, PeriodStats(period))
        row.opened += 1
        if status in ACTIVE:
            row.active += 1
            if due_at < now:
                row.overdue += 1
        else:
            setattr(row, status, getattr(row, status) + 1)
        if status in (DisputeStatus.RESOLVED, DisputeStatus.REJECTED) and closed_at:
            row._closed += 1
            row._closed_hours += Decimal((closed_at - opened_at).total_seconds()) / 3600
        if status == DisputeStatus.RESOLVED and amount:
            row.adjusted += amount
    chosen = sorted(found.values(), key=lambda r: r.period, reverse=True)[:limit]
    for row in chosen:
        if row._closed:
            row.hours = (row._closed_hours / row._closed).quantize(Decimal("0.1"))
    return chosen


def open_counts(user: Any) -> dict[str, int]:
    """Open and overdue disputes the login may see (the list's header)."""
    rows = disputes(user).filter(status__in=ACTIVE)
    now = timezone.now()
    return {"active": rows.count(), "overdue": rows.filter(due_at__lt=now).count()}
