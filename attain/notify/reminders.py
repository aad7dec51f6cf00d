"""Daily reminders notify sends itself: open follow-up reminders (crm's
:class:`~attain.crm.models.Reminder`, raised by its follow-up rules), each once."""

from __future__ import annotations

import datetime
import logging

from attain.crm.models import Reminder

from .models import Notification
from .services import announce
from .signals import reminders

log = logging.getLogger(__name__)


def follow_ups() -> int:
    told = 0
    already = set(
        Notification.objects.filter(kind="follow_up_due").values_list("params__reminder", flat=True)
    )
    for reminder in Reminder.objects.filter(
        done_at__isnull=True, person__user__isnull=False
    ).select_related("person", "opportunity"):
        if reminder.pk in already:
            continue
        # a leaver (or a disabled login) is not reminded: not counted as sent either
        told += bool(
            announce(
                "follow_up_due",
                [reminder.person],
                reminder=reminder.pk,
                opportunity=reminder.opportunity.name,
                message=reminder.text,  # only for a reminder without parameters
                **{
                    k: v for k, v in reminder.params.items() if k not in {"reminder", "opportunity"}
                },
            )
        )
    return told


def remind(today: datetime.date) -> dict[str, int]:
    """Follow-ups, then every app's reminders (targets: acknowledgement due, behind pace)."""
    told = {"follow_ups": follow_ups()}
    for receiver, response in reminders.send_robust(sender=None, today=today):
        if isinstance(response, Exception):
            log.error("reminders of %r failed", receiver, exc_info=response)
    return told
