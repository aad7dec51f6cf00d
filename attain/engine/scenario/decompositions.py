"""``decompositions``: how a unit's target is split over its people or sub-units."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal, cast

from ..model import Decomposition, Unit
from ..numbers import ONE, ZERO
from ..periods import LAST_FISCAL_YEAR, Period
from ..problems import join, unknown
from .reader import Reader

METHODS = ("equal", "history", "potential", "capacity", "blend")


ALLOWED = {
    "id",
    "measure",
    "from",
    "to",
    "roles",
    "method",
    "history_period",
    "potential_field",
    "blend",
    "ramp",
    "overassign",
    "max_overassign",
    "months",
    "seasonal_years",
    "round_to",
}


def read_decompositions(
    reader: Reader, value: object, units: Mapping[str, Unit]
) -> list[Decomposition]:
    """Every decomposition (entries read after any problem are left out: no scenario then)."""
    result: list[Decomposition] = []
    if value is None:
        return result
    if not isinstance(value, list):
        reader.add("decompositions", "must be a list")
        return result
    ids: set[str] = set()
    for index, raw in enumerate(value):
        decomposition = _decomposition(reader, raw, join("decompositions", index), units, ids)
        if decomposition is not None:
            result.append(decomposition)
    return result


def _decomposition(
    reader: Reader, raw: object, path: str, units: Mapping[str, Unit], ids: set[str]
) -> Decomposition | None:
    """One decomposition entry, or None when it is incomplete."""
    row = reader.mapping(raw, path, ALLOWED)
    did = reader.entry_id(row, path, ids, "decomposition")
    if did is not None:
        ids.add(did)
    measure = reader.text(row.get("measure"), join(path, "measure"))
    reader.unknown_measure(measure, join(path, "measure"))
    source = reader.mapping(row.get("from"), join(path, "from"), {"who", "period", "value"})
    who = reader.text(source.get("who"), join(path, "from.who"))
    if who is not None and who not in units:
        reader.add(join(path, "from.who"), unknown("unit", who, units))
    period = reader.period(source.get("period"), join(path, "from.period"))
    total = reader.number(source.get("value"), join(path, "from.value"), required=False)
    to = reader.choice(row.get("to"), join(path, "to"), ("people", "units"), "people")
    roles = None
    if row.get("roles") is not None:
        roles = frozenset(reader.id_list(row["roles"], join(path, "roles")))
    method = reader.choice(row.get("method"), join(path, "method"), METHODS, "equal")
    if "method" not in row:
        reader.add(
            join(path, "method"),
            "is required (equal, history, potential, capacity or blend)",
        )
    blend = _blend(reader, row, path, method)
    used = set(blend) if method == "blend" else {method}
    history_period = None
    if "history" in used or "history_period" in row:
        history_period = reader.period(row.get("history_period"), join(path, "history_period"))
    potential_field = (
        reader.text(row.get("potential_field", "potential"), join(path, "potential_field"))
        or "potential"
    )
    ramp = _ramp(reader, row, path)
    overassign = (
        reader.number(row.get("overassign", 1), join(path, "overassign"), positive=True) or ONE
    )
    max_over = reader.number(
        row.get("max_overassign", Decimal("1.25")),
        join(path, "max_overassign"),
        positive=True,
    ) or Decimal("1.25")
    if overassign > max_over:
        reader.add(join(path, "overassign"), f"{overassign} is above max_overassign {max_over}")
    months = _months(reader, row, path)
    seasonal_years = _seasonal_years(reader, row, path, months, period)
    round_to = reader.number(row.get("round_to", 1), join(path, "round_to"), positive=True) or ONE
    if did is None or measure is None or who is None or period is None or reader.problems:
        return None
    if who not in units:
        return None
    return Decomposition(
        did,
        measure,
        who,
        period,
        total,
        cast(Literal["people", "units"], to),
        roles,
        method,
        history_period,
        potential_field,
        blend,
        tuple(ramp),
        overassign,
        months,
        tuple(seasonal_years),
        round_to,
        path,
    )


def _blend(reader: Reader, row: Mapping[str, Any], path: str, method: str) -> dict[str, Decimal]:
    """The weights of the methods blended (empty unless the method is blend)."""
    blend: dict[str, Decimal] = {}
    if method == "blend":
        blend_row = reader.mapping(row.get("blend"), join(path, "blend"), set(METHODS) - {"blend"})
        for name, weight in blend_row.items():
            number = reader.number(weight, join(path, f"blend.{name}"), low=ZERO)
            if number is not None and name in METHODS:
                blend[name] = number
        if blend and abs(sum(blend.values(), ZERO) - ONE) > Decimal("1e-9"):
            reader.add(join(path, "blend"), f"weights sum to {sum(blend.values(), ZERO)}, not 1")
        if not blend_row:
            reader.add(join(path, "blend"), "is required with method: blend")
    elif "blend" in row:
        reader.add(join(path, "blend"), "is only used with method: blend")
    return blend


def _ramp(reader: Reader, row: Mapping[str, Any], path: str) -> list[Decimal]:
    """A new hire's productivity factor for each month of their first months."""
    ramp: list[Decimal] = []
    if row.get("ramp") is not None:
        if not isinstance(row["ramp"], list):
            reader.add(join(path, "ramp"), "must be a list of productivity factors")
        else:
            for k, item in enumerate(row["ramp"]):
                factor = reader.number(item, join(path, f"ramp[{k}]"), low=ZERO)
                if factor is not None:
                    ramp.append(factor)
    return ramp


def _months(reader: Reader, row: Mapping[str, Any], path: str) -> str | tuple[Decimal, ...] | None:
    """How a year's value is spread over months: equal, seasonal or 12 weights."""
    months: str | tuple[Decimal, ...] | None = None
    raw_months = row.get("months")
    if isinstance(raw_months, list):
        if len(raw_months) != 12:
            reader.add(join(path, "months"), "must be equal, seasonal or 12 month weights")
        else:
            weights = [
                reader.number(w, join(path, f"months[{k}]"), low=ZERO)
                for k, w in enumerate(raw_months)
            ]
            if all(w is not None for w in weights):
                months = tuple(cast(list[Decimal], weights))
                if sum(months, ZERO) <= 0:
                    reader.add(join(path, "months"), "weights must not all be 0")
    elif raw_months is not None:
        months = reader.choice(raw_months, join(path, "months"), ("equal", "seasonal"), "equal")
    return months


def _seasonal_years(
    reader: Reader,
    row: Mapping[str, Any],
    path: str,
    months: str | tuple[Decimal, ...] | None,
    period: Period | None,
) -> list[int]:
    """The fiscal years whose months give the season (default: the two before)."""
    seasonal_years: list[int] = []
    if row.get("seasonal_years") is not None:
        years = row["seasonal_years"]
        if not isinstance(years, list):
            reader.add(join(path, "seasonal_years"), "must be a list of fiscal years")
        else:
            for k, year in enumerate(years):
                if (
                    isinstance(year, bool)
                    or not isinstance(year, int | str)
                    or not str(year).isdigit()
                    or not 1 <= int(year) <= LAST_FISCAL_YEAR
                ):
                    reader.add(join(path, f"seasonal_years[{k}]"), f"{year!r} is not a fiscal year")
                else:
                    seasonal_years.append(int(year))
    elif months == "seasonal" and period is not None:
        start_year = int(period.id[:4])
        # (the first fiscal years have fewer before them: none is equal months)
        seasonal_years = [y for y in (start_year - 2, start_year - 1) if y >= 1]
    return seasonal_years
