"""Reads of integrity alerts, always through the visibility rule."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from attain.org.models import Assignment, Person, Unit
from attain.org.selectors import person_of, visible_people

from . import access
from .models import Alert, Status


def alerts(user: Any) -> QuerySet[Alert]:
    """The review queue: every alert about people the reviewer may see; nothing for
    anyone else (a rep never sees alerts, only their own hold notice)."""
    if not access.can_review(user):
        return Alert.objects.none()
    people = visible_people(user)
    rows = Alert.objects.filter(people__in=people)
    me = person_of(user)
    if me is not None:  # nobody reviews their own case
        rows = rows.exclude(people=me)
    return rows.distinct().select_related("assignee")


def alert(user: Any, pk: int) -> Alert | None:
    return alerts(user).filter(pk=pk).first()


def holds_for(user: Any, person: Person) -> list[Alert]:
    """Confirmed alerts holding ``person``'s payout: shown to the person themself and to
    reviewers, never to colleagues or managers."""
    me = person_of(user)
    if me != person and not access.can_review(user):
        return []
    if not visible_people(user).filter(pk=person.pk).exists():
        return []
    return list(
        Alert.objects.filter(people=person, status=Status.CONFIRMED, hold=True).order_by("-period")
    )


def over_time(user: Any, unit: Unit | None) -> tuple[list[str], list[dict[str, Any]]]:
    """Alerts per detector and period (for a unit's current members, or everyone)."""
    queue = alerts(user).exclude(status__in=(Status.DISMISSED, Status.WITHDRAWN))
    if unit is not None:
        members = Assignment.objects.filter(unit=unit).values("person")
        queue = queue.filter(people__in=members).distinct()
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for detector, period in queue.values_list("detector", "period"):
        counts[(detector, period)] += 1
    periods = sorted({p for _d, p in counts})
    from .models import Detector

    rows = [
        {
            "detector": label,
            "code": code,
            "counts": [counts.get((code, p), 0) for p in periods],
        }
        for code, label in Detector.choices
    ]
    return periods, rows
