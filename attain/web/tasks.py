"""Where background tasks run (django-tasks, ``settings.TASKS``)."""

from __future__ import annotations

from django.conf import settings


def runs_in_background() -> bool:
    """Whether queued tasks wait for a worker (``attain worker``): not the immediate
    backend (``ATTAIN_TASKS=immediate``), which runs them in the caller."""
    return "immediate" not in str(settings.TASKS["default"]["BACKEND"]).lower()
