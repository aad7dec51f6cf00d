"""The language to write to a login in, outside a request of its own (an email an
administrator's action sends it).

A login's chosen language is kept by the notifications app (``notify.Profile``), which
sits above this one: it registers how to read it when it is installed
(:func:`register`). Without it, the deployment's ``LANGUAGE_CODE``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

_chooser: Callable[[Any], str] | None = None


def register(chooser: Callable[[Any], str]) -> None:
    """Read a login's language with ``chooser(user)`` from now on."""
    global _chooser
    _chooser = chooser


def language_of(user: Any) -> str:
    return (_chooser(user) if _chooser is not None else "") or settings.LANGUAGE_CODE
