"""`attain scenario run` on several cores: the people's rows written by forked workers.

A run's Polars work (loading, crediting, the decompositions, every measure value of
every reported period) uses all cores already; what is left is Python for each person
and period (rule 5.1, attainment, pace, the plans' components) and the JSON text, and
that part runs on one core. Here it is split: after everything Polars computes is
cached, the people are cut into contiguous parts, forked worker processes compute and
write the items of their parts, and this process does the first part and the units.

A worker never starts Polars work: Polars' thread pool does not exist in a forked
child, so such work would hang. The measures are frozen in the worker
(:class:`attain.engine.measures.Frozen`); a worker that would need anything not
computed before the fork, or that fails in any other way, gives up, and this process
computes its part itself. The text is the same as ``to_json(calculate(scenario))``,
byte for byte, warnings in the same order (tested).

Workers are used on Linux only (forking a process with threads is unsafe on macOS and
unavailable on Windows), with at least :data:`PEOPLE_PER_WORKER` people each.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import os
import pickle
import struct
import sys
from dataclasses import dataclass
from typing import TextIO

from .calculate import Calculation, finish, prepare
from .measures import Frozen
from .model import Scenario
from .numbers import ENGINE_CONTEXT, no_cycle_collection
from .output import DocumentWriter, ObjectWriter, separator
from .periods import Period
from .problems import Problem

PEOPLE_PER_WORKER = 1000
MAX_WORKERS = 4


def default_workers(people: int) -> int:
    """How many processes a run of `people` people uses when not told."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, MAX_WORKERS, people // PEOPLE_PER_WORKER))


@dataclass
class _Worker:
    pid: int
    pipe: int
    people: list[str]

    def collect(self) -> tuple[memoryview, list[Problem]] | None:
        """The worker's items (UTF-8) and warnings, or None when it gave up."""
        with os.fdopen(self.pipe, "rb") as stream:
            payload = stream.read()
        _pid, status = os.waitpid(self.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or len(payload) < _HEADER.size:
            return None
        (size,) = _HEADER.unpack_from(payload)
        view = memoryview(payload)
        warnings: list[Problem] = pickle.loads(view[_HEADER.size : _HEADER.size + size])
        return view[_HEADER.size + size :], warnings


_HEADER = struct.Struct("<Q")


def run_json(
    scenario: Scenario, as_of: dt.date | None = None, workers: int | None = None
) -> tuple[list[Problem], str]:
    """(errors, JSON text of spec section 8): ``to_json(calculate(...))``, on more cores.

    With errors (a decomposition that cannot be made) the text is empty.
    """
    out = io.StringIO()
    errors = write_json(scenario, out, as_of, workers)
    return errors, out.getvalue()


def write_json(
    scenario: Scenario, out: TextIO, as_of: dt.date | None = None, workers: int | None = None
) -> list[Problem]:
    """Write the JSON of spec section 8 to `out`; the errors instead, if any.

    Nothing is written when there are errors.
    """
    with decimal.localcontext(ENGINE_CONTEXT), no_cycle_collection():
        return _run(scenario, out, as_of or scenario.as_of, workers)


def _run(
    scenario: Scenario, out: TextIO, as_of: dt.date | None, workers: int | None
) -> list[Problem]:
    calc, decomposer, periods = prepare(scenario, as_of)
    if decomposer.errors:
        return decomposer.errors
    calc.prefetch_windows(periods)
    people = list(scenario.people)
    count = default_workers(len(people)) if workers is None else max(1, workers)
    parts = _split(people, count)
    if len(parts) > 1:
        calc.prefetch_values(periods)
    result = finish(calc, decomposer, periods, {}, {})
    writer = DocumentWriter(result)
    started = [_fork(calc, writer, periods, part) for part in parts[1:]]
    # the units and the targets first, while the workers run; warnings stay in the
    # order of a run (people, then units)
    before = len(calc.warnings)
    units = [writer.entry(uid, calc.unit_rows(uid, periods), False) for uid in scenario.units]
    targets = writer.targets()
    later = calc.warnings[before:]
    del calc.warnings[before:]

    def write_people(items: ObjectWriter) -> None:
        for pid in parts[0]:
            items.item(writer.entry(pid, calc.person_rows(pid, periods), True))
        for worker in started:
            collected = worker.collect()
            if collected is None:
                calc.measures.frozen = False
                for pid in worker.people:
                    items.item(writer.entry(pid, calc.person_rows(pid, periods), True))
            else:
                text, warnings = collected
                if len(text):
                    items.raw(text)
                calc.warnings.extend(warnings)
        calc.warnings.extend(later)

    writer.write(out, write_people, units, targets)
    return []


def _split(people: list[str], count: int) -> list[list[str]]:
    """`count` contiguous parts of (nearly) equal size.

    This process also writes the units and the targets, but a worker pays for its
    copy-on-write pages and for sending its text: equal parts finish about together.
    """
    if count <= 1 or not people:
        return [people]
    size = -(-len(people) // count)
    return [people[i : i + size] for i in range(0, len(people), size)]


def _fork(
    calc: Calculation, writer: DocumentWriter, periods: list[Period], people: list[str]
) -> _Worker:
    read, write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write)
        return _Worker(pid, read, people)
    # the worker: pure Python from here on, and it never returns
    os.close(read)
    code = 0
    payload: list[bytes] = []
    try:
        calc.measures.frozen = True
        start = len(calc.warnings)
        items = [writer.entry(p, calc.person_rows(p, periods), True) for p in people]
        warnings = pickle.dumps(calc.warnings[start:], protocol=pickle.HIGHEST_PROTOCOL)
        text = separator(1).join(items).encode()
        payload = [_HEADER.pack(len(warnings)), warnings, text]
    except Frozen:
        code = 3
    except BaseException:  # anything else: this process computes the part and reports it
        code = 1
    try:
        with os.fdopen(write, "wb") as stream:
            for part in payload:
                stream.write(part)
    finally:
        os._exit(code)
