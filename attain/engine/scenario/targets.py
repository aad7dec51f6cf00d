"""``targets``: one value per measure, person or unit, and period."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..model import TargetSpec
from ..numbers import NotANumber, to_decimal
from ..org import Org
from ..periods import Period, parse_period
from ..problems import join, unknown
from .reader import Reader


def read_targets(reader: Reader, value: object, org: Org) -> list[TargetSpec]:
    """Every target, at most one per measure, person or unit, and period."""
    targets: list[TargetSpec] = []
    seen: dict[tuple[str, str, str], str] = {}
    allowed = {"measure", "who", "period", "value", "spread"}
    quick = _QuickRows(reader, org, allowed)
    for index, raw in enumerate(reader.rows(value, "targets")):
        path = join("targets", index)
        found = quick.read(raw)
        if found is None:
            found = _checked(reader, raw, path, allowed, org)
        if found is None:
            continue
        measure, who, period, number, spread = found
        key = (measure, who, period.id)
        if key in seen:
            reader.add(
                path,
                f"duplicate target for {measure} / {who} / {period.id} (first at {seen[key]})",
            )
            continue
        seen[key] = path
        targets.append(TargetSpec(measure, who, period, number, spread, path))
    return targets


Row = tuple[str, str, Period, Decimal, bool]


class _QuickRows:
    """A row that surely has no problem, read without the readers' problem paths: text
    ids of a known measure and person or unit, a period id, a number. Anything else is
    None, and :func:`_checked` reads the row and says what is wrong (a company's
    targets are hundreds of thousands of rows, nearly all of them like this)."""

    def __init__(self, reader: Reader, org: Org, allowed: set[str]) -> None:
        self.measures = reader.measure_names
        self.units, self.people = org.units, org.people
        self.allowed = allowed
        self.fiscal_year_start = reader.fiscal_year_start
        self.periods: dict[str, Period | None] = {}

    def read(self, raw: Any) -> Row | None:
        if not isinstance(raw, dict) or not raw.keys() <= self.allowed:
            return None
        measure, who, period_id = raw.get("measure"), raw.get("who"), raw.get("period")
        spread, amount = raw.get("spread"), raw.get("value")
        if (
            type(measure) is not str
            or measure not in self.measures
            or type(who) is not str
            or (who in self.units) == (who in self.people)
            or type(period_id) is not str
            or spread not in (None, "none", "distribution")
            or amount is None
        ):
            return None
        period = self.periods.get(period_id)
        if period is None:
            period = self.periods[period_id] = parse_period(period_id, self.fiscal_year_start)
            if period is None:
                return None
        try:
            number = to_decimal(amount)
        except NotANumber:
            return None
        return measure, who, period, number, spread != "none"


def _checked(reader: Reader, raw: Any, path: str, allowed: set[str], org: Org) -> Row | None:
    """A row read field by field, each problem added with its path; None if any."""
    row = reader.mapping(raw, path, allowed)
    measure = reader.text(row.get("measure"), join(path, "measure"))
    reader.unknown_measure(measure, join(path, "measure"))
    who = _who(reader, row.get("who"), join(path, "who"), org)
    period = reader.period(row.get("period"), join(path, "period"))
    number = reader.number(row.get("value"), join(path, "value"))
    spread = reader.choice(
        row.get("spread"), join(path, "spread"), ("none", "distribution"), "distribution"
    )
    if measure is None or who is None or period is None or number is None:
        return None
    return measure, who, period, number, spread != "none"


def _who(reader: Reader, value: object, path: str, org: Org) -> str | None:
    """A person or unit id (ids of the two must not collide)."""
    units, people = org.units, org.people
    who = reader.text(value, path)
    if who is None:
        return None
    if who in units and who in people:
        reader.add(path, f"{who!r} is both a unit id and a person id; make ids distinct")
        return None
    if who not in units and who not in people:
        reader.add(path, unknown("person or unit", who, [*units, *people]))
        return None
    return who
