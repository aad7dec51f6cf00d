"""Exact decimal arithmetic on scaled 128-bit integer columns, and the engine's texts
of such numbers (:mod:`attain.engine.numbers`' rules, as Polars expressions).

A number is an integer column and a scale: ``n / 10^scale``. Products are exact;
quotients are one integer division rounded half-up (see the package's docstring for
why that gives the engine's 40-digit digits within :data:`LIMIT`). Nothing here
overflows silently: every result that could is null instead, and a null text means
"the caller writes this one in Python".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from ..expressions import Const, Expression

LIMIT = 10**37  # scaled magnitudes stay below this (the proof above needs < 10³⁸)
COMPARED = 10**33  # attainments are compared exactly while both sides stay below this
SMALLEST = 12  # a quotient that is not money and below 10⁻¹² is left to Python
MAX_SCALE = 18  # a target with more decimals than this is left to Python
I128 = pl.Int128


WHO = "__who"  # the person's position in the list asked for
AT = "__at"  # the period's position in the reported periods


class Unsupported(Exception):
    """Something the columns do not compute: the caller computes every row."""


def lit(value: int) -> pl.Expr:
    """A 128-bit integer literal (:class:`Unsupported` beyond 128 bits)."""
    if not -(2**127) <= value < 2**127:
        raise Unsupported(f"{value} is beyond 128 bits")
    return pl.lit(value, dtype=I128)


def _negated(value: pl.Expr) -> pl.Expr:
    return lit(0) - value  # Polars has no `neg` for 128-bit integers


def fixed(scaled: pl.Expr, places: int | pl.Expr) -> pl.Expr:
    """The text of ``scaled / 10^places`` without trailing zeros ("12.5", "-3", "0")."""
    magnitude = scaled.abs().cast(pl.String)
    if not isinstance(places, int) or places:
        digits = magnitude.str.zfill(places + 1)
        whole = digits.str.slice(0, digits.str.len_bytes() - places)
        decimals = digits.str.slice(-places).str.strip_chars_end("0")
        magnitude = pl.when(decimals == "").then(whole).otherwise(whole + "." + decimals)
    return (
        pl.when(scaled == 0)
        .then(pl.lit("0"))
        .when(scaled < 0)
        .then("-" + magnitude)
        .otherwise(magnitude)
    )


def _half_up(scaled: pl.Expr, drop: int) -> pl.Expr:
    """``scaled`` with its last `drop` digits rounded off, halves away from zero."""
    if drop <= 0:
        return scaled
    rounded = (scaled.abs() + lit(5 * 10 ** (drop - 1))) // lit(10**drop)
    return pl.when(scaled < 0).then(_negated(rounded)).otherwise(rounded)


def number_text(scaled: pl.Expr, scale: int, money: bool, places: int) -> pl.Expr:
    """:func:`attain.engine.numbers.number_text` of ``scaled / 10^scale``; null where a
    number that is not money would need its significant digits counted (Python's)."""
    if money:
        if scale <= places:
            return fixed(scaled, scale)
        return fixed(_half_up(scaled, scale - places), places)
    if scale <= 6:  # at least six decimals are written: nothing to round
        return fixed(scaled, scale)
    unit = lit(10 ** (scale - 6))
    return pl.when(scaled % unit == 0).then(fixed(scaled // unit, 6)).otherwise(None)


def quotient(
    num: pl.Expr, den: pl.Expr, money: bool, places: int, ties: bool = False
) -> tuple[pl.Expr, int | pl.Expr]:
    """The engine's 40-digit ``num / den`` (``den`` > 0, below :data:`LIMIT`) as
    :func:`attain.engine.numbers.quotient_text` rounds it: (the exact quotient rounded
    half-up once at its places, scaled to an integer; those places). The first is null
    out of range; :func:`fixed` of the two is the text.

    `ties`: the engine divided a number it had already rounded to 40 digits (an
    average), so an exact quotient that lies on a rounding boundary may have been
    rounded either way: such quotients are null (left to Python)."""
    magnitude = num.abs()
    digits: int | pl.Expr
    if money:
        digits = places
    else:  # six significant digits, and at least six decimals: places by the exponent
        chain: Any = pl.when((magnitude * lit(10) >= den) | (num == 0)).then(
            pl.lit(6, dtype=pl.Int32)
        )
        for j in range(2, SMALLEST + 1):
            chain = chain.when(magnitude * lit(10**j) >= den).then(pl.lit(5 + j, dtype=pl.Int32))
        digits = chain.otherwise(None)
    twice = lit(2 * 10**digits) if isinstance(digits, int) else lit(10).pow(digits) * lit(2)
    rounded = (magnitude * twice + den) // (den * lit(2))
    signed = pl.when(num < 0).then(_negated(rounded)).otherwise(rounded)
    in_range = magnitude < lit(LIMIT) // twice
    if ties:
        in_range = in_range & ((magnitude * twice) % (den * lit(2)) != den)
    return pl.when(in_range).then(signed), digits


def mantissa(value: Decimal) -> int:
    """The integer of a decimal's digits, its sign kept (``-1.50`` → ``-150``)."""
    sign, digits, _exponent = value.as_tuple()
    number = int("".join(map(str, digits)) or "0")
    return -number if sign else number


def decimals_of(text: str) -> int:
    point = text.find(".")
    return 0 if point < 0 else len(text) - point - 1


def reduced(part: Decimal, whole: Decimal) -> tuple[int, int, int]:
    """``part / whole`` as (a, b, k): a / b in lowest terms, and the fewest decimals
    ``k`` for which b divides 10^k × a whole multiple of its other factors."""
    ratio = Fraction(part) / Fraction(whole)
    b = ratio.denominator
    twos = fives = 0
    while b % 2 == 0:
        b //= 2
        twos += 1
    while b % 5 == 0:
        b //= 5
        fives += 1
    return ratio.numerator, ratio.denominator, max(twos, fives)


def money_text(scaled: pl.Expr, places: int) -> pl.Expr:
    """:func:`attain.engine.numbers.money_text` of a rounded amount ``scaled /
    10^places``: exactly `places` decimals ("8261.73", "-300.00", "0.00")."""
    magnitude = scaled.abs().cast(pl.String)
    if places:
        digits = magnitude.str.zfill(places + 1)
        magnitude = (
            digits.str.slice(0, digits.str.len_bytes() - places) + "." + digits.str.slice(-places)
        )
    return pl.when(scaled < 0).then("-" + magnitude).otherwise(magnitude)


def half_up(scaled: pl.Expr, scale: int, places: int) -> pl.Expr:
    """``scaled / 10^scale`` rounded half-up to `places` decimals, as an integer at
    scale `places` (:func:`attain.engine.numbers.round_half_up`)."""
    if scale <= places:
        shift = 10 ** (places - scale)
        return pl.when(scaled.abs() < lit(LIMIT // shift)).then(scaled * lit(shift))
    return _half_up(scaled, scale - places)


# -- exact number columns ----------------------------------------------------------------
BOUND = 10**16  # the factors of a product stay below this, so the product below 10³²


def known_if(condition: pl.Expr, then: pl.Expr, otherwise: pl.Expr) -> pl.Expr:
    """``then`` where `condition` holds, ``otherwise`` where it does not, null where it
    is null (unlike ``pl.when``, which takes null for false)."""
    return pl.when(condition.is_null()).then(None).when(condition).then(then).otherwise(otherwise)


@dataclass(frozen=True)
class Num:
    """An exact number column: ``expr / 10^scale`` (null: out of range)."""

    expr: pl.Expr
    scale: int

    @staticmethod
    def of(value: Decimal) -> Num:
        """A constant, exactly (any number of digits)."""
        sign, digits, exponent = value.as_tuple()
        assert isinstance(exponent, int)
        number = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
        if exponent >= 0:
            return Num(lit(number * 10**exponent), 0)
        return Num(lit(number), -exponent)

    def at(self, scale: int) -> pl.Expr:
        """The value at a scale at least its own (null where that leaves the range)."""
        shift = scale - self.scale
        if shift == 0:
            return self.expr
        return pl.when(self.expr.abs() < lit(COMPARED // 10**shift)).then(
            self.expr * lit(10**shift)
        )

    def __mul__(self, other: Num) -> Num:
        fits = (self.expr.abs() < lit(BOUND)) & (other.expr.abs() < lit(BOUND))
        return Num(pl.when(fits).then(self.expr * other.expr), self.scale + other.scale)

    def __sub__(self, other: Num) -> Num:
        scale = max(self.scale, other.scale)
        return Num(self.at(scale) - other.at(scale), scale)

    def plus(self, other: Num) -> Num:
        scale = max(self.scale, other.scale)
        return Num(self.at(scale) + other.at(scale), scale)

    def pair(self, other: Num) -> tuple[pl.Expr, pl.Expr, int]:
        scale = max(self.scale, other.scale)
        return self.at(scale), other.at(scale), scale

    def choose(self, condition: pl.Expr, other: Num) -> Num:
        """Other where `condition` holds, else this; null where it is null."""
        mine, theirs, scale = self.pair(other)
        return Num(known_if(condition, theirs, mine), scale)


def ge(a: Num, b: Num) -> pl.Expr:
    x, y, _scale = a.pair(b)
    return x >= y


def lt(a: Num, b: Num) -> pl.Expr:
    x, y, _scale = a.pair(b)
    return x < y


def constant(expression: Expression | None) -> Decimal | None:
    """The number an expression always gives, or None when it is not a constant one."""
    if expression is None or not isinstance(expression.node, Const):
        return None
    value = expression.node.value
    return value if isinstance(value, Decimal) and not isinstance(value, bool) else None
