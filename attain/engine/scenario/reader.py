"""The reader every section reader writes its problems to, and its small typed readers.

A section reader (``org``, ``records``, ``measures`` …) is a function that takes the
:class:`Reader` first: it reads one part of the document through these helpers, which
add a problem (with its spec path) and return ``None`` or a default instead of raising,
so that one pass reports every problem of the scenario.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Container, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from ..expressions import Expression, ExpressionContext, parse
from ..model import ROW
from ..numbers import NotANumber, to_decimal
from ..periods import Period, parse_date, parse_period
from ..problems import (
    Problems,
    closest,
    join,
    not_a_date,
    not_a_number,
    not_a_period,
    shown,
    unknown,
    unknown_key,
)
from ..tables import file_table, rows_of

MAX_REPORTED_PER_FIELD = 20


class Reader:
    """Where the problems go, and what later sections need from earlier ones."""

    def __init__(
        self,
        base_dir: Path | None,
        source: Path | None,
        frames: Mapping[str, pl.DataFrame] | None = None,
    ) -> None:
        self.base_dir = base_dir
        self.source = source
        self.frames = frames
        self.problems = Problems()
        self.fiscal_year_start = 1
        # every name under `measures:` (also those with problems), set by read_measures
        self.measure_names: frozenset[str] = frozenset()

    def add(self, path: str, message: str) -> None:
        self.problems.add(path, message)

    def missing(self, value: object, path: str, required: bool) -> bool:
        """True when there is no value (a problem too when one is required)."""
        if value is None and required:
            self.add(path, "is required")
        return value is None

    def mapping(self, value: object, path: str, allowed: set[str] | None) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            self.add(path, "must be a mapping")
            return {}
        result = {str(k): v for k, v in value.items()}
        if allowed is not None:
            for key in result:
                if key not in allowed:
                    self.add(join(path, key), unknown_key(key, allowed))
        return result

    def text(self, value: object, path: str, required: bool = True) -> str | None:
        if self.missing(value, path, required):
            return None
        if isinstance(value, bool | dict | list):
            self.add(path, f"must be text, not {shown(value)}")
            return None
        if isinstance(value, Decimal):
            return format(value, "f")
        return str(value)

    def number(
        self,
        value: object,
        path: str,
        required: bool = True,
        low: Decimal | None = None,
        high: Decimal | None = None,
        positive: bool = False,
    ) -> Decimal | None:
        if self.missing(value, path, required):
            return None
        try:
            number = to_decimal(value)
        except NotANumber:
            self.add(path, not_a_number(value))
            return None
        if positive and number <= 0:
            self.add(path, f"must be greater than 0, not {number}")
            return None
        if (low is not None and number < low) or (high is not None and number > high):
            self.add(path, f"{number} is outside [{low}, {high}]")
            return None
        return number

    def date(self, value: object, path: str, required: bool = False) -> dt.date | None:
        if self.missing(value, path, required):
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.add(path, not_a_date(value))
        return parsed

    def period(self, value: object, path: str, required: bool = True) -> Period | None:
        if self.missing(value, path, required):
            return None
        parsed = parse_period(value, self.fiscal_year_start)
        if parsed is None:
            self.add(path, not_a_period(value))
        return parsed

    def choice(self, value: object, path: str, options: tuple[str, ...], default: str) -> str:
        if value is None:
            return default
        if not isinstance(value, str) or value not in options:
            self.add(path, f"{shown(value)} is not one of {', '.join(options)}")
            return default
        return value

    def flag(self, value: object, path: str, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add(path, f"must be true or false, not {shown(value)}")
            return default
        return value

    def entry_id(
        self, row: Mapping[str, Any], path: str, seen: Container[str], what: str
    ) -> str | None:
        """The required ``id`` of a list entry at `path`; a problem when `seen` has it."""
        entry = self.text(row.get("id"), join(path, "id"))
        if entry is not None and entry in seen:
            self.add(join(path, "id"), f"duplicate {what} id {entry!r}")
        return entry

    def unknown_measure(self, name: str | None, path: str) -> bool:
        """True (and a problem) when `name` is given but names no measure of the scenario."""
        if name is not None and name not in self.measure_names:
            self.add(path, unknown("measure", name, self.measure_names))
            return True
        return False

    def id_list(self, value: object, path: str) -> list[str]:
        if isinstance(value, str | int) and not isinstance(value, bool):
            return [str(value)]
        if not isinstance(value, list):
            self.add(path, "must be a list of ids")
            return []
        result: list[str] = []
        for index, item in enumerate(value):
            text = self.text(item, join(path, index))
            if text is not None:
                result.append(text)
        return result

    def rows(self, value: object, path: str) -> list[dict[str, Any]]:
        """A reference list (units, people, targets …): inline, CSV or parquet."""
        if value is None:
            return []
        if isinstance(value, Mapping):
            loaded = file_table(value, path, self.base_dir, keep_text=set(), frames=self.frames)
            self.problems.extend(loaded.problems)
            return rows_of(loaded.frame)
        if not isinstance(value, list):
            self.add(path, "must be a list, or {csv: PATH} / {parquet: PATH}")
            return []
        result: list[dict[str, Any]] = []
        for index, row in enumerate(value):
            if not isinstance(row, Mapping):
                self.add(join(path, index), "must be a mapping")
                result.append({})
            else:
                result.append({str(k): v for k, v in row.items()})
        return result

    def attributes(self, row: Mapping[str, Any], path: str, known: set[str]) -> dict[str, Decimal]:
        result: dict[str, Decimal] = {}
        for key, value in row.items():
            if key in known or value is None or value == "":
                continue
            try:
                result[key] = to_decimal(value)
            except NotANumber:
                suggestion = closest(key, known)
                if suggestion is not None:
                    self.add(join(path, key), f"unknown key {key!r}; did you mean {suggestion!r}?")
                    continue
                self.add(
                    join(path, key),
                    f"unknown key {key!r} (extra keys are numeric attributes; "
                    f"{shown(value)} is not a number)",
                )
        return result

    def expression(self, value: object, path: str, context: ExpressionContext) -> Expression | None:
        expression, problems = parse(value, path, context)
        self.problems.extend(problems)
        return expression

    def number_expression(
        self, value: object, path: str, context: ExpressionContext
    ) -> Expression | None:
        """An expression where a number goes (a cap, a rate, an amount): one that can only
        give a list, text or a date is a problem now, not "no number" at payout time (a
        cap typed "200,000" is the list (200, 0), and paid as if there were no cap)."""
        expression = self.expression(value, path, context)
        if expression is not None and expression.type in ("list", "text", "date"):
            where = path.rsplit(".", 1)[-1]
            self.add(
                path,
                f"invalid expression {shown(value)}: {where} needs numbers, not {expression.type}",
            )
            return None
        return expression

    def report_rows(
        self, frame: pl.DataFrame, path: str, column: str, message: Callable[[Any], str]
    ) -> None:
        """Report each row of `frame` (columns __row and `column`), a capped number of them."""
        count = frame.height
        for row, value in frame.head(MAX_REPORTED_PER_FIELD).select(ROW, column).iter_rows():
            self.add(f"{path}[{row}].{column}", message(value))
        if count > MAX_REPORTED_PER_FIELD:
            self.add(path, f"… and {count - MAX_REPORTED_PER_FIELD} more rows with a bad {column}")
