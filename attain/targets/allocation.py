"""Load → compute: a target plan's allocation, computed by the engine.

The plan becomes a scenario (spec section 6): the organisation with its effective-dated
history and the record tables of the history and seasonal years come from the CRM loader
(:func:`attain.crm.loader.build_scenario`, in bulk through Arrow), and the plan adds one
``decompositions`` entry per unit of the tree under its root unit: to the child units
where a unit has children, to the unit's people (with the plan's job roles) where it has
none. Edited cells are explicit ``targets``, which the engine lets win over generated ones
(so a unit's edited year total is what its own decomposition splits).

All the allocation arithmetic (shares, blends, ramps, seasonality, largest remainder) is the
engine's: this module only arranges the engine's output as a grid. The engine's
:class:`~attain.engine.decomposition.Decomposer` is run directly, without the rest of a
calculation, because a preview needs the targets only.
"""

from __future__ import annotations

import datetime
import decimal
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError

from attain.crm.loader import DEFAULT_MEASURES, build_scenario
from attain.engine import scenario_from_data
from attain.engine.decomposition import Decomposer, largest_remainder
from attain.engine.measures import MeasureEngine
from attain.engine.model import Decomposition, Scenario
from attain.engine.numbers import ENGINE_CONTEXT
from attain.engine.org import Org
from attain.engine.periods import Month, parse_period
from attain.engine.targets import TargetBook
from attain.measures.services import scenario_measures
from attain.org.models import Unit

from .models import Kind, MonthSplit, TargetPlan

QUARTERS = (("Q1", 0), ("Q2", 3), ("Q3", 6), ("Q4", 9))


@dataclass
class Row:
    """One line of the grid: a unit or a person, its year and month targets."""

    who: str
    kind: str
    name: str
    parent: str
    depth: int
    year: Decimal
    engine_year: Decimal
    months: list[Decimal]
    engine_months: list[Decimal]
    edited: set[str] = field(default_factory=set)
    history: Decimal | None = None
    potential: Decimal | None = None

    @property
    def months_total(self) -> Decimal:
        return sum(self.months, Decimal(0))

    @property
    def difference(self) -> Decimal:
        """Months that do not add up to the year (after edits): shown, never hidden."""
        return self.months_total - self.year if self.months else Decimal(0)

    @property
    def quarters(self) -> list[Decimal]:
        if not self.months:
            return []
        return [sum(self.months[i : i + 3], Decimal(0)) for _q, i in QUARTERS]


@dataclass
class Grid:
    """The allocation of one measure of a plan."""

    measure: str
    fiscal_year: int
    round_to: Decimal
    rows: list[Row]
    warnings: list[str]

    @property
    def months(self) -> list[str]:
        return [f"{self.fiscal_year}-{m:02d}" for m in range(1, 13)]

    def by_who(self) -> dict[str, Row]:
        return {row.who: row for row in self.rows}

    def children(self) -> dict[str, list[Row]]:
        found: dict[str, list[Row]] = {}
        for row in self.rows:
            if row.parent:
                found.setdefault(row.parent, []).append(row)
        return found


@dataclass
class Allocation:
    plan_id: int | None
    grids: dict[str, Grid]
    scenario: Scenario
    seconds: dict[str, float] = field(default_factory=dict)


def fiscal_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def history_year(plan: TargetPlan) -> int:
    return plan.history_year or plan.fiscal_year - 1


def seasonal_years(plan: TargetPlan) -> list[int]:
    return [plan.fiscal_year - 2, plan.fiscal_year - 1]


def measure_specs(codes: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The scenario ``measures`` for the plan's measure codes (shared Measure model,
    falling back to the loader's defaults for a code not defined there)."""
    wanted = list(codes)
    specs = scenario_measures(wanted)
    for code in wanted:
        if code not in specs and code in DEFAULT_MEASURES:
            specs[code] = dict(DEFAULT_MEASURES[code])
    missing = [code for code in wanted if code not in specs]
    if missing:
        raise ValidationError({"measures": [f"unknown measure: {', '.join(missing)}"]})
    return specs


def unit_tree(root: Unit, year: int) -> list[tuple[str, str | None, int, bool]]:
    """(code, parent code, depth, has children) for the root and the units below it that
    are open at some time in the fiscal year, parents before children."""
    first, last = fiscal_bounds(year)
    rows = list(Unit.objects.values_list("code", "parent__code", "opened", "closed"))
    children: dict[str | None, list[str]] = {}
    for code, parent, opened, closed in rows:
        if (opened is not None and opened > last) or (closed is not None and closed < first):
            continue
        children.setdefault(parent, []).append(code)
    order: list[tuple[str, str | None, int, bool]] = []
    queue: list[tuple[str, str | None, int]] = [(root.code, None, 0)]
    while queue:
        unit, above, depth = queue.pop(0)
        below = sorted(children.get(unit, []))
        order.append((unit, above, depth, bool(below)))
        queue.extend((child, unit, depth + 1) for child in below)
    return order


def _method(spec: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"method": spec.get("method", "equal")}
    if entry["method"] == "blend":
        entry["blend"] = {k: Decimal(str(v)) for k, v in (spec.get("blend") or {}).items()}
    if spec.get("overassign") not in (None, "", "1", 1):
        entry["overassign"] = Decimal(str(spec["overassign"]))
    return entry


def level_spec(plan: TargetPlan, depth: int, to_people: bool) -> dict[str, Any]:
    levels = plan.levels or {}
    if to_people:
        return _method(levels.get("people") or {})
    units = levels.get("units") or [{}]
    return _method(units[min(depth, len(units) - 1)])


def uses_method(spec: Mapping[str, Any], name: str) -> bool:
    return spec["method"] == name or (spec["method"] == "blend" and name in spec.get("blend", {}))


def decompositions(
    plan: TargetPlan, totals: Mapping[str, Decimal], tree: list[tuple[str, str | None, int, bool]]
) -> list[dict[str, Any]]:
    """The scenario's ``decompositions``: one per measure and unit of the tree."""
    found: list[dict[str, Any]] = []
    year = str(plan.fiscal_year)
    months: Any = None
    if plan.months == MonthSplit.SEASONAL:
        months = "seasonal"
    elif plan.months == MonthSplit.CUSTOM and plan.month_weights:
        months = [Decimal(str(w)) for w in plan.month_weights]
    else:
        months = "equal"
    roles = plan.role_list
    for measure, total in totals.items():
        for code, _parent, depth, has_children in tree:
            spec = level_spec(plan, depth, not has_children)
            entry: dict[str, Any] = {
                "id": f"{measure}.{code}",
                "measure": measure,
                "from": {"who": code, "period": year},
                "to": "units" if has_children else "people",
                **spec,
                "months": months,
                "round_to": plan.round_to,
                "max_overassign": plan.max_overassign,
            }
            if depth == 0:
                entry["from"]["value"] = total
            if not has_children and roles:
                entry["roles"] = roles
            if uses_method(spec, "history"):
                entry["history_period"] = str(history_year(plan))
            if uses_method(spec, "capacity") and plan.ramp:
                entry["ramp"] = [Decimal(str(r)) for r in plan.ramp]
            if months == "seasonal":
                entry["seasonal_years"] = seasonal_years(plan)
            found.append(entry)
    return found


def build_plan_scenario(
    plan: TargetPlan,
    totals: Mapping[str, Decimal],
    edits: Mapping[tuple[str, str, str], Decimal],
    work_dir: str | Path,
) -> tuple[dict[str, Any], list[tuple[str, str | None, int, bool]]]:
    """The scenario document of a plan: organisation and records from the CRM loader,
    the plan's decompositions, and its edited cells as explicit targets."""
    first = datetime.date(min(history_year(plan), *seasonal_years(plan)), 1, 1)
    _start, last = fiscal_bounds(plan.fiscal_year)
    data = build_scenario(
        period_start=first,
        period_end=last,
        measures=measure_specs(totals),
        work_dir=work_dir,
        targets=[
            {"measure": measure, "who": who, "period": period, "value": value}
            for (measure, who, period), value in edits.items()
        ],
    )
    tree = unit_tree(plan.root_unit, plan.fiscal_year)
    data["decompositions"] = decompositions(plan, totals, tree)
    data["_missing_potential"] = fill_missing_potential(Path(work_dir))
    return data, tree


def fill_missing_potential(directory: Path) -> int:
    """A unit or person without a market potential has potential 0 (so a service unit
    under the company gets no share by potential). Returns how many were missing."""
    missing = 0
    for name in ("units.parquet", "people.parquet"):
        path = directory / name
        frame = pl.read_parquet(path)
        if "potential" in frame.columns:
            missing += frame["potential"].null_count()
            frame.with_columns(pl.col("potential").fill_null(0)).write_parquet(path)
    return missing


class IndexedDecomposer(Decomposer):
    """The engine's :class:`Decomposer` with its member and capacity look-ups indexed by
    unit once per period, instead of scanning every person for every decomposition (a
    plan has one decomposition per unit: 1,000 teams × 10,000 people otherwise).

    Same members, same ramp factors (the engine's own :meth:`ramp_factor`), the same exact
    sums, only grouped by unit first (Fraction addition is exact, so the order does not
    change a result); ``test_allocation`` checks it against the plain Decomposer. Belongs
    in the engine: see docs/targets.md, "Performance".
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._members: dict[tuple[str, frozenset[str] | None], dict[str, list[str]]] = {}
        self._capacity: dict[tuple[str, tuple[Decimal, ...]], dict[str, Fraction]] = {}
        self._weights: dict[str, dict[int, Fraction]] = {}

    def _member_index(self, d: Decomposition) -> dict[str, list[str]]:
        key = (d.period.id, d.roles)
        index = self._members.get(key)
        if index is None:
            index = {}
            for pid in sorted(self.scenario.people):
                first, last = self.org.employment(pid)
                start, end = max(first, d.period.start), min(last, d.period.end)
                if start > end:
                    continue
                seen: set[str] = set()
                for segment in self.org.segments(pid):
                    if segment.start > end or segment.end < start:
                        continue
                    role_ok = d.roles is None or segment.role in d.roles
                    if role_ok and segment.unit not in seen:
                        seen.add(segment.unit)
                        index.setdefault(segment.unit, []).append(pid)
            self._members[key] = index
        return index

    def members(self, d: Decomposition) -> list[str]:
        if d.to == "units":
            return super().members(d)
        index = self._member_index(d)
        found: set[str] = set()
        for unit in self.org.descendants(d.who):
            found.update(index.get(unit, ()))
        return sorted(found)

    def capacity(self, d: Decomposition, member: str) -> Fraction:
        if d.to == "people":
            return super().capacity(d, member)
        key = (d.period.id, d.ramp)
        by_unit = self._capacity.get(key)
        if by_unit is None:
            by_unit = {}
            for month in d.period.months:
                for pid in self.scenario.people:
                    start = self.scenario.people[pid].start or month.first_day
                    day = max(month.first_day, start)
                    if day <= month.last_day:
                        unit = self.org.on(pid, day).unit
                        by_unit[unit] = by_unit.get(unit, Fraction(0)) + self.ramp_factor(
                            d, pid, month
                        )
            self._capacity[key] = by_unit
        return sum(
            (by_unit.get(unit, Fraction(0)) for unit in self.org.descendants(member)), Fraction(0)
        )

    def month_weights(self, d: Decomposition) -> dict[int, Fraction]:
        if d.id not in self._weights:
            self._weights[d.id] = super().month_weights(d)
        return self._weights[d.id]


def run_decomposer(scenario: Scenario, *, indexed: bool = True) -> Decomposer:
    """The engine's decompositions alone (no measures or pay for every period)."""
    with decimal.localcontext(ENGINE_CONTEXT):
        org = Org(scenario.units, scenario.people)
        measures = MeasureEngine(scenario, org, set())
        book = TargetBook(scenario)
        kind = IndexedDecomposer if indexed else Decomposer
        decomposer = kind(scenario, org, measures, book)
        decomposer.run()
    return decomposer


def compute_allocation(
    plan: TargetPlan,
    *,
    totals: Mapping[str, Decimal] | None = None,
    edits: Mapping[tuple[str, str, str], Decimal] | None = None,
    work_dir: str | Path | None = None,
    with_history: bool = True,
) -> Allocation:
    """The plan's allocation per measure. Raises ValidationError with the engine's
    problems when the plan cannot be decomposed (e.g. over-assignment above the limit)."""
    import time

    clock = time.perf_counter()
    if totals is None:
        totals = {pm.measure: pm.total for pm in plan.plan_measures.all()}
    if edits is None:
        edits = {(e.measure, e.who, e.period): e.value for e in plan.edits.all()}
    if not totals:
        raise ValidationError({"measures": ["the plan has no measure to decompose"]})
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="attain-targets-") as tmp:
        directory = Path(work_dir) if work_dir is not None else Path(tmp)
        data, tree = build_plan_scenario(plan, totals, edits, directory)
        missing_potential = data.pop("_missing_potential", 0)
        seconds["load"] = time.perf_counter() - clock
        scenario, problems = scenario_from_data(data, directory)
        seconds["scenario"] = time.perf_counter() - clock - seconds["load"]
        if scenario is None or problems:
            raise ValidationError([f"{p.path}: {p.message}" for p in problems])
        decomposer = run_decomposer(scenario)
        seconds["decompose"] = time.perf_counter() - clock - seconds["load"] - seconds["scenario"]
        if decomposer.errors:
            raise ValidationError([f"{p.path}: {p.message}" for p in decomposer.errors])
        grids = {
            measure: _grid(plan, measure, scenario, decomposer, tree, edits, with_history)
            for measure in totals
        }
        if missing_potential:
            for grid in grids.values():
                grid.warnings.insert(
                    0, f"{missing_potential} units or people have no market potential: counted as 0"
                )
    seconds["grid"] = (
        time.perf_counter() - clock - seconds["load"] - seconds["scenario"] - seconds["decompose"]
    )
    return Allocation(plan.pk, grids, scenario, seconds)


def _grid(
    plan: TargetPlan,
    measure: str,
    scenario: Scenario,
    decomposer: Decomposer,
    tree: list[tuple[str, str | None, int, bool]],
    edits: Mapping[tuple[str, str, str], Decimal],
    with_history: bool,
) -> Grid:
    year = str(plan.fiscal_year)
    month_ids = [f"{year}-{m:02d}" for m in range(1, 13)]
    round_to = plan.round_to
    depth_of = {code: depth for code, _p, depth, _c in tree}
    rows: list[Row] = []
    root = tree[0][0]
    root_total = next(
        (a.total for a in decomposer.allocations if a.decomposition.id == f"{measure}.{root}"),
        Decimal(0),
    )
    root_value = edits.get((measure, root, year))
    root_row = Row(
        root,
        Kind.UNIT,
        scenario.units[root].name if root in scenario.units else root,
        "",
        0,
        root_value if root_value is not None else root_total,
        root_total,
        [],
        [],
    )
    rows.append(root_row)
    history_period = parse_period(str(history_year(plan)), scenario.fiscal_year_start)
    measures = decomposer.measures
    for allocation in decomposer.allocations:
        d = allocation.decomposition
        if d.measure != measure:
            continue
        kind = Kind.UNIT if d.to == "units" else Kind.PERSON
        for member, amount in allocation.parts.items():
            month_units = allocation.months.get(member, {})
            engine_months = [
                Decimal(month_units.get(str(Month(plan.fiscal_year, m).key), 0)) * round_to
                for m in range(1, 13)
            ]
            edited = {p for p in [year, *month_ids] if (measure, member, p) in edits}
            value = edits.get((measure, member, year), amount)
            if edited == {year}:
                months = respread(value, engine_months, round_to)
            else:
                months = [
                    edits.get((measure, member, month_ids[i]), engine_months[i]) for i in range(12)
                ]
            if kind == Kind.UNIT:
                name = scenario.units[member].name
                depth = depth_of.get(member, 0)
                potential = scenario.units[member].attributes.get("potential")
            else:
                name = scenario.people[member].name
                depth = depth_of.get(d.who, 0) + 1
                potential = scenario.people[member].attributes.get("potential")
            history = None
            if with_history and history_period is not None:
                if kind == Kind.UNIT:
                    history = measures.unit_value(measure, member, history_period)
                else:
                    history = measures.value(measure, member, history_period)
            rows.append(
                Row(
                    member,
                    kind,
                    name,
                    d.who,
                    depth,
                    value,
                    amount,
                    months,
                    engine_months,
                    edited,
                    history,
                    potential,
                )
            )
    warnings = [f"{w.path}: {w.message}" for w in decomposer.warnings]
    return Grid(measure, plan.fiscal_year, round_to, _tree_order(rows), warnings)


def respread(value: Decimal, months: list[Decimal], round_to: Decimal) -> list[Decimal]:
    """An edited year over its months in the proportions the engine gave them (equal when
    it gave none), by the engine's largest remainder rule (ties to the earlier month)."""
    units = int((value / round_to).to_integral_value(rounding=decimal.ROUND_HALF_UP))
    weights = [Fraction(m) for m in months]
    if not any(weights):
        weights = [Fraction(1)] * len(months)
    parts = largest_remainder(units, [(str(i), w) for i, w in enumerate(weights)])
    return [part.units * round_to for part in parts]


def _tree_order(rows: list[Row]) -> list[Row]:
    """Units depth first, each unit followed by its people then its child units."""
    children: dict[str, list[Row]] = {}
    for row in rows[1:]:
        children.setdefault(row.parent, []).append(row)
    ordered: list[Row] = []
    stack = [rows[0]]
    while stack:
        row = stack.pop()
        ordered.append(row)
        below = children.get(row.who, [])
        people = sorted((r for r in below if r.kind == Kind.PERSON), key=lambda r: r.who)
        units = sorted((r for r in below if r.kind == Kind.UNIT), key=lambda r: r.who)
        ordered.extend(people)
        stack.extend(reversed(units))
    return ordered
