"""Plans and components (spec section 7): covered days, commission, bonus, scorecard,
spiff, then gate → multiplier → cap → floor → round, with every step recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .expressions import Expression, MeasureFunctions, Value, evaluate, truthy
from .measures import MeasureEngine
from .model import Component, Measure, Plan, Scenario, Tier
from .numbers import ONE, ZERO, round_money
from .org import Org
from .periods import Interval, Period, intersect, merge
from .problems import Problem
from .targets import TargetBook, TargetResolution, attainment, inverse_attainment, scaled

SCOPES = {"self": "default", "team": "team", "team_and_self": "team_and_self"}


@dataclass(frozen=True)
class Step:
    """One line of an explanation: what was done, and the number it gave."""

    label: str
    value: Decimal | str | None
    detail: str = ""


@dataclass
class ComponentResult:
    id: str
    kind: str
    amount: Decimal  # rounded to the currency's minor unit
    unrounded: Decimal
    level: str | None = None
    has_levels: bool = False
    score: Decimal | None = None
    steps: list[Step] = field(default_factory=list)


def covered_intervals(
    plan: Plan, person: str, org: Org, unit_sets: dict[str, set[str]]
) -> list[Interval]:
    """The days on which `plan` covers `person` (applies_to on that day, effective, employed)."""
    rule = plan.applies_to
    if rule.people is not None and person not in rule.people:
        return []
    matching: list[Interval] = []
    for segment in org.segments(person):
        if rule.roles is not None and segment.role not in rule.roles:
            continue
        if rule.units is not None and segment.unit not in unit_sets[plan.id]:
            continue
        if rule.managers is not None and segment.manager not in rule.managers:
            continue
        matching.append((segment.start, segment.end))
    matching = merge(matching)
    effective = [(plan.effective_from, plan.effective_to)]
    employment = [org.employment(person)]
    return intersect(intersect(matching, effective), employment)


def spiff_measure_name(plan: Plan, component: Component) -> str:
    return f"spiff:{plan.id}:{component.id}"


def spiff_measure(plan: Plan, component: Component) -> Measure:
    assert component.table is not None and component.amount is not None
    return Measure(
        spiff_measure_name(plan, component),
        component.table,
        component.amount,
        component.where,
        "sum",
        "date",
        component.person_field,
        True,
        False,
        component.path,
    )


class _Functions(MeasureFunctions):
    def __init__(self, calc: ComponentCalculator) -> None:
        self.calc = calc

    def actual(self, measure: str) -> Decimal | None:
        return self.calc.actual(measure)

    def target(self, measure: str) -> Decimal | None:
        return self.calc.target(measure).value

    def attainment(self, measure: str) -> Decimal | None:
        resolution = self.calc.target(measure)
        return attainment(self.calc.actual(measure), resolution.value, resolution.exact)


class ComponentCalculator:
    """Computes one plan's components for one person and payout period."""

    def __init__(
        self,
        scenario: Scenario,
        measures: MeasureEngine,
        book: TargetBook,
        plan: Plan,
        person: str,
        period: Period,
        intervals: Sequence[Interval] | None,
        warnings: list[Problem],
        explaining: bool = True,
    ) -> None:
        self.scenario = scenario
        self.measures = measures
        self.book = book
        self.plan = plan
        self.person = person
        self.period = period
        self.intervals = intervals  # None: the whole period is covered
        self.warnings = warnings
        # the steps of an explanation are written only when asked for: a run needs
        # just the numbers, and formatting every step is most of a component's cost
        self.explaining = explaining
        self.functions = _Functions(self)

    @property
    def currency(self) -> str:
        return self.scenario.currency

    def actual(self, measure: str, scope: str = "default") -> Decimal | None:
        return self.measures.value(measure, self.person, self.period, scope, self.intervals)

    def target(self, measure: str) -> TargetResolution:
        return self.book.resolve(measure, self.person, self.period)

    def warn(self, component: Component, message: str) -> None:
        self.warnings.append(Problem(component.path, f"{self.person} {self.period.id}: {message}"))

    def eval_number(self, expression: Expression, env: dict[str, Value]) -> Decimal | None:
        result = evaluate(expression, env, self.functions)
        if isinstance(result, bool) or not isinstance(result, Decimal):
            return None
        return result

    # -- the components ----------------------------------------------------------------
    def compute(self, component: Component) -> ComponentResult:
        steps: list[Step] = []
        env: dict[str, Value] = {}
        own_attainment: Decimal | None = None
        if component.measure is not None:
            scope = SCOPES[component.scope]
            actual = self.actual(component.measure, scope)
            resolution = self.target(component.measure)
            own_attainment = attainment(actual, resolution.value, resolution.exact)
            env = {"actual": actual, "target": resolution.value, "attainment": own_attainment}
            if self.explaining:
                window = (
                    "" if self.intervals is None else " on covered days " + _days(self.intervals)
                )
                steps.append(
                    Step(f"actual {component.measure} ({component.scope})", actual, window.strip())
                )
                steps.append(
                    Step(f"target {component.measure}", resolution.value, resolution.detail)
                )
                steps.append(Step("attainment = actual / target", own_attainment))
        result = ComponentResult(component.id, component.kind, ZERO, ZERO, steps=steps)
        if component.kind == "commission":
            exact = None if component.measure is None else resolution.exact
            amount = self.commission(component, env, steps, exact)
        elif component.kind == "bonus":
            amount = self.bonus(component, env, steps, result)
        elif component.kind == "scorecard":
            amount = self.scorecard(component, env, steps, result)
        else:
            amount = self.spiff(component, steps)
        amount = self.adjust(component, amount, env, own_attainment, steps)
        rounded = round_money(amount, self.currency)
        if self.explaining:
            steps.append(Step("rounded half-up to the currency's minor unit", rounded))
        result.amount = rounded
        result.unrounded = amount
        return result

    def commission(
        self,
        c: Component,
        env: dict[str, Value],
        steps: list[Step],
        exact: tuple[Decimal, Decimal] | None = None,
    ) -> Decimal:
        actual = env.get("actual")
        actual = actual if isinstance(actual, Decimal) else ZERO
        target = env.get("target")
        target = target if isinstance(target, Decimal) else None
        if c.rate is not None:
            rate = self.eval_number(c.rate, env)
            if rate is None:
                self.warn(c, f"rate {c.rate.source!r} gave no number; the component pays 0")
                rate = ZERO
            if not ZERO <= rate <= ONE:
                self.warn(c, f"rate {rate} is outside [0, 1]; clamped")
                rate = min(max(rate, ZERO), ONE)
            amount = actual * rate
            if self.explaining:
                steps.append(Step(f"actual {actual} × rate {rate}", amount))
            return amount
        tiers = c.tiers
        assert tiers is not None
        if tiers.basis == "attainment" and (target is None or target == 0):
            self.warn(c, f"no target for {c.measure}; tiers by attainment pay 0")
            if self.explaining:
                steps.append(Step("no target: tiers by attainment pay 0", ZERO))
            return ZERO
        scale = target if tiers.basis == "attainment" and target is not None else ONE
        bounds_exact = exact if tiers.basis == "attainment" else None
        if actual <= 0:
            amount = actual * tiers.table[0].rate
            if self.explaining:
                steps.append(
                    Step(
                        f"actual {actual} ≤ 0: clawback at the base rate {tiers.table[0].rate}",
                        amount,
                    )
                )
            return amount
        if tiers.mode == "marginal":
            total = ZERO
            for k, (lower, upper, slice_, rate, paid) in enumerate(
                marginal_slices(actual, tiers.table, scale, bounds_exact)
            ):
                total += paid
                if self.explaining:
                    bound = "∞" if upper is None else str(upper)
                    steps.append(Step(f"tier {k + 1} [{lower}, {bound}): {slice_} × {rate}", paid))
            if self.explaining:
                steps.append(Step("marginal tiers total", total))
            return total
        basis_value = env.get("attainment") if tiers.basis == "attainment" else actual
        reached = tiers.table[0]
        for tier in tiers.table:
            if isinstance(basis_value, Decimal) and tier.start <= basis_value:
                reached = tier
        amount = actual * reached.rate
        if self.explaining:
            steps.append(
                Step(
                    f"whole: highest tier reached from {reached.start}; {actual} × {reached.rate}",
                    amount,
                )
            )
        return amount

    def bonus(
        self, c: Component, env: dict[str, Value], steps: list[Step], result: ComponentResult
    ) -> Decimal:
        if c.when is not None:
            condition = evaluate(c.when, env, self.functions)
            if self.explaining:
                steps.append(
                    Step(f"when {c.when.source}", "true" if truthy(condition) else "false")
                )
            if not truthy(condition):
                result.has_levels = bool(c.levels)
                return ZERO
        if c.amount is not None:
            amount = self.eval_number(c.amount, env)
            if amount is None:
                self.warn(c, f"amount {c.amount.source!r} gave no number; pays 0")
                amount = ZERO
            if self.explaining:
                steps.append(Step(f"amount {c.amount.source}", amount))
            return amount
        result.has_levels = True
        reached_attainment = env.get("attainment")
        chosen = None
        for level in c.levels:
            if (
                isinstance(reached_attainment, Decimal)
                and reached_attainment >= level.min_attainment
            ):
                chosen = level
        if chosen is None:
            if self.explaining:
                steps.append(Step("no level reached", ZERO))
            return ZERO
        amount = self.eval_number(chosen.amount, env) or ZERO
        result.level = chosen.label
        if self.explaining:
            steps.append(
                Step(
                    f"level {chosen.label or chosen.min_attainment} "
                    f"(attainment ≥ {chosen.min_attainment})",
                    amount,
                )
            )
        return amount

    def scorecard(
        self, c: Component, env: dict[str, Value], steps: list[Step], result: ComponentResult
    ) -> Decimal:
        weighted = ZERO
        weights = ZERO
        for metric in c.metrics:
            actual = self.actual(metric.measure)
            if metric.target is not None:
                target: Decimal | None = metric.target
                origin = "fixed"
                exact = None
            else:
                resolution = self.target(metric.measure)
                target, origin, exact = resolution.value, resolution.detail, resolution.exact
            ratio: Decimal
            if target is None or actual is None or (metric.direction == "higher" and target == 0):
                self.warn(c, f"no target or no actual for metric {metric.measure}; its ratio is 0")
                ratio = ZERO
            elif metric.direction == "higher":
                found = attainment(actual, target, exact)
                assert found is not None  # neither is None nor the target 0
                ratio = found
            elif actual == 0:
                ratio = c.score_cap if c.score_cap is not None else ONE
            else:
                ratio = inverse_attainment(actual, target, exact)
            clamped = ratio
            if c.score_floor is not None:
                clamped = max(clamped, c.score_floor)
            if c.score_cap is not None:
                clamped = min(clamped, c.score_cap)
            weighted += metric.weight * clamped
            weights += metric.weight
            if self.explaining:
                steps.append(
                    Step(
                        f"metric {metric.measure} ({metric.direction}): "
                        f"actual {actual}, target {target} ({origin})",
                        clamped,
                        f"ratio {ratio}, clamped to [{c.score_floor}, {c.score_cap}], "
                        f"weight {metric.weight}",
                    )
                )
        score = weighted / weights if weights else ZERO
        result.score = score
        if self.explaining:
            steps.append(Step("score = Σ weight × ratio / Σ weight", score))
        if c.payout is None:
            if self.explaining:
                steps.append(Step("no payout formula: the scorecard pays 0", ZERO))
            return ZERO
        env = {**env, "score": score}
        amount = self.eval_number(c.payout, env)
        if amount is None:
            self.warn(c, f"payout {c.payout.source!r} gave no number; pays 0")
            amount = ZERO
        if self.explaining:
            steps.append(Step(f"payout {c.payout.source}", amount))
        return amount

    def spiff(self, c: Component, steps: list[Step]) -> Decimal:
        name = spiff_measure_name(self.plan, c)
        amount = self.measures.value(name, self.person, self.period, "self", self.intervals) or ZERO
        if self.explaining:
            steps.append(Step(f"Σ amount × share over matching {c.table} records", amount))
        return amount

    def adjust(
        self,
        c: Component,
        amount: Decimal,
        env: dict[str, Value],
        own_attainment: Decimal | None,
        steps: list[Step],
    ) -> Decimal:
        if c.gate is not None:
            if c.gate.measure == c.measure:
                gate_attainment = own_attainment
            else:
                gate_attainment = self.functions.attainment(c.gate.measure)
            if gate_attainment is None:
                self.warn(
                    c, f"no attainment of {c.gate.measure} for the gate; the gate stays closed"
                )
                if self.explaining:
                    steps.append(Step(f"gate: no attainment of {c.gate.measure}; pays 0", ZERO))
                amount = ZERO
            elif gate_attainment < c.gate.min_attainment:
                if self.explaining:
                    steps.append(
                        Step(
                            f"gate: attainment {gate_attainment} < {c.gate.min_attainment}; pays 0",
                            ZERO,
                        )
                    )
                amount = ZERO
            else:
                if self.explaining:
                    steps.append(
                        Step(
                            f"gate: attainment {gate_attainment} ≥ {c.gate.min_attainment}; open",
                            amount,
                        )
                    )
        if c.multiplier is not None:
            factor = self.eval_number(c.multiplier, env)
            if factor is None:
                self.warn(c, f"multiplier {c.multiplier.source!r} gave no number; using 1")
                factor = ONE
            amount = amount * factor
            if self.explaining:
                steps.append(Step(f"multiplier {c.multiplier.source} = {factor}", amount))
        if c.cap is not None:
            cap = self.eval_number(c.cap, env)
            if cap is not None and amount > cap:
                amount = cap
                if self.explaining:
                    steps.append(Step(f"cap {cap}", amount))
        if c.floor is not None:
            floor = self.eval_number(c.floor, env)
            if floor is not None and amount < floor:
                amount = floor
                if self.explaining:
                    steps.append(Step(f"floor {floor}", amount))
        return amount


def marginal_slices(
    actual: Decimal,
    table: Sequence[Tier],
    scale: Decimal,
    exact: tuple[Decimal, Decimal] | None = None,
) -> list[tuple[Decimal, Decimal | None, Decimal, Decimal, Decimal]]:
    """Per tier: (lower, upper, slice of actual inside it, rate, slice × rate).

    Bounds are the tiers' ``from`` values times `scale` (the target when the basis is
    attainment, 1 for amounts; ``exact`` for a spread target that does not end, see
    :func:`attain.engine.targets.scaled`); the last tier is unbounded.
    """
    slices: list[tuple[Decimal, Decimal | None, Decimal, Decimal, Decimal]] = []
    for k, tier in enumerate(table):
        lower = scaled(tier.start, scale, exact)
        upper = scaled(table[k + 1].start, scale, exact) if k + 1 < len(table) else None
        top = actual if upper is None else min(actual, upper)
        slice_ = max(ZERO, top - lower)
        slices.append((lower, upper, slice_, tier.rate, slice_ * tier.rate))
    return slices


def _days(intervals: Sequence[Interval]) -> str:
    return ", ".join(f"{a.isoformat()}…{b.isoformat()}" for a, b in intervals)


def whole_period(intervals: Sequence[Interval], period: Period) -> bool:
    return len(intervals) == 1 and intervals[0] == (period.start, period.end)


def clip(intervals: Sequence[Interval], start: dt.date, end: dt.date) -> list[Interval]:
    return intersect(list(intervals), [(start, end)])
