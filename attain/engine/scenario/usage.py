"""What the measures and spiffs use of each record table, read before any table is loaded.

The raw ``measures:`` and ``plans:`` sections are read loosely here (a wrong shape is
reported later by their own readers): a table's date and person fields decide how it
is checked, and the fields its expressions mention decide which columns of a file are
read at all.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any


def _sources(
    measure_rows: Mapping[str, Any], plan_rows: object
) -> Iterator[tuple[Mapping[Any, Any], bool]]:
    """Every measure row (False) and every spiff component of every plan (True)."""
    for row in measure_rows.values():
        if isinstance(row, Mapping):
            yield row, False
    if isinstance(plan_rows, list):
        for plan in plan_rows:
            components = plan.get("components") if isinstance(plan, Mapping) else None
            for component in components if isinstance(components, list) else []:
                if isinstance(component, Mapping) and component.get("kind") == "spiff":
                    yield component, True


def table_usage(
    measure_rows: Mapping[str, Any], plan_rows: object
) -> dict[str, dict[str, set[str]]]:
    """Per table, the date and person fields that measures and spiffs use."""
    usage: dict[str, dict[str, set[str]]] = {}
    for row, _spiff in _sources(measure_rows, plan_rows):
        table, date, person = row.get("from"), row.get("date"), row.get("person")
        if not isinstance(table, str):
            continue
        entry = usage.setdefault(table, {"date": set(), "person": set()})
        entry["date"].add(date if isinstance(date, str) else "date")
        entry["person"].add(person if isinstance(person, str) else "owner")
    return usage


def _names(source: object, out: set[str]) -> bool:
    """Add every name an expression text mentions; False when it cannot be parsed."""
    if source is None or isinstance(source, bool | int | float | Decimal):
        return True
    if not isinstance(source, str):
        return False
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return False
    out.update(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))
    return True


def referenced_fields(
    measure_rows: Mapping[str, Any], plan_rows: object
) -> dict[str, set[str] | None]:
    """Per record table, every field name its measures' and spiffs' expressions mention.

    A superset of the fields used (function names and variables count too); ``None``
    for a table when some expression cannot be read, so the whole file is loaded and
    the expression's problem is reported as usual.
    """
    found: dict[str, set[str] | None] = {}
    for row, spiff in _sources(measure_rows, plan_rows):
        table = row.get("from")
        if not isinstance(table, str):
            continue
        names = found.get(table, set())
        if names is None:
            continue
        sources = (row.get("amount" if spiff else "value"), row.get("where"))
        if not all(_names(source, names) for source in sources):
            found[table] = None
            continue
        found[table] = names
    return found
