"""Background work: full calculation runs (whole, or one task per slice of people),
incremental updates and what-ifs on history (django-tasks)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from attain.web import leases

from .models import CalculationRun, RunStatus


@task()
def calculation_task(run_id: int, partitions: int | None = None) -> None:
    """A full run; cut into ``partitions`` tasks (default: by the company's size)."""
    from attain.org.models import Person

    from .partitions import partition_count
    from .services import run_calculation

    # The worker takes the run in one statement: a task sent twice, or taken by two
    # workers, calculates the run once; the other returns.
    taken = CalculationRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, worker=leases.holder(), heartbeat_at=timezone.now()
    )
    if not taken:
        return
    run = CalculationRun.objects.get(pk=run_id)
    if partitions is None:
        partitions = partition_count(Person.objects.count())
    run_calculation(run.created_by, run.fiscal_year, run=run, partitions=partitions)


@task()
def incremental_task(changes: list[tuple[int, str]]) -> None:
    from .services import recalculate_people

    recalculate_people(None, [(pk, datetime.date.fromisoformat(day)) for pk, day in changes])


@task()
def what_if_task(run_id: int) -> None:
    from .services_what_if import run_what_if

    taken = CalculationRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, worker=leases.holder(), heartbeat_at=timezone.now()
    )
    if taken:  # else another worker has it, or had it (a task sent twice)
        run_what_if(CalculationRun.objects.get(pk=run_id))


@task()
def partition_task(partition_id: int) -> None:
    from .partitions import calculate_partition

    calculate_partition(partition_id)
