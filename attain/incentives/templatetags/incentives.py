from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from attain.org.company import currency_symbol

register = template.Library()


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def pct(value: Any) -> str:
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{(number * 100).quantize(Decimal('0.1'))}%"


@register.filter
def money(value: Any) -> str:
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{currency_symbol()}{number.quantize(Decimal('0.01')):,}"


@register.filter
def num(value: Any) -> str:
    number = _decimal(value)
    if number is None:
        return "—"
    if number == number.to_integral_value():
        return f"{number.quantize(Decimal(1)):,}"
    if number.as_tuple().exponent < -4:  # type: ignore[operator]
        number = number.quantize(Decimal("0.0001"))
    return f"{number.normalize():,f}"


@register.filter
def get(mapping: Any, key: Any) -> Any:
    if isinstance(mapping, dict):
        return mapping.get(key)
    if isinstance(mapping, list | tuple):
        try:
            return mapping[int(key)]
        except (IndexError, ValueError):
            return None
    return None


@register.filter
def heat(value: Any) -> str:
    """A heatmap cell class by attainment."""
    number = _decimal(value)
    if number is None:
        return "heat-none"
    if number >= Decimal("1.2"):
        return "heat-5"
    if number >= 1:
        return "heat-4"
    if number >= Decimal("0.8"):
        return "heat-3"
    if number >= Decimal("0.5"):
        return "heat-2"
    return "heat-1"


@register.filter
def bar(value: Any, top: Any = 1) -> str:
    """A bar width in percent (0–100) of value against top."""
    number, maximum = _decimal(value), _decimal(top)
    if number is None or not maximum:
        return "0"
    return str(max(0, min(100, int(number * 100 / maximum))))


@register.filter
def pace_label(status: Any) -> str:
    from django.utils.translation import gettext as _

    labels = {
        "on_track": _("on track"),
        "at_risk": _("at risk"),
        "behind": _("behind"),
        "met": _("met"),
        "missed": _("missed"),
    }
    return labels.get(str(status), str(status or "—"))


@register.filter
def step(value: Any) -> str:
    """A step's number, readable: at most 6 decimals (the explanation keeps every digit)."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if number.as_tuple().exponent < -6:  # type: ignore[operator]
        number = number.quantize(Decimal("0.000001"))
    return f"{number.normalize():f}" if number == number.to_integral_value() else f"{number:f}"


@register.filter
def explain_step(value: Any) -> dict[str, str]:
    """An explanation step (the engine's data) in the reader's language."""
    from ..explain_text import step_text

    return step_text(value if isinstance(value, dict) else {})


@register.filter
def explain_detail(value: Any) -> str:
    from ..explain_text import detail_text

    return detail_text(value)


@register.filter
def component_kind(value: Any) -> str:
    from ..explain_text import COMPONENT_KINDS, label_of

    return label_of(COMPONENT_KINDS, value)


@register.filter
def scope_label(value: Any) -> str:
    from ..explain_text import SCOPES, label_of

    return label_of(SCOPES, value)


@register.filter
def target_rule(value: Any) -> str:
    from ..explain_text import TARGET_RULES, label_of

    return label_of(TARGET_RULES, value)


@register.filter
def period_kind(value: Any) -> str:
    from ..explain_text import PERIOD_KINDS, label_of

    return label_of(PERIOD_KINDS, value)


@register.filter
def amount(value: Any) -> str:
    """A number for reading: grouped, money and fractions to 2 places (4 below 1)."""
    from ..explain_text import money, number

    number_ = _decimal(value)
    if number_ is None:
        return "—"
    if number_ == number_.to_integral_value() or abs(number_) < 1:
        return number(number_)
    return money(number_)


@register.filter
def money2(value: Any) -> str:
    """An amount of money: grouped, exactly 2 places (no currency sign)."""
    from ..explain_text import money

    return "—" if _decimal(value) is None else money(value)
