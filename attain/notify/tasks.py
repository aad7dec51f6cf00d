"""Background sending of notifications (django-tasks, run by ``attain worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_task(delivery_ids: list[int]) -> dict[str, int]:
    from .delivery import deliver

    return deliver(delivery_ids)
