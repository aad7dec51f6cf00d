"""`attain scenario run` on several cores: the people's rows written by forked workers.

A run's Polars work (loading, crediting, the decompositions, every measure value of
every reported period) uses all cores already; what is left is Python for each person
and period (rule 5.1, attainment, pace, the plans' components) and the JSON text, and
that part runs on one core. Here it is shared: once everything Polars computes is
cached, worker processes are forked, and chunks of people are handed out until none
is left (two counters in shared memory), so all finish together whatever each chunk
costs: this process takes them from the front and writes each as soon as it is done,
the workers take them from the back, writing each chunk's text to an in-memory file
as they go; this process copies it to the output, in order, when they finish.

A worker never starts Polars work: Polars' thread pool does not exist in a forked
child, so such work would hang. The measures are frozen in the worker
(:class:`attain.engine.measures.Frozen`); a worker that would need anything not
computed before the fork, or that fails in any other way, gives up, and this process
computes the chunks it took. The text is the same as ``to_json(calculate(scenario))``,
byte for byte, warnings in the same order (tested).

Workers are used on Linux only (forking a process with threads is unsafe on macOS and
unavailable on Windows), with at least :data:`PEOPLE_PER_WORKER` people each.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import mmap
import multiprocessing
import os
import pickle
import struct
import sys
from dataclasses import dataclass
from typing import TextIO

from .calculate import Calculation, finish, prepare
from .columnar import PeopleColumns, Rows
from .measures import Frozen
from .memory import no_cycle_collection
from .model import Scenario
from .numbers import ENGINE_CONTEXT
from .output import DocumentWriter, ObjectWriter, separator
from .periods import Period
from .problems import Problem

PEOPLE_PER_WORKER = 1000
MAX_WORKERS = 4


def can_fork() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(os, "memfd_create")


def default_workers(people: int) -> int:
    """How many processes a run of `people` people uses when not told."""
    if not can_fork():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, MAX_WORKERS, people // PEOPLE_PER_WORKER))


Chunk = tuple[int, bytes, list[Problem]]  # chunk number, its items (UTF-8), warnings


class _Chunks:
    """The people cut into chunks, handed out in turn: this process takes them from the
    front (and writes them as it goes), the workers from the back."""

    def __init__(self, people: list[str], size: int) -> None:
        self.parts = [people[i : i + size] for i in range(0, len(people), size)]
        # [front, back): the chunks nobody has taken, shared with the forked workers
        self._bounds = mmap.mmap(-1, _BOUNDS.size)
        _BOUNDS.pack_into(self._bounds, 0, 0, len(self.parts))
        self._lock = multiprocessing.get_context("fork").Lock()

    def take(self, front: bool) -> int | None:
        with self._lock:
            first, end = _BOUNDS.unpack_from(self._bounds)
            if first >= end:
                return None
            if front:
                _BOUNDS.pack_into(self._bounds, 0, first + 1, end)
                return int(first)
            _BOUNDS.pack_into(self._bounds, 0, first, end - 1)
            return int(end - 1)


@dataclass
class _Worker:
    pid: int
    pipe: int  # the index of what the worker wrote, sent when it ends
    data: int  # the text of its chunks, written as it goes (an in-memory file)

    def collect(self) -> list[Chunk] | None:
        """The chunks the worker wrote, or None when it gave up."""
        try:
            with os.fdopen(self.pipe, "rb") as stream:
                payload = stream.read()
            _pid, status = os.waitpid(self.pid, 0)
            if os.waitstatus_to_exitcode(status) != 0 or not payload:
                return None
            index: list[tuple[int, int, int, list[Problem]]] = pickle.loads(payload)
            return [
                (number, os.pread(self.data, end - start, start), warnings)
                for number, start, end, warnings in index
            ]
        finally:
            os.close(self.data)


_BOUNDS = struct.Struct("<qq")


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
    people = list(scenario.people)
    if workers is None:
        count = default_workers(len(people))
    else:
        count = max(1, workers) if can_fork() else 1
    result = finish(calc, decomposer, periods, {}, {})
    writer = DocumentWriter(result)
    heads = Heads(PeopleColumns(calc, writer, periods, people).rows(), people, len(periods))
    if heads.left < FEW_ROWS:  # the columns wrote (almost) every row: no workers
        count = 1
    calc.prefetch_windows(periods, heads.people_left(people))
    chunks = _Chunks(people, max(1, min(CHUNK, len(people) // (8 * count))))
    started: list[_Worker] = []
    if count > 1 and len(chunks.parts) > 1:
        calc.prefetch_values(periods, units=False, rows=not heads.heads_written)
        for _ in range(count - 1):
            worker = _fork(calc, writer, periods, heads, chunks)
            if worker is None:  # no process or in-memory file to be had: fewer workers
                break
            started.append(worker)
    # the units and the targets first, while the workers start on the people (this
    # process may still use Polars: the units' numbers are computed here, side by side
    # with the workers); their warnings go after the people's, as in a run in one process
    before = len(calc.warnings)
    unit_ids = list(scenario.units)
    unit_rows = PeopleColumns(calc, writer, periods, unit_ids, units=True).rows()
    units = [
        _unit_entry(calc, writer, periods, unit_rows, k, uid) for k, uid in enumerate(unit_ids)
    ]
    targets = writer.targets()
    later = calc.warnings[before:]
    del calc.warnings[before:]

    def write_people(items: ObjectWriter) -> None:
        written = 0
        while (number := chunks.take(front=True)) is not None:
            texts, warnings = _chunk(calc, writer, periods, heads, chunks.parts[number])
            for text in texts:
                items.item(text)
            calc.warnings.extend(warnings)
            written = number + 1
        # the rest, from the back, was the workers'
        theirs: dict[int, tuple[bytes, list[Problem]]] = {}
        for worker in started:
            for number, data, warnings in worker.collect() or ():
                theirs[number] = (data, warnings)
        calc.measures.frozen = False
        for number in range(written, len(chunks.parts)):
            if number in theirs:
                data, warnings = theirs.pop(number)
                if data:
                    items.raw(data)
            else:  # taken by a worker that gave up
                texts, warnings = _chunk(calc, writer, periods, heads, chunks.parts[number])
                for text in texts:
                    items.item(text)
            calc.warnings.extend(warnings)
        calc.warnings.extend(later)

    writer.write(out, write_people, units, targets)
    return []


FEW_ROWS = 5000  # fewer rows left by the columns than this: no workers (not worth a fork)
CHUNK = 100  # people per chunk (at most): small enough to balance, large enough to be cheap


class Heads:
    """The people's entries as :mod:`attain.engine.columnar` wrote them, and what is
    left to compute here (everything, without the columns)."""

    def __init__(self, rows: Rows | None, people: list[str], periods: int) -> None:
        self.rows = rows
        self.index = {pid: k for k, pid in enumerate(people)}
        self.left = len(people) * periods if rows is None else rows.left
        self.heads_written = rows is not None and rows.heads_written

    def people_left(self, people: list[str]) -> list[str]:
        """The people with rows left to compute here."""
        if self.rows is None:
            return people
        entries = self.rows.entries
        return [pid for k, pid in enumerate(people) if entries[k] is None]

    def entry(
        self, calc: Calculation, writer: DocumentWriter, periods: list[Period], pid: str
    ) -> str:
        """A person's item: as the columns wrote it, or row by row from the heads and
        ends they wrote, computing the rest."""
        rows = self.rows
        if rows is None:
            return writer.entry(pid, calc.person_rows(pid, periods), True)
        k = self.index[pid]
        written = rows.entries[k]
        if written is not None:
            return writer.key(pid) + written
        texts: list[str] = []
        for at, period in enumerate(periods):
            head = rows.heads[k][at]
            end = rows.ends[k][at]
            if head is None:
                row = calc.period_result(pid, period, unit=False)
                row.plans = calc.person_plans(pid, period)
                texts.append(writer.period(row, 3, True))
            elif end is None:
                texts.append(head + writer.period_end(calc.person_plans(pid, period), 3))
            else:
                texts.append(head + end)
        return writer.entry_texts(pid, texts)


def _unit_entry(
    calc: Calculation,
    writer: DocumentWriter,
    periods: list[Period],
    rows: Rows | None,
    k: int,
    uid: str,
) -> str:
    """A unit's item: as the columns wrote it, or computed here."""
    written = None if rows is None else rows.entries[k]
    if written is not None:
        return writer.key(uid) + written
    if rows is None:
        return writer.entry(uid, calc.unit_rows(uid, periods), False)
    texts: list[str] = []
    for at, period in enumerate(periods):
        head = rows.heads[k][at]
        if head is None:
            texts.append(writer.period(calc.period_result(uid, period, unit=True), 3, False))
        else:
            texts.append(head + (rows.ends[k][at] or ""))  # units' ends are all written
    return writer.entry_texts(uid, texts)


def _chunk(
    calc: Calculation,
    writer: DocumentWriter,
    periods: list[Period],
    heads: Heads,
    people: list[str],
) -> tuple[list[str], list[Problem]]:
    """The items of some people, and the warnings their rows gave (taken off the run's)."""
    start = len(calc.warnings)
    items = [heads.entry(calc, writer, periods, pid) for pid in people]
    warnings = calc.warnings[start:]
    del calc.warnings[start:]
    return items, warnings


def _fork(
    calc: Calculation, writer: DocumentWriter, periods: list[Period], heads: Heads, chunks: _Chunks
) -> _Worker | None:
    """A worker taking chunks from the back; None when the system refuses one (a
    sandbox without ``memfd_create``, no more processes): this process does the rest."""
    opened: list[int] = []
    try:
        opened += os.pipe()
        opened.append(os.memfd_create("attain-worker"))
        pid = os.fork()
    except OSError:
        for fd in opened:
            os.close(fd)
        return None
    read, write, data = opened
    if pid:
        os.close(write)
        return _Worker(pid, read, data)
    # the worker: pure Python from here on, and it never returns
    os.close(read)
    code = 0
    payload = b""
    try:
        calc.measures.frozen = True
        index: list[tuple[int, int, int, list[Problem]]] = []
        offset = 0
        with os.fdopen(data, "wb", closefd=False) as text:
            while (number := chunks.take(front=False)) is not None:
                items, warnings = _chunk(calc, writer, periods, heads, chunks.parts[number])
                encoded = separator(1).join(items).encode()
                text.write(encoded)
                index.append((number, offset, offset + len(encoded), warnings))
                offset += len(encoded)
        payload = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
    except Frozen:
        code = 3
    except BaseException:  # anything else: this process computes the part and reports it
        code = 1
    try:
        with os.fdopen(write, "wb") as stream:
            stream.write(payload)
    finally:
        os._exit(code)
