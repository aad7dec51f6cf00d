"""Management commands that count days as the company does.

A request counts "today", a period's end or a reminder's due date in the company's
time zone (:class:`attain.core.middleware.CompanyMiddleware`), and so does a background
task (:mod:`attain.org.signals`). A command run from a shell or cron would count them in
the deployment's ``TIME_ZONE`` instead: on a server kept in UTC, `attain notify` sent
Shanghai's reminders eight hours late and `attain pay` closed the wrong day.
:class:`CompanyCommand` runs the command in the company's zone.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.utils import timezone

from .company import company


class CompanyCommand(BaseCommand):
    """A command run in the company's time zone (the deployment's before any setup)."""

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            zone = company().zone
        except DatabaseError:  # no tables yet: the command says so itself
            return super().execute(*args, **options)
        with timezone.override(zone):
            return super().execute(*args, **options)
