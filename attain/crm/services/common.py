"""What the CRM services share: the unset marker, the login behind an actor, and the
check that a new record's ``external_id`` is free."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

UNSET: Any = object()


def user_of(actor: Any) -> Any:
    """The signed-in login behind ``actor`` (``None`` for the system)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def check_external_id(
    model: type[models.Model], external_id: str | None, errors: dict[str, str]
) -> None:
    """Note an error at ``external_id`` when another record of ``model`` has that id, so
    a duplicate is a field error (not a database failure) in pages, API and imports."""
    if not external_id:
        return
    if model._default_manager.filter(external_id=external_id).exists():
        errors["external_id"] = _("Another %(record)s has the id “%(id)s”.") % {
            "record": model._meta.verbose_name,
            "id": external_id,
        }
