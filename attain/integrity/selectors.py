"""Reads of integrity alerts, always through the visibility rule."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from attain.calc.periods import period_bounds
from attain.org.models import Assignment, Person, Unit
from attain.org.selectors import person_of, unit_descendant_ids, visible_people

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
    """Alerts per detector and period, for everyone or for ``unit``: the alerts of people
    who sat in it or in a unit below it during the alert's period (a region counts its
    teams; an alert stays with the team its person was in then, whoever moved since)."""
    queue = alerts(user).exclude(status__in=(Status.DISMISSED, Status.WITHDRAWN))
    found: dict[int, tuple[str, str, set[int]]] = {}
    for pk, detector, period, person in queue.values_list("pk", "detector", "period", "people"):
        found.setdefault(pk, (detector, period, set()))[2].add(person)
    if unit is not None:
        spells: dict[int, list[tuple[datetime.date, datetime.date | None]]] = defaultdict(list)
        for person, start, end in Assignment.objects.filter(
            unit_id__in=unit_descendant_ids(unit)
        ).values_list("person_id", "valid_from", "valid_to"):
            spells[person].append((start, end))
        bounds: dict[str, tuple[datetime.date, datetime.date] | None] = {}

        def there(period: str, people: set[int]) -> bool:
            if period not in bounds:
                bounds[period] = period_bounds(period)
            first, last = bounds[period] or (datetime.date.min, datetime.date.max)
            return any(
                start <= last and (end is None or end > first)
                for person in people
                for start, end in spells.get(person, [])
            )

        found = {pk: row for pk, row in found.items() if there(row[1], row[2])}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for detector, period, _people in found.values():
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
