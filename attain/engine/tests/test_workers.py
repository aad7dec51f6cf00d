"""Forked workers write exactly the text of one process, also when one gives up."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from attain.engine import calculate, load_scenario, to_json, workers
from attain.engine.bench import generate
from attain.engine.calculate import Calculation
from attain.engine.cli import main
from attain.engine.model import Scenario
from attain.engine.output import DocumentWriter
from attain.engine.scenario import scenario_from_data

from .helpers import commission_plan, scenario

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="workers are forked on Linux only"
)


@pytest.fixture(autouse=True)
def no_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers even for the few rows the columns leave (these tests are about them)."""
    monkeypatch.setattr(workers, "FEW_ROWS", 0)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    files = generate(tmp_path_factory.mktemp("workers"), people=90, orders=4_000, seed=11)
    loaded, problems = load_scenario(files.scenario)
    assert loaded is not None, problems
    return loaded


@pytest.mark.parametrize("count", [2, 3, 7])
def test_workers_write_the_text_of_one_process(generated: Scenario, count: int) -> None:
    expected = to_json(calculate(generated))
    errors, text = workers.run_json(generated, workers=count)
    assert errors == []
    assert text == expected


def test_workers_take_chunks_while_this_process_is_busy(
    generated: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = to_json(calculate(generated))
    targets = DocumentWriter.targets
    monkeypatch.setattr(DocumentWriter, "targets", lambda self: (time.sleep(1), targets(self))[1])
    written: list[int] = []
    collect = workers._Worker.collect

    def watched(self: workers._Worker) -> Any:
        found = collect(self)
        written.append(len(found or ()))
        return found

    monkeypatch.setattr(workers._Worker, "collect", watched)
    assert workers.run_json(generated, workers=2) == ([], expected)
    assert written and written[0] > 0


def test_a_worker_that_would_need_polars_gives_up_and_its_part_is_still_written(
    generated: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = to_json(calculate(generated))
    # nothing computed before the fork: the worker's first measure value is refused
    monkeypatch.setattr(
        Calculation, "prefetch_values", lambda self, periods, units=True, rows=True: None
    )
    monkeypatch.setattr(Calculation, "prefetch_windows", lambda self, periods, people: None)
    # and this process starts late, so the worker surely takes chunks before it
    targets = DocumentWriter.targets

    def late(self: DocumentWriter) -> str:
        time.sleep(1)
        return targets(self)

    monkeypatch.setattr(DocumentWriter, "targets", late)
    gave_up: list[bool] = []
    collect = workers._Worker.collect

    def watched(self: workers._Worker) -> Any:
        found = collect(self)
        gave_up.append(found is None)
        return found

    monkeypatch.setattr(workers._Worker, "collect", watched)
    errors, text = workers.run_json(generated, workers=2)
    assert gave_up == [True]
    assert errors == []
    assert text == expected


def test_warnings_keep_the_order_of_one_process() -> None:
    people = [{"id": f"p{i:02}", "unit": "east", "role": "rep"} for i in range(12)]
    orders = [
        {"id": f"o{i}", "date": f"2025-0{1 + i % 6}-10", "owner": f"p{i % 12:02}", "amount": 10 + i}
        for i in range(60)
    ]
    tiers = {"basis": "attainment", "table": [{"from": 0, "rate": 0.01}]}
    document = scenario(
        people=people,
        records={"orders": orders},
        measures={"revenue": {"from": "orders", "value": "amount"}},
        plans=commission_plan(
            {"id": "c", "kind": "commission", "measure": "revenue", "tiers": tiers}
        ),
    )
    loaded, problems = scenario_from_data(document)
    assert loaded is not None, problems
    expected = to_json(calculate(loaded))
    assert expected.count('"path": "plans[0].components[0]"') >= 12
    for count in (2, 4):
        assert workers.run_json(loaded, workers=count)[1] == expected


def test_the_default_is_one_process_for_a_small_company() -> None:
    assert workers.default_workers(workers.PEOPLE_PER_WORKER - 1) == 1
    assert 1 <= workers.default_workers(100 * workers.PEOPLE_PER_WORKER) <= workers.MAX_WORKERS


def test_run_takes_a_number_of_workers(tmp_path: Path) -> None:
    files = generate(tmp_path / "g", people=30, orders=500, seed=2)
    out, err = io.StringIO(), io.StringIO()
    assert main(["scenario", "run", str(files.scenario), "--workers", "2"], out, err) == 0
    loaded, _ = load_scenario(files.scenario)
    assert loaded is not None
    assert out.getvalue() == to_json(calculate(loaded)) + "\n"
    out, err = io.StringIO(), io.StringIO()
    assert main(["scenario", "run", str(files.scenario), "--workers", "0"], out, err) == 2
    assert out.getvalue() == ""
    assert err.getvalue().startswith("--workers: ")


def test_where_forking_is_not_supported_one_process_does_it_all(
    generated: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = to_json(calculate(generated))
    monkeypatch.setattr(workers, "can_fork", lambda: False)

    def no_fork() -> int:
        raise AssertionError("forked")

    monkeypatch.setattr(workers.os, "fork", no_fork)
    assert workers.run_json(generated, workers=4) == ([], expected)
    assert workers.default_workers(100 * workers.PEOPLE_PER_WORKER) == 1


@pytest.mark.parametrize("refused", ["memfd_create", "fork"])
def test_where_the_system_refuses_a_worker_this_process_does_its_part(
    generated: Scenario, monkeypatch: pytest.MonkeyPatch, refused: str
) -> None:
    """A sandbox without in-memory files, or no process left: fewer workers, no leak."""
    import os

    expected = to_json(calculate(generated))
    calls: list[str] = []
    real = getattr(os, refused)

    def refuse(*args: Any) -> Any:
        calls.append(refused)
        if len(calls) > 1:  # the first worker starts, the second is refused
            raise OSError(24, "refused")
        return real(*args)

    monkeypatch.setattr(workers.os, refused, refuse)
    before = len(os.listdir("/proc/self/fd"))
    assert workers.run_json(generated, workers=4) == ([], expected)
    assert len(calls) == 2
    assert len(os.listdir("/proc/self/fd")) == before
