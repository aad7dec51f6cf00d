"""Tables handed in as Polars frames (``scenario_from_data(..., frames=)``) are read
exactly as the parquet files holding them would be: the same scenario, the same output."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from attain.engine import calculate, scenario_from_data, to_json

UNITS = pl.DataFrame({"id": ["east"], "name": ["East"], "parent": [None]})
PEOPLE = pl.DataFrame(
    {
        "id": ["li", "zhang", "wang"],
        "unit": ["east"] * 3,
        "manager": [None, "li", "li"],
        "role": ["manager", "rep", "rep"],
        "history": [None, None, '[{"from": "2025-03-01", "manager": null}]'],
    }
)
ORDERS = pl.DataFrame(
    {
        "id": ["o1", "o2", "o3", "o4"],
        "date": [
            dt.date(2025, 1, 5),
            dt.date(2025, 2, 3),
            dt.date(2025, 2, 9),
            dt.date(2025, 3, 1),
        ],
        "owner": ["zhang", "zhang", "wang", "wang"],
        "amount": [Decimal("100000.10"), Decimal("40000.00"), Decimal("-10000.05"), None],
        "status": ["confirmed", "confirmed", "confirmed", "cancelled"],
        "note": ["wide", "columns", "nobody", "reads"],
        "credit": [None, '{"zhang": 0.5, "wang": 0.5}', None, None],
    },
    schema_overrides={"amount": pl.Decimal(38, 2)},
)


def document() -> dict[str, Any]:
    return {
        "version": 1,
        "units": {"parquet": "units.parquet"},
        "people": {"parquet": "people.parquet"},
        "records": {"orders": {"parquet": "tables/orders.parquet"}},
        "measures": {
            "revenue": {"from": "orders", "value": "amount", "where": "status == 'confirmed'"},
            "team_revenue": {"from": "orders", "value": "amount", "rollup": True},
        },
        "targets": [{"measure": "revenue", "who": "zhang", "period": "2025-Q1", "value": 90000}],
        "report": {"periods": ["2025-01", "2025-02", "2025-Q1"]},
    }


FRAMES = {"units.parquet": UNITS, "people.parquet": PEOPLE, "tables/orders.parquet": ORDERS}


def test_frames_give_the_output_their_parquet_files_give(tmp_path: Path) -> None:
    (tmp_path / "tables").mkdir()
    for name, frame in FRAMES.items():
        frame.write_parquet(tmp_path / name)
    from_files, problems = scenario_from_data(document(), tmp_path)
    assert problems == []
    from_frames, problems = scenario_from_data(document(), frames=dict(FRAMES))
    assert problems == []
    assert from_files is not None and from_frames is not None
    as_of = dt.date(2025, 3, 31)
    result = calculate(from_frames, as_of)
    assert to_json(result) == to_json(calculate(from_files, as_of))
    assert result.people["zhang"]["2025-Q1"].measures["revenue"] == Decimal("120000.10")
    assert from_frames.tables["orders"].frame.columns == from_files.tables["orders"].frame.columns


def test_a_frame_is_checked_like_a_file() -> None:
    bad = ORDERS.with_columns(pl.lit("nobody").alias("owner"))
    _scenario, problems = scenario_from_data(
        document(), frames={**FRAMES, "tables/orders.parquet": bad}
    )
    assert "records.orders[0].owner" in [p.path for p in problems]


def test_a_path_without_a_frame_is_still_a_file(tmp_path: Path) -> None:
    frames = {k: v for k, v in FRAMES.items() if k != "tables/orders.parquet"}
    _scenario, problems = scenario_from_data(document(), tmp_path, frames=frames)
    assert [p.path for p in problems] == ["records.orders.parquet"]


def test_month_start_is_polars_month_start() -> None:
    """Every day from 1899 to 2101 (leap years, the epoch, nulls) has Polars' month start."""
    from attain.engine.measures import month_start

    days = pl.date_range(dt.date(1899, 1, 1), dt.date(2101, 12, 31), eager=True)
    frame = pl.DataFrame({"day": pl.concat([days, pl.Series([None], dtype=pl.Date)])})
    ours = frame.select(month_start(pl.col("day")))["day"]
    assert ours.dtype == pl.Date
    assert ours.equals(frame["day"].dt.month_start(), check_names=False)


def test_attach_unit_is_the_unit_of_attach() -> None:
    """The unit as a category is the unit `attach` gives, people moving or not."""
    from attain.engine.org import Org
    from attain.engine.scenario import scenario_from_data as load

    document = {
        "version": 1,
        "units": [{"id": "hq"}, {"id": "east", "parent": "hq"}, {"id": "west", "parent": "hq"}],
        "people": [
            {"id": "li", "unit": "hq"},
            {"id": "zhang", "unit": "east", "manager": "li"},
            {
                "id": "wang",
                "unit": "east",
                "manager": "li",
                "history": [
                    {"from": "2025-04-01", "unit": "west"},
                    {"from": "2025-09-15", "unit": "east"},
                ],
            },
        ],
    }
    loaded, problems = load(document)
    assert loaded is not None, problems
    org = Org(loaded.units, loaded.people)
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=d) for d in range(0, 365, 7)]
    frame = pl.DataFrame(
        {
            "who": [p for p in ("li", "zhang", "wang", "nobody") for _ in days],
            "day": days * 4,
        }
    )
    expected = org.attach(frame, "who", "day").select("who", "day", "__unit")
    found = org.attach_unit(frame, "who", "day")
    assert found.schema["__unit"] == pl.Categorical
    found = found.with_columns(pl.col("__unit").cast(pl.String))
    assert found.sort("who", "day").equals(expected.sort("who", "day"))
    assert found.filter(pl.col("who") == "wang")["__unit"].unique().sort().to_list() == [
        "east",
        "west",
    ]
