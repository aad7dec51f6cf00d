"""Follow-up reminders: raised for open opportunities nobody contacted within their
stage's rule, marked done by the person they are for."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from attain.org.models import Assignment

from ..access import check_complete_reminder
from ..models import REMINDER_TEXT, FollowUpRule, Opportunity, Reminder

FOLLOW_UP_CACHE_KEY = "crm:follow-ups-checked:%s"


def check_follow_ups(today: datetime.date | None = None) -> int:
    """Raise reminders for open opportunities that nobody contacted within their stage's
    rule. Idempotent: an open reminder is not raised twice. Returns how many were raised."""
    today = today or timezone.localdate()
    raised = 0
    for rule in FollowUpRule.objects.filter(active=True).select_related("stage"):
        cutoff = today - datetime.timedelta(days=rule.days)
        stale = (
            Opportunity.objects.filter(stage=rule.stage, created_on__lte=cutoff)
            .exclude(activities__occurred_at__date__gt=cutoff)
            .select_related("owner", "customer")
            .order_by("created_on", "pk")  # one order on every database (ties otherwise)
        )
        managers = dict(
            Assignment.objects.on(today)
            .filter(person__in=stale.values("owner"))
            .values_list("person_id", "manager_id")
        )
        reminders = []
        for opportunity in stale:
            # Parameters, not a sentence: the reminder is written out in its reader's
            # language when shown (this often runs in a worker speaking English).
            params = {
                "customer": opportunity.customer.name,
                "name": opportunity.name,
                "days": rule.days,
                "stage": rule.stage.name,
            }
            message = str(REMINDER_TEXT) % params  # only a fallback, see Reminder.text
            for person_id in {opportunity.owner_id, managers.get(opportunity.owner_id)} - {None}:
                reminders.append(
                    Reminder(
                        person_id=person_id,
                        opportunity=opportunity,
                        rule=rule,
                        message=message[:300],
                        params=params,
                    )
                )
        existing = set(
            Reminder.objects.filter(rule=rule, done_at__isnull=True).values_list(
                "person_id", "opportunity_id"
            )
        )
        new = [r for r in reminders if (r.person_id, r.opportunity_id) not in existing]
        Reminder.objects.bulk_create(new)
        raised += len(new)
    return raised


def check_follow_ups_once_a_day(today: datetime.date | None = None) -> int | None:
    """Run :func:`check_follow_ups` unless it already ran today (in this cache); returns
    how many reminders it raised, or ``None`` when it had already run."""
    today = today or timezone.localdate()
    if not cache.add(FOLLOW_UP_CACHE_KEY % today.isoformat(), True, timeout=60 * 60 * 26):
        return None
    return check_follow_ups(today)


def complete_reminder(actor: Any, reminder: Reminder) -> Reminder:
    """Mark a reminder done; only the person it is for (or an administrator) may."""
    check_complete_reminder(actor, reminder)
    if reminder.done_at is None:
        reminder.done_at = timezone.now()
        reminder.save(update_fields=["done_at"])
    return reminder
