"""``{% once_field %}``: the hidden one-time key of a form that acts once
(attain.web.once)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from attain.web.once import FIELD, key_of, new_key

register = template.Library()


@register.simple_tag(takes_context=True)
def once_field(context: Any) -> str:
    """The key the form was sent with when it is shown again (refused), else a new one."""
    request = context.get("request")
    key = (key_of(request) if request is not None and request.method == "POST" else None) or (
        new_key()
    )
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, key)
