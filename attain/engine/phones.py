"""One reading of a phone number, shared by the CRM's duplicate check (through
``attain.engine.phone_key``) and the integrity scans (:func:`phone_digits` on a Polars
column): the digits that identify the line, so that its written forms compare equal.

- a mobile without +86 / 0086: ``+86 139-1234-5678`` is ``13912345678``;
- an extension after the number dropped: ``138 0013 8000 转 123`` is ``13800138000``;
- a landline by its local number, without the area code many type without it and the
  +86 before it: ``010-62345678``, ``(010) 6234 5678``, ``+86 10 62345678`` and
  ``62345678`` are all ``62345678``.

Keys compare in bulk (an index, a group-by). Where two numbers are at hand,
:func:`same_line` also tells apart two landlines written with different area codes
(Beijing's ``010-62345678`` and Shanghai's ``021-62345678``), which share a key.

A phone field often holds more than one number (a landline and a mobile:
``0769-8888 1234；186 1234 5678``, ``010-1234567 / 13912345678``): :func:`split_phones`
reads the numbers it holds, :func:`phone_keys` their keys and :func:`shares_a_line`
whether two fields have a line in common. The CRM's duplicate check and the integrity
scans both read a field through them.

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

# An extension written after the number (138 0013 8000 转 123, 010-62345678 ext. 12,
# 分机 8, #8, x12): dropped, so that a number compares with and without it.
_EXTENSION = r"(?i)^(.*[0-9])\s*(?:转|分机|ext\.?|x|#)\s*[0-9]{1,6}\s*$"
_EXTENSION_RE = re.compile(_EXTENSION)


def _digits(phone: str) -> str:
    """The digits written (full-width read as half-width), without an extension."""
    text = _EXTENSION_RE.sub(r"\1", unicodedata.normalize("NFKC", phone))
    return "".join(c for c in text if "0" <= c <= "9")


def phone_key(phone: str) -> str:
    """``phone`` as the digits that identify it (full-width digits read as half-width);
    "" when it has no digits."""
    digits = _digits(phone)
    for pattern, prefix in _COMPILED:
        match = pattern.match(digits)
        if match:
            digits = prefix + match.group(1)
    return digits


_AREAS = tuple(
    re.compile(pattern)
    for pattern in (
        r"^(?:0086|86)0?(" + _AREA + r")[0-9]{7,8}$",
        r"^0(" + _AREA + r")[0-9]{7,8}$",
    )
)
_MOBILE = re.compile(r"^(?:0086|86)?1[0-9]{10}$")


def phone_area(phone: str) -> str:
    """The area code written with a landline, without its trunk 0 (``"10"`` for
    ``010-62345678`` or ``+86 10 62345678``); "" when none is written, or for a mobile."""
    digits = _digits(phone)
    if _MOBILE.match(digits):
        return ""
    for pattern in _AREAS:
        match = pattern.match(digits)
        if match:
            return match.group(1)
    return ""


def same_line(a: str, b: str) -> bool:
    """Whether two written numbers are one line: the same :func:`phone_key`, unless both
    give an area code and the codes differ."""
    key = phone_key(a)
    if not key or key != phone_key(b):
        return False
    first, second = phone_area(a), phone_area(b)
    return not (first and second and first != second)


def phone_digits(value: pl.Expr) -> pl.Expr:
    """:func:`phone_key` on a column of NFKC text."""
    digits = value.str.replace(_EXTENSION, "$1").str.replace_all(r"[^0-9]", "")
    for pattern, prefix in _RULES:
        digits = digits.str.replace(pattern, prefix + "$1")
    return digits


# What separates two numbers kept in one field, after NFKC (the full-width ；，／｜ are
# then their half-width forms; 、 stays): 0769-8888 1234；186 1234 5678, and the words
# 或, 及 and 和 (13912345678或13812345678).
_SEPARATORS = re.compile(r"[;,/|、\n或及和]")
# A whole number, as digits: a mobile, or a landline with its area code (with or without
# +86 / 0086 before either).
_WHOLE = re.compile(r"^(?:(?:0086|86)?1[0-9]{10}|(?:(?:0086|86)0?|0)" + _AREA + r"[0-9]{7,8})$")
# A local number written alone as one run of digits (it never begins with 0 or 1).
_LOCAL = re.compile(r"^[2-9][0-9]{6,7}$")
_NOT_DIGIT = re.compile(r"[^0-9]")
# An extension at the start of what follows a number (转 123, ext. 12, #8, x12).
_EXTENSION_NEXT = re.compile(r"(?i)^\s*(?:转|分机|ext\.?|x|#)\s*[0-9]{1,6}(?=\s|$)")


def _by_spaces(part: str) -> list[str]:
    """The numbers in ``part`` when only spaces separate them (13912345678 13812345678,
    0769-8888 1234 186 1234 5678): runs of words, each a whole number with the extension
    after it; ``[part]`` when it does not read so."""
    if len(_NOT_DIGIT.sub("", part)) <= 12:
        return [part]  # one number, however it is spaced (the common case: quick)
    if _WHOLE.match(_digits(part)):
        return [part]
    numbers: list[str] = []
    words = list(re.finditer(r"\S+", part))
    start = None
    position = 0  # where the next number begins
    for word in words:
        if word.start() < position:
            continue  # part of the extension read with the number before
        if start is None:
            start = word.start()
        text = part[start : word.end()]
        digits = "".join(c for c in text if "0" <= c <= "9")
        alone = text == word.group() and _LOCAL.match(digits)
        if _WHOLE.match(digits) or alone:
            extension = _EXTENSION_NEXT.match(part[word.end() :])
            position = word.end() + (extension.end() if extension else 0)
            numbers.append(part[start:position].strip())
            start = None
    if start is not None or len(numbers) < 2:
        return [part]
    return numbers


def split_phones(field: str) -> list[str]:
    """The numbers a phone field holds (read NFKC: full-width digits and separators as
    half-width), each as written: ``0769-8888 1234；186 1234 5678`` holds
    ``0769-8888 1234`` and ``186 1234 5678``. Numbers are separated by ; , / | 、 or a
    line break, 或 / 及 / 和, or by spaces alone where each side reads as a whole
    number."""
    numbers: list[str] = []
    for part in _SEPARATORS.split(unicodedata.normalize("NFKC", field)):
        if part := " ".join(part.split()):
            numbers.extend(_by_spaces(part))
    return numbers


def usable_key(key: str) -> bool:
    """Whether a key identifies a line: 7 digits or more, not one digit repeated
    (0000000, a placeholder)."""
    return len(key) >= 7 and key.strip(key[0]) != ""


def phone_keys(field: str) -> list[str]:
    """The :func:`phone_key` of each number in the field (:func:`split_phones`) that
    identifies a line, each once, in the order written."""
    keys: list[str] = []
    for number in split_phones(field):
        key = phone_key(number)
        if usable_key(key) and key not in keys:
            keys.append(key)
    return keys


def shares_a_line(a: str, b: str) -> bool:
    """Whether two phone fields hold one line in common (:func:`same_line`, number by
    number, among those that identify a line)."""
    first = [n for n in split_phones(a) if usable_key(phone_key(n))]
    second = [n for n in split_phones(b) if usable_key(phone_key(n))]
    return any(same_line(x, y) for x in first for y in second)
