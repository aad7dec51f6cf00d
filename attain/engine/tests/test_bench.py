"""The benchmark generator at a small size: it writes a valid scenario that runs."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from attain.engine import calculate, load_scenario
from attain.engine.bench import generate, main, run_one, table
from attain.engine.output import dumps, to_document, to_json


def test_generated_scenario_is_valid_and_runs(tmp_path: Path) -> None:
    generated = generate(tmp_path / "g", people=50, orders=5_000, seed=7)
    orders = pl.read_parquet(generated.orders)
    assert orders.height == 5_000
    assert orders["id"].n_unique() == 5_000
    assert set(orders["status"].unique()) >= {"confirmed", "cancelled"}
    assert (orders["amount"] < 0).any()
    assert orders["credit"].drop_nulls().len() > 0
    assert orders["date"].min() is not None
    scenario, problems = load_scenario(generated.scenario)
    assert problems == []
    assert scenario is not None
    result = calculate(scenario)
    assert result.errors == []
    document = json.loads(to_json(result))
    assert document["targets"], "the decomposition generated targets"
    payouts = [
        float(period["payout"])
        for periods in document["people"].values()
        for period in periods.values()
    ]
    assert any(p > 0 for p in payouts)
    # the direct writer gives exactly the generic writer's text
    assert to_json(result) == dumps(to_document(result))


def test_generation_is_deterministic(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", people=20, orders=2_000, seed=3)
    b = generate(tmp_path / "b", people=20, orders=2_000, seed=3)
    assert pl.read_parquet(a.orders).equals(pl.read_parquet(b.orders))
    assert a.scenario.read_text(encoding="utf-8") == b.scenario.read_text(encoding="utf-8")


def test_runner_reports_a_ratio(tmp_path: Path) -> None:
    generated = generate(tmp_path / "r", people=50, orders=5_000, seed=1)
    row = run_one(generated)
    assert row.scenario_seconds > 0 and row.bare_seconds > 0
    assert row.ratio > 0
    assert row.output_bytes > 0
    assert "ratio" in table([row])


def test_command_writes_json(tmp_path: Path) -> None:
    import io

    out, err = io.StringIO(), io.StringIO()
    code = main(["--people", "30", "--orders", "2000", "--dir", str(tmp_path), "--json"], out, err)
    assert code == 0, err.getvalue()
    rows = json.loads(out.getvalue())["rows"]
    assert rows[0]["orders"] == 2000 and rows[0]["ratio"] > 0


def test_direct_writer_matches_generic_writer_on_edge_numbers() -> None:
    from decimal import Decimal

    from attain.engine import scenario_from_data

    from .helpers import scenario

    document = scenario(
        as_of="2025-02-10",
        records={
            "orders": [
                {"id": "a", "date": "2025-01-02", "owner": "zhang", "amount": Decimal("-0.004")},
                {"id": "b", "date": "2025-01-03", "owner": "wang", "amount": Decimal("0.005")},
                {"id": "c", "date": "2025-02-03", "owner": "wang", "amount": Decimal("1e-9")},
            ]
        },
        measures={"revenue": {"from": "orders", "value": "amount"}},
        targets=[{"measure": "revenue", "who": "wang", "period": "2025", "value": 3}],
        report={"periods": ["2025-Q1", "2025-01", "2025"]},
    )
    loaded, problems = scenario_from_data(document)
    assert loaded is not None, problems
    result = calculate(loaded)
    text = to_json(result)
    assert text == dumps(to_document(result))
    people = json.loads(text)["people"]
    assert people["zhang"]["2025-01"]["measures"]["revenue"] == 0
    assert people["wang"]["2025-01"]["measures"]["revenue"] == 0.01


def test_every_matrix_scenario_is_valid_and_runs(tmp_path: Path) -> None:
    from attain.engine.bench import matrix_features, write_matrix

    generated = generate(tmp_path / "m", people=40, orders=3_000, seed=5)
    written = write_matrix(generated, matrix_features())
    assert set(written) == set(matrix_features()) and "all" in written
    for feature, path in written.items():
        scenario, problems = load_scenario(path)
        assert problems == [], (feature, problems)
        assert scenario is not None
        result = calculate(scenario)
        assert result.errors == [], (feature, result.errors)
        document = json.loads(to_json(result))
        assert document["people"], feature
    splits = pl.read_parquet(generated.directory / "orders-plain.parquet")
    assert "credit" not in splits.columns


def test_matrix_command_writes_a_row_per_feature(tmp_path: Path) -> None:
    import io

    out, err = io.StringIO(), io.StringIO()
    args = ["--people", "30", "--orders", "2000", "--dir", str(tmp_path), "--matrix"]
    code = main([*args, "--features", "sum,distinct", "--json"], out, err)
    assert code == 0, err.getvalue()
    rows = json.loads(out.getvalue())["matrix"]
    assert [r["feature"] for r in rows] == ["sum", "distinct"]
    assert all(r["ratio"] > 0 and r["peak_bytes"] > 0 for r in rows)
    assert main([*args, "--features", "nope"], io.StringIO(), err) == 2
    assert "unknown feature nope" in err.getvalue()
