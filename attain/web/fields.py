"""Model fields that many apps declare alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# An amount of money: exact to the cent (``models.DecimalField(_("amount"), **MONEY)``).
MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}


def acting_user(verbose_name: StrOrPromise | None = None) -> models.ForeignKey:
    """The login that did something (created, reviewed, approved, updated a row…) or is
    to do it (an assignee): empty when nobody did or the login was deleted since, with no
    reverse accessor on the user. ``verbose_name`` where the field's name does not say it
    well enough (``created_by`` of an import is "imported by")."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
