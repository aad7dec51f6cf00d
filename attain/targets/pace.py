"""Pace (spec 5.3), computed by the engine: actuals from the CRM record tables, targets
in force from the plans, attainment, elapsed share, projection and status on a day.

A report is cached per plan, day and data fingerprint (:mod:`attain.calc.cache`), so it is
recomputed as soon as the data (or a published target) changes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from attain.calc.cache import cached, data_fingerprint
from attain.calc.periods import periods_of_day, year_bounds
from attain.calc.run import ScenarioProblems, run
from attain.measures.direction import judged_status, lower_is_better
from attain.web.problems import problem_text

from .allocation import measure_specs
from .models import TargetPlan
from .selectors import published_targets

STATUS_ORDER = {"behind": 0, "missed": 0, "at_risk": 1, "on_track": 2, "met": 3}


@dataclass(frozen=True)
class PaceRow:
    who: str
    name: str
    kind: str
    measure: str
    period: str
    actual: Decimal | None
    target: Decimal | None
    attainment: Decimal | None
    elapsed: Decimal | None
    projected: Decimal | None
    status: str | None


def periods_on(plan: TargetPlan, as_of: datetime.date) -> list[str]:
    """The year, and the quarter and month of ``as_of`` when it lies in the year."""
    year = str(plan.fiscal_year)
    first, last = year_bounds(plan.fiscal_year)
    if not first <= as_of <= last:
        return [year]
    _year, _half, quarter, month = periods_of_day(as_of)
    return [year, quarter, month]


def pace_report(plan: TargetPlan, as_of: datetime.date) -> list[PaceRow]:
    """Every unit and person with a target in force of the plan's measures (cached)."""
    key = (plan.pk, as_of, data_fingerprint(ignore_audit_of=("incentives",)))
    return cached("targets.pace", key, lambda: _compute(plan, as_of), keep=16)


def _compute(plan: TargetPlan, as_of: datetime.date) -> list[PaceRow]:
    codes = list(plan.plan_measures.values_list("measure", flat=True))
    targets = published_targets(measures=codes, fiscal_year=plan.fiscal_year)
    if not targets:
        return []
    carriers = {str(t["who"]) for t in targets}
    periods = periods_on(plan, as_of)
    start, end = year_bounds(plan.fiscal_year)
    scenario, result = run(
        start=start,
        end=end,
        measures=measure_specs(codes),
        targets=targets,
        as_of=as_of,
        report=periods,
    )
    lower_measures = lower_is_better()
    rows: list[PaceRow] = []
    for kind, table, names in (
        ("unit", result.units, {u: scenario.units[u].name for u in scenario.units}),
        ("person", result.people, {p: scenario.people[p].name for p in scenario.people}),
    ):
        for who, by_period in table.items():
            if who not in carriers:
                continue
            for period in periods:
                period_result = by_period.get(period)
                if period_result is None:
                    continue
                for measure in codes:
                    target = period_result.targets[measure].value
                    if target is None:
                        continue
                    # A zero target of a more-is-better measure asks for nothing: no pace
                    # (never "behind"); one where less is better is read that way round.
                    lower = measure in lower_measures
                    pace = period_result.pace.get(measure) if target or lower else None
                    actual = period_result.measures.get(measure)
                    status = (
                        judged_status(pace.status, actual, pace.projected, target, lower)
                        if pace
                        else None
                    )
                    rows.append(
                        PaceRow(
                            who,
                            names.get(who, who),
                            kind,
                            measure,
                            period,
                            actual,
                            target,
                            period_result.attainment.get(measure),
                            pace.elapsed if pace else None,
                            pace.projected if pace else None,
                            status,
                        )
                    )
    return rows


def problem_message(problem: Exception) -> str:
    """Why pace (or a forecast) cannot be calculated, in the reader's language where the
    engine's wording is known (e.g. a day outside the years it handles)."""
    if isinstance(problem, ScenarioProblems):
        return "; ".join(f"{p.path}: {problem_text(p.message)}" for p in problem.problems)
    return str(problem)


def behind_first(rows: list[PaceRow]) -> list[PaceRow]:
    return sorted(
        rows,
        key=lambda r: (STATUS_ORDER.get(r.status or "", 9), r.attainment or Decimal(0), r.who),
    )
