"""Problems (errors and warnings) as values: collected, never raised one at a time.

A problem names the most specific place in the scenario with a PATH in the notation of
the scenario spec, section 10: keys joined with dots, list positions in brackets
(``plans[0].components[1].tiers.table``, ``records.payments[17]``).
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with (or worth telling about) a scenario."""

    path: str
    message: str
    # for an application that words it in its reader's language: what kind of problem
    # it is and its values (the message stays the scenario format's English)
    code: str = field(default="", compare=False)
    params: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def shown(value: object) -> str:
    """A value in a message as the scenario wrote it: text quoted, a number as its digits
    (not Python's Decimal('2025.01'))."""
    if isinstance(value, Decimal) or (
        isinstance(value, int | float) and not isinstance(value, bool)
    ):
        return str(value)
    return repr(value)


def not_a_date(value: object) -> str:
    """Why `value` is not a date: the format, or the day or month that does not exist
    (`2025-02-30` is written right but February 2025 has 28 days)."""
    text = value.strip() if isinstance(value, str) else None
    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text) if text else None
    if found is not None:
        year, month, _day = (int(part) for part in found.groups())
        if not 1 <= month <= 12:
            return f"{shown(value)} is not a date: there is no month {month}"
        if year >= 1:
            days = calendar.monthrange(year, month)[1]
            return f"{shown(value)} is not a date: {year:04d}-{month:02d} has {days} days"
    written = _date_written_as(text) if text else None
    hint = f"; write {written}" if written else ""
    return f"{shown(value)} is not a date (YYYY-MM-DD){hint}"


def _date_written_as(text: str) -> str | None:
    """The ISO day a date written another common way means (`2025/6/30`, `2025.06.30`,
    `2025年6月30日`, `2025-01-15T10:00:00`), when that day exists."""
    found = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    found = found or re.fullmatch(
        r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?.*)", text
    )
    if found is None:
        return None
    year, month, day = (int(part) for part in found.groups())
    if year < 1 or not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


PERIOD_IDS = "2025, 2025-H1, 2025-Q1 … 2025-Q4, 2025-03"


def not_a_period(value: object) -> str:
    """Why `value` is not a period id, with the id it was likely meant as (`2025Q1`,
    `Q1 2025`, `2025-q1`: 2025-Q1; `2025/3`: 2025-03; `FY2025`: 2025)."""
    written = _period_written_as(str(value).strip()) if isinstance(value, str | int) else None
    hint = f"; write {written}" if written else ""
    return f"{shown(value)} is not a period id ({PERIOD_IDS}){hint}"


def _period_written_as(text: str) -> str | None:
    year_first = re.fullmatch(r"(?:FY)?(\d{4})\s*[-_ /]?\s*([QqHh])([1-4])", text)
    if year_first is not None:
        year, kind, number = year_first.groups()
    else:
        part_first = re.fullmatch(r"([QqHh])([1-4])\s*[-_ /]?\s*(?:FY)?(\d{4})", text)
        if part_first is None:
            month = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?", text)
            if month is not None and 1 <= int(month.group(2)) <= 12:
                return f"{month.group(1)}-{int(month.group(2)):02d}"
            year_only = re.fullmatch(r"(?:FY|fy)\s*(\d{4})|(\d{4})\s*(?:年|财年)", text)
            if year_only is not None:
                return year_only.group(1) or year_only.group(2)
            return None
        kind, number, year = part_first.groups()
    if kind in "Hh" and number not in "12":
        return None
    return f"{year}-{kind.upper()}{number}"


def written_as(value: object) -> str | None:
    """How to write a number typed the way a spreadsheet shows it: `5%` is 0.05,
    `1,000` is 1000; None for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    percent = re.fullmatch(r"([-+]?\d+(?:\.\d+)?)\s*%", text)
    if percent is not None:
        fraction = Decimal(percent.group(1)) / 100
        return f"write {text} as {fraction:f}"
    if re.fullmatch(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        return f"write {text} as {text.replace(',', '')}, without thousands separators"
    return None


def not_a_number(value: object) -> str:
    """Why `value` is not a number, with how to write it when it looks like one."""
    hint = written_as(value)
    return f"{shown(value)} is not a number" + (f"; {hint}" if hint else "")


# the characters a Chinese input method types in full width, and what YAML and the
# expression language need instead
_NARROW = {"\u3000": " ", "‘": "'", "’": "'", "“": '"', "”": '"', "、": ",", "。": "."}
YAML_WIDE = frozenset("：，\u3000［］｛｝－‘’“”")


def full_width(text: str, among: frozenset[str] | None = None) -> tuple[str, str] | None:
    """The first full-width character of `text` (one of `among`, else any of U+FF01 …
    U+FF5E, the ideographic space or curly quotes) and its half-width form."""
    for character in text:
        if among is not None and character not in among:
            continue
        if "\uff01" <= character <= "\uff5e":
            return character, chr(ord(character) - 0xFEE0)
        if character in _NARROW:
            return character, _NARROW[character]
    return None


def closest(key: str, allowed: Iterable[str]) -> str | None:
    """The allowed key `key` most resembles (a typo's intended key), if any."""
    by_lower = {k.lower(): k for k in sorted(allowed)}
    close = difflib.get_close_matches(key.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


def unknown(what: str, name: object, known: Iterable[str]) -> str:
    """An unknown id or name, with the known one it most resembles (`Revenue`: `revenue`);
    a list of more than 1000 is not searched."""
    message = f"unknown {what} {name!r}"
    names = list(known)
    suggestion = closest(str(name), names) if len(names) <= 1000 else None
    return f"{message}; did you mean {suggestion!r}?" if suggestion else message


def unknown_key(key: str, allowed: Iterable[str]) -> str:
    """An unknown key, with the allowed key it most resembles (`capp`: `cap`), else the
    keys that may be written there."""
    keys = sorted(allowed)
    suggestion = closest(key, keys)
    if suggestion is not None:
        return f"unknown key {key!r}; did you mean {suggestion!r}?"
    if keys:
        return f"unknown key {key!r}; the keys here are {', '.join(keys)}"
    return f"unknown key {key!r}"


def join(path: str, key: str | int) -> str:
    """The path of `key` inside `path`: a dotted key, or a bracketed list position."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


@dataclass
class Problems:
    """A collector: modules add problems as they find them and carry on."""

    items: list[Problem] = field(default_factory=list)
    limit_per_path_prefix: int = 25

    def add(self, path: str, message: str) -> None:
        self.items.append(Problem(path, message))

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def as_list(self) -> list[Problem]:
        """Problems in the order found, without exact duplicates."""
        seen: set[Problem] = set()
        unique: list[Problem] = []
        for problem in self.items:
            if problem not in seen:
                seen.add(problem)
                unique.append(problem)
        return unique
