"""Incremental updates: when records a measure reads change, the results of the people
they credit (and their managers) are recomputed.

Incentives listens to the crm app's ``records_changed`` event (:mod:`attain.crm.events`),
which every write sends once per transaction after it commits — single saves and bulk
writes such as imports alike. A change of more than ``BATCH_LIMIT`` person-days (an
import) queues a full run of the fiscal years instead. ``settings.ATTAIN_INCENTIVES_LIVE``
chooses how: ``"inline"`` (default: in the request that saved the record, right after
commit, so the change is visible when the response arrives), ``"task"`` (enqueued on
the task backend) or ``"off"``.

It listens to the org app's ``organisation_changed`` event too (:mod:`attain.org.events`):
a transfer, a corrected start, a leaver's last day or an undone change moves people's
records and team figures from a day on, in every period after it. Each calculated fiscal
year from that day on is queued for a full run (one queued run a year at most), unless
``ATTAIN_INCENTIVES_LIVE`` is ``"off"``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import pgettext_lazy

from attain.calc.periods import fiscal_year_of_day
from attain.crm.events import records_changed
from attain.org.events import ALWAYS, organisation_changed
from attain.org.services_company import counted_in_company_settings

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


def recalculate_years(since: datetime.date) -> list[int]:
    """Queue a full run of each fiscal year with stored results whose days reach
    ``since`` or later (none already queued); the years queued."""
    if getattr(settings, "ATTAIN_INCENTIVES_LIVE", "inline") == "off":
        return []
    from .models import CalculationRun, PeriodResult, RunKind, RunStatus
    from .services import start_calculation

    first = None if since == ALWAYS else fiscal_year_of_day(since)
    stored = PeriodResult.objects.filter(period__regex=r"^[0-9]{4}$")
    years = sorted(
        year
        for year in map(int, stored.values_list("period", flat=True).distinct())
        if first is None or year >= first
    )
    queued = set(
        CalculationRun.objects.filter(
            kind=RunKind.FULL, status=RunStatus.QUEUED, fiscal_year__in=years
        ).values_list("fiscal_year", flat=True)
    )
    started = [year for year in years if year not in queued]
    for year in started:
        start_calculation(None, year)
    return started


def _organisation_changed(sender: Any, days: frozenset[datetime.date], **kwargs: Any) -> None:
    try:
        recalculate_years(min(days))
    except Exception:  # never fail the change that triggered it
        log.exception("recalculation after an organisation change failed")


def _counted(sender: Any, **kwargs: Any) -> list[Any]:
    """Plans (their periods and amounts), the targets typed with them and the results
    are counted in the company's fiscal year and currency
    (:func:`attain.org.services_company.counted_data`)."""
    from .models import PeriodResult, Plan, PlanTarget

    found = [
        (Plan.objects.exists(), pgettext_lazy("stored data", "incentive plans")),
        (PlanTarget.objects.exists(), pgettext_lazy("stored data", "targets")),
        (PeriodResult.objects.exists(), pgettext_lazy("stored data", "results")),
    ]
    return [name for stored, name in found if stored]


def connect() -> None:
    counted_in_company_settings.connect(_counted, dispatch_uid="incentives-counted")
    records_changed.connect(_records_changed, dispatch_uid="incentives-records-changed")
    organisation_changed.connect(
        _organisation_changed, dispatch_uid="incentives-organisation-changed"
    )
