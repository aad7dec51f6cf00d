"""``records_changed``: the one event the crm app sends when record tables change.

Apps above crm (incentives keeps stored results current, integrity rescans, the
calculation cache forgets) connect to :data:`records_changed`; crm never imports them.
Changes are collected per transaction and sent once, after the commit (a rolled back
transaction sends nothing):

- a service saving one record notes it through the model hooks connected in
  :func:`connect` (so every single write, admin included, is seen);
- a bulk write (an import, :mod:`attain.crm.bulk`) bypasses model hooks and says what it
  changed with :func:`note` explicitly — never silently.

Receivers get ``changes``: a frozenset of ``(person pk, date)`` pairs (the person the
record is credited to, on the record's date), and ``tables``: the record tables touched.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal
from django.utils import timezone

from .records import PLACEMENTS

log = logging.getLogger(__name__)

records_changed = Signal()


class _Batch:
    """The changes of one transaction."""

    def __init__(self) -> None:
        self.changes: set[tuple[int, datetime.date]] = set()
        self.tables: set[str] = set()


class _Send:
    """Sends a transaction's batch after the commit. Every note registers one, sharing
    the batch: the first to run takes the whole batch, the others find it empty."""

    def __init__(self, batch: _Batch) -> None:
        self.batch = batch

    def __call__(self) -> None:
        changes, tables = frozenset(self.batch.changes), frozenset(self.batch.tables)
        self.batch.changes.clear()
        self.batch.tables.clear()
        if not changes and not tables:
            return
        for receiver, response in records_changed.send_robust(
            sender=_Batch, changes=changes, tables=tables
        ):
            if isinstance(response, Exception):  # never fail the write that caused it
                log.error(
                    "records_changed receiver %r failed",
                    receiver,
                    exc_info=(type(response), response, response.__traceback__),
                )


def local_day(value: Any) -> datetime.date | None:
    """The day of a record's date or moment in the company's time zone (a moment read
    back from the database is in UTC: its own ``date()`` is the day before for the
    hours before 08:00 in Shanghai)."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value if isinstance(value, datetime.date) else None


def note(table: str, pairs: Iterable[tuple[int | None, Any]]) -> None:
    """Record tables changed: ``pairs`` of (person pk, record date or datetime).
    Sent with the transaction's other changes after it commits (at once outside one)."""
    batch = None
    if connection.in_atomic_block:
        batch = next(
            (f.batch for _s, f, _r in connection.run_on_commit if isinstance(f, _Send)), None
        )
    if batch is None:  # a new transaction (a rolled back one left nothing registered)
        batch = _Batch()
    batch.tables.add(table)
    for pk, when in pairs:
        day = local_day(when)
        if pk and day is not None:
            batch.changes.add((pk, day))
    transaction.on_commit(_Send(batch))


# Single writes: the model hooks --------------------------------------------------------


def _saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    placement = PLACEMENTS[sender.__name__]
    when = getattr(instance, placement.date, None)
    note(placement.table, [(getattr(instance, f, None), when) for f in placement.people])


def _saving(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Before an update: the old person and date matter too (an order moved to another
    rep or another quarter leaves the old results to correct)."""
    if instance.pk is None or kwargs.get("raw"):
        return
    placement = PLACEMENTS[sender.__name__]
    old = sender.objects.filter(pk=instance.pk).values(*placement.people, placement.date).first()
    if old is not None:
        note(placement.table, [(old[f], old[placement.date]) for f in placement.people])


def _credit_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    order = getattr(instance, "order", None)
    parent = order or getattr(instance, "payment", None)
    if parent is None:
        return
    owner = getattr(parent, "owner_id", None) or getattr(parent, "collector_id", None)
    table = "orders" if order is not None else "payments"
    note(table, [(instance.person_id, parent.date), (owner, parent.date)])


def connect() -> None:
    from . import models

    for name in PLACEMENTS:
        model = getattr(models, name)
        pre_save.connect(_saving, sender=model, dispatch_uid=f"crm-records-pre-{name}")
        post_save.connect(_saved, sender=model, dispatch_uid=f"crm-records-{name}")
        post_delete.connect(_saved, sender=model, dispatch_uid=f"crm-records-del-{name}")
    for credit in (models.OrderCredit, models.PaymentCredit):
        uid = f"crm-records-{credit.__name__}"
        post_save.connect(_credit_saved, sender=credit, dispatch_uid=uid)
        post_delete.connect(_credit_saved, sender=credit, dispatch_uid=f"{uid}-del")
