"""``targets``: one value per measure, person or unit, and period."""

from __future__ import annotations

from ..model import TargetSpec
from ..org import Org
from ..problems import join
from .reader import Reader


def read_targets(reader: Reader, value: object, org: Org) -> list[TargetSpec]:
    """Every target, at most one per measure, person or unit, and period."""
    targets: list[TargetSpec] = []
    seen: dict[tuple[str, str, str], str] = {}
    allowed = {"measure", "who", "period", "value", "spread"}
    for index, raw in enumerate(reader.rows(value, "targets")):
        path = join("targets", index)
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
            continue
        key = (measure, who, period.id)
        if key in seen:
            reader.add(
                path,
                f"duplicate target for {measure} / {who} / {period.id} (first at {seen[key]})",
            )
            continue
        seen[key] = path
        targets.append(TargetSpec(measure, who, period, number, spread != "none", path))
    return targets


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
        reader.add(path, f"unknown person or unit {who!r}")
        return None
    return who
