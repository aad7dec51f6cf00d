"""Background integrity scans (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def scan_task(periods: list[str]) -> None:
    from .services import scan

    scan(None, periods=periods or None)  # none: the last eight quarters
