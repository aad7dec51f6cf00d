"""Reads of pay periods and their closes (docs/pay.md, "Period close"): the periods
with payouts and their state, a closed period's snapshot, and adjustments. Periods are
company-wide: only the organisation-wide roles read them (close_access); adjustments
follow the one visibility rule."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, QuerySet

from attain.org.selectors import visible_people
from attain.web.aggregates import ExactSum

from .models import ZERO, Payout
from .models_close import Adjustment, ClosedResult, PayPeriod, PeriodState


@dataclass
class PeriodRow:
    period: str
    end: datetime.date
    payouts: int
    total: Decimal
    close: PayPeriod | None
    adjustments: int = 0
    adjusted: Decimal = ZERO

    @property
    def state(self) -> str:
        return self.close.state if self.close is not None else PeriodState.OPEN

    @property
    def ended(self) -> bool:
        from django.utils import timezone

        return self.end < timezone.localdate()


def periods() -> list[PeriodRow]:
    """Every pay period with payouts, the newest first, with its close state and the
    adjustments made for it after it was frozen."""
    closes = {row.period: row for row in PayPeriod.objects.select_related("requested_by")}
    adjusted = {
        r["source_period"]: (r["n"], r["total"] or ZERO)
        for r in Adjustment.objects.values("source_period").annotate(
            n=Count("pk"), total=ExactSum("amount")
        )
    }
    rows = [
        PeriodRow(
            period=r["period"],
            end=r["end"],
            payouts=r["n"],
            total=r["total"] or ZERO,
            close=closes.get(r["period"]),
        )
        for r in Payout.objects.values("period")
        .annotate(end=Max("period_end"), n=Count("pk"), total=ExactSum("amount"))
        .order_by()
    ]
    for row in rows:
        row.adjustments, row.adjusted = adjusted.get(row.period, (0, ZERO))
    return sorted(rows, key=lambda r: (r.end, r.period), reverse=True)


def below_zero(user: Any) -> list[tuple[str, list[Payout]]]:
    """The payouts below zero of the people ``user`` may see in periods not closed (nor
    closing), by period, the newest first: each stops its period's close until its
    deficit is carried forward (docs/pay.md, "Negative payouts")."""
    shut = PayPeriod.objects.exclude(state=PeriodState.OPEN).values("period")
    rows = (
        Payout.objects.filter(person__in=visible_people(user), amount__lt=ZERO)
        .exclude(period__in=shut)
        .select_related("person")
        .order_by("-period_end", "period", "person__code")
    )
    found: dict[str, list[Payout]] = {}
    for payout in rows:
        found.setdefault(payout.period, []).append(payout)
    return list(found.items())


def pay_period(period: str) -> PayPeriod | None:
    return (
        PayPeriod.objects.select_related("requested_by", "reopened_by")
        .filter(period=period)
        .first()
    )


def snapshot(row: PayPeriod) -> QuerySet[ClosedResult]:
    return (
        ClosedResult.objects.filter(pay_period=row)
        .select_related("person", "unit")
        .prefetch_related("lines")
        .order_by("person__code")
    )


def adjustments(
    user: Any, *, source_period: str | None = None, period: str | None = None
) -> QuerySet[Adjustment]:
    """The adjustments of the people ``user`` may see: made for ``source_period``, or
    paid in ``period``."""
    rows = Adjustment.objects.filter(person__in=visible_people(user))
    if source_period:
        rows = rows.filter(source_period=source_period)
    if period:
        rows = rows.filter(payout__period=period)
    return rows.select_related("person", "payout").order_by("source_period", "person__code")
