"""Integrity rescans when records change (``attain.crm.events.records_changed``): the
affected quarters are queued as one background scan (``tasks.scan_task``)."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

WATCHED = frozenset({"orders", "payments", "customers", "activities", "peer_ratings", "surveys"})


def on_records_changed(
    sender: Any, changes: frozenset[Any], tables: frozenset[str], **_: Any
) -> None:
    from django.conf import settings

    wanted = getattr(settings, "ATTAIN_INTEGRITY_ON_CHANGE", None)
    if wanted is None:  # by default only with a real queue: never inline in a request
        wanted = "immediate" not in settings.TASKS["default"]["BACKEND"].lower()
    if not wanted or not (tables & WATCHED):
        return
    from attain.calc.periods import periods_of_day

    periods = sorted({periods_of_day(day)[2] for _person, day in changes})
    if not periods:
        return
    from .tasks import scan_task

    try:
        scan_task.enqueue(periods[-8:])
    except Exception:  # never fail the write that caused it
        log.exception("could not queue an integrity scan")


def connect() -> None:
    from attain.crm.events import records_changed

    records_changed.connect(on_records_changed, dispatch_uid="attain.integrity.rescan")
