"""Helpers for the tests of apps that notify people (``attain.notify`` and the apps
above it)."""

from __future__ import annotations

from typing import Any

from .models import Notification


def kinds_of(user: Any) -> list[str]:
    """The kinds of the in-app notifications ``user`` has."""
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))
