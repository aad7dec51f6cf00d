"""Background work of statements (django-tasks): a period's statement set."""

from __future__ import annotations

from django_tasks import task


@task()
def statements_task(set_id: int) -> None:
    from .services_statements import generate_statements

    generate_statements(set_id)
