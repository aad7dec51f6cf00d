"""Incremental updates: when records a measure reads change, the results of the people
they credit (and their managers) are recomputed.

Incentives listens to the crm app's ``records_changed`` event (:mod:`attain.crm.events`),
which every write sends once per transaction after it commits — single saves and bulk
writes such as imports alike. A change of more than ``BATCH_LIMIT`` person-days (an
import) queues a full run of the fiscal years instead. ``settings.ATTAIN_INCENTIVES_LIVE``
chooses how: ``"inline"`` (default: in the request that saved the record, right after
commit, so the change is visible when the response arrives), ``"task"`` (enqueued on
the task backend) or ``"off"``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings

from attain.calc.periods import fiscal_year_of_day
from attain.crm.events import records_changed

log = logging.getLogger(__name__)
BATCH_LIMIT = 500  # (person, date) pairs in one transaction; above it, a full run


def recalculate(changes: Iterable[tuple[int, datetime.date]]) -> None:
    """Bring stored results up to date with these (person pk, date) changes."""
    changes = set(changes)
    mode = getattr(settings, "ATTAIN_INCENTIVES_LIVE", "inline")
    if not changes or mode == "off":
        return
    from .models import PeriodResult

    if not PeriodResult.objects.exists():
        return
    if len(changes) > BATCH_LIMIT:  # a bulk change: one full run per fiscal year instead
        from .services import start_calculation

        for year in sorted({fiscal_year_of_day(day) for _pk, day in changes}):
            start_calculation(None, year)
        return
    if mode == "task":
        from .tasks import incremental_task

        incremental_task.enqueue([(pk, day.isoformat()) for pk, day in sorted(changes)])
    else:
        from .services import recalculate_people

        recalculate_people(None, sorted(changes))


def _records_changed(
    sender: Any, changes: frozenset[tuple[int, datetime.date]], **kwargs: Any
) -> None:
    try:
        recalculate(changes)
    except Exception:  # never fail the write that triggered it
        log.exception("incremental recalculation failed")


def connect() -> None:
    records_changed.connect(_records_changed, dispatch_uid="incentives-records-changed")
