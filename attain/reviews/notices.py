"""The daily "a review is due" reminder, sent through :mod:`attain.notify` when
``attain notify remind`` runs (its ``reminders`` signal; notify never imports reviews).

Each manager with a team is told once per period: when the last month or quarter (the
cadence of their latest review; quarterly when they have none) has ended, they had a team
on its last day, and its review is not open yet."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from attain.calc.periods import period_bounds, periods_of_day
from attain.notify.models import Notification as Sent
from attain.notify.services import announce

from .models import Cadence, Review
from .selectors import managers_to_remind, team_of
from .services import DUE_AFTER_DAYS, due_on

log = logging.getLogger(__name__)


def last_period(cadence: str, today: datetime.date) -> str:
    """The month or quarter that ended last before ``today``."""
    _year, _half, quarter, month = periods_of_day(today)
    current = quarter if cadence == Cadence.QUARTER else month
    bounds = period_bounds(current)
    assert bounds is not None
    before = periods_of_day(bounds[0] - datetime.timedelta(days=1))
    return before[2] if cadence == Cadence.QUARTER else before[3]


def reviews_due(today: datetime.date) -> int:
    told = 0
    for manager in managers_to_remind(today):
        latest = Review.objects.filter(manager=manager).order_by("-period_end").first()
        cadence = latest.cadence if latest else Cadence.QUARTER
        period = last_period(cadence, today)
        if Review.objects.filter(manager=manager, period=period).exists():
            continue
        if Sent.objects.filter(
            kind="team_review_due", params__manager=manager.code, params__period=period
        ).exists():
            continue
        bounds = period_bounds(period)
        assert bounds is not None
        if not team_of(manager, bounds[1]):  # nobody to review: their team came later
            continue
        announce(
            "team_review_due",
            [manager],
            manager=manager.code,
            period=period,
            due=due_on(bounds[1]).isoformat(),
            days=DUE_AFTER_DAYS,
        )
        told += 1
    return told


def on_reminders(sender: Any, today: datetime.date, **_: Any) -> None:
    try:
        reviews_due(today)
    except Exception:  # a failing check must not stop the other apps' reminders
        log.exception("reviews reminder failed")


def connect() -> None:
    from attain.notify.signals import reminders

    reminders.connect(on_reminders, dispatch_uid="attain.reviews.notices")
