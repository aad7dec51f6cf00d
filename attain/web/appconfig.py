"""The app configuration every Attain app that listens to signals shares."""

from __future__ import annotations

from importlib import import_module

from django.apps import AppConfig


class ConnectingConfig(AppConfig):
    """An app whose ``ready`` calls ``connect()`` of one of its own modules.

    ``connects`` names that module relative to the app (``".events"``). Import this
    module, not the class, into an ``apps.py``: Django takes the one ``AppConfig``
    subclass it finds there as the app's configuration."""

    connects = ""

    def ready(self) -> None:
        import_module(self.connects, self.name).connect()
