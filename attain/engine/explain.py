"""How every number of a person (or unit) and period was reached.

The explanation reruns the very functions the calculation uses (so its payout always
equals the run's) and adds the records credited, the target rule of 5.1, pace, and
each component's steps. :func:`explanation_text` is for a rep to read,
:func:`explanation_json` for the web app.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from .calculate import PeriodResult, Result
from .measures import CREDITED, DATE, PERSON, SHARE, VALUE, RecordRow
from .numbers import ENGINE_CONTEXT, ZERO, money_text, plain, round_money, significant
from .output import dumps
from .periods import Interval, Period
from .plans import SCOPES, Step, spiff_measure_name
from .targets import Pace, TargetResolution

MAX_RECORDS = 500


@dataclass(frozen=True)
class RecordLine:
    id: str
    date: dt.date
    person: str
    share: Decimal | None
    value: object
    credited: Decimal | None


@dataclass
class MeasureExplanation:
    measure: str
    description: str
    money: bool
    actual: Decimal | None
    target: TargetResolution
    attainment: Decimal | None
    pace: Pace | None
    records: list[RecordLine]
    more_records: int = 0


@dataclass
class ComponentExplanation:
    id: str
    kind: str
    amount: Decimal
    steps: list[Step]
    level: str | None = None
    score: Decimal | None = None
    records: list[RecordLine] = field(default_factory=list)
    more_records: int = 0


@dataclass
class PlanExplanation:
    id: str
    name: str
    covered: list[Interval]
    components: list[ComponentExplanation]
    payout: Decimal


@dataclass
class Explanation:
    who: str
    name: str
    is_unit: bool
    period: Period
    as_of: dt.date | None
    currency: str
    measures: list[MeasureExplanation]
    plans: list[PlanExplanation]
    payout: Decimal


def _unshared(line: RecordLine) -> RecordLine:
    value = line.value if isinstance(line.value, Decimal) else line.credited
    return RecordLine(line.id, line.date, line.person, line.share, line.value, value)


def _lines(found: tuple[list[RecordRow], int]) -> tuple[list[RecordLine], int]:
    rows, more = found
    return [RecordLine(*row) for row in rows], more


def _describe(result: Result, name: str) -> str:
    measure = result.calculation.measures.measure(name)
    text = f"{measure.agg} of {measure.value.source} from {measure.table}"
    if measure.agg in ("sum", "avg", "count"):
        text += " (each record × its credit share)"
    if measure.where is not None:
        text += f", where {measure.where.source}"
    if measure.rollup:
        text += ", rolled up to every manager above"
    return text


def explain(result: Result, who: str, period: Period) -> Explanation:
    """How every number of `who`'s row for `period` comes about.

    The components are computed again (with their steps) in the engine's context, as
    :func:`~attain.engine.calculate.calculate` computed them: in Python's default 28
    digits a score or a ratio could round differently from the run's.
    """
    with decimal.localcontext(ENGINE_CONTEXT):
        return _explain(result, who, period)


def _explain(result: Result, who: str, period: Period) -> Explanation:
    calc = result.calculation
    scenario = result.scenario
    is_unit = who in scenario.units and who not in scenario.people
    rows = (result.units if is_unit else result.people).get(who, {})
    period_result: PeriodResult = rows.get(period.id) or calc.period_result(
        who, period, unit=is_unit
    )
    whole = [(period.start, period.end)]
    measures: list[MeasureExplanation] = []
    for name, measure in scenario.measures.items():
        if is_unit:
            frame = calc.measures.credited(name).filter(
                pl.col(DATE).is_between(period.start, period.end)
            )
            under = pl.Series(sorted(calc.org.descendants(who)), dtype=pl.String).implode()
            frame = calc.org.attach(frame, PERSON, DATE).filter(pl.col("__unit").is_in(under))
            frame = frame.sort(DATE, "id")
            lines, more = _lines(
                (
                    frame.head(MAX_RECORDS)
                    .select("id", DATE, PERSON, SHARE, VALUE, CREDITED)
                    .rows(),
                    max(0, frame.height - MAX_RECORDS),
                )
            )
        else:
            lines, more = _lines(calc.measures.record_lines(name, who, whole, limit=MAX_RECORDS))
        if measure.agg in ("min", "max"):  # shares do not apply: each value counts in full
            lines = [_unshared(line) for line in lines]
        measures.append(
            MeasureExplanation(
                name,
                _describe(result, name),
                measure.money,
                period_result.measures[name],
                period_result.targets[name],
                period_result.attainment[name],
                period_result.pace[name],
                lines,
                more,
            )
        )
    plans: list[PlanExplanation] = []
    if not is_unit:
        for plan in scenario.plans:
            if plan.period_kind != period.kind:
                continue
            plan_result = calc.plan_result(plan, who, period)
            if plan_result is None:
                continue
            calculator = calc.component_calculator(plan, who, period)
            assert calculator is not None
            covered = list(calculator.intervals or whole)
            components: list[ComponentExplanation] = []
            for component in plan.components:
                computed = plan_result.components[component.id]
                explained = ComponentExplanation(
                    component.id,
                    component.kind,
                    computed.amount,
                    computed.steps,
                    computed.level,
                    computed.score,
                )
                if component.kind == "spiff":
                    found = calc.measures.record_lines(
                        spiff_measure_name(plan, component), who, covered, "self", MAX_RECORDS
                    )
                    explained.records, explained.more_records = _lines(found)
                elif component.kind == "commission" and component.measure is not None:
                    found = calc.measures.record_lines(
                        component.measure, who, covered, SCOPES[component.scope], MAX_RECORDS
                    )
                    explained.records, explained.more_records = _lines(found)
                components.append(explained)
            plans.append(
                PlanExplanation(plan.id, plan.name, covered, components, plan_result.payout)
            )
    payout = sum((plan.payout for plan in plans), ZERO)
    name = scenario.units[who].name if is_unit else scenario.people[who].name
    return Explanation(
        who, name, is_unit, period, result.as_of, scenario.currency, measures, plans, payout
    )


# -- renderings --------------------------------------------------------------------------


def _num(value: object, money: bool, currency: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return plain(round_money(value, currency)) if money else plain(significant(value))
    return str(value)


def _days(intervals: list[Interval]) -> str:
    return ", ".join(f"{a.isoformat()} … {b.isoformat()}" for a, b in intervals)


def explanation_text(e: Explanation) -> str:
    c = e.currency
    lines: list[str] = []
    kind = "unit" if e.is_unit else "person"
    as_of = f", as of {e.as_of.isoformat()}" if e.as_of else ""
    span = f"{e.period.start} … {e.period.end}"
    lines.append(f"{e.name} ({kind} {e.who}) · {e.period.id} ({span}){as_of} · {c}")
    lines.append("")
    lines.append("Measures")
    for m in e.measures:
        lines.append(f"  {m.measure} = {_num(m.actual, m.money, c)}   [{m.description}]")
        for r in m.records:
            shared = r.share is not None and r.share != 1 and r.credited != r.value
            share = f" × share {plain(r.share)}" if shared and r.share is not None else ""
            via = f" (credited to {r.person})" if r.person != e.who and not e.is_unit else ""
            credited = "" if r.credited is None else f" → {plain(r.credited)}"
            lines.append(f"      {r.date} {r.id}: {_num(r.value, False, c)}{share}{credited}{via}")
        if m.more_records:
            lines.append(f"      … and {m.more_records} more records")
        lines.append(f"    target: {_num(m.target.value, m.money, c)} ({m.target.detail})")
        if m.target.value is not None:
            lines.append(f"    attainment: {_num(m.attainment, False, c)} (actual / target)")
        if m.pace is not None:
            lines.append(
                f"    pace: elapsed {_num(m.pace.elapsed, False, c)}, projected "
                f"{_num(m.pace.projected, m.money, c)}, status {m.pace.status}"
            )
    for plan in e.plans:
        lines.append("")
        lines.append(f"Plan {plan.id} ({plan.name}) · covered {_days(plan.covered)}")
        for comp in plan.components:
            label = f" · level {comp.level}" if comp.level else ""
            lines.append(f"  {comp.id} ({comp.kind}) = {money_text(comp.amount, c)}{label}")
            for step in comp.steps:
                value = step.value if isinstance(step.value, str) else _num(step.value, False, c)
                detail = f"   ({step.detail})" if step.detail else ""
                lines.append(f"      {step.label}: {value}{detail}")
            for r in comp.records:
                share = "" if r.share is None or r.share == 1 else f" × share {plain(r.share)}"
                shown = _num(r.value, False, c)
                lines.append(f"        record {r.id} {r.date} by {r.person}: {shown}{share}")
            if comp.more_records:
                lines.append(f"        … and {comp.more_records} more records")
        lines.append(f"  plan payout (sum of rounded components): {money_text(plan.payout, c)}")
    if not e.is_unit:  # a unit has measures and targets, no plans and no payout
        lines.append("")
        lines.append(f"Payout {e.period.id}: {money_text(e.payout, c)}")
    return "\n".join(lines) + "\n"


def _record_json(r: RecordLine) -> dict[str, Any]:
    return {
        "id": r.id,
        "date": r.date.isoformat(),
        "person": r.person,
        "share": r.share,
        "value": r.value
        if isinstance(r.value, Decimal | str | bool) or r.value is None
        else str(r.value),
        "credited": r.credited,
    }


def explanation_document(e: Explanation) -> dict[str, Any]:
    c = e.currency
    return {
        "who": e.who,
        "name": e.name,
        "kind": "unit" if e.is_unit else "person",
        "period": e.period.id,
        "as_of": e.as_of.isoformat() if e.as_of else None,
        "currency": c,
        "measures": {
            m.measure: {
                "description": m.description,
                "actual": m.actual,
                "records": [_record_json(r) for r in m.records],
                "more_records": m.more_records,
                "target": {
                    "value": m.target.value,
                    "rule": m.target.rule,
                    "detail": m.target.detail,
                },
                "attainment": m.attainment,
                "pace": None
                if m.pace is None
                else {
                    "elapsed": m.pace.elapsed,
                    "projected": m.pace.projected,
                    "status": m.pace.status,
                },
            }
            for m in e.measures
        },
        "plans": {
            p.id: {
                "name": p.name,
                "covered": [[a.isoformat(), b.isoformat()] for a, b in p.covered],
                "components": {
                    comp.id: {
                        "kind": comp.kind,
                        "amount": money_text(comp.amount, c),
                        "level": comp.level,
                        "score": comp.score,
                        "steps": [
                            {"label": s.label, "value": s.value, "detail": s.detail}
                            for s in comp.steps
                        ],
                        "records": [_record_json(r) for r in comp.records],
                        "more_records": comp.more_records,
                    }
                    for comp in p.components
                },
                "payout": money_text(p.payout, c),
            }
            for p in e.plans
        },
        "payout": money_text(e.payout, c),
    }


def explanation_json(e: Explanation) -> str:
    return dumps(explanation_document(e))
