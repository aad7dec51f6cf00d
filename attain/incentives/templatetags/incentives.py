from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from django import template

from attain.org.company import currency_symbol, money_places, money_text
from attain.web.problems import problem_text

from .. import explain_text

register = template.Library()


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _number(format_number: Callable[[Decimal], str]) -> Callable[[Any], str]:
    """A filter that formats a number; "—" for a value that is none."""

    @functools.wraps(format_number)
    def number_filter(value: Any) -> str:
        number = _decimal(value)
        if number is None or not number.is_finite():
            return "—"
        # digits enough for any amount a plan may write (a bonus of 1e30 failed the
        # designer's preview: quantize beyond the default 28 digits); half-up (四舍五入)
        # as the engine rounds money, not the default banker's rounding
        with localcontext(rounding=ROUND_HALF_UP) as context:
            context.prec = max(context.prec, number.adjusted() + 12)
            return format_number(number)

    return number_filter


@register.filter
@_number
def pct(number: Decimal) -> str:
    return f"{(number * 100).quantize(Decimal('0.1')):,}%"


@register.filter
@_number
def money(number: Decimal) -> str:
    """¥1,234.50; a negative amount with its sign first (-¥1,234.50), none for one that
    rounds to nothing."""
    rounded = number.quantize(Decimal(1).scaleb(-money_places()), rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    return f"{sign}{currency_symbol()}{money_text(abs(rounded))}"


@register.filter
@_number
def num(number: Decimal) -> str:
    if number == number.to_integral_value():
        return f"{number.quantize(Decimal(1)):,}"
    if number.as_tuple().exponent < -4:  # type: ignore[operator]
        number = number.quantize(Decimal("0.0001"))
    return f"{number.normalize():,f}"


@register.filter
def engine_problem(text: Any) -> str:
    """A stored ``path: message`` of the engine (a failed run's) in the reader's
    language: the run keeps the engine's English, read by people of either language."""
    path, colon, message = str(text).partition(": ")
    return f"{path}: {problem_text(message)}" if colon else problem_text(path)


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
    return explain_text.step_text(value if isinstance(value, dict) else {})


@register.filter
def explain_description(value: Any) -> str:
    """A measure's description (from the engine) in the reader's language."""
    return explain_text.description_text(value)


@register.filter
def explain_detail(value: Any) -> str:
    return explain_text.detail_text(value)


# Filters naming an engine code in the reader's language: {{ component.kind|component_kind }}
for _name, _labels in (
    ("component_kind", explain_text.COMPONENT_KINDS),
    ("scope_label", explain_text.SCOPES),
    ("target_rule", explain_text.TARGET_RULES),
    ("period_kind", explain_text.PERIOD_KINDS),
):
    register.filter(_name, functools.partial(explain_text.label_of, _labels))


@register.filter
@_number
def amount(number: Decimal) -> str:
    """A number for reading: grouped, money and fractions to 2 places (4 below 1)."""
    if number == number.to_integral_value() or abs(number) < 1:
        return explain_text.number(number)
    return explain_text.money(number)


@register.filter
def record_value(value: Any) -> str:
    """A record's value in an explanation: a number for reading, a text as written (the
    customer a distinct count counts), "—" for none."""
    if value is None or value == "":
        return "—"
    if _decimal(value) is None:
        return str(value)
    return str(amount(value))


@register.filter
def money2(value: Any) -> str:
    """An amount of money: grouped, exactly 2 places (no currency sign)."""
    return "—" if _decimal(value) is None else explain_text.money(value)
