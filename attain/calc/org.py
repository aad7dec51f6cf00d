"""The organisation in the engine's format: units and people with their assignment
history, read in bulk."""

from __future__ import annotations

import datetime
import json
from typing import Any

import polars as pl

from attain.org.models import Assignment, Person, Unit

from .sources import open_source
from .tables import Sql


def load_org(
    *, start: datetime.date, using: str = "default", fresh: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Units and people in the engine's format, as of ``start``.

    A person's base unit, manager and role are their assignment on ``start`` (or on
    their first day when they join later, or their last assignment when they left
    before); each later assignment is a ``history`` entry (JSON text).
    """
    with open_source(using, fresh=fresh) as source:
        q = Sql(source.vendor)
        units = pl.from_arrow(
            source.query(
                f"SELECT {q.c('u', Unit, 'code')} AS id, {q.c('u', Unit, 'name')} AS name,"
                f" {q.c('x', Unit, 'code')} AS parent,"
                f" {q.decimal_text(q.c('u', Unit, 'potential'), 2)} AS potential"
                f" FROM {q.t(Unit, 'u')}"
                + q.join(Unit, "x", ("u", Unit, "parent"), left=True)
                + f" ORDER BY {q.c('u', Unit, 'code')}"
            )
        )
        people = pl.from_arrow(
            source.query(
                f"SELECT {q.c('p', Person, 'code')} AS id, {q.c('p', Person, 'name')} AS name,"
                f" {q.c('p', Person, 'start')} AS start, {q.c('p', Person, 'end')} AS end_,"
                f" {q.decimal_text(q.c('p', Person, 'potential'), 2)} AS potential"
                f" FROM {q.t(Person, 'p')} ORDER BY {q.c('p', Person, 'code')}"
            )
        )
        assignments = pl.from_arrow(
            source.query(
                f"SELECT {q.c('p', Person, 'code')} AS person, {q.c('u', Unit, 'code')} AS unit,"
                f" {q.c('m', Person, 'code')} AS manager, {q.c('a', Assignment, 'title')} AS role,"
                f" {q.c('a', Assignment, 'valid_from')} AS valid_from"
                f" FROM {q.t(Assignment, 'a')}"
                + q.join(Person, "p", ("a", Assignment, "person"))
                + q.join(Unit, "u", ("a", Assignment, "unit"))
                + q.join(Person, "m", ("a", Assignment, "manager"), left=True)
                + f" ORDER BY {q.c('p', Person, 'code')}, {q.c('a', Assignment, 'valid_from')}"
            )
        )
    assert isinstance(units, pl.DataFrame)
    assert isinstance(people, pl.DataFrame)
    assert isinstance(assignments, pl.DataFrame)
    units = units.with_columns(
        pl.col("id").cast(pl.String),
        pl.col("name").cast(pl.String),
        pl.col("parent").cast(pl.String),
        pl.col("potential").cast(pl.String).cast(pl.Decimal(38, 2)),
    )
    people = people.with_columns(
        _as_date("start"),
        _as_date("end_"),
        pl.col("potential").cast(pl.String).cast(pl.Decimal(38, 2)),
    )
    assignments = assignments.with_columns(_as_date("valid_from"))
    by_person: dict[str, list[tuple[Any, ...]]] = {}
    for row in assignments.iter_rows():
        by_person.setdefault(str(row[0]), []).append(row[1:])
    rows: dict[str, list[Any]] = {"unit": [], "manager": [], "role": [], "history": []}
    keep: list[bool] = []
    for code, person_start in people.select("id", "start").iter_rows():
        history = by_person.get(str(code), [])
        keep.append(bool(history))
        if not history:
            continue
        on = max(start, person_start) if person_start else start
        base = 0
        for index, (_unit, _manager, _role, valid_from) in enumerate(history):
            if valid_from <= on:
                base = index
        unit, manager, role, _from = history[base]
        rows["unit"].append(unit)
        rows["manager"].append(manager)
        rows["role"].append(role)
        later = [
            {"from": valid_from.isoformat(), "unit": u, "manager": m, "role": r}
            for u, m, r, valid_from in history[base + 1 :]
        ]
        rows["history"].append(json.dumps(later, ensure_ascii=False) if later else None)
    people = people.filter(pl.Series(keep, dtype=pl.Boolean)).with_columns(
        *(pl.Series(name, values, dtype=pl.String) for name, values in rows.items())
    )
    people = people.rename({"end_": "end"}).select(
        "id", "name", "unit", "manager", "role", "start", "end", "potential", "history"
    )
    return units, people


def _as_date(name: str) -> pl.Expr:
    return (
        pl.when(pl.col(name).cast(pl.String).is_not_null())
        .then(pl.col(name).cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d"))
        .alias(name)
    )
