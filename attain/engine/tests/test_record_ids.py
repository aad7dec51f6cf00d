"""Record ids are text, whatever type the file gives them.

Integer and whole-decimal ids are kept as numbers in the loaded frame (making text of
millions of them is left to where an id is read), so a table with integer ids must
give exactly what the same ids as text give: the results, the explanations (record ids
as text, sorted as text), expressions over ``id``, and the problems naming an id."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from attain.engine import (
    calculate,
    explain,
    explanation_json,
    parse_period,
    scenario_from_data,
    to_json,
)
from attain.engine.cli import main
from attain.engine.scenario import load_scenario

UNITS = pl.DataFrame({"id": ["east"], "name": ["East"], "parent": [None]})
PEOPLE = pl.DataFrame(
    {"id": ["li", "zhang"], "unit": ["east", "east"], "manager": [None, "li"], "role": ["m", "r"]}
)
IDS = [9, 10, 11, 100, 2]  # as text, "10" < "100" < "11" < "2" < "9"


def orders(ids: pl.Series) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": ids,
            "date": [dt.date(2025, 1, 5)] * 4 + [dt.date(2025, 2, 1)],
            "owner": ["zhang", "zhang", "li", "zhang", "zhang"],
            "customer": ["c1", "c2", "c1", "c1", "c3"],
            "amount": [Decimal("10.50"), Decimal("20"), Decimal("30"), Decimal("40"), None],
        },
        schema_overrides={"amount": pl.Decimal(38, 2)},
    )


def document() -> dict[str, Any]:
    return {
        "version": 1,
        "units": {"parquet": "units.parquet"},
        "people": {"parquet": "people.parquet"},
        "records": {"orders": {"parquet": "orders.parquet"}},
        "measures": {
            "revenue": {"from": "orders", "value": "amount"},
            "not_ten": {"from": "orders", "value": "amount", "where": "id != '10'"},
            "ids": {"from": "orders", "value": "id", "agg": "distinct"},
            "id_sum": {"from": "orders", "value": "id"},
            "team": {"from": "orders", "value": "amount", "rollup": True},
        },
        "plans": [
            {
                "id": "p",
                "applies_to": {"role": "r"},
                "effective": {"from": "2025-01-01", "to": "2025-12-31"},
                "period": "quarter",
                "components": [
                    {
                        "id": "s",
                        "kind": "spiff",
                        "from": "orders",
                        "where": "id == '100' or id == '2'",
                        "amount": "5",
                    }
                ],
            }
        ],
        "report": {"periods": ["2025-01", "2025-Q1"]},
    }


def _run(ids: pl.Series, tmp_path: Path) -> tuple[str, str, str]:
    frames = {"units.parquet": UNITS, "people.parquet": PEOPLE, "orders.parquet": orders(ids)}
    for name, frame in frames.items():
        frame.write_parquet(tmp_path / name)
    scenario, problems = scenario_from_data(document(), tmp_path)
    assert problems == [] and scenario is not None
    result = calculate(scenario, dt.date(2025, 3, 31))
    period = parse_period("2025-Q1")
    person = explanation_json(explain(result, "zhang", period))
    unit = explanation_json(explain(result, "east", period))
    return to_json(result), person, unit


@pytest.mark.parametrize(
    "ids",
    [
        pl.Series("id", IDS, dtype=pl.Int64),
        pl.Series("id", IDS, dtype=pl.UInt16),
        pl.Series("id", [Decimal(i) for i in IDS], dtype=pl.Decimal(20, 0)),
    ],
    ids=["int64", "uint16", "decimal"],
)
def test_number_ids_read_as_their_text(ids: pl.Series, tmp_path: Path) -> None:
    (tmp_path / "text").mkdir()
    (tmp_path / "numbers").mkdir()
    as_text = _run(pl.Series("id", [str(i) for i in IDS]), tmp_path / "text")
    assert _run(ids, tmp_path / "numbers") == as_text
    result = as_text[0]
    assert '"not_ten": 50.5' in result  # 10.50 + 40 (id 10 left out), in January
    assert '"ids": 4' in result and '"id_sum": 121' in result  # zhang: 9, 10, 100, 2
    assert '"id": "100"' in as_text[1]  # explanations name records by their text


def test_a_duplicate_integer_id_is_named_as_text(tmp_path: Path) -> None:
    ids = pl.Series("id", [9, 10, 10, 100, 2], dtype=pl.Int64)
    frames = {"units.parquet": UNITS, "people.parquet": PEOPLE, "orders.parquet": orders(ids)}
    for name, frame in frames.items():
        frame.write_parquet(tmp_path / name)
    _scenario, problems = scenario_from_data(document(), tmp_path)
    assert [(p.path, p.message) for p in problems] == [
        ("records.orders[2].id", "duplicate id '10' in this table")
    ]


def test_fractional_record_ids_keep_their_decimals(tmp_path: Path) -> None:
    # before: ids 1.5 and 1.7 were both shown as "1" (a decimal id column was cut to an
    # integer to make its text), and 1.5 written twice was "duplicate id '1'"
    (tmp_path / "s.yaml").write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: a, unit: u}]\n"
        "records: {orders: [{id: 1.5, date: 2025-01-05, owner: a, amount: 1},"
        " {id: 1.7, date: 2025-01-06, owner: a, amount: 2},"
        " {id: 3, date: 2025-01-07, owner: a, amount: 4}]}\n"
        "measures: {r: {from: orders, value: amount}}\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    assert main(["scenario", "explain", str(tmp_path / "s.yaml"), "a", "2025-01"], out, err) == 0
    lines = out.getvalue()
    assert "2025-01-05 1.5: 1" in lines and "2025-01-06 1.7: 2" in lines
    assert "2025-01-07 3: 4" in lines
    text = (tmp_path / "s.yaml").read_text(encoding="utf-8").replace("id: 1.7", "id: 1.5")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    _loaded, problems = load_scenario(tmp_path / "s.yaml")
    assert [p.message for p in problems] == ["duplicate id '1.5' in this table"]
