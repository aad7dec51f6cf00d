"""Exact decimal numbers: the one constructor, half-up rounding, money quantisation.

Never binary floating point for anything that is paid out. YAML floats are read as
``Decimal`` directly from their text by the scenario loader; anything else goes
through :func:`to_decimal`.
"""

from __future__ import annotations

import decimal
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

# 28 significant digits are the floor the spec asks for; we keep more headroom.
ENGINE_CONTEXT = decimal.Context(prec=40, rounding=decimal.ROUND_HALF_EVEN)

ZERO = Decimal(0)
ONE = Decimal(1)


def _codes(text: str) -> list[str]:
    return text.split()


# ISO 4217 (list one, amendments to 2025): the minor unit of every currency whose minor
# unit is not 2 places; every other currency has 2.
MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(
        _codes("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"), 0
    ),
    **dict.fromkeys(_codes("BHD IQD JOD KWD LYD OMR TND"), 3),
    **dict.fromkeys(_codes("CLF UYW"), 4),
}

# The currencies of ISO 4217 list one in use (legal tender or fund codes). A code outside
# it is checked against CLDR's list of past currencies (:func:`currency_problem`).
CURRENCIES = frozenset(
    _codes(
        """
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD
        BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP
        DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS
        INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL
        LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR
        NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP
        SLE SOS SRD SSP STN SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI
        UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
        """
    )
)

# ISO 4217 codes that are not money anyone is paid in: precious metals, units of account,
# the testing code and "no currency" (their minor unit is "N.A.")
NOT_MONEY = frozenset(_codes("XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX"))


def currency_problem(code: str) -> str | None:
    """Why ``code`` cannot be a scenario's currency, or None when it can: an ISO 4217
    code in use, or a past one (Croatia's HRK for an old year) as CLDR lists them."""
    if code in CURRENCIES:
        return None
    if code in NOT_MONEY:
        return f"{code!r} is an ISO 4217 code of no currency payouts are made in"
    if len(code) == 3 and code.isascii() and code.isupper() and _past_currency(code):
        return None
    return f"{code!r} is not an ISO 4217 currency code like CNY, USD or EUR"


def _past_currency(code: str) -> bool:
    try:  # Babel (the app's locale data) lists past currencies too; loaded only here
        from babel.numbers import list_currencies
    except ImportError:  # pragma: no cover - installed with the engine
        return False
    return code in list_currencies()


class NotANumber(ValueError):
    """The value cannot be read as an exact decimal number."""


def to_decimal(value: object) -> Decimal:
    """The one decimal constructor of the engine.

    Accepts Decimal, int, float (through its shortest text, never its binary value),
    and numeric text. Booleans, NaN and infinities are not numbers here.
    """
    if isinstance(value, bool):
        raise NotANumber(f"{value!r} is not a number")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, Fraction):
        result = Decimal(value.numerator) / Decimal(value.denominator)
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        if not text:
            raise NotANumber("empty text is not a number")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise NotANumber(f"{value!r} is not a number") from None
    else:
        raise NotANumber(f"{value!r} is not a number")
    if not result.is_finite():
        raise NotANumber(f"{value!r} is not a finite number")
    return result


def is_number(value: object) -> bool:
    try:
        to_decimal(value)
    except NotANumber:
        return False
    return True


def minor_unit(currency: str) -> int:
    """Decimal places of the currency's minor unit (default 2)."""
    return MINOR_UNITS.get(currency.upper(), 2)


_EXPONENTS: dict[int, Decimal] = {}
_MAX_PLACES = 1000  # ROUND(x, n) with n beyond this is no rounding anyone means


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Round to `places` decimals, halves away from zero (四舍五入)."""
    exponent = _EXPONENTS.get(places)
    if exponent is None:
        exponent = _EXPONENTS[places] = Decimal(1).scaleb(-places)
    try:
        return value.quantize(exponent, rounding=ROUND_HALF_UP, context=ENGINE_CONTEXT)
    except InvalidOperation:
        if not value.is_finite() or places > _MAX_PLACES:
            raise
        # more digits than the context's 40 (a payout of 10^40): exact in a wider one
        wide = decimal.Context(prec=max(value.adjusted(), 0) + max(places, 0) + 2)
        return value.quantize(exponent, rounding=ROUND_HALF_UP, context=wide)


def round_money(value: Decimal, currency: str) -> Decimal:
    return round_half_up(value, minor_unit(currency))


def floor_decimal(value: Decimal) -> Decimal:
    with decimal.localcontext(ENGINE_CONTEXT):
        return value.to_integral_value(rounding=ROUND_FLOOR)


def plain(value: Decimal) -> str:
    """Fixed-point text without exponent and without trailing zeros ("1234.5", "120000")."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


SIGNIFICANT = 6  # digits (and at least as many decimal places) of a number that is not money


def significant(value: Decimal, digits: int = SIGNIFICANT) -> Decimal:
    """At least `digits` significant digits and at least `digits` decimal places, half-up."""
    if value == 0:
        return ZERO
    adjusted = value.adjusted()  # exponent of the leading digit
    places = max(digits, digits - 1 - adjusted)
    return round_half_up(value, places)


def number_text(value: Decimal, money: bool, places: int) -> str:
    """A result's number as JSON text: money half-up to `places` (the currency's minor
    unit), other numbers to :data:`SIGNIFICANT` digits (:func:`significant`), without
    trailing zeros; ``plain(round_half_up(…))`` without rounding a value whose digits
    need none (most of them)."""
    if not value:
        return "0"  # any zero, also -0.00, prints as 0
    text = format(value, "f")
    point = text.find(".")
    if point < 0:
        return text
    text = text.rstrip("0")
    decimals = len(text) - point - 1
    if decimals == 0:
        return text[:-1]
    if not money:
        places = max(SIGNIFICANT, SIGNIFICANT - 1 - value.adjusted())
    if decimals <= places:
        return text  # nothing to round: the digits are the value's own
    return plain(round_half_up(value, places))


def quotient_text(value: Decimal, money: bool, places: int) -> str:
    """``number_text(value, money, places)`` for a quotient (an attainment, a projection,
    a score): the same text, rounded first. A quotient has up to 40 digits and almost
    always needs the rounding, so this skips writing all of them out before it (one
    ``format``, not two)."""
    if not value:
        return "0"
    adjusted = value.adjusted()
    if not -30 <= adjusted <= 30 or not value.is_finite():
        # the rounded value would not fit the context's 40 digits, or its exponent
        # would be out of the context's range: the general writer
        return number_text(value, money, places)
    if not money:
        places = SIGNIFICANT if adjusted >= -1 else SIGNIFICANT - 1 - adjusted
    exponent = _EXPONENTS.get(places)
    if exponent is None:
        exponent = _EXPONENTS[places] = Decimal(1).scaleb(-places)
    text = format(value.quantize(exponent, rounding=ROUND_HALF_UP, context=ENGINE_CONTEXT), "f")
    if places:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def ratio_text(value: Decimal) -> str:
    """:func:`quotient_text` of a number that is not money."""
    return quotient_text(value, False, SIGNIFICANT)


def money_text(value: Decimal, currency: str) -> str:
    """A payout as text with exactly the currency's decimals ("8261.73", "-300.00")."""
    places = MINOR_UNITS.get(currency) or minor_unit(currency)
    text = format(value, "f")
    point = text.find(".")
    if point > 0 and len(text) - point - 1 == places and (value or text[0] != "-"):
        return text  # already rounded (component amounts and payouts are)
    rounded = round_half_up(value, places)
    text = format(rounded, "f")
    if text.startswith("-") and rounded == 0:
        text = text[1:]
    return text


def fraction(value: Decimal) -> Fraction:
    return Fraction(value)
