"""Integrity rescans when records change (``attain.crm.events.records_changed``): the
affected quarters are queued as one background scan (``tasks.scan_task``); and after
each full calculation run (a finished ``calculation_task``, seen through django-tasks'
``task_finished``, so integrity never imports incentives) the last eight quarters are."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

WATCHED = frozenset({"orders", "payments", "customers", "activities", "peer_ratings", "surveys"})


def on_records_changed(
    sender: Any, changes: frozenset[Any], tables: frozenset[str], **_: Any
) -> None:
    if not _wanted() or not (tables & WATCHED):
        return
    from attain.calc.periods import periods_of_day

    days = {day for _person, day in changes}  # an import's 100,000 rows have a few hundred
    periods = sorted({periods_of_day(day)[2] for day in days})
    if not periods:
        return
    from .tasks import scan_task

    try:
        scan_task.enqueue(periods[-8:])
    except Exception:  # never fail the write that caused it
        log.exception("could not queue an integrity scan")


def _wanted() -> bool:
    """``ATTAIN_INTEGRITY_ON_CHANGE`` when set; by default only with a real task queue
    (never a scan inline in a request, as the immediate backend would run it)."""
    from django.conf import settings

    from attain.web.tasks import runs_in_background

    wanted = getattr(settings, "ATTAIN_INTEGRITY_ON_CHANGE", None)
    if wanted is None:
        return runs_in_background()
    return bool(wanted)


CALCULATION_TASK = "attain.incentives.tasks.calculation_task"


def on_task_finished(sender: Any, task_result: Any, **_: Any) -> None:
    """A full calculation run finished: scan the last eight quarters in the background."""
    from django_tasks.base import TaskResultStatus

    if not _wanted() or task_result.task.module_path != CALCULATION_TASK:
        return
    if task_result.status != TaskResultStatus.SUCCESSFUL:
        return
    from .tasks import scan_task

    try:
        scan_task.enqueue([])
    except Exception:
        log.exception("could not queue an integrity scan")


def connect() -> None:
    from django_tasks.signals import task_finished

    from attain.crm.events import records_changed

    records_changed.connect(on_records_changed, dispatch_uid="attain.integrity.rescan")
    task_finished.connect(on_task_finished, dispatch_uid="attain.integrity.after_run")
