"""Load → compute: one entry for every calculation the apps run.

:func:`loaded` builds a scenario for a date range (the organisation and the record tables
the measures read, as Polars frames kept in memory, with the targets and plans given)
and checks it with the engine, which reads the frames where the document names parquet
files; :func:`run` also calculates it. Targets, pace, incentives
and integrity all go through here, so they read the same data the same way.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import polars as pl

from attain.engine import Problem, Result, Scenario, calculate, scenario_from_data

from .scenario import build_scenario

Frames = dict[str, pl.DataFrame]  # the tables, keyed by the parquet path the document names
Edit = Callable[[Frames, dict[str, Any]], None]


class ScenarioProblems(ValueError):
    """The scenario built from the database does not pass the engine's checks."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))


@dataclass
class Loaded:
    scenario: Scenario | None
    problems: list[Problem]
    data: dict[str, Any]
    frames: Frames

    def checked(self) -> Scenario:
        """The scenario, or :class:`ScenarioProblems`."""
        if self.scenario is None or self.problems:
            raise ScenarioProblems(self.problems)
        return self.scenario


@contextmanager
def loaded(
    *,
    start: datetime.date,
    end: datetime.date,
    measures: Mapping[str, Mapping[str, Any]],
    targets: Sequence[Mapping[str, Any]] = (),
    plans: Sequence[Mapping[str, Any]] = (),
    as_of: datetime.date | None = None,
    report: Sequence[str] = (),
    fresh: bool = False,
    edit: Edit | None = None,
    records_of: Callable[[pl.DataFrame], Collection[str]] | None = None,
) -> Iterator[Loaded]:
    """The scenario of ``start``…``end``. ``edit(frames, data)`` may change the tables
    (replace a frame in ``frames``) and the document before the engine reads them
    (hypothetical records, a cut-down organisation); ``records_of``: see
    :func:`attain.calc.scenario.build_scenario`. Nothing is written to disk."""
    frames: Frames = {}
    data = build_scenario(
        period_start=start,
        period_end=end,
        measures=measures,
        frames=frames,
        targets=targets,
        plans=plans,
        as_of=as_of,
        report=report,
        fresh=fresh,
        records_of=records_of,
    )
    if edit is not None:
        edit(frames, data)
    scenario, problems = scenario_from_data(data, frames=frames)
    yield Loaded(scenario, list(problems), data, frames)


def run(
    *,
    start: datetime.date,
    end: datetime.date,
    measures: Mapping[str, Mapping[str, Any]],
    as_of: datetime.date,
    targets: Sequence[Mapping[str, Any]] = (),
    plans: Sequence[Mapping[str, Any]] = (),
    report: Sequence[str] = (),
    fresh: bool = False,
    edit: Edit | None = None,
) -> tuple[Scenario, Result]:
    """Load and calculate; raises :class:`ScenarioProblems` when the scenario is bad."""
    with loaded(
        start=start,
        end=end,
        measures=measures,
        targets=targets,
        plans=plans,
        as_of=as_of,
        report=report,
        fresh=fresh,
        edit=edit,
    ) as found:
        scenario = found.checked()
        return scenario, calculate(scenario, as_of)
