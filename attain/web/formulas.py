"""Formula guards for spreadsheet exports (OWASP "CSV injection"), shared by every app
that writes a file people open in Excel or WPS: the record exports and pay's files
(attain.intake.exporter) and the target grid (attain.targets.excel).

A spreadsheet runs a cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula: such text is written with a leading apostrophe, and read
back without it."""

from __future__ import annotations

import re

FORMULA_STARTS = frozenset("=+-@\t\r")
FORMULA_GUARD = "'"


def guard_formula(text: str) -> str:
    """Text that a spreadsheet would run as a formula (it starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe, as OWASP
    recommends; so does text that already starts with apostrophes before one of those,
    so that :func:`unguard_formula` gives back exactly the original. Exports apply it to
    text only: numbers (negative ones too) stay numbers."""
    if text and (
        text[0] in FORMULA_STARTS
        or (text[0] == FORMULA_GUARD and text.lstrip(FORMULA_GUARD)[:1] in FORMULA_STARTS)
    ):
        return FORMULA_GUARD + text
    return text


def unguard_formula(text: str) -> str:
    """The inverse of :func:`guard_formula`: removes the one apostrophe it adds, and
    nothing else (``'abc`` stays ``'abc``)."""
    if text[:1] == FORMULA_GUARD:
        rest = text.lstrip(FORMULA_GUARD)
        if rest and rest[0] in FORMULA_STARTS:
            return text[1:]
    return text


_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def xml_safe(text: str) -> str:
    """Text an XLSX file (XML 1.0) can hold, for a cell or a document property: a
    vertical tab or form feed (Word's line and page breaks, pasted) becomes a line
    break, so words stay apart; the other control characters are dropped (openpyxl
    refuses the whole file for one)."""
    return _CONTROL.sub("", text.translate(_BREAKS))
