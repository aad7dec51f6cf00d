"""``attain crm_remind``: raise follow-up reminders. A scheduler (cron, systemd timer or
the task worker's periodic job) runs it once a day; it is idempotent."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from attain.crm import services
from attain.org.commands import CompanyCommand


class Command(CompanyCommand):
    help = "Raise reminders for opportunities nobody followed up within their stage's rule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--on", type=datetime.date.fromisoformat, help="The day to check (default today)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        raised = services.check_follow_ups(options.get("on"))
        self.stdout.write(_("%(count)s reminder(s) raised.") % {"count": raised})
