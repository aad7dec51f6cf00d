"""``{% measure_name code %}``: a measure by the name its readers know, not its code."""

from __future__ import annotations

from typing import Any

from django import template

from attain.measures.services import measure_names

register = template.Library()


@register.simple_tag(takes_context=True)
def measure_name(context: Any, code: Any) -> str:
    """The measure's name (the code itself for one no longer defined); the names are
    read once per page."""
    names: dict[str, str] = context.render_context.get("measure_names")
    if names is None:
        names = measure_names()
        context.render_context["measure_names"] = names
    return names.get(str(code), str(code))
