"""The background worker that survives: django-tasks' database worker
(``db_worker``) with retries on a locked or lost database, and a reaper for the work
of workers that died.

- Claiming a task, and saving its outcome, retry with exponential backoff and jitter
  when the database is locked (SQLite: an import is merging) or the connection was lost
  (PostgreSQL restarted): the connection is closed and opened again, the worker never
  exits for that. The backoff starts at :data:`FIRST_DELAY` and doubles up to
  ``settings.ATTAIN_WORKER_MAX_BACKOFF_SECONDS``.
- A task itself that fails (locked database included) is marked failed like any other;
  the calculation run or import batch it ran shows why and can be run again.
- When it starts, and every :data:`REAP_EVERY` seconds, the worker marks failed the
  calculation runs and import batches whose worker died
  (:mod:`attain.web.leases`), and the tasks claimed by a worker process of this host
  that no longer exists.
- Its worker id is ``host:pid``, as runs and batches record it.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from attain.web import leases
from attain.web.middleware import is_busy

logger = logging.getLogger("django_tasks_db")
T = TypeVar("T")
FIRST_DELAY = 0.5  # seconds before the first retry
REAP_EVERY = 30.0  # seconds between two looks for dead workers' work
WORKER_BUSY_TIMEOUT = 30  # seconds SQLite waits for a lock in the worker
# A database server out of reach for a while (PostgreSQL restarting, the network):
# the worker waits for it; a web request would answer at once instead. A wrong
# password or database name is not among these: it stops the worker with its reason.
UNREACHABLE_WORDS = (
    "connection refused",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "the database system is not yet accepting connections",
    "no route to host",
    "network is unreachable",
    "timeout expired",
)


class WorkerDied(RuntimeError):
    """Recorded on a task whose worker process died while running it."""


def backoff_delay(failures: int, cap: float) -> float:
    """Exponential backoff with jitter: 0.5, 1, 2, 4 … seconds up to ``cap``, each
    between half and all of it."""
    ceiling = min(cap, FIRST_DELAY * 2 ** max(0, failures - 1))
    return float(ceiling * (0.5 + random.random() / 2))  # jitter, not a secret


def unreachable(error: BaseException) -> bool:
    """The database server cannot be reached now, but may be soon (:data:`UNREACHABLE_WORDS`)."""
    text = str(error).lower()
    return isinstance(error, OperationalError) and any(w in text for w in UNREACHABLE_WORDS)


def reset_connections() -> None:
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # a lost connection may fail to close; it is gone
            logger.debug("closing a broken connection failed", exc_info=True)


def reap() -> dict[str, int]:
    """Mark failed the runs, batches and tasks of workers that died."""
    from attain.incentives.partitions import fail_unstarted_partition
    from attain.incentives.services import fail_abandoned_runs, fail_unstarted_run
    from attain.intake.services import fail_abandoned_batches, fail_unstarted_batch

    # The work a task was for, by the task's path: (what it counts as, how to fail it
    # when the worker died before the work began; the task's first argument is its id).
    unstarted: dict[str, tuple[str, Callable[[int, str], int]]] = {
        "attain.incentives.tasks.calculation_task": ("runs", fail_unstarted_run),
        "attain.incentives.tasks.what_if_task": ("runs", fail_unstarted_run),
        "attain.incentives.tasks.partition_task": ("runs", fail_unstarted_partition),
        "attain.intake.tasks.run_import": ("batches", fail_unstarted_batch),
    }
    found = {"runs": 0, "batches": 0, "tasks": 0}
    # a worker on another host cannot be looked up: one that took a task a lease ago and
    # still has not begun its work (which it marks running at once) died in between
    taken_before = timezone.now() - leases.lease()
    for task in DBTaskResult.objects.running():
        worker = task.worker_ids[-1] if task.worker_ids else ""
        kind, fail = unstarted.get(task.task_path, ("", None))
        args = (task.args_kwargs or {}).get("args") or []
        work = args[0] if fail is not None and args and isinstance(args[0], int) else None
        if worker and leases.worker_gone(worker):
            task.set_failed(WorkerDied(f"worker {worker} died while running this task"))
            found["tasks"] += 1
            if fail is not None and work is not None:
                found[kind] += fail(work, worker)
        elif (
            fail is not None
            and work is not None
            and task.started_at is not None
            and task.started_at < taken_before
            and fail(work, worker or "?")
        ):
            task.set_failed(WorkerDied(f"worker {worker} stopped before this task began"))
            found["tasks"] += 1
            found[kind] += 1
    found["runs"] += fail_abandoned_runs()
    found["batches"] += fail_abandoned_batches()
    return found


class SurvivingWorker(Worker):
    def __init__(self, *, max_backoff: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_backoff = max_backoff
        self.failures = 0
        self.next_reap = 0.0

    # Retrying ----------------------------------------------------------------------

    def pause(self, error: BaseException) -> None:
        self.failures += 1
        delay = backoff_delay(self.failures, self.max_backoff)
        logger.warning("Database unavailable (%s); retry %d in %.1f s", error, self.failures, delay)
        reset_connections()
        time.sleep(delay)

    def retrying(self, action: Callable[[], T], *, forever: bool = False) -> T | None:
        """Run ``action``, retrying while the database is busy or lost: until it works
        when ``forever`` (a task's outcome must be saved), else while the worker runs."""
        while True:
            try:
                value = action()
            except (OperationalError, InterfaceError) as error:
                if not (is_busy(error) or unreachable(error)):
                    raise
                if not forever and not self.running:
                    return None
                self.pause(error)
                continue
            self.failures = 0
            return value

    # The loop ----------------------------------------------------------------------

    def claim(self) -> DBTaskResult[Any, Any] | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result

    def maybe_reap(self) -> None:
        if time.monotonic() < self.next_reap:
            return
        self.next_reap = time.monotonic() + REAP_EVERY
        found = self.retrying(reap)
        if found and any(found.values()):
            logger.warning("Marked failed the work of dead workers: %s", found)

    def run(self) -> None:
        logger.info(
            "Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names)
        )
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # spreading workers, not a secret
        while self.running:
            close_old_connections()
            self.maybe_reap()
            task_result = self.retrying(self.claim)
            if task_result is not None:
                self.run_task(task_result)
            elif self.batch and self.failures == 0:
                logger.info("No more tasks to run for worker_id=%s - exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Ran %d tasks on worker=%s - exiting.", self._run_tasks, self.worker_id)
                return
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)

    def save_failure(self, db_task_result: DBTaskResult[Any, Any], error: BaseException) -> None:
        self.retrying(lambda: db_task_result.set_failed(error), forever=True)

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        """Run one task; its outcome is saved whatever the database does meanwhile."""
        self.running_task = True
        try:
            try:
                task = db_task_result.task
                task_result = db_task_result.task_result
                task_started.send(sender=type(task.get_backend()), task_result=task_result)
                if task.takes_context:
                    value = task.call(
                        TaskContext(task_result=task_result),
                        *task_result.args,
                        **task_result.kwargs,
                    )
                else:
                    value = task.call(*task_result.args, **task_result.kwargs)
            except BaseException as error:  # every failure is recorded
                logger.exception("Task id=%s failed", db_task_result.id)
                reset_connections()  # a task may leave its connection broken
                self.save_failure(db_task_result, error)
            else:
                try:
                    self.retrying(lambda: db_task_result.set_successful(value), forever=True)
                except Exception as error:  # e.g. a return value JSON cannot hold
                    self.save_failure(db_task_result, error)
            try:
                task_finished.send(
                    sender=type(db_task_result.task.get_backend()),
                    task_result=db_task_result.task_result,
                )
            except Exception:
                logger.exception("Task id=%s: finishing signal failed", db_task_result.id)
        finally:
            self.running_task = False
            self._run_tasks += 1


def lengthen_busy_timeout() -> None:
    """The worker may wait longer than a web request for SQLite's write lock."""
    for alias in connections:
        settings_dict = connections[alias].settings_dict
        if settings_dict["ENGINE"].endswith("sqlite3"):
            options = settings_dict.setdefault("OPTIONS", {})
            options["timeout"] = max(int(options.get("timeout", 5)), WORKER_BUSY_TIMEOUT)


def max_backoff() -> float:
    return float(settings.ATTAIN_WORKER_MAX_BACKOFF_SECONDS)
