"""The one way pages show numbers: ``{{ value|grouped }}`` for counts and quantities,
``{{ value|money }}`` for amounts. Both group thousands in the page's language (see
attain/core/formats: zh-hans groups as English does) and show ``—`` for no value."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

from attain.org.company import money_text
from attain.web.numbers import finite_decimal

register = template.Library()
NONE = "—"


@register.filter
def grouped(value: Any) -> str:
    """A count or quantity: thousands grouped, whole numbers without decimals, fractions
    as they are (trailing zeros dropped)."""
    number = finite_decimal(value)
    if number is None:
        return NONE if value is None or value == "" else str(value)
    if number == number.to_integral_value():
        return number_format(int(number), 0, force_grouping=True)
    plain = number.normalize()
    places = max(0, -int(plain.as_tuple().exponent))
    return number_format(plain, places, force_grouping=True)


@register.filter
def money(value: Any) -> str:
    """An amount of money: thousands grouped, with the currency's places (2 for CNY, none
    for JPY; half up)."""
    number = finite_decimal(value)
    if number is None:
        return NONE if value is None or value == "" else str(value)
    return money_text(number)


@register.filter
def percent(value: Any) -> str:
    """A share (``0.125``) as a percentage as it is: ``12.5%``, not rounded to a whole
    percent (a credit split of 12.5% and 87.5% adds up to 100% on the page too)."""
    number = finite_decimal(value)
    if number is None:
        return NONE if value is None or value == "" else str(value)
    return f"{grouped(number * 100)}%"
