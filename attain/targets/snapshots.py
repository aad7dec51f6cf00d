"""Pace and forecasts as the pages read them: stored per plan and day
(:class:`~attain.targets.models.PaceSnapshot`), calculated once per change of the data.

Calculating a plan's pace and forecasts reads the year's records and runs the engine:
instant for a small company, most of a minute for 10,000 people. So the pages, the API
and a rep's targets read the stored snapshot:

- current (the data's fingerprint unchanged since it was calculated): read as it is;
- none yet for the day: calculated in the request and stored;
- out of date, with a task worker running (``attain worker``): shown as it is, marked
  with when it was calculated, while one background task brings it up to date; without
  a worker (the immediate task backend) it is recalculated in the request.

On today's page, when only an earlier day's snapshot exists and a worker runs, that day's
figures are shown (marked with their day) while today's are calculated.

Alerts and review packs need the figures of this moment and call
:func:`~attain.targets.pace.pace_report` directly.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from attain.calc.cache import cached, stored_fingerprint
from attain.web.tasks import runs_in_background

from .forecast import ForecastRow, forecast_report
from .models import PaceSnapshot, TargetPlan
from .pace import PaceRow, pace_report

log = logging.getLogger(__name__)
R = TypeVar("R", PaceRow, ForecastRow)
REQUEUE_AFTER = datetime.timedelta(minutes=15)  # a refresh queued longer ago is tried again
KEEP = 10  # snapshots kept per plan (the most recently calculated)


@dataclass(frozen=True)
class Stored(Generic[R]):
    """Rows as stored, the day they are of, when they were calculated and whether the data
    has changed since (``current`` false: a refresh is under way)."""

    rows: list[R]
    as_of: datetime.date
    calculated: datetime.datetime
    current: bool


def stored_pace(
    plan: TargetPlan, as_of: datetime.date, *, earlier_day: bool = True
) -> Stored[PaceRow]:
    """The plan's pace on ``as_of`` (:func:`pace_report`), from its snapshot.
    ``earlier_day``: an earlier day's may be shown while today's is calculated (pages,
    which say so; not the API, whose rows carry no day)."""
    return _read(plan, as_of, "pace", earlier_day)


def stored_forecast(
    plan: TargetPlan, as_of: datetime.date, *, earlier_day: bool = True
) -> Stored[ForecastRow]:
    """The plan's forecasts on ``as_of`` (:func:`forecast_report`), from its snapshot."""
    return _read(plan, as_of, "forecast", earlier_day)


def refresh(plan: TargetPlan, as_of: datetime.date) -> PaceSnapshot:
    """Calculate the plan's pace and forecasts on ``as_of`` and store them (the task)."""
    fingerprint = _fingerprint()  # before reading: a change meanwhile leaves it out of date
    pace = pace_report(plan, as_of)
    try:
        forecast: list[Any] | None = _encode(forecast_report(plan, as_of, pace=pace))
    except ValueError:  # the data cannot be forecast: pace is still worth keeping
        forecast = None
    return _store(plan, as_of, fingerprint, pace=_encode(pace), forecast=forecast)


def _read(plan: TargetPlan, as_of: datetime.date, part: str, earlier_day: bool) -> Stored[Any]:
    fingerprint = _fingerprint()
    snapshot = _headers().filter(plan=plan, as_of=as_of).first()
    current = snapshot is not None and snapshot.fingerprint == fingerprint
    if not current and runs_in_background():
        shown = snapshot if snapshot is not None and _has(snapshot, part) else None
        if shown is None and earlier_day and as_of == timezone.localdate():
            # an earlier day's figures while today's are calculated
            shown = (
                _headers()
                .filter(plan=plan, as_of__lt=as_of)
                .exclude(**{part: None})
                .order_by("-as_of")
                .first()
            )
        if shown is not None:
            # read before storing today's placeholder: its pruning may delete ``shown``
            found = _decoded(shown, part, current=False)
            if snapshot is None:  # today's, to be filled in by the task
                snapshot = _store(plan, as_of, "", pace=None, forecast=None)
            _queue(snapshot)
            return found
    if snapshot is None or not current or not _has(snapshot, "pace"):
        snapshot = _calculate(plan, as_of, fingerprint, part)
    elif not _has(snapshot, part):  # current, but this part never asked for
        snapshot = _calculate(plan, as_of, fingerprint, part, snapshot)
    return _decoded(snapshot, part, current=True)


def _headers() -> QuerySet[PaceSnapshot]:
    """Snapshots without their rows (megabytes of JSON for a large company, read only
    when this process has not decoded them yet), with whether each part is there."""
    return PaceSnapshot.objects.defer("pace", "forecast").annotate(
        has_pace=ExpressionWrapper(Q(pace__isnull=False), BooleanField()),
        has_forecast=ExpressionWrapper(Q(forecast__isnull=False), BooleanField()),
    )


def _has(snapshot: PaceSnapshot, part: str) -> bool:
    """Whether ``snapshot`` holds ``part`` (read or just stored)."""
    known = getattr(snapshot, f"has_{part}", None)
    return bool(known) if known is not None else getattr(snapshot, part) is not None


def _calculate(
    plan: TargetPlan,
    as_of: datetime.date,
    fingerprint: str,
    part: str,
    snapshot: PaceSnapshot | None = None,
) -> PaceSnapshot:
    """Calculate ``part`` in this request (pace first, which the forecast reads)."""
    if snapshot is not None and _has(snapshot, "pace"):
        pace = _decoded(snapshot, "pace", current=True).rows
        stored_pace = _encode(pace)
    else:
        pace = pace_report(plan, as_of)
        stored_pace = _encode(pace)
    forecast = None
    if part == "forecast":
        forecast = _encode(forecast_report(plan, as_of, pace=pace))
    return _store(plan, as_of, fingerprint, pace=stored_pace, forecast=forecast)


def _store(
    plan: TargetPlan,
    as_of: datetime.date,
    fingerprint: str,
    *,
    pace: list[Any] | None,
    forecast: list[Any] | None,
) -> PaceSnapshot:
    values = {
        "fingerprint": fingerprint,
        "calculated": timezone.now(),
        "pace": pace,
        "forecast": forecast,
        "queued": None,
    }
    try:
        with transaction.atomic():
            snapshot, _created = PaceSnapshot.objects.update_or_create(
                plan=plan, as_of=as_of, defaults=values
            )
    except IntegrityError:  # another request stored the same day meanwhile
        snapshot = PaceSnapshot.objects.get(plan=plan, as_of=as_of)
    stale = PaceSnapshot.objects.filter(plan=plan).order_by("-calculated").values("pk")[KEEP:]
    PaceSnapshot.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    return snapshot


def _queue(snapshot: PaceSnapshot) -> None:
    """Queue one refresh of ``snapshot`` (not again while one is pending)."""
    now = timezone.now()
    if snapshot.queued is not None and now - snapshot.queued < REQUEUE_AFTER:
        return
    from .tasks import pace_task

    PaceSnapshot.objects.filter(pk=snapshot.pk).update(queued=now)
    plan_pk, day = snapshot.plan_id, snapshot.as_of.isoformat()
    try:
        transaction.on_commit(lambda: pace_task.enqueue(plan_pk, day))
    except Exception:  # never fail the page that asked: it shows what is stored
        log.exception("could not queue a pace refresh")


def _fingerprint() -> str:
    return stored_fingerprint(ignore_audit_of=("incentives",))


# rows ⇄ JSON: a list per row in the dataclass's field order, amounts as text ---------------

_ROWS: dict[str, type] = {"pace": PaceRow, "forecast": ForecastRow}


def _encode(rows: list[Any]) -> list[list[Any]]:
    return [[_plain(v) for v in dataclasses.astuple(r)] for r in rows]


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _decoded(snapshot: PaceSnapshot, part: str, *, current: bool) -> Stored[Any]:
    """The rows of ``part``, decoded once per snapshot version in this process."""
    key = (snapshot.pk, snapshot.fingerprint, snapshot.calculated, part)

    def decode() -> list[Any]:
        if part in snapshot.get_deferred_fields():  # read from the database only now
            stored = PaceSnapshot.objects.values_list(part, flat=True).get(pk=snapshot.pk)
        else:
            stored = getattr(snapshot, part)
        return _decode(_ROWS[part], stored)

    rows = cached("targets.snapshot", key, decode)
    return Stored(rows, snapshot.as_of, snapshot.calculated, current)


def _decode(row_type: type, stored: list[list[Any]]) -> list[Any]:
    fields = dataclasses.fields(row_type)
    readers: list[Callable[[Any], Any]] = [
        _amount if "Decimal" in str(f.type) else _same for f in fields
    ]
    return [row_type(*(read(v) for read, v in zip(readers, row, strict=True))) for row in stored]


def _amount(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _same(value: Any) -> Any:
    return value
