"""Model fields that many apps declare alike."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

# An amount of money: exact to the cent (``models.DecimalField(_("amount"), **MONEY)``).
MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}


def acting_user() -> models.ForeignKey:
    """The login that did something (created, reviewed, approved, updated a row…): empty
    when nobody did or the login was deleted since, with no reverse accessor on the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
