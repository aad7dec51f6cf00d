"""Changing a settings row (:class:`~attain.pay.models.SettingsRow`: one row, pk 1)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import transaction

from attain.audit.services import save_update

from .models import SettingsRow

Row = TypeVar("Row", bound=SettingsRow)


def update_settings(
    actor: Any,
    model: type[Row],
    values: Mapping[str, Any],
    *,
    state: Callable[[Row], dict[str, Any]],
    reason: str = "",
) -> Row:
    """Set ``values`` on the settings row of ``model`` (made on first use), stamped with
    ``actor``, and audit the change from ``state`` before to ``state`` after."""
    with transaction.atomic():
        row, _created = model._default_manager.select_for_update().get_or_create(pk=1)
        before = state(row)
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_by = actor
        save_update(actor, row, before=before, state=state, reason=reason)
    return row
