"""Incremental updates: when a record a measure reads changes, the results of the people
it credits (and their managers) are recomputed after the transaction commits.

Handlers only collect (person, date) pairs; one recalculation per transaction runs after
commit (a transaction changing more than ``BATCH_LIMIT`` person-days, such as an
import, queues a full run of the years instead). ``settings.ATTAIN_INCENTIVES_LIVE``
chooses how: ``"inline"`` (default: in the request that saved the record, right after
commit, so the change is visible when the response arrives), ``"task"`` (enqueued on
the task backend) or ``"off"``.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

log = logging.getLogger(__name__)
BATCH_LIMIT = 500  # (person, date) pairs in one transaction; above it, a full run


def _flush(changes: set[tuple[int, datetime.date]]) -> None:
    if not changes:
        return
    mode = getattr(settings, "ATTAIN_INCENTIVES_LIVE", "inline")
    try:
        from .models import PeriodResult

        if not PeriodResult.objects.exists():
            return
        if len(changes) > BATCH_LIMIT:  # a bulk change: one full run per year instead
            from .services import start_calculation

            for year in sorted({day.year for _pk, day in changes}):
                start_calculation(None, year)
            return
        if mode == "task":
            from .tasks import incremental_task

            incremental_task.enqueue([(pk, day.isoformat()) for pk, day in sorted(changes)])
        else:
            from .services import recalculate_people

            recalculate_people(None, sorted(changes))
    except Exception:  # never fail the write that triggered it
        log.exception("incremental recalculation failed")


def note_change(person_pks: list[int | None], day: Any) -> None:
    if getattr(settings, "ATTAIN_INCENTIVES_LIVE", "inline") == "off" or day is None:
        return
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    batch = None
    if connection.in_atomic_block:
        batch = next(
            (f.changes for _s, f, _r in connection.run_on_commit if isinstance(f, _Flush)), None
        )
    if batch is None:  # a new transaction (a rolled back one left nothing registered)
        batch = set()
    batch.update((pk, day) for pk in person_pks if pk)
    # Every change registers a callback sharing the transaction's batch: the first to run
    # takes the whole batch, the others find it empty. Outside a transaction it runs now.
    transaction.on_commit(_Flush(batch))


class _Flush:
    def __init__(self, changes: set[tuple[int, datetime.date]]) -> None:
        self.changes = changes

    def __call__(self) -> None:
        changes = set(self.changes)
        self.changes.clear()
        _flush(changes)


# Which person fields and date of each record model matter.
_WATCHED = {
    "Order": (("owner_id",), "date"),
    "Payment": (("collector_id",), "date"),
    "Activity": (("owner_id",), "occurred_at"),
    "Customer": (("owner_id",), "created_on"),
    "ServiceTicket": (("owner_id",), "opened_on"),
    "Survey": (("person_id",), "date"),
    "TrainingScore": (("person_id",), "date"),
    "PeerRating": (("person_id",), "date"),
}


def _record_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    fields, date_field = _WATCHED[sender.__name__]
    people = [getattr(instance, f, None) for f in fields]
    note_change(people, getattr(instance, date_field, None))


def _record_changing(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Before an update: the old person and date matter too (an order moved to another
    rep or another quarter leaves the old results to correct)."""
    if instance.pk is None or kwargs.get("raw"):
        return
    fields, date_field = _WATCHED[sender.__name__]
    old = sender.objects.filter(pk=instance.pk).values(*fields, date_field).first()
    if old is not None:
        note_change([old[f] for f in fields], old[date_field])


def _credit_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    parent = getattr(instance, "order", None) or getattr(instance, "payment", None)
    if parent is None:
        return
    owner = getattr(parent, "owner_id", None) or getattr(parent, "collector_id", None)
    note_change([instance.person_id, owner], parent.date)


def connect() -> None:
    from attain.crm import models as crm

    for name in _WATCHED:
        model = getattr(crm, name)
        pre_save.connect(_record_changing, sender=model, dispatch_uid=f"incentives-pre-{name}")
        post_save.connect(_record_changed, sender=model, dispatch_uid=f"incentives-{name}")
        post_delete.connect(_record_changed, sender=model, dispatch_uid=f"incentives-del-{name}")
    for credit in (crm.OrderCredit, crm.PaymentCredit):
        post_save.connect(_credit_changed, sender=credit, dispatch_uid=f"incentives-{credit}")
        post_delete.connect(_credit_changed, sender=credit, dispatch_uid=f"incentives-d-{credit}")
