"""The engine's problems in the reader's language.

The engine knows no Django and writes its problems in English. Each wording it uses
for a plan, a measure or a decomposition is listed here as a catalogue entry whose
English is the engine's own text, its values written ``%(name)s``: a problem that
matches one is given in the reader's language with its values put back; any other keeps
the engine's text. (The same English comes back in English, so an English page or API
answer does not change.)
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# The more specific wording first: the first that matches the whole message is used.
WORDINGS = (
    gettext_noop("is required"),
    gettext_noop("is required (month, quarter, half or year)"),
    gettext_noop("is required ({role: rep}, {people: [...]} or {units: [...]})"),
    gettext_noop("is required with levels"),
    gettext_noop("unknown key %(key)s; did you mean %(suggestion)s?"),
    gettext_noop("unknown key %(key)s; the keys here are %(keys)s"),
    gettext_noop("unknown key %(key)s"),
    gettext_noop("unknown measure %(name)s; did you mean %(suggestion)s?"),
    gettext_noop("unknown record table %(name)s; did you mean %(suggestion)s?"),
    gettext_noop("unknown person or unit %(name)s; did you mean %(suggestion)s?"),
    gettext_noop("unknown person %(name)s; did you mean %(suggestion)s?"),
    gettext_noop("unknown unit %(name)s; did you mean %(suggestion)s?"),
    gettext_noop("unknown unit %(name)s"),
    gettext_noop("unknown measure %(name)s"),
    gettext_noop("unknown record table %(name)s"),
    gettext_noop("unknown person or unit %(name)s"),
    gettext_noop("unknown person %(name)s"),
    gettext_noop(
        "%(value)s is not a period id (2025, 2025-H1, 2025-Q1 … 2025-Q4, 2025-03); write %(period)s"
    ),
    gettext_noop("%(value)s is not a period id (2025, 2025-H1, 2025-Q1 … 2025-Q4, 2025-03)"),
    gettext_noop("duplicate target for %(measure)s / %(who)s / %(period)s (first at %(first)s)"),
    gettext_noop("share %(share)s is not a number; write %(text)s as %(number)s"),
    gettext_noop("share %(share)s is not a number"),
    gettext_noop("rate %(rate)s is outside [0, 1]; write %(text)s as %(number)s"),
    gettext_noop("rate %(rate)s is outside [0, 1]"),
    gettext_noop("%(number)s is outside [%(low)s, %(high)s]"),
    gettext_noop("%(value)s is not one of %(options)s"),
    gettext_noop("%(value)s is not a number (%(owner)s needs numbers)"),
    gettext_noop(
        "%(value)s has too many digits: numbers given as text may have at most %(digits)s "
        "before the decimal point (%(owner)s)"
    ),
    gettext_noop(
        "%(value)s is too large: with credit shares of %(shares)s decimals, the engine's 38 "
        "digits leave at most %(digits)s before the decimal point"
    ),
    gettext_noop("%(amount)s is more than a payout can hold (16 digits before the point)"),
    gettext_noop("%(value)s is not a finite number"),
    gettext_noop(
        "%(value)s is not a number; write %(text)s as %(number)s, without thousands separators"
    ),
    gettext_noop("%(value)s is not a number; write %(text)s as %(number)s"),
    gettext_noop("%(value)s is not a number"),
    gettext_noop("%(value)s is not a date (YYYY-MM-DD); write %(date)s"),
    gettext_noop("%(value)s is not a date: there is no month %(month)s"),
    gettext_noop("%(value)s is not a date: %(month)s has %(days)s days"),
    gettext_noop("%(value)s is not a date (YYYY-MM-DD)"),
    gettext_noop("must be a mapping"),
    gettext_noop("must be a mapping, like {from: orders, value: amount}"),
    gettext_noop("must be a list"),
    gettext_noop("must be a list of components"),
    gettext_noop("must be a list of ids"),
    gettext_noop("must be a non-empty list of %(fields)s"),
    gettext_noop("must be text, not %(value)s"),
    gettext_noop("must be true or false, not %(value)s"),
    gettext_noop("must be greater than 0, not %(number)s"),
    gettext_noop("must be a number, not %(kind)s"),
    gettext_noop("must start at from: 0, not %(start)s"),
    gettext_noop("from values must strictly increase (%(before)s then %(after)s)"),
    gettext_noop("cap %(cap)s is below floor %(floor)s"),
    gettext_noop("duplicate component id %(id)s in this plan"),
    gettext_noop("two levels start at %(minimum)s"),
    gettext_noop("a commission needs exactly one of rate and tiers"),
    gettext_noop("a bonus needs exactly one of amount and levels"),
    gettext_noop("ends before it starts"),
    gettext_noop("YAML syntax error: a tab; YAML is indented with spaces, not tabs"),
    gettext_noop("YAML syntax error: the character %(character)s is not allowed in YAML"),
    gettext_noop(
        "YAML syntax error: %(detail)s; line %(line)s holds a full-width space (U+3000): "
        "write spaces"
    ),
    gettext_noop(
        "YAML syntax error: %(detail)s; line %(line)s holds the full-width %(wide)s: "
        "write %(narrow)s"
    ),
    gettext_noop(
        "YAML syntax error: %(detail)s; check the indentation of this line and the lines "
        "above it: the keys of one mapping, and the items of one list, start in the same column"
    ),
    gettext_noop(
        "YAML syntax error: %(detail)s; put a value that holds ': ' in quotes ('A: B'), or "
        "check the indentation of this line and the lines above it"
    ),
    gettext_noop(
        "YAML syntax error: %(detail)s; write each key as key: value, with a space after the "
        "colon (here or just above)"
    ),
    gettext_noop("YAML syntax error: %(detail)s"),
    gettext_noop("YAML error: %(detail)s"),
    gettext_noop("duplicate key %(key)s (each key may appear once in a mapping)"),
    gettext_noop(
        "aliases repeat what is anchored here into more than %(limit)s values; write the "
        "data out instead of repeating it with aliases"
    ),
    gettext_noop("%(fields)s fields, but the header of %(file)s names %(header)s"),
    gettext_noop(
        "column names starting with __ are reserved for the engine (%(columns)s); rename them"
    ),
    gettext_noop("field names starting with __ are reserved for the engine"),
    # where a YAML syntax error is (the problem's path, not its message)
    gettext_noop("line %(line)s, column %(column)s"),
    gettext_noop("line %(line)s"),
    gettext_noop("file"),
    gettext_noop("%(day)s lies outside the fiscal years 1 … 9998 (%(first)s … %(last)s)"),
    # a decomposition's (target planning)
    gettext_noop(
        "the %(period)s target of %(who)s for %(measure)s is already %(kept)s from "
        "%(path)s (and %(count)s more); %(value)s is not used"
    ),
    gettext_noop(
        "the %(period)s target of %(who)s for %(measure)s is already %(kept)s from "
        "%(path)s; %(value)s is not used"
    ),
    gettext_noop(
        "the %(period)s target of %(who)s for %(measure)s stays %(kept)s from %(path)s; "
        "this decomposition still splits %(value)s"
    ),
    gettext_noop("no value and no target of %(who)s for %(period)s to decompose"),
    gettext_noop("person %(member)s has no %(attribute)s attribute"),
    gettext_noop("unit %(member)s has no %(attribute)s attribute"),
    # an expression's problems: "invalid expression 'x': " and the reason (itself listed)
    gettext_noop("invalid expression %(source)s: %(reason)s"),
    gettext_noop("must be an expression (text) or a number"),
    gettext_noop("expression is empty"),
    gettext_noop(
        "syntax error at character %(position)s; write the full-width %(wide)s as %(narrow)s"
    ),
    gettext_noop("syntax error; write the full-width %(wide)s as %(narrow)s"),
    gettext_noop("syntax error at character %(position)s; write %(good)s instead of %(bad)s"),
    gettext_noop("syntax error; write %(good)s instead of %(bad)s"),
    gettext_noop("syntax error at character %(position)s"),
    gettext_noop("syntax error"),
    gettext_noop("write %(text)s as %(number)s, without thousands separators"),
    gettext_noop("write %(text)s as %(number)s"),
    gettext_noop("unknown field %(name)s; if it is text, put it in quotes: %(quoted)s"),
    gettext_noop("unknown field %(name)s; did you mean %(suggestion)s?"),
    gettext_noop("unknown variable %(name)s; did you mean %(suggestion)s?"),
    gettext_noop(
        "%(name)s means this component's measure, and it names none; add measure: to the "
        "component, or write %(example)s"
    ),
    gettext_noop("unknown field %(name)s"),
    gettext_noop("unknown variable %(name)s"),
    gettext_noop("unknown function %(name)s(); write not x"),
    gettext_noop("unknown function %(name)s(); write x %(operator)s y"),
    gettext_noop("unknown function %(name)s()"),
    gettext_noop("%(name)s() takes %(expected)s arguments, not %(count)s"),
    gettext_noop("%(name)s() needs a measure name in quotes"),
    gettext_noop("%(name)s() names unknown measure %(measure)s; did you mean %(suggestion)s?"),
    gettext_noop("%(name)s() names unknown measure %(measure)s"),
    gettext_noop("attributes such as .%(name)s are not allowed"),
    gettext_noop("subscripts such as x[0] are not allowed"),
    gettext_noop("lambdas are not allowed"),
    gettext_noop("list items must be literal values"),
    gettext_noop("%(where)s needs numbers, not %(kind)s"),
)
# Wordings whose values are themselves problems, translated in turn.
NESTED = {"reason"}


# Values that are a Python repr of text (an expression's source may hold ": " itself).
_QUOTED = {"source": r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""}


def _pattern(wording: str) -> re.Pattern[str]:
    """The wording as a pattern of the whole message, each ``%(name)s`` a group."""
    parts = re.split(r"%\((\w+)\)s", wording)
    pieces = [
        re.escape(p) if i % 2 == 0 else f"(?P<{p}>{_QUOTED.get(p, '.+?')})"
        for i, p in enumerate(parts)
    ]
    return re.compile("".join(pieces) + r"\Z", re.DOTALL)


_PATTERNS = [(_pattern(wording), wording) for wording in WORDINGS]


def problem_text(message: str) -> str:
    """An engine problem's message in the active language (as it is when unknown)."""
    for pattern, wording in _PATTERNS:
        found = pattern.match(message)
        if found is not None:
            values = {
                name: problem_text(value) if name in NESTED else value
                for name, value in found.groupdict().items()
            }
            return _(wording) % values
    return message
