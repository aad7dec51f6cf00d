"""A calculation's rows as an application stores them, computed on the columns.

`attain scenario run` writes the people's rows with :mod:`attain.engine.columnar` and
computes in Python only what the columns leave (:mod:`attain.engine.workers`). The
application stores the same rows, plus two numbers the document rounds to 6
significant digits: the main measure's attainment and each scorecard's score.
:func:`calculate_rows` gives both from the same path: each row's document as the
writer wrote it (read back with its numbers as exact text), the attainment divided
as the engine divides it, and the score from the columns' bounds where they settle
it to 6 decimal places (else from Python). Rows, warnings and errors are those of
:func:`attain.engine.calculate` (tested against it).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .calculate import Calculation, PeriodResult, Result, finish, prepare
from .columnar import PeopleColumns
from .memory import no_cycle_collection
from .model import Scenario
from .numbers import ENGINE_CONTEXT
from .output import DocumentWriter, period_document
from .periods import Period
from .targets import attainment
from .workers import Heads, _unit_entry


@dataclass
class StoredRow:
    """One person's row of one period: spec section 8's entry (numbers as
    :class:`~attain.engine.output.Number` or, read back from the columns' text, as
    ``str``; money as text), the main measure's attainment
    (the engine's, unrounded; None without a target) and each scorecard's score by
    (plan, component)."""

    document: dict[str, Any]
    attainment: Decimal | None
    scores: dict[tuple[str, str], Decimal | None] = field(default_factory=dict)


def calculate_rows(
    scenario: Scenario,
    as_of: dt.date | None = None,
    *,
    main: str,
    people: Collection[str] | None = None,
    units: bool = True,
) -> tuple[Result, dict[str, list[tuple[Period, StoredRow]]]]:
    """The result (its periods, warnings and errors; no rows in ``people``/``units``)
    and each person's rows in period order. ``people`` limits the rows to those people,
    ``units=False`` leaves out the units' rows (whose warnings a run also reports)."""
    with decimal.localcontext(ENGINE_CONTEXT), no_cycle_collection():
        calc, decomposer, periods = prepare(scenario, as_of or scenario.as_of)
        result = finish(calc, decomposer, periods, {}, {})
        if decomposer.errors:
            return result, {}
        chosen = [p for p in scenario.people if people is None or p in people]
        rows = _people_rows(calc, DocumentWriter(result), periods, chosen, main)
        if units:  # computed for their warnings, which come after the people's
            unit_ids = list(scenario.units)
            writer = DocumentWriter(result)
            found = PeopleColumns(calc, writer, periods, unit_ids, units=True).rows()
            for k, uid in enumerate(unit_ids):
                _unit_entry(calc, writer, periods, found, k, uid)
        return result, rows


def _people_rows(
    calc: Calculation,
    writer: DocumentWriter,
    periods: list[Period],
    people: list[str],
    main: str,
) -> dict[str, list[tuple[Period, StoredRow]]]:
    columns = PeopleColumns(calc, writer, periods, people)
    columns.keep = main
    heads = Heads(columns.rows() if people else None, people, len(periods))
    calc.prefetch_windows(periods, heads.people_left(people))
    written = heads.rows
    scorecards = {
        plan.id: [c.id for c in plan.components if c.kind == "scorecard"]
        for plan in calc.scenario.plans
    }
    found: dict[str, list[tuple[Period, StoredRow]]] = {}
    for k, pid in enumerate(people):
        entry = None if written is None else written.entries[k]
        rows: list[tuple[Period, StoredRow]] = []
        if written is None:  # no columns at all: every row is Python's
            for period in periods:
                rows.append((period, _python_row(calc, pid, period, main)))
        elif entry is not None:
            documents = _read(entry)
            for at, period in enumerate(periods):
                at_row = k * len(periods) + at
                rows.append(
                    (
                        period,
                        _column_row(
                            calc,
                            columns,
                            documents[period.id],
                            pid,
                            period,
                            main,
                            at_row,
                            scorecards,
                        ),
                    )
                )
        else:
            for at, period in enumerate(periods):
                head, end = written.heads[k][at], written.ends[k][at]
                at_row = k * len(periods) + at
                if head is None:
                    rows.append((period, _python_row(calc, pid, period, main)))
                elif end is None:  # the plans are Python's
                    plans = calc.person_plans(pid, period)
                    document = _read(head + writer.period_end(plans, 3))
                    row = StoredRow(document, _attainment(calc, columns, pid, period, main, at_row))
                    row.scores = {
                        (plan_id, cid): c.score
                        for plan_id, plan in plans.items()
                        for cid, c in plan.components.items()
                        if c.kind == "scorecard"
                    }
                    rows.append((period, row))
                else:
                    document = _read(head + end)
                    rows.append(
                        (
                            period,
                            _column_row(
                                calc, columns, document, pid, period, main, at_row, scorecards
                            ),
                        )
                    )
        found[pid] = rows
    return found


def _read(text: str) -> dict[str, Any]:
    """A written row read back with its numbers as their exact text (``str``, as the
    money is): stored as JSON text, a number and a `Number` write alike, and ``str``
    costs no Python call per number to read, write or free."""
    return _DECODER.decode(text)  # type: ignore[no-any-return]


_DECODER = json.JSONDecoder(parse_float=str, parse_int=str)  # made once, not per row


def _python_row(calc: Calculation, pid: str, period: Period, main: str) -> StoredRow:
    row: PeriodResult = calc.period_result(pid, period, unit=False)
    row.plans = calc.person_plans(pid, period)
    scores = {
        (plan_id, cid): c.score
        for plan_id, plan in row.plans.items()
        for cid, c in plan.components.items()
        if c.kind == "scorecard"
    }
    return StoredRow(period_document(row, calc.scenario, True), row.attainment.get(main), scores)


def _column_row(
    calc: Calculation,
    columns: PeopleColumns,
    document: dict[str, Any],
    pid: str,
    period: Period,
    main: str,
    at_row: int,
    scorecards: dict[str, list[str]],
) -> StoredRow:
    """A row the columns wrote, with its attainment and scorecard scores (`scorecards`:
    each plan's scorecard components)."""
    row = StoredRow(document, _attainment(calc, columns, pid, period, main, at_row))
    for plan_id in document.get("plans", {}):
        for cid in scorecards[plan_id]:
            score = columns.score(plan_id, cid, at_row)
            if score is None:  # the bounds straddle a rounding: Python's score
                computed = calc.person_plans(pid, period)[plan_id].components[cid]
                score = computed.score
            row.scores[(plan_id, cid)] = score
    return row


def _attainment(
    calc: Calculation, columns: PeopleColumns, pid: str, period: Period, main: str, at_row: int
) -> Decimal | None:
    """The main measure's attainment on a row the columns wrote: from their integers, or
    (an average, whose columns are others) as the engine computes it."""
    if columns.has_attainment(main):
        return columns.attainment(main, at_row)
    resolution = calc.book.resolve(main, pid, period)
    if resolution.value is None:
        return None
    actual = calc.measures.value(main, pid, period)
    return attainment(actual, resolution.value, resolution.exact)
