"""Formula guards for spreadsheet exports (OWASP "CSV injection"), shared by every app
that writes a file people open in Excel or WPS: the record exports and pay's files
(attain.intake.exporter) and the target grid (attain.targets.excel).

A spreadsheet runs a cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula: such text is written with a leading apostrophe, and read
back without it. A cell read from a workbook is said back to the user as the sheet
shows it (:func:`cell_text`): the imports' reasons and rejects, the target grid's errors."""

from __future__ import annotations

import datetime
import re
from typing import Any

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


def cell_text(value: Any) -> str:
    """A cell as text: Excel numbers that are whole print without ``.0``, a TRUE or
    FALSE cell as Excel shows it (and writes it to a CSV); a formula guard added by an
    export (:func:`guard_formula`) is removed."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = value.strip()
        return unguard_formula(value) if value[:1] == FORMULA_GUARD else value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def xml_safe(text: str) -> str:
    """Text an XLSX file (XML 1.0) can hold, for a cell or a document property: a
    vertical tab or form feed (Word's line and page breaks, pasted) becomes a line
    break, so words stay apart; the other control characters are dropped (openpyxl
    refuses the whole file for one)."""
    return _CONTROL.sub("", text.translate(_BREAKS))
