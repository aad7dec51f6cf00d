"""Plan effectiveness from the stored results (docs/effectiveness.md): reads only.

The stored period and component results of a period are read into Polars frames and
handed to the engine's effectiveness functions (:mod:`attain.engine`: distribution,
pay for performance, cost of sales, component findings, quota fairness); this module
only reads and names things. Company-wide figures: the pages and the API that show them
are for sales operations, executives and administrators (:mod:`.access`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

from attain.calc.periods import period_bounds
from attain.engine import (
    HEALTHY_BAND,
    attainment_buckets,
    attainment_distribution,
    component_findings,
    cost_of_sales_by_period,
    pay_for_performance,
    quota_fairness,
)
from attain.org.models import Person, Unit
from attain.org.selectors import unit_labels
from attain.web.aggregates import ExactSum

from .calculation import MAIN_MEASURE
from .models import ComponentResult, PeriodResult, Plan, PlanVersion

COST_QUARTERS = 8  # cost of sales: this many quarters up to the period's last
SCATTER_POINTS = 2000  # pay against attainment: at most this many points drawn


def plan_code(engine_id: str) -> str:
    """``rep-2026@v1`` (an older version still in effect) → ``rep-2026``."""
    return engine_id.split("@", 1)[0]


def declared_maximum(component: dict[str, Any]) -> float | None:
    """The most a component can pay when its plan says so: its cap, or its top level's
    amount; None otherwise (then the largest amount paid stands in)."""
    for key in ("cap",):
        value = component.get(key)
        if isinstance(value, int | float | Decimal | str):
            try:
                return float(value)
            except ValueError:
                return None
    levels = component.get("levels")
    if isinstance(levels, list):
        amounts = []
        for level in levels:
            if isinstance(level, dict):
                try:
                    amounts.append(float(level.get("amount")))  # type: ignore[arg-type]
                except (TypeError, ValueError):
                    continue
        return max(amounts) if amounts else None
    return None


def _maxima() -> dict[tuple[str, str], float | None]:
    found: dict[tuple[str, str], float | None] = {}
    for version in PlanVersion.objects.select_related("plan").order_by("number"):
        for component in version.document().get("components") or []:
            if isinstance(component, dict) and component.get("id"):
                found[(version.plan.code, str(component["id"]))] = declared_maximum(component)
    return found


def _within(period: str, bounds: tuple[datetime.date, datetime.date]) -> bool:
    inner = period_bounds(period)
    return inner is not None and bounds[0] <= inner[0] and inner[1] <= bounds[1]


def periods_within(bounds: tuple[datetime.date, datetime.date]) -> set[str]:
    """The periods with component results that lie in ``bounds`` (what was paid in a
    year: its quarters' pay, say)."""
    first, last = str(bounds[0].year), str(bounds[1].year + 1)
    return {
        p
        for p in ComponentResult.objects.filter(period__gte=first, period__lt=last)
        .values_list("period", flat=True)
        .distinct()
        if _within(p, bounds)
    }


def _component_rows(bounds: tuple[datetime.date, datetime.date]) -> list[tuple[Any, ...]]:
    """(person pk, period, plan, component, amount) of the periods lying in ``bounds``."""
    return list(
        ComponentResult.objects.filter(period__in=periods_within(bounds))
        .values_list("person_id", "period", "plan", "component", "amount")
        # one order on every database: the scatter's points, the float sums of pay
        .order_by("person_id", "period", "plan", "component")
    )


@dataclass
class Figures:
    period: str
    band: tuple[float, float] = HEALTHY_BAND
    buckets: list[str] = field(default_factory=attainment_buckets)
    by_plan: list[Any] = field(default_factory=list)  # Distribution, group = plan name
    by_unit: list[Any] = field(default_factory=list)
    pay: list[tuple[str, Any]] = field(default_factory=list)  # (plan name, PayForPerformance)
    scatter: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    costs: list[Any] = field(default_factory=list)  # CostOfSales per quarter
    components: list[Any] = field(default_factory=list)  # ComponentFinding
    fairness: Any = None
    people: int = 0
    without_attainment: int = 0
    plan_names: dict[str, str] = field(default_factory=dict)


def figures(period: str) -> Figures:
    """Every figure of the effectiveness page for ``period`` (a year, half, quarter or
    month): attainment of the main measure in that period, pay of the plans' periods
    that lie within it."""
    bounds = period_bounds(period)
    found = Figures(period)
    if bounds is None:
        return found
    names = {code: name for code, name in Plan.objects.values_list("code", "name")}
    found.plan_names = names
    rows = list(
        PeriodResult.objects.filter(period=period).values_list(
            "person_id", "unit_id", "main_attainment", "person__potential"
        )
    )
    units = unit_labels(
        Unit.objects.filter(pk__in={unit for _p, unit, _a, _n in rows}).values_list(
            "pk", "name", "code"
        )
    )
    person_row = {pk: (units.get(unit), att, potential) for pk, unit, att, potential in rows}
    components = _component_rows(bounds)
    pay: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for person, _period, plan, _component, amount in components:
        pay[(person, plan_code(plan))] += amount
    planned = {person for person, _plan in pay}
    by_plan_rows = []
    by_unit_rows: dict[int, dict[str, Any]] = {}
    for (person, plan), amount in pay.items():
        unit, attainment, potential = person_row.get(person, (None, None, None))
        value = None if attainment is None else float(attainment)
        by_plan_rows.append(
            {
                "group": names.get(plan, plan),
                "person": str(person),
                "attainment": value,
                "payout": float(amount),
            }
        )
        entry = by_unit_rows.setdefault(
            person,
            {
                "group": unit or "—",
                "person": str(person),
                "attainment": value,
                "payout": 0.0,
                "potential": None if potential is None else float(potential),
            },
        )
        entry["payout"] += float(amount)
    schema = {
        "group": pl.String,
        "person": pl.String,
        "attainment": pl.Float64,
        "payout": pl.Float64,
    }
    plan_frame = pl.DataFrame(by_plan_rows, schema=schema)
    unit_frame = pl.DataFrame(
        list(by_unit_rows.values()), schema={**schema, "potential": pl.Float64}
    )
    found.people = len(planned)
    found.without_attainment = sum(1 for r in by_unit_rows.values() if r["attainment"] is None)
    found.by_plan = attainment_distribution(plan_frame)
    found.by_unit = attainment_distribution(unit_frame)
    for group in sorted(set(plan_frame["group"].to_list())):
        members = plan_frame.filter(pl.col("group") == group)
        found.pay.append((group, pay_for_performance(members)))
        points = members.filter(pl.col("attainment").is_not_null()).head(SCATTER_POINTS)
        found.scatter[group] = list(points.select("attainment", "payout").iter_rows())
    found.fairness = quota_fairness(unit_frame)
    maxima = _maxima()
    component_frame = pl.DataFrame(
        [
            {
                "plan": names.get(plan_code(plan), plan_code(plan)),
                "component": component,
                "amount": float(amount),
                "maximum": maxima.get((plan_code(plan), component)),
            }
            for _person, _period, plan, component, amount in components
        ],
        schema={
            "plan": pl.String,
            "component": pl.String,
            "amount": pl.Float64,
            "maximum": pl.Float64,
        },
    )
    found.components = component_findings(component_frame)
    found.costs = cost_over_quarters(bounds[1])
    return found


MONEY = pl.Decimal(38, 2)


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _quarters_up_to(day: datetime.date, count: int) -> list[str]:
    from attain.calc.periods import periods_of_day

    quarters: list[str] = []
    while len(quarters) < count:
        quarter = periods_of_day(day)[2]
        quarters.append(quarter)
        bounds = period_bounds(quarter)
        if bounds is None or bounds[0] <= datetime.date.min + datetime.timedelta(days=92):
            break  # the calendar's first quarters: nothing before them
        day = bounds[0] - datetime.timedelta(days=1)
    return list(reversed(quarters))


def cost_over_quarters(last_day: datetime.date, count: int = COST_QUARTERS) -> list[Any]:
    """Cost of sales (all plans' pay ÷ everyone's own revenue) of the ``count`` quarters
    up to the one containing ``last_day``, leaving out quarters without results. Pay of
    a plan counts in the quarter its period lies in (a yearly plan's pay in none)."""
    quarters = _quarters_up_to(last_day, count)
    revenue: dict[str, Decimal] = defaultdict(Decimal)  # money: exact, never floats
    for quarter, measures in PeriodResult.objects.filter(period__in=quarters).values_list(
        "period", "measures"
    ):
        revenue[quarter] += Decimal(str((measures or {}).get(MAIN_MEASURE) or 0))
    if not revenue:
        return []
    first = period_bounds(quarters[0])
    last = period_bounds(quarters[-1])
    assert first is not None and last is not None
    payout: dict[str, Decimal] = defaultdict(Decimal)
    quarter_bounds = [(q, b) for q in quarters if (b := period_bounds(q)) is not None]
    totals = (
        ComponentResult.objects.filter(period__in=periods_within((first[0], last[1])))
        .values("period")
        .annotate(total=ExactSum("amount"))
        .values_list("period", "total")
    )
    for period, total in totals:  # pay of each period, added to the quarter it lies in
        found = next((q for q, b in quarter_bounds if _within(period, b)), None)
        if found is not None:
            payout[found] += total or Decimal(0)
    frame = pl.DataFrame(
        [
            {"period": q, "payout": payout.get(q, Decimal(0)), "revenue": _cents(revenue[q])}
            for q in quarters
            if q in revenue
        ],
        schema={"period": pl.String, "payout": MONEY, "revenue": MONEY},
    )
    return cost_of_sales_by_period(frame)


def latest_period() -> str | None:
    """The newest fiscal year with stored results."""
    years = [
        p
        for p in PeriodResult.objects.filter(period_kind="year")
        .values_list("period", flat=True)
        .distinct()
    ]
    return max(years) if years else None


def people_with_potential() -> int:
    return Person.objects.filter(potential__gt=0).count()
