"""``organisation_changed``: the event the org app sends when who sits where changes.

Results are computed from the organisation as it was on each day: a person's employment
(start and end), their assignments (unit, manager, job role) and the units' tree. A
change back-dated into calculated periods (a transfer entered late, a corrected start, an
undone change, a leaver's last day) leaves those results stale until they are computed
again, so apps above org (incentives recalculates the fiscal years concerned) connect to
:data:`organisation_changed`; org never imports them. Like the crm app's
``records_changed`` it is sent once per transaction, after the commit
(:mod:`attain.web.events`):

- single saves are noted by the model hooks connected in :func:`connect` (so every
  write, admin included, is seen);
- the roster and units imports write with bulk statements and call :func:`note`.

Receivers get ``people`` (person pks; empty for a change of the units' tree) and
``days``: the first days from which results may differ (``datetime.date.min`` for a
change of the units' tree, which has no dates); the earliest of them is what counts.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal

from attain.web.events import pending

organisation_changed = Signal()
ALWAYS = datetime.date.min  # a change without dates: every calculated period


def note(people: Iterable[int], days: Iterable[datetime.date | None]) -> None:
    """The organisation changed for ``people`` from the earliest of ``days`` on."""
    found = [day for day in days if day is not None]
    if not found:
        return
    batch = pending(organisation_changed, ("people", "days"))
    batch["people"].update(pk for pk in people if pk)
    batch["days"].add(min(found))


# Single writes: the model hooks --------------------------------------------------------

_ASSIGNMENT = ("person_id", "unit_id", "manager_id", "title", "valid_from", "valid_to")


def _assignment_saving(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Before an update: the days it had matter too (a change moved later)."""
    if instance.pk is None or kwargs.get("raw"):
        return
    old = sender.objects.filter(pk=instance.pk).values(*_ASSIGNMENT).first()
    if old is None or all(old[f] == getattr(instance, f) for f in _ASSIGNMENT):
        return
    note([old["person_id"], instance.person_id], _changed_days(old, instance))


def _changed_days(old: dict[str, Any], new: Any) -> list[datetime.date | None]:
    """Where only the end moved, results differ from the earlier end on; otherwise from
    the earlier start."""
    if all(old[f] == getattr(new, f) for f in _ASSIGNMENT if f != "valid_to"):
        return [old["valid_to"], new.valid_to]
    return [old["valid_from"], new.valid_from]


def _assignment_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw") or not (kwargs.get("created", True)):
        return  # an update was noted before it was saved
    note([instance.person_id], [instance.valid_from])


def _person_saving(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A corrected start or a new last day (a person's name or email changes nothing)."""
    if instance.pk is None or kwargs.get("raw"):
        return
    old = sender.objects.filter(pk=instance.pk).values("start", "end").first()
    if old is None:
        return
    days = [
        d
        for f in ("start", "end")
        if old[f] != getattr(instance, f)
        for d in (old[f], getattr(instance, f))
    ]
    if days:
        note([instance.pk], days)


def _unit_saving(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A unit moved in the tree: its people's team and unit figures, for every period."""
    if instance.pk is None or kwargs.get("raw"):
        return
    old = sender.objects.filter(pk=instance.pk).values("parent_id").first()
    if old is not None and old["parent_id"] != instance.parent_id:
        note([], [ALWAYS])


def connect() -> None:
    from .models import Assignment, Person, Unit

    pre_save.connect(_assignment_saving, sender=Assignment, dispatch_uid="org-assignment-pre")
    post_save.connect(_assignment_saved, sender=Assignment, dispatch_uid="org-assignment")
    post_delete.connect(_assignment_saved, sender=Assignment, dispatch_uid="org-assignment-del")
    pre_save.connect(_person_saving, sender=Person, dispatch_uid="org-person-pre")
    pre_save.connect(_unit_saving, sender=Unit, dispatch_uid="org-unit-pre")
