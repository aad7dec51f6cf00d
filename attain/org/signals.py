"""The org app's signal receivers: background tasks count days in the company's time
zone, as requests do (:class:`attain.core.middleware.CompanyMiddleware`); and the model
hooks of :mod:`attain.org.events`."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks.signals import task_started

from . import events
from .company import company


def use_company_time_zone(sender: Any, **kwargs: Any) -> None:
    timezone.activate(company().zone)


def connect() -> None:
    task_started.connect(use_company_time_zone, dispatch_uid="org-company-time-zone")
    events.connect()
