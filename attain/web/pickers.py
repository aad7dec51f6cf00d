"""Pickers: a text input that still takes a code typed directly, with a ``<datalist>`` of
suggestions that htmx fills from the search endpoint as one types (``/search/pick/<kind>/``,
see :mod:`attain.core.search`). The endpoint answers under the visibility rule, so a rep is
offered only what they may see; the form still checks the code it receives."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.html import format_html

KINDS = ("person", "unit", "customer", "product")


def picker_attrs(kind: str, name: str, list_id: str) -> dict[str, str]:
    """The attributes that make an ``<input name=name>`` a picker of ``kind``."""
    if kind not in KINDS:
        raise ValueError(kind)
    return {
        "list": list_id,
        "autocomplete": "off",
        "hx-get": f"{reverse('pick', args=[kind])}?{urlencode({'field': name})}",
        "hx-trigger": "input changed delay:250ms, focus once",
        "hx-target": f"#{list_id}",
        "hx-swap": "innerHTML",
        "hx-sync": "this:replace",
        "data-picker": kind,
    }


class PickerInput(forms.TextInput):
    """A code input with search-as-you-type suggestions of ``kind``."""

    def __init__(self, kind: str, attrs: dict[str, Any] | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(kind)
        self.kind = kind
        super().__init__(attrs)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        list_id = f"{widget_attrs.get('id') or 'id_' + name}-options"
        widget_attrs.update(picker_attrs(self.kind, name, list_id))
        return context

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> Any:
        html = super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id') or self.attrs.get('id') or 'id_' + name}-options"
        return format_html('{}<datalist id="{}"></datalist>', html, list_id)
