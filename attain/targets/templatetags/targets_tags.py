from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from attain.org.selectors import person_of

from ..models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_target_notifications(context: dict[str, Any]) -> int:
    request = context.get("request")
    me = person_of(getattr(request, "user", None))
    if me is None:
        return 0
    return Notification.objects.filter(person=me, read__isnull=True).count()


@register.filter
def percent(value: Decimal | None) -> str:
    """0.8734 → 87.3% (display only)."""
    if value is None:
        return "—"
    return f"{(Decimal(value) * 100).quantize(Decimal('0.1')):,}%"


@register.filter
def whole(value: Decimal | str | None) -> str:
    """A target or actual grouped, as an integer when it is whole (the usual ``round_to``
    of 1 or more), else with its cents (a plan rounded to 0.01: 0.02 is not 0)."""
    if value is None or value == "":
        return "—"
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{number.quantize(Decimal(1)):,}"
    return f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def plain(value: Decimal | str | None) -> str:
    """A number for an input: no grouping, no trailing zeros."""
    if value is None or value == "":
        return ""
    number = Decimal(value)
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


@register.simple_tag
def cell_vals(measure: str, who: str, period: str, unit: str) -> str:
    import json

    return json.dumps({"measure": measure, "who": who, "period": period, "unit": unit})


@register.filter
def pace_status(status: str | None) -> str:
    from django.utils.translation import gettext

    labels = {
        "on_track": gettext("on track"),
        "at_risk": gettext("at risk"),
        "behind": gettext("behind"),
        "met": gettext("met"),
        "missed": gettext("missed"),
    }
    return labels.get(status or "", status or "")


BASIS_LABELS = {
    "model": _("pipeline + history"),
    "no_pipeline": _("history, no pipeline"),
    "no_history": _("run-rate: little history"),
    "new_unit": _("run-rate: new unit"),
    "units": _("sum of its people"),
    "left": _("left: final"),
}


@register.simple_tag
def forecast_for(forecasts: Any, kind: str, who: str, measure: str, period: str) -> Any:
    """The forecast row of one pace row (or None)."""
    if not hasattr(forecasts, "get"):
        return None
    return forecasts.get(f"{kind}|{who}|{measure}|{period}")


@register.filter
def forecast_basis(value: str) -> str:
    return str(BASIS_LABELS.get(value, value))


@register.filter
def index(values: Any, position: int) -> Any:
    """``values[position]`` (None when out of range): a column of a chart's figures."""
    try:
        return values[int(position)]
    except (IndexError, TypeError, ValueError):
        return None
