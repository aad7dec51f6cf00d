"""Template helpers of the web shell."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html, format_html_join, json_script

from attain.web.pickers import picker_attrs

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


@register.simple_tag
def chart(option: dict[str, Any], name: str, label: str) -> str:
    """A chart drawn by charts.js from ``option`` (attain.web.charts), with ``label`` as
    its accessible name; the page gives its figures as text too (a table beside it)."""
    data_id = f"chart-{name}-data"
    return format_html(
        '<div class="chart" id="chart-{}" role="img" aria-label="{}" data-chart="{}"></div>{}',
        name,
        label,
        data_id,
        json_script(option, data_id),
    )


@register.simple_tag
def picker(kind: str, name: str, list_id: str) -> str:
    """The attributes that turn a hand-written ``<input name=name>`` into a picker of
    ``kind``; the template adds ``<datalist id=list_id></datalist>`` after it."""
    attrs = picker_attrs(kind, name, list_id)
    return format_html_join(" ", '{}="{}"', attrs.items())
