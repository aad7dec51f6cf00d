"""The whole calculation: scenario + as_of in, every number of spec section 8 out."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from .decomposition import Allocation, Decomposer
from .measures import MeasureEngine
from .memory import no_cycle_collection
from .model import Component, Plan, Scenario, TargetSpec
from .numbers import ENGINE_CONTEXT, ZERO
from .org import BEGINNING, END_OF_TIME, Org
from .periods import Interval, Period, intersect, periods_overlapping
from .plans import (
    SCOPES,
    ComponentCalculator,
    ComponentResult,
    covered_intervals,
    spiff_measure,
    spiff_measure_name,
    whole_period,
)
from .problems import Problem
from .targets import Pace, TargetBook, TargetResolution, attainment, pace


@dataclass
class PlanResult:
    plan: Plan
    components: dict[str, ComponentResult]
    payout: Decimal


@dataclass
class PeriodResult:
    period: Period
    measures: dict[str, Decimal | None]
    targets: dict[str, TargetResolution]
    attainment: dict[str, Decimal | None]
    pace: dict[str, Pace | None]
    plans: dict[str, PlanResult] = field(default_factory=dict)

    @property
    def payout(self) -> Decimal:
        return sum((plan.payout for plan in self.plans.values()), ZERO)


@dataclass
class Result:
    scenario: Scenario
    as_of: dt.date | None
    periods: list[Period]
    people: dict[str, dict[str, PeriodResult]]
    units: dict[str, dict[str, PeriodResult]]
    generated: list[TargetSpec]
    allocations: list[Allocation]
    warnings: list[Problem]
    errors: list[Problem]
    calculation: Calculation


class Calculation:
    """The engine objects of one run, kept for explanations."""

    def __init__(self, scenario: Scenario, as_of: dt.date | None) -> None:
        self.scenario = scenario
        self.as_of = as_of
        self.org = Org(scenario.units, scenario.people)
        team = {
            c.measure
            for plan in scenario.plans
            for c in plan.components
            if c.measure is not None and c.scope != "self"
        }
        self.measures = MeasureEngine(scenario, self.org, team)
        for plan in scenario.plans:
            for component in plan.components:
                if component.kind == "spiff":
                    self.measures.extra[spiff_measure_name(plan, component)] = spiff_measure(
                        plan, component
                    )
        self.book = TargetBook(scenario)
        self.warnings: list[Problem] = []
        self.unit_sets: dict[str, set[str]] = {
            plan.id: set().union(*(self.org.descendants(u) for u in plan.applies_to.units or ()))
            for plan in scenario.plans
        }
        self._coverage: dict[tuple[str, str], list[Interval]] = {}
        self._covered: dict[tuple[str, str, str], list[Interval]] = {}

    def coverage(self, plan: Plan, person: str) -> list[Interval]:
        key = (plan.id, person)
        if key not in self._coverage:
            self._coverage[key] = covered_intervals(plan, person, self.org, self.unit_sets)
        return self._coverage[key]

    def covered(self, plan: Plan, person: str, period: Period) -> list[Interval]:
        """The days of `period` on which `plan` covers `person` (kept: a run asks twice)."""
        key = (plan.id, person, period.id)
        found = self._covered.get(key)
        if found is None:
            coverage = self.coverage(plan, person)
            found = intersect(coverage, [(period.start, period.end)]) if coverage else []
            self._covered[key] = found
        return found

    def span(self) -> tuple[dt.date, dt.date] | None:
        """The days the scenario talks about: records, targets, reported periods, as_of."""
        starts: list[dt.date] = []
        ends: list[dt.date] = []
        fields = {(m.table, m.date_field) for m in self.scenario.measures.values()}
        fields |= {(m.table, m.date_field) for m in self.measures.extra.values()}
        for table, date_field in fields:
            frame = self.scenario.tables[table].frame
            if frame.height and date_field in frame.columns:
                bounds = frame.select(
                    pl.col(date_field).min().alias("a"), pl.col(date_field).max().alias("b")
                ).row(0)
                if isinstance(bounds[0], dt.date) and isinstance(bounds[1], dt.date):
                    starts.append(bounds[0])
                    ends.append(bounds[1])
        for spec in self.scenario.targets:
            starts.append(spec.period.start)
            ends.append(spec.period.end)
        for period in self.scenario.report_periods:
            starts.append(period.start)
            ends.append(period.end)
        if self.as_of is not None:
            starts.append(self.as_of)
            ends.append(self.as_of)
        if not starts:
            return None
        return min(starts), max(ends)

    def payout_periods(self, plan: Plan) -> list[Period]:
        start, end = plan.effective_from, plan.effective_to
        if start == BEGINNING or end == END_OF_TIME:
            span = self.span()
            if span is None:
                return []
            start = span[0] if start == BEGINNING else start
            end = span[1] if end == END_OF_TIME else end
            if start > end:
                return []
        return periods_overlapping(plan.period_kind, start, end, self.scenario.fiscal_year_start)

    def component_calculator(
        self, plan: Plan, person: str, period: Period, explaining: bool = True
    ) -> ComponentCalculator | None:
        covered = self.covered(plan, person, period)
        if not covered:
            return None
        intervals = None if whole_period(covered, period) else covered
        return ComponentCalculator(
            self.scenario,
            self.measures,
            self.book,
            plan,
            person,
            period,
            intervals,
            self.warnings,
            explaining,
        )

    def prefetch_windows(self, periods: list[Period], people: Iterable[str] | None = None) -> None:
        """Fetch the measures of every partly covered person (of ``people``; everyone
        when None) and payout period at once."""
        windows: list[tuple[str, list[Interval]]] = []
        chosen = list(self.scenario.people if people is None else people)
        for plan in self.scenario.plans:
            kind_periods = [p for p in periods if p.kind == plan.period_kind]
            for pid in chosen:
                if not self.coverage(plan, pid):
                    continue
                for period in kind_periods:
                    covered = self.covered(plan, pid, period)
                    if covered and not whole_period(covered, period):
                        windows.append((pid, covered))
        if not windows:
            return
        names = list(self.scenario.measures) + list(self.measures.extra)
        for name in names:
            self.measures.prefetch_windows(name, windows)

    def prefetch_values(self, periods: list[Period], units: bool = True, rows: bool = True) -> None:
        """Compute every measure value the people's (and, with `units`, the units') rows
        will ask for; with `rows` false, only what their plans ask for.

        After this (and :meth:`prefetch_windows`) the people's rows of the usual scenario
        need no Polars work; see :mod:`attain.engine.workers`.
        """
        measures = self.measures
        names = list(self.scenario.measures) + list(measures.extra) if rows else []
        for name in names:
            measures.prefetch_distinct(name, periods)
        for name in self.scenario.measures if units else ():
            measures.prefetch_unit_distinct(name, periods)
        for period in periods:
            for name in names:
                measures.value(name, "", period)
            for name in self.scenario.measures if units else ():
                measures.unit_value(name, "", period)
        for plan in self.scenario.plans:
            for period in periods:
                if period.kind != plan.period_kind:
                    continue
                for component in plan.components:
                    if component.measure is not None:
                        measures.value(component.measure, "", period, SCOPES[component.scope])
                    if component.kind == "spiff":
                        measures.value(spiff_measure_name(plan, component), "", period, "self")
                    for name in _asked(component):  # metrics, gates, expressions' measures
                        measures.value(name, "", period)

    def plan_result(
        self, plan: Plan, person: str, period: Period, explaining: bool = True
    ) -> PlanResult | None:
        """One plan's components; `explaining=False` skips writing their steps."""
        calculator = self.component_calculator(plan, person, period, explaining)
        if calculator is None:
            return None
        components = {c.id: calculator.compute(c) for c in plan.components}
        total = sum((c.amount for c in components.values()), ZERO)
        return PlanResult(plan, components, total)

    def period_result(self, who: str, period: Period, unit: bool) -> PeriodResult:
        measures: dict[str, Decimal | None] = {}
        targets: dict[str, TargetResolution] = {}
        attainments: dict[str, Decimal | None] = {}
        paces: dict[str, Pace | None] = {}
        value = self.measures.unit_value if unit else self.measures.value
        resolve = self.book.resolve
        as_of = self.as_of
        for name in self.scenario.measures:
            actual = value(name, who, period)
            resolution = resolve(name, who, period)
            measures[name] = actual
            targets[name] = resolution
            if resolution.value is None:  # no target: no attainment, no pace
                attainments[name] = paces[name] = None
                continue
            ratio = attainments[name] = attainment(actual, resolution.value, resolution.exact)
            paces[name] = pace(actual, resolution.value, period, as_of, ratio)
        return PeriodResult(period, measures, targets, attainments, paces)

    def person_rows(self, person: str, periods: list[Period]) -> dict[str, PeriodResult]:
        """A person's results for every reported period, with their plans' payouts."""
        rows: dict[str, PeriodResult] = {}
        for period in periods:
            result = self.period_result(person, period, unit=False)
            result.plans = self.person_plans(person, period)
            rows[period.id] = result
        return rows

    def person_plans(self, person: str, period: Period) -> dict[str, PlanResult]:
        """The results of the plans that cover the person in the period (its kind)."""
        plans: dict[str, PlanResult] = {}
        for plan in self.scenario.plans:
            if plan.period_kind != period.kind:
                continue
            plan_result = self.plan_result(plan, person, period, explaining=False)
            if plan_result is not None:
                plans[plan.id] = plan_result
        return plans

    def unit_rows(self, unit: str, periods: list[Period]) -> dict[str, PeriodResult]:
        return {p.id: self.period_result(unit, p, unit=True) for p in periods}


def _asked(component: Component) -> set[str]:
    """The measures a component asks for in their own scope: its scorecard's metrics, a
    gate's, and those its expressions name (``actual('m')`` and the like)."""
    names = {metric.measure for metric in component.metrics}
    if component.gate is not None:
        names.add(component.gate.measure)
    expressions = [component.rate, component.multiplier, component.cap, component.floor]
    expressions += [component.when, component.amount, component.payout]
    expressions += [level.amount for level in component.levels]
    for expression in expressions:
        if expression is not None:
            names |= expression.measures
    return names


def reported_periods(calculation: Calculation, generated: list[TargetSpec]) -> list[Period]:
    scenario = calculation.scenario
    found: dict[str, Period] = {}
    for spec in scenario.targets:
        found.setdefault(spec.period.id, spec.period)
    for plan in scenario.plans:
        for period in calculation.payout_periods(plan):
            found.setdefault(period.id, period)
    for spec in generated:
        found.setdefault(spec.period.id, spec.period)
    for period in scenario.report_periods:
        found.setdefault(period.id, period)
    return sorted(found.values(), key=lambda p: p.sort_key)


def calculate(
    scenario: Scenario,
    as_of: dt.date | None = None,
    *,
    people: Collection[str] | None = None,
    units: bool = True,
    periods: Collection[str] | None = None,
) -> Result:
    """Every measure, target, attainment, pace and payout of the scenario.

    `as_of` overrides the scenario's own ``as_of`` (the engine never reads a clock).
    ``people`` limits the rows to those people (the whole scenario still counts: team
    measures, rollups and decompositions see everyone), ``periods`` to those period
    ids of the reported ones, and ``units=False`` leaves out the units' rows: an
    incremental update asks for a few people and the periods of one date. Problems
    found while calculating (a decomposition without a value, a missing potential
    attribute) come back in ``Result.errors``; warnings in ``Result.warnings``.
    """
    with decimal.localcontext(ENGINE_CONTEXT), no_cycle_collection():
        return _calculate(scenario, as_of or scenario.as_of, people, units, periods)


def decomposition_problems(scenario: Scenario, as_of: dt.date | None = None) -> list[Problem]:
    """The problems only a calculation finds (a decomposition without a value, a missing
    potential attribute), without calculating anything else: what ``check`` adds to the
    problems of loading."""
    with decimal.localcontext(ENGINE_CONTEXT), no_cycle_collection():
        _calc, decomposer, _periods = prepare(scenario, as_of or scenario.as_of)
    return list(decomposer.errors)


def _calculate(
    scenario: Scenario,
    as_of: dt.date | None,
    only: Collection[str] | None,
    with_units: bool,
    only_periods: Collection[str] | None,
) -> Result:
    calc, decomposer, periods = prepare(scenario, as_of)
    if only_periods is not None:
        periods = [p for p in periods if p.id in only_periods]
    people: dict[str, dict[str, PeriodResult]] = {}
    units: dict[str, dict[str, PeriodResult]] = {}
    if not decomposer.errors:
        calc.prefetch_windows(periods)
        for pid in scenario.people:
            if only is None or pid in only:
                people[pid] = calc.person_rows(pid, periods)
        for uid in scenario.units if with_units else ():
            units[uid] = calc.unit_rows(uid, periods)
    return finish(calc, decomposer, periods, people, units)


def prepare(
    scenario: Scenario, as_of: dt.date | None
) -> tuple[Calculation, Decomposer, list[Period]]:
    """The calculation with its decomposition run, and the periods to report."""
    calc = Calculation(scenario, as_of)
    decomposer = Decomposer(scenario, calc.org, calc.measures, calc.book)
    decomposer.run()
    calc.warnings.extend(decomposer.warnings)
    return calc, decomposer, reported_periods(calc, decomposer.generated)


def finish(
    calc: Calculation,
    decomposer: Decomposer,
    periods: list[Period],
    people: dict[str, dict[str, PeriodResult]],
    units: dict[str, dict[str, PeriodResult]],
) -> Result:
    return Result(
        calc.scenario,
        calc.as_of,
        periods,
        people,
        units,
        decomposer.generated,
        decomposer.allocations,
        calc.warnings,
        decomposer.errors,
        calc,
    )
