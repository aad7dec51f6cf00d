"""``plans``: who a plan applies to, when, over which periods, with which components."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Literal, cast

from ..model import AppliesTo, Component, Plan, RecordTable
from ..org import BEGINNING, END_OF_TIME, Org
from ..problems import join, unknown
from .components import read_component
from .reader import Reader


def read_plans(
    reader: Reader, value: object, tables: Mapping[str, RecordTable], org: Org
) -> list[Plan]:
    """Every plan with its components."""
    result: list[Plan] = []
    if not isinstance(value, list):
        reader.add("plans", "must be a list")
        return result
    ids: set[str] = set()
    allowed = {"id", "name", "applies_to", "effective", "period", "components"}
    for index, raw in enumerate(value):
        path = join("plans", index)
        row = reader.mapping(raw, path, allowed)
        pid = reader.entry_id(row, path, ids, "plan")
        if pid is not None:
            ids.add(pid)
        applies = _applies_to(reader, row.get("applies_to"), join(path, "applies_to"), org)
        effective = reader.mapping(
            row.get("effective", {}) or {}, join(path, "effective"), {"from", "to"}
        )
        start = reader.date(effective.get("from"), join(path, "effective.from")) or BEGINNING
        end = reader.date(effective.get("to"), join(path, "effective.to")) or END_OF_TIME
        if end < start:
            reader.add(join(path, "effective.to"), "ends before it starts")
        kind = reader.choice(
            row.get("period"),
            join(path, "period"),
            ("month", "quarter", "half", "year"),
            "quarter",
        )
        if "period" not in row:
            reader.add(join(path, "period"), "is required (month, quarter, half or year)")
        components: list[Component] = []
        component_ids: set[str] = set()
        raw_components = row.get("components")
        if not isinstance(raw_components, list):
            reader.add(join(path, "components"), "must be a list of components")
            raw_components = []
        for k, raw_component in enumerate(raw_components):
            component = read_component(
                reader, raw_component, join(path, f"components[{k}]"), tables
            )
            if component is None:
                continue
            if component.id in component_ids:
                reader.add(
                    join(component.path, "id"),
                    f"duplicate component id {component.id!r} in this plan",
                )
            component_ids.add(component.id)
            components.append(component)
        if pid is None:
            continue
        name = reader.text(row.get("name"), join(path, "name"), required=False) or pid
        result.append(
            Plan(
                pid,
                name,
                applies,
                start,
                end,
                cast(Literal["month", "quarter", "half", "year"], kind),
                tuple(components),
                path,
            )
        )
    return result


def _applies_to(reader: Reader, value: object, path: str, org: Org) -> AppliesTo:
    """Who a plan applies to: roles, people, units (with their sub-units) or managers' teams."""
    units, people = org.units, org.people
    if value is None:
        reader.add(path, "is required ({role: rep}, {people: [...]} or {units: [...]})")
        return AppliesTo()
    row = reader.mapping(value, path, {"role", "roles", "people", "units", "managers", "manager"})
    roles = None
    for key in ("role", "roles"):
        if key in row:
            roles = frozenset(reader.id_list(row[key], join(path, key)))
    chosen_people = _known_ids(reader, row, path, "people", people, "person")
    chosen_units = _known_ids(reader, row, path, "units", units, "unit")
    managers = None
    for key in ("manager", "managers"):
        if key in row:
            managers = frozenset(reader.id_list(row[key], join(path, key)))
            for pid in managers:
                if pid not in people:
                    reader.add(join(path, key), unknown("person", pid, people))
    return AppliesTo(roles, chosen_people, chosen_units, managers)


def _known_ids(
    reader: Reader,
    row: Mapping[str, Any],
    path: str,
    key: str,
    known: Collection[str],
    what: str,
) -> frozenset[str] | None:
    """The ids listed under `key` (None when it is absent), each one checked against `known`."""
    if key not in row:
        return None
    ids = reader.id_list(row[key], join(path, key))
    for k, given in enumerate(ids):
        if given not in known:
            reader.add(join(path, f"{key}[{k}]"), unknown(what, given, known))
    return frozenset(ids)
