from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from attain.targets.demo import load_demo_targets


class Command(BaseCommand):
    help = "Add the demo company's FY2026 revenue target plan (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        load_demo_targets(echo=self.stdout.write)
