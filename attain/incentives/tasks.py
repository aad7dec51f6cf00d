"""Background work: full calculation runs, incremental updates and what-ifs on history
(django-tasks)."""

from __future__ import annotations

import datetime

from django_tasks import task

from .models import CalculationRun


@task()
def calculation_task(run_id: int) -> None:
    from .services import run_calculation

    run = CalculationRun.objects.get(pk=run_id)
    run_calculation(run.created_by, run.fiscal_year, run=run)


@task()
def incremental_task(changes: list[tuple[int, str]]) -> None:
    from .services import recalculate_people

    recalculate_people(None, [(pk, datetime.date.fromisoformat(day)) for pk, day in changes])


@task()
def what_if_task(run_id: int) -> None:
    from .services_what_if import run_what_if

    run_what_if(CalculationRun.objects.get(pk=run_id))
