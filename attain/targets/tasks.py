"""Background refreshes of pace snapshots (django-tasks; :mod:`attain.targets.snapshots`)."""

from __future__ import annotations

import datetime

from django_tasks import task


@task()
def pace_task(plan_pk: int, day: str) -> None:
    from .models import TargetPlan
    from .snapshots import refresh

    plan = TargetPlan.objects.filter(pk=plan_pk).first()
    if plan is not None:  # deleted meanwhile: nothing to refresh
        refresh(plan, datetime.date.fromisoformat(day))
