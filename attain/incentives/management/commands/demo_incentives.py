from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from attain.incentives.demo import load_demo_incentives


class Command(BaseCommand):
    help = "Load the demo plans and targets and calculate the demo year (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        load_demo_incentives(echo=self.stdout.write)
