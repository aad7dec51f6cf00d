"""One reading of a phone number, shared by the CRM's duplicate check (through
``attain.engine.phone_key``) and the integrity scans (:func:`phone_digits` on a Polars
column): the digits that identify the line, so that its written forms compare equal.

- a mobile without +86 / 0086: ``+86 139-1234-5678`` is ``13912345678``;
- a landline by its local number, without the area code many type without it and the
  +86 before it: ``010-62345678``, ``(010) 6234 5678``, ``+86 10 62345678`` and
  ``62345678`` are all ``62345678``.

The rules are written once, as regular expressions both Python's ``re`` and Polars
(Rust's regex) read the same way.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

# A Chinese area code after its trunk 0: 10 and 2x (Beijing, Shanghai, …) have two
# digits, the others (3xx … 9xx) three; the local number that follows has 7 or 8.
_AREA = r"(?:10|2[0-9]|[3-9][0-9][0-9])"

# (pattern, the group kept, the text put before it), applied in order to the digits.
_RULES: tuple[tuple[str, str], ...] = (
    # +86 139…, 0086 139…: the same mobile as 139…
    (r"^(?:0086|86)(1[0-9]{10})$", ""),
    # +86 10 6234…, 0086 755 8765…: the landline's area code with its trunk 0
    (r"^(?:0086|86)0?(" + _AREA + r"[0-9]{7,8})$", "0"),
    # 010 6234 5678, 0755-8765-4321: the local number
    (r"^0" + _AREA + r"([0-9]{7,8})$", ""),
)
_COMPILED = tuple((re.compile(pattern), prefix) for pattern, prefix in _RULES)


def phone_key(phone: str) -> str:
    """``phone`` as the digits that identify it (full-width digits read as half-width);
    "" when it has no digits."""
    digits = "".join(c for c in unicodedata.normalize("NFKC", phone) if "0" <= c <= "9")
    for pattern, prefix in _COMPILED:
        match = pattern.match(digits)
        if match:
            digits = prefix + match.group(1)
    return digits


def phone_digits(value: pl.Expr) -> pl.Expr:
    """:func:`phone_key` on a column of NFKC text."""
    digits = value.str.replace_all(r"[^0-9]", "")
    for pattern, prefix in _RULES:
        digits = digits.str.replace(pattern, prefix + "$1")
    return digits
