"""The organisation: ``units`` and ``people`` (with their ``history`` of moves)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal

from ..model import HistoryEntry, Person, Unit
from ..org import unit_cycles
from ..problems import join, unknown
from .reader import Reader


def read_units(reader: Reader, value: object) -> dict[str, Unit]:
    """The units, with their parents known and no cycle among them."""
    units: dict[str, Unit] = {}
    rows = reader.rows(value, "units")
    for index, row in enumerate(rows):
        path = join("units", index)
        uid = reader.entry_id(row, path, units, "unit")
        if uid is None or uid in units:
            continue
        name = reader.text(row.get("name"), join(path, "name"), required=False) or uid
        parent = reader.text(row.get("parent"), join(path, "parent"), required=False)
        attributes = reader.attributes(row, path, {"id", "name", "parent"})
        units[uid] = Unit(uid, name, parent, attributes, path)
    for unit in units.values():
        if unit.parent is not None and unit.parent not in units:
            reader.add(f"{unit.path}.parent", unknown("unit", unit.parent, units))
    reader.problems.extend(unit_cycles({k: u for k, u in units.items() if u.parent in units}))
    return units


def read_people(reader: Reader, value: object, units: Mapping[str, Unit]) -> dict[str, Person]:
    """The people, with known units and managers; numeric extra keys are attributes."""
    people: dict[str, Person] = {}
    rows = reader.rows(value, "people")
    known = {"id", "name", "unit", "manager", "role", "start", "end", "history"}
    pending: list[tuple[str, str]] = []  # (manager id, path)
    for index, row in enumerate(rows):
        path = join("people", index)
        pid = reader.entry_id(row, path, people, "person")
        if pid is None or pid in people:
            continue
        unit = reader.text(row.get("unit"), join(path, "unit"))
        if unit is not None and unit not in units:
            reader.add(join(path, "unit"), unknown("unit", unit, units))
        manager = reader.text(row.get("manager"), join(path, "manager"), required=False)
        if manager == "":
            manager = None
        if manager is not None:
            pending.append((manager, join(path, "manager")))
        role = reader.text(row.get("role"), join(path, "role"), required=False)
        start = reader.date(row.get("start") or None, join(path, "start"))
        end = reader.date(row.get("end") or None, join(path, "end"))
        if start and end and end < start:
            reader.add(join(path, "end"), f"employment ends ({end}) before it starts ({start})")
        history = _history(reader, row.get("history"), join(path, "history"), units, pending)
        attributes = reader.attributes(row, path, known)
        people[pid] = Person(
            pid,
            reader.text(row.get("name"), "", False) or pid,
            unit or "",
            manager,
            role,
            start,
            end,
            attributes,
            tuple(history),
            path,
        )
    for manager, path in pending:
        if manager not in people:
            reader.add(path, unknown("person", manager, people))
    return people


def _history(
    reader: Reader,
    value: object,
    path: str,
    units: Mapping[str, Unit],
    pending: list[tuple[str, str]],
) -> list[HistoryEntry]:
    """A person's moves (unit, manager, role from a date), in date order."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value, parse_float=Decimal)
        except json.JSONDecodeError:
            reader.add(path, "must be a JSON list of {from, unit, manager} entries")
            return []
    if not isinstance(value, list):
        reader.add(path, "must be a list of {from, unit, manager} entries")
        return []
    entries: list[HistoryEntry] = []
    previous: dt.date | None = None
    for index, item in enumerate(value):
        entry_path = join(path, index)
        row = reader.mapping(item, entry_path, {"from", "unit", "manager", "role"})
        start = reader.date(row.get("from"), join(entry_path, "from"), required=True)
        changes: dict[str, str | None] = {}
        if "unit" in row:
            unit = reader.text(row["unit"], join(entry_path, "unit"))
            if unit is not None and unit not in units:
                reader.add(join(entry_path, "unit"), unknown("unit", unit, units))
            changes["unit"] = unit
        if "manager" in row:
            manager = reader.text(row["manager"], join(entry_path, "manager"), required=False)
            if manager is not None:
                pending.append((manager, join(entry_path, "manager")))
            changes["manager"] = manager
        if "role" in row:
            changes["role"] = reader.text(row["role"], join(entry_path, "role"), required=False)
        if start is None:
            continue
        if previous is not None and start < previous:
            reader.add(join(entry_path, "from"), "history entries must be in date order")
        previous = start
        entries.append(HistoryEntry(start, changes, entry_path))
    return entries
