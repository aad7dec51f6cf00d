"""Who is running a piece of background work, and whether they are still alive.

A calculation run or an import batch stores ``worker`` (``host:pid`` of the process
running it, :func:`holder`) and ``heartbeat_at`` (refreshed at every progress step,
:func:`beat`). It counts as abandoned (:func:`abandoned`) when its worker ran on this
host and that process no longer exists, or when its heartbeat is older than the lease
(``settings.ATTAIN_WORKER_LEASE_SECONDS``; the only test for a worker on another host).
"""

from __future__ import annotations

import datetime
import os
import socket
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .fields import acting_user


class Leased(models.Model):
    """Background work: the process running it (``host:pid``, :func:`holder`) and its
    last sign of life (:func:`beat`)."""

    worker = models.CharField(gettext_lazy("worker"), max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(gettext_lazy("heartbeat"), null=True, blank=True)

    class Meta:
        abstract = True


class RunStatus(models.TextChoices):
    """Where a :class:`Run` is: waiting for a worker, being worked on, or ended."""

    QUEUED = "queued", gettext_lazy("Queued")
    RUNNING = "running", gettext_lazy("Running")
    DONE = "done", gettext_lazy("Done")
    FAILED = "failed", gettext_lazy("Failed")


def run_status() -> models.CharField:
    """A run's :class:`RunStatus`, queued until a worker takes it."""
    return models.CharField(
        gettext_lazy("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )


class Progressing(Leased):
    """Background work shown with its progress (per cent) and current stage, and its
    problems when it failed."""

    progress = models.PositiveSmallIntegerField(gettext_lazy("progress (%)"), default=0)
    stage = models.CharField(gettext_lazy("stage"), max_length=200, blank=True)
    problems = models.JSONField(gettext_lazy("problems"), default=list, blank=True)

    class Meta:
        abstract = True


class Run(Progressing):
    """Background work shown with its progress and stage, its problems when it failed,
    who asked for it and how long it took."""

    seconds = models.DecimalField(
        gettext_lazy("seconds"), max_digits=10, decimal_places=3, null=True
    )
    created_by = acting_user()
    created_at = models.DateTimeField(gettext_lazy("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(gettext_lazy("finished at"), null=True, blank=True)

    class Meta:
        abstract = True
        # The newest first (a subclass's ``class Meta(leases.Run.Meta)`` keeps it).
        ordering = ["-created_at", "-id"]


def host() -> str:
    return socket.gethostname()


def holder() -> str:
    """This process as a worker name: ``host:pid`` (at most 64 characters)."""
    pid = str(os.getpid())
    return f"{host()[: 63 - len(pid)]}:{pid}"


def process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return _not_zombie(pid)


def _not_zombie(pid: int) -> bool:
    """A killed child that its parent has not reaped yet still answers signal 0."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.ATTAIN_WORKER_LEASE_SECONDS)


def worker_gone(worker: str) -> bool:
    """The worker ran on this host and its process is no longer there."""
    name, _sep, pid = worker.rpartition(":")
    if not pid.isdigit() or name != host()[: 63 - len(pid)]:
        return False
    return not process_alive(int(pid))


def abandoned(
    worker: str, heartbeat_at: datetime.datetime | None, now: datetime.datetime | None = None
) -> bool:
    """Running work whose worker died: see the module docstring. Work without a
    heartbeat yet is judged by the lease from ``now`` only when it has a worker."""
    if worker and worker_gone(worker):
        return True
    if heartbeat_at is None:
        return False
    return (now or timezone.now()) - heartbeat_at > lease()


def fail_abandoned(
    running: QuerySet[Any],
    message: str,
    mark: Callable[[Any, str], None],
    *,
    started: str = "",
) -> int:
    """Give up the work of ``running`` (a queryset of rows in their running state) whose
    worker died: for each, ``mark(row, reason)`` runs in a transaction, with the row
    locked and read again, and only if it is still running (its worker may have finished
    in the meantime). ``message`` (translated, with ``%(worker)s``) becomes the reason;
    ``started`` names the field that stands for the heartbeat until the first one.
    Returns how many rows were marked."""

    def gone(row: Any) -> bool:
        heartbeat = row.heartbeat_at or (getattr(row, started) if started else None)
        return abandoned(row.worker, heartbeat, timezone.now())

    marked = 0
    for row in running:
        if not gone(row):
            continue
        with transaction.atomic():
            # Read again under the lock: it may have finished, beaten or been taken over.
            current: Model | None = running.select_for_update().filter(pk=row.pk).first()
            if current is None or not gone(current):
                continue
            mark(current, message % {"worker": current.worker or _("unknown")})  # type: ignore[attr-defined]
        marked += 1
    return marked
