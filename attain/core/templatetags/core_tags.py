"""Template helpers of the web shell."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist

register = template.Library()


@register.filter
def field_label(event: Any, field: str) -> str:
    """A changed field of an audit event by its translated name (the raw name when the
    model no longer has it)."""
    model = event.content_type.model_class() if event.content_type_id else None
    if model is None:
        return field
    try:
        found = model._meta.get_field(field)
    except FieldDoesNotExist:
        return field
    return str(getattr(found, "verbose_name", field))
