"""A scenario document from the database: the organisation and the record tables a
calculation needs, as parquet files or frames kept in memory, with the measures, targets
and plans given."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from attain.org.company import company

from .org import load_org
from .periods import fiscal_year_start
from .tables import TABLES, known_table, load_tables


def _usage(
    measures: Mapping[str, Mapping[str, Any]], plans: Sequence[Mapping[str, Any]]
) -> dict[str, dict[str, set[str]]]:
    """Per table, the date and person fields measures (and spiffs) use."""
    usage: dict[str, dict[str, set[str]]] = {}

    def note(spec: Mapping[str, Any]) -> None:
        table = spec.get("from")
        if isinstance(table, str):
            entry = usage.setdefault(table, {"date": set(), "person": set()})
            entry["date"].add(str(spec.get("date") or "date"))
            entry["person"].add(str(spec.get("person") or "owner"))

    for spec in measures.values():
        note(spec)
    for plan in plans:
        for component in plan.get("components") or ():
            if component.get("kind") == "spiff":
                note(component)
    return usage


def build_scenario(
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    measures: Mapping[str, Mapping[str, Any]],
    work_dir: str | Path | None = None,
    frames: dict[str, pl.DataFrame] | None = None,
    targets: Sequence[Mapping[str, Any]] = (),
    plans: Sequence[Mapping[str, Any]] = (),
    tables: Iterable[str] | None = None,
    as_of: datetime.date | None = None,
    report: Sequence[str] = (),
    currency: str | None = None,
    using: str = "default",
    fresh: bool = False,
    records_of: Callable[[pl.DataFrame], Collection[str]] | None = None,
) -> dict[str, Any]:
    """Write what a calculation over ``period_start``…``period_end`` needs as parquet
    into ``work_dir`` (``units.parquet``, ``people.parquet``, ``tables/NAME.parquet``)
    and return the scenario document, paths relative to ``work_dir``:

        data = build_scenario(period_start=..., period_end=..., measures=..., work_dir=d)
        scenario, problems = scenario_from_data(data, Path(d))

    Tables: ``tables``, or those the measures and spiffs read. Records whose person
    field is empty (a customer or ticket nobody owns) and that carry no credit split
    cannot be credited to anyone, so they are left out of that table.

    With ``frames`` (a dict) instead of ``work_dir``, nothing is written: the frames are
    put into it under those same paths, for the engine to read from memory
    (``scenario_from_data(data, frames=frames)``).

    ``records_of(people)``, given the organisation's people frame, names the people
    whose records are needed (an incremental update): the queries read theirs and may
    leave others out.
    """
    if (work_dir is None) == (frames is None):
        raise ValueError("give either work_dir or frames")
    directory = None if work_dir is None else Path(work_dir)
    if directory is not None:
        (directory / "tables").mkdir(parents=True, exist_ok=True)

    def put(file: str, frame: pl.DataFrame) -> None:
        if frames is not None:
            frames[file] = frame
        else:
            assert directory is not None
            frame.write_parquet(directory / file)

    usage = _usage(measures, plans)
    names = list(tables) if tables is not None else sorted(usage)
    unknown = [name for name in names if not known_table(name)]
    if unknown:
        raise ValueError(f"unknown tables: {', '.join(unknown)} (known: {', '.join(TABLES)})")
    date_fields = {name: usage.get(name, {}).get("date") or {"date"} for name in names}
    units, people = load_org(start=period_start, using=using, fresh=fresh)
    read = load_tables(
        names,
        start=period_start,
        end=period_end,
        date_fields=date_fields,
        using=using,
        fresh=fresh,
        people=None if records_of is None else records_of(people),
        person_fields={name: usage.get(name, {}).get("person") or {"owner"} for name in names},
    )
    records: dict[str, Any] = {}
    for name, frame in read.items():
        for person_field in sorted(usage.get(name, {}).get("person", set())):
            if person_field in frame.columns:
                uncredited = pl.col(person_field).is_null()
                if "credit" in frame.columns:
                    uncredited = uncredited & pl.col("credit").is_null()
                frame = frame.filter(~uncredited)
        file = f"tables/{name}.parquet"
        put(file, frame)
        records[name] = {"parquet": file}
    put("units.parquet", units)
    put("people.parquet", people)
    data: dict[str, Any] = {
        "version": 1,
        "currency": currency or company().currency,
        "fiscal_year_start": fiscal_year_start(),
        "units": {"parquet": "units.parquet"},
        "people": {"parquet": "people.parquet"},
        "records": records,
        "measures": {name: dict(spec) for name, spec in measures.items()},
    }
    if as_of is not None:
        data["as_of"] = as_of
    if targets:
        data["targets"] = [dict(target) for target in targets]
    if plans:
        data["plans"] = [dict(plan) for plan in plans]
    if report:
        data["report"] = {"periods": list(report)}
    return data
