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
from collections.abc import Iterable
from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal
from django.utils import timezone

from attain.web.events import pending

from .records import PLACEMENTS

records_changed = Signal()


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
    batch = pending(records_changed, ("changes", "tables"))
    batch["tables"].add(table)
    for pk, when in pairs:
        day = local_day(when)
        if pk and day is not None:
            batch["changes"].add((pk, day))


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
