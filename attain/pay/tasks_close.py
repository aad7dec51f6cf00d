"""Background work of period close (django-tasks): freezing a period."""

from __future__ import annotations

from django_tasks import task


@task()
def close_task(pay_period_id: int) -> None:
    from .services_close import run_close

    run_close(pay_period_id)
