from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "attain.web"

    def ready(self) -> None:
        from . import letters

        letters.install()
