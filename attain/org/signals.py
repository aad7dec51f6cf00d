"""Background tasks count days in the company's time zone, as requests do
(:class:`attain.core.middleware.CompanyMiddleware`)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone
from django_tasks.signals import task_started

from .company import company


@receiver(task_started)
def use_company_time_zone(sender: Any, **kwargs: Any) -> None:
    timezone.activate(company().zone)
