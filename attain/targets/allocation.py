"""Load → compute: a target plan's allocation, computed by the engine.

The plan becomes a scenario (spec section 6): the organisation with its effective-dated
history and the record tables of the history and seasonal years come from the calculation
adapter (:mod:`attain.calc`, in bulk through Arrow), and the plan adds one
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

import dataclasses
import datetime
import decimal
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext

from attain.calc.cache import cached as cached_value
from attain.calc.cache import data_fingerprint
from attain.calc.periods import year_bounds, year_month_ids, year_months
from attain.calc.run import Frames, loaded
from attain.crm.records import PLACEMENTS
from attain.engine import (
    ENGINE_CONTEXT,
    Decomposer,
    Decomposition,
    MeasureEngine,
    Org,
    Problem,
    Scenario,
    TargetBook,
    TargetSpec,
    largest_remainder,
    no_cycle_collection,
    parse_period,
    round_half_up,
    scenario_from_data,
)
from attain.measures.defaults import default_specs
from attain.measures.services import scenario_measures
from attain.org.models import Unit
from attain.web.problems import problem_text

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
    def stored_year(self) -> Decimal:
        """The year target as stored and published: its months' sum (an edited month
        counts), or the year of a row without months (the plan's root)."""
        return self.months_total if self.months else self.year

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

    @cached_property
    def months(self) -> list[str]:
        """The fiscal year's month ids, worked out once (the page reads them per cell)."""
        return year_month_ids(self.fiscal_year)

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


def history_year(plan: TargetPlan) -> int:
    return plan.history_year or plan.fiscal_year - 1


def seasonal_years(plan: TargetPlan) -> list[int]:
    """The two fiscal years before the plan's whose records cover them: a year whose data
    starts after its first month (the company began recording in its last quarter) or
    ends before its last month would make its recorded months look like its busiest. A
    year still running (next year planned in its last month) does not cover its last
    month yet: its few days would make that month look like its quietest."""
    first, last = record_span(plan)
    if first is None or last is None:
        return []
    today = timezone.localdate()
    found = []
    for year in (plan.fiscal_year - 2, plan.fiscal_year - 1):
        months = year_months(year)
        ended = months[-1].last_day < today
        if first <= months[0].last_day and last >= months[-1].first_day and ended:
            found.append(year)
    return found


def record_span(plan: TargetPlan) -> tuple[datetime.date | None, datetime.date | None]:
    """The first and last day with a record in the tables the plan's measures read."""
    codes = [pm.measure for pm in plan.plan_measures.all()]
    tables = {str(spec["from"]) for spec in measure_specs(codes).values()}
    key = (tuple(sorted(tables)), data_fingerprint(ignore_audit_of=("targets", "incentives")))

    def span() -> tuple[datetime.date | None, datetime.date | None]:
        firsts: list[datetime.date] = []
        lasts: list[datetime.date] = []
        for model_name, placement in PLACEMENTS.items():
            if placement.table not in tables:
                continue
            model = apps.get_model("crm", model_name)
            found = model.objects.aggregate(first=Min(placement.date), last=Max(placement.date))
            for value, into in ((found["first"], firsts), (found["last"], lasts)):
                if isinstance(value, datetime.datetime):
                    value = timezone.localtime(value).date()
                if value is not None:
                    into.append(value)
        return (min(firsts, default=None), max(lasts, default=None))

    return cached_value("targets.record_span", key, span, keep=4)


def measure_specs(codes: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The scenario ``measures`` for the plan's measure codes (shared Measure model,
    falling back to the default measures for a code not defined there)."""
    wanted = list(codes)
    specs = scenario_measures(wanted)
    defaults = default_specs()
    for code in wanted:
        if code not in specs and code in defaults:
            specs[code] = defaults[code]
    missing = [code for code in wanted if code not in specs]
    if missing:
        raise ValidationError(
            {"measures": [gettext("Unknown measure: %(codes)s") % {"codes": ", ".join(missing)}]}
        )
    return specs


def unit_tree(root: Unit, year: int) -> list[tuple[str, str | None, int, bool]]:
    """(code, parent code, depth, has children) for the root and the units below it that
    are open at some time in the fiscal year, parents before children."""
    first, last = year_bounds(year)
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


def uses_potential(plan: TargetPlan, tree: list[tuple[str, str | None, int, bool]]) -> bool:
    """Whether a level of the plan's tree shares by market potential (only then does a
    missing potential matter)."""
    return any(
        uses_method(level_spec(plan, depth, not has_children), "potential")
        for _code, _parent, depth, has_children in tree
    )


def decompositions(
    plan: TargetPlan,
    totals: Mapping[str, Decimal],
    tree: list[tuple[str, str | None, int, bool]],
    edits: Mapping[tuple[str, str, str], Decimal] | None = None,
    monthly: set[str] | frozenset[str] = frozenset(),
    root_months: Mapping[str, list[Decimal]] | None = None,
) -> list[dict[str, Any]]:
    """The scenario's ``decompositions``, per measure:

    - a unit with child units: its year to the child units, split over the months;
    - a team (a unit without children): its year to its people, split over the months
      each is employed;
    - a team in ``monthly`` (someone moved into or out of it during the year): each of
      its month targets to the people in the team in that month, so a mover carries each
      team's target only for the months they were in it (unless its year was edited:
      then as above). A plan's root has no month targets to split: a root team is split
      month by month only with ``root_months`` (measure → its twelve month values, see
      :func:`root_month_values`), each month's value given.
    """
    found: list[dict[str, Any]] = []
    year = str(plan.fiscal_year)
    months: Any = None
    covered = seasonal_years(plan) if plan.months == MonthSplit.SEASONAL else []
    if covered:
        months = "seasonal"
    elif plan.months == MonthSplit.CUSTOM and plan.month_weights:
        months = [Decimal(str(w)) for w in plan.month_weights]
    else:
        months = "equal"
    roles = plan.role_list
    edits = edits or {}
    open_years = years_open_all_year(covered, tree) if months == "seasonal" else {}
    # a team open all year in none of the seasonal years: its own months would read as
    # if it sold nothing before it opened; its people share the team's months instead,
    # which follow the unit above (as for a team someone moved into)
    unshaped = {
        code
        for code, _parent, depth, has_children in tree
        if months == "seasonal" and depth > 0 and not has_children and not open_years[code]
    }
    monthly = set(monthly) | unshaped
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
            if months == "seasonal" and open_years[code]:
                entry["seasonal_years"] = open_years[code]
            elif months == "seasonal":  # opened during them all: no shape of its own
                entry["months"] = "equal"
            given = (root_months or {}).get(measure) if depth == 0 else None
            by_months = (
                code in monthly
                and not has_children
                and (depth > 0 or given is not None)
                and (measure, code, year) not in edits
            )
            if not by_months:
                found.append(entry)
                continue
            for index, period in enumerate(year_month_ids(plan.fiscal_year)):
                by_month = {k: v for k, v in entry.items() if k not in ("months", "seasonal_years")}
                by_month["id"] = f"{measure}.{code}.{period}"
                by_month["from"] = {"who": code, "period": period}
                if given is not None:
                    by_month["from"]["value"] = given[index]
                found.append(by_month)
    return found


def years_open_all_year(
    years: list[int], tree: list[tuple[str, str | None, int, bool]]
) -> dict[str, list[int]]:
    """Unit code → the seasonal ``years`` it was open for the whole of. A year in which
    a unit opened (a merger or a split made it) or closed holds its sales of only part
    of the year: as a shape of its months it would read as if the unit sold nothing in
    the others."""
    codes = [code for code, _parent, _depth, _children in tree]
    dates = {
        code: (opened, closed)
        for code, opened, closed in Unit.objects.filter(code__in=codes).values_list(
            "code", "opened", "closed"
        )
    }
    found: dict[str, list[int]] = {}
    for code in codes:
        opened, closed = dates.get(code, (None, None))
        found[code] = [
            year
            for year in years
            if (opened is None or opened <= year_bounds(year)[0])
            and (closed is None or closed >= year_bounds(year)[1])
        ]
    return found


@dataclass
class Prepared:
    """The organisation and the record tables of a plan's years, loaded by the engine
    once and kept while the data stays the same: a preview then only decomposes."""

    scenario: Scenario  # without decompositions and targets
    org: Org
    measures: MeasureEngine
    missing_potential: frozenset[str]  # the units and people without one (now 0)
    caches: dict[str, dict[Any, Any]] = field(default_factory=dict)


def prepare(plan: TargetPlan, specs: Mapping[str, Mapping[str, Any]]) -> Prepared:
    """The loaded scenario of the plan's years (cached per data fingerprint): the
    organisation from the first year read on, the records of the years the plan reads
    (its history and seasonal years; not the fiscal year it plans)."""
    read = [history_year(plan), *seasonal_years(plan)]
    first, _end = year_bounds(min(read))
    _start, last = year_bounds(max(read))
    key = (
        first,
        last,
        repr(sorted((k, sorted(v.items())) for k, v in specs.items())),
        data_fingerprint(ignore_audit_of=("targets", "incentives")),
    )
    return cached_value("targets.prepared", key, lambda: _prepare(first, last, specs), keep=3)


def _prepare(
    first: datetime.date, last: datetime.date, specs: Mapping[str, Mapping[str, Any]]
) -> Prepared:
    missing: frozenset[str] = frozenset()

    def fill(frames: Frames, data: dict[str, Any]) -> None:
        nonlocal missing
        missing = fill_missing_potential(frames, data)

    with loaded(start=first, end=last, measures=specs, edit=fill) as found:
        scenario = found.scenario
        if scenario is None or found.problems:
            raise ValidationError([f"{p.path}: {problem_text(p.message)}" for p in found.problems])
    with decimal.localcontext(ENGINE_CONTEXT):
        org = Org(scenario.units, scenario.people)
        measures = MeasureEngine(scenario, org, set())
    return Prepared(scenario, org, measures, missing)


def plan_scenario(
    plan: TargetPlan,
    prepared: Prepared,
    specs: Mapping[str, Mapping[str, Any]],
    totals: Mapping[str, Decimal],
    edits: Mapping[tuple[str, str, str], Decimal],
    tree: list[tuple[str, str | None, int, bool]],
    entries: list[dict[str, Any]] | None = None,
) -> Scenario:
    """The prepared scenario with the plan's decompositions (or ``entries``), checked by
    the engine's own loader, and its edited cells as explicit targets."""
    base = prepared.scenario
    if entries is None:
        monthly = moved_teams(plan, prepared)
        entries = decompositions(plan, totals, tree, edits, monthly)
        root, _above, _depth, has_children = tree[0]
        if root in monthly and not has_children:  # a team with a mover: month by month
            found = root_month_values(plan, prepared, specs, entries, root)
            entries = decompositions(plan, totals, tree, edits, monthly, found)
    # The engine checks the decompositions; the same shapes with other totals (a planner
    # trying numbers) are checked once: the totals are set on the checked values.
    totals_at: dict[int, Decimal] = {}
    shapes: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        source = entry.get("from") or {}
        if "value" in source:
            totals_at[index] = Decimal(str(source["value"]))
            entry = {**entry, "from": {k: v for k, v in source.items() if k != "value"}}
        shapes.append(entry)
    parsed_decompositions = checked_shapes(base, specs, shapes)
    with_totals = tuple(
        dataclasses.replace(d, value=totals_at[i]) if i in totals_at else d
        for i, d in enumerate(parsed_decompositions)
    )
    targets: list[TargetSpec] = []
    for index, ((measure, who, period_id), value) in enumerate(sorted(edits.items())):
        period = parse_period(period_id, base.fiscal_year_start)
        if who not in base.units and who not in base.people:
            raise ValidationError(
                {
                    "who": [
                        gettext("An edited cell names an unknown unit or person: %(who)s")
                        % {"who": who}
                    ]
                }
            )
        if period is None or measure not in totals:
            continue
        targets.append(TargetSpec(measure, who, period, value, True, f"targets[{index}]"))
    return dataclasses.replace(base, decompositions=with_totals, targets=tuple(targets))


def checked_shapes(
    base: Scenario, specs: Mapping[str, Mapping[str, Any]], shapes: list[dict[str, Any]]
) -> tuple[Decomposition, ...]:
    """The decompositions ``shapes`` checked by the engine's own loader (kept per checked
    document: the same units, measures and shapes give the same decompositions, so the
    check outlives a change of people or records)."""
    tables = sorted({str(spec["from"]) for spec in specs.values()})
    document = {
        "version": 1,
        "fiscal_year_start": base.fiscal_year_start,
        "units": [{"id": u.id, "name": u.name, "parent": u.parent} for u in base.units.values()],
        "people": [],
        "records": {table: [] for table in tables},
        "measures": {name: dict(spec) for name, spec in specs.items()},
        "decompositions": shapes,
    }

    def check() -> tuple[Decomposition, ...]:
        parsed, problems = scenario_from_data(document, Path("."))
        if parsed is None or problems:
            raise ValidationError([f"{p.path}: {problem_text(p.message)}" for p in problems])
        return parsed.decompositions

    return cached_value("targets.checked", repr(sorted(document.items())), check)


def root_month_values(
    plan: TargetPlan,
    prepared: Prepared,
    specs: Mapping[str, Mapping[str, Any]],
    entries: list[dict[str, Any]],
    root: str,
) -> dict[str, list[Decimal]]:
    """Measure → the root's year split over its twelve months, as the engine splits a
    unit's year (the plan's month split, largest remainder at the round-to unit, ties to
    the earlier month): the month targets a root team split month by month hands to the
    people in it each month."""
    found: dict[str, list[Decimal]] = {}
    for entry in entries:
        if entry["id"] != f"{entry['measure']}.{root}" or "value" not in entry["from"]:
            continue
        total = Decimal(str(entry["from"]["value"]))
        shape = {**entry, "from": {k: v for k, v in entry["from"].items() if k != "value"}}
        (parsed,) = checked_shapes(prepared.scenario, specs, [shape])
        with decimal.localcontext(ENGINE_CONTEXT):
            decomposer = Decomposer(
                prepared.scenario,
                prepared.org,
                prepared.measures,
                TargetBook(prepared.scenario),
                refunds_weigh_nothing=True,
            )
            weights = decomposer.month_integers(parsed)
        units = int((total / plan.round_to).to_integral_value(rounding=decimal.ROUND_HALF_UP))
        keys = [str(month.key) for month in year_months(plan.fiscal_year)]
        parts = largest_remainder(units, [(key, Fraction(weights[int(key)])) for key in keys])
        found[str(entry["measure"])] = [part.units * plan.round_to for part in parts]
    return found


def moved_teams(plan: TargetPlan, prepared: Prepared) -> set[str]:
    """Teams in which someone carried a target for only part of the fiscal year: they
    joined or left the company during it, moved into or out of the team, or took or left
    a target-carrying role (a rep promoted to manager). These teams are split month by
    month, so such a person's target covers only their months in the team and role, at
    the same share of each month as the others there."""
    key = (plan.fiscal_year, tuple(plan.role_list))
    cache = prepared.caches.setdefault("moved", {})
    if key in cache:
        return set(cache[key])
    first, last = year_bounds(plan.fiscal_year)
    roles = set(plan.role_list)
    found: set[str] = set()
    for pid in prepared.scenario.people:
        employed_from, employed_to = prepared.org.employment(pid)
        start, end = max(first, employed_from), min(last, employed_to)
        if start > end:
            continue
        places = {
            (segment.unit, not roles or segment.role in roles)
            for segment in prepared.org.segments(pid)
            if segment.start <= end and segment.end >= start
        }
        carried = {unit for unit, carries in places if carries}
        # joined or left during the year: an equal (or potential, or history) share of the
        # team's year squeezed into their months would be out of all proportion
        part_of_year = start > first or end < last
        if carried and (len(places) > 1 or part_of_year):
            found |= carried
    cache[key] = frozenset(found)
    return found


def fill_missing_potential(frames: Frames, data: Mapping[str, Any]) -> frozenset[str]:
    """A unit or person without a market potential has potential 0 (so a service unit
    under the company gets no share by potential). Returns the ids of those missing."""
    missing: set[str] = set()
    for section in ("units", "people"):
        name = data[section]["parquet"]
        frame = frames[name]
        if "potential" in frame.columns:
            missing.update(frame.filter(pl.col("potential").is_null())["id"].cast(pl.String))
            frames[name] = frame.with_columns(pl.col("potential").fill_null(0))
    return frozenset(missing)


def run_decomposer(
    scenario: Scenario,
    *,
    cached: bool = True,
    prepared: Prepared | None = None,
    staff_roles: Iterable[str] | None = None,
) -> Decomposer:
    """The engine's decompositions alone (no measures or pay for every period). Read
    its ``allocations``: its ``generated`` targets are only the units' (``generate=False``).
    A unit in which nobody with ``staff_roles`` (anybody, when empty) works in the period
    gets no share of its parent's target (``Decomposer.unstaffed`` names them)."""
    with decimal.localcontext(ENGINE_CONTEXT):
        if prepared is not None:
            org, measures = prepared.org, prepared.measures
        else:
            org = Org(scenario.units, scenario.people)
            measures = MeasureEngine(scenario, org, set())
        book = TargetBook(scenario)
        caches = prepared.caches if prepared is not None and cached else None
        decomposer = Decomposer(
            scenario,
            org,
            measures,
            book,
            caches=caches,
            generate=False,
            staffed_units_only=True,
            staff_roles=frozenset(staff_roles) if staff_roles else None,
            refunds_weigh_nothing=True,
        )
        decomposer.run()
    return decomposer


def compute_allocation(
    plan: TargetPlan,
    *,
    totals: Mapping[str, Decimal] | None = None,
    edits: Mapping[tuple[str, str, str], Decimal] | None = None,
    with_history: bool = True,
    cached: bool = True,
) -> Allocation:
    """The plan's allocation per measure. Raises ValidationError with the engine's
    problems when the plan cannot be decomposed (e.g. over-assignment above the limit).
    ``Allocation.seconds`` says where the time went."""
    clock = time.perf_counter()
    if totals is None:
        totals = {pm.measure: pm.total for pm in plan.plan_measures.all()}
    if edits is None:
        edits = {(e.measure, e.who, e.period): e.value for e in plan.edits.all()}
    if not totals:
        raise ValidationError({"measures": [gettext("The plan has no measure to decompose.")]})
    # Millions of short-lived Fractions and Decimals, no reference cycles: the cyclic
    # garbage collector would only rescan the prepared scenario again and again.
    with no_cycle_collection():
        return _compute(plan, totals, edits, with_history, cached, clock)


def settled_allocation(plan: TargetPlan) -> Allocation:
    """The allocation of a plan that is no longer a draft (its cells are stored; the
    allocation adds last year's actuals and the potentials), run once and kept in the
    calculation cache while its inputs stay the same: the plan's row (settings, status),
    totals and edits, the organisation and the records (the data fingerprint) and the day
    (which years count as seasonal). Read it, never change it: every reader shares it."""
    totals = {pm.measure: pm.total for pm in plan.plan_measures.all()}
    edits = {(e.measure, e.who, e.period): e.value for e in plan.edits.all()}
    row = tuple((f.attname, getattr(plan, f.attname)) for f in plan._meta.concrete_fields)
    key = (
        repr(row),
        repr(sorted(totals.items())),
        repr(sorted(edits.items())),
        timezone.localdate(),
        data_fingerprint(ignore_audit_of=("targets", "incentives")),
    )
    return cached_value(
        "targets.settled",
        key,
        lambda: compute_allocation(plan, totals=totals, edits=edits),
        keep=4,
    )


def _compute(
    plan: TargetPlan,
    totals: Mapping[str, Decimal],
    edits: Mapping[tuple[str, str, str], Decimal],
    with_history: bool,
    cached: bool,
    clock: float,
) -> Allocation:
    seconds: dict[str, float] = {}

    def lap(name: str) -> None:
        seconds[name] = time.perf_counter() - clock - sum(seconds.values())

    specs = measure_specs(totals)
    prepared = prepare(plan, specs)
    lap("load")
    tree = unit_tree(plan.root_unit, plan.fiscal_year)
    scenario = plan_scenario(plan, prepared, specs, totals, edits, tree)
    lap("scenario")
    decomposer = run_decomposer(
        scenario, cached=cached, prepared=prepared, staff_roles=plan.role_list
    )
    lap("decompose")
    if decomposer.errors:
        raise ValidationError([f"{p.path}: {problem_text(p.message)}" for p in decomposer.errors])
    grids = {
        measure: _grid(plan, measure, scenario, decomposer, tree, edits, with_history)
        for measure in totals
    }
    if prepared.missing_potential and uses_potential(plan, tree):
        for measure, grid in grids.items():
            # only the members a split shares by potential: a manager or a unit that no
            # split reads the potential of counts as nothing, so need not have one
            read = {
                member
                for found in decomposer.allocations
                if found.decomposition.measure == measure and "potential" in found.method_weights
                for member in found.parts
                if member not in decomposer.unstaffed.get(found.decomposition.id, ())
            }
            count = len(read & prepared.missing_potential)
            if not count:
                continue
            grid.warnings.insert(
                0,
                ngettext(
                    "%(count)d unit or person has no market potential: counted as 0",
                    "%(count)d units or people have no market potential: counted as 0",
                    count,
                )
                % {"count": count},
            )
    running = running_history_note(plan, tree)
    if running:
        for grid in grids.values():
            grid.warnings.insert(0, running)
    if plan.months == MonthSplit.SEASONAL:
        note = seasonal_note(plan)
        covered = seasonal_years(plan)
        unstaffed = {unit for units in decomposer.unstaffed.values() for unit in units}
        reorganised = [
            scenario.units[code].name
            for code, years in years_open_all_year(covered, tree).items()
            if years != covered and code not in unstaffed and code in scenario.units
        ]
        for grid in grids.values():
            if reorganised and covered:
                grid.warnings.insert(
                    0,
                    gettext(
                        "Seasonal split: %(units)s were not open for the whole of "
                        "%(years)s, so their months follow only the years they were open "
                        "all year, or else the unit above"
                    )
                    % {"units": _listed(reorganised), "years": ", ".join(map(str, covered))},
                )
            if note:
                grid.warnings.insert(0, note)
    lap("grid")
    return Allocation(plan.pk, grids, scenario, seconds)


def running_history_note(plan: TargetPlan, tree: list[tuple[str, str | None, int, bool]]) -> str:
    """When a level shares by history and the history year is still running (next
    year planned in December): its shares count its records up to today only."""
    if not any(
        uses_method(level_spec(plan, depth, not has_children), "history")
        for _code, _parent, depth, has_children in tree
    ):
        return ""
    year = history_year(plan)
    first, last = year_bounds(year)
    today = timezone.localdate()
    if last < today or first > today:
        return ""
    return gettext(
        "Shares by history: %(year)s is not over yet, so they count its records up to "
        "%(day)s, without the rest of the year"
    ) % {"year": year, "day": date_format(today)}


def seasonal_note(plan: TargetPlan) -> str:
    """What the seasonal month split is based on, when it is not the two years before."""
    wanted = [plan.fiscal_year - 2, plan.fiscal_year - 1]
    covered = seasonal_years(plan)
    if covered == wanted:
        return ""
    if not covered:
        return gettext(
            "Seasonal split: no year before %(year)s has records for every month, so the "
            "months share the year equally."
        ) % {"year": plan.fiscal_year}
    return gettext(
        "Seasonal split: based on %(used)s only; the records do not cover every month of %(left)s."
    ) % {
        "used": ", ".join(str(y) for y in covered),
        "left": ", ".join(str(y) for y in wanted if y not in covered),
    }


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
    month_ids = year_month_ids(plan.fiscal_year)
    round_to = plan.round_to
    depth_of = {code: depth for code, _p, depth, _c in tree}
    rows: list[Row] = []
    root = tree[0][0]
    # the root's target is the plan's total in whole round-to units (as the engine splits
    # it): what its decomposition hands out (its allocation's total) includes the first
    # level's over-assignment
    root_total = next(
        (
            round_half_up(a.decomposition.value / round_to, 0) * round_to
            for a in decomposer.allocations
            if a.decomposition.id == f"{measure}.{root}" and a.decomposition.value is not None
        ),
        None,
    )
    if root_total is None:  # a root team split month by month: its months' values
        root_total = sum(
            (
                a.decomposition.value or Decimal(0)
                for a in decomposer.allocations
                if a.decomposition.measure == measure and a.decomposition.who == root
            ),
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
    month_keys = [str(month.key) for month in year_months(plan.fiscal_year)]
    zero = Decimal(0)
    edited_who = {(m, who) for m, who, _p in edits}
    # (member, the unit it was decomposed from) → kind, year amount, the engine's months
    found: dict[tuple[str, str], tuple[str, Decimal, list[Decimal]]] = {}
    for allocation in decomposer.allocations:
        d = allocation.decomposition
        if d.measure != measure:
            continue
        kind: str = Kind.UNIT if d.to == "units" else Kind.PERSON
        if d.period.kind == "month":  # a team's month, split to the people in it then
            index = month_ids.index(d.period.id)  # its column in the fiscal year
            for member, amount in allocation.parts.items():
                entry = found.get((member, d.who))
                if entry is None:
                    entry = found[(member, d.who)] = (kind, zero, [zero] * 12)
                entry[2][index] += amount
                found[(member, d.who)] = (kind, entry[1] + amount, entry[2])
            continue
        for member, amount in allocation.parts.items():
            month_units = allocation.months.get(member, {})
            if round_to == 1:
                engine_months = [month_units.get(key, zero) for key in month_keys]
            else:
                engine_months = [month_units.get(key, zero) * round_to for key in month_keys]
            found[(member, d.who)] = (kind, amount, engine_months)
    rows_of: dict[str, list[tuple[str, str]]] = {}  # someone who moved: a row per team
    for key in found:
        rows_of.setdefault(key[0], []).append(key)
    split_edits = {
        member: _split_edits(measure, member, keys, found, edits, year, month_ids, round_to)
        for member, keys in rows_of.items()
        if len(keys) > 1 and (measure, member) in edited_who
    }
    for (member, parent), (kind, amount, engine_months) in found.items():
        edited: set[str] = set()
        if (measure, member) in edited_who:
            edited = {p for p in [year, *month_ids] if (measure, member, p) in edits}
        value = edits.get((measure, member, year), amount)
        if member in split_edits:
            value, months = split_edits[member][parent]
        elif edited == {year}:
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
            depth = depth_of.get(parent, 0) + 1
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
                parent,
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
    unstaffed = {unit for units in decomposer.unstaffed.values() for unit in units}
    quiet = {d.path for d in scenario.decompositions if d.who in unstaffed}  # said below
    warnings = [warning_text(w, scenario) for w in decomposer.warnings if w.path not in quiet]
    for decomposition_id, units in decomposer.unstaffed.items():
        if decomposition_id.startswith(f"{measure}."):
            names = _listed(scenario.units[u].name for u in units)
            warnings.append(
                gettext("%(units)s: nobody works there in %(year)s, so no share of the target")
                % {"units": names, "year": plan.fiscal_year}
            )
    if with_history and history_period is not None:
        warnings.extend(_short_history(plan, rows, depth_of, unstaffed))
    # a team split month by month warns for each month: the same line once is enough
    warnings = list(dict.fromkeys(warnings))
    return Grid(measure, plan.fiscal_year, round_to, _tree_order(rows), warnings)


def _short_history(
    plan: TargetPlan, rows: list[Row], depth_of: Mapping[str, int], unstaffed: set[str]
) -> list[str]:
    """The members of a split by history alone whom the history year
    serves badly, named per unit split: a unit opened after that year began (a merger
    or a split made it: its own actual covers part of the year, or none of it) and anyone
    with no actual in it (someone new). The engine's rule stands (no actual, no share by
    history); the planner is told, so a zero is never handed out silently. Not said: a
    split in which nobody has history (the engine falls back to equal shares and says
    so), a member whose refunds exceeded its sales (the engine says so), a unit nobody
    works in, an edited member."""
    year = history_year(plan)
    first, _last = year_bounds(year)
    opened = dict(Unit.objects.filter(opened__gt=first).values_list("code", "opened"))
    members: dict[str, list[Row]] = {}
    for row in rows:
        if row.parent:
            members.setdefault(row.parent, []).append(row)
    found: list[str] = []
    for parent, group in members.items():
        spec = level_spec(plan, depth_of.get(parent, 0), group[0].kind == Kind.PERSON)
        if spec["method"] != "history":  # in a blend the other methods give a share
            continue
        if not any((row.history or 0) > 0 for row in group):
            continue
        candidates = [r for r in group if not r.edited and r.who not in unstaffed]
        none = [r.name for r in candidates if (r.history or 0) == 0]
        part = [
            r.name
            for r in candidates
            if r.kind == Kind.UNIT and r.who in opened and (r.history or 0) > 0
        ]
        name = next((r.name for r in rows if r.who == parent), parent)
        if none:
            found.append(
                gettext(
                    "%(who)s: %(members)s had no actual in %(year)s (a unit opened since, "
                    "or someone new), so history gives them no share: edit their year, "
                    "or share this level by capacity or a blend"
                )
                % {"who": name, "members": _listed(none), "year": year}
            )
        if part:
            found.append(
                gettext(
                    "%(who)s: %(members)s opened during %(year)s, so their history covers "
                    "only part of it and their share by history is smaller"
                )
                % {"who": name, "members": _listed(part), "year": year}
            )
    return found


def _split_edits(
    measure: str,
    member: str,
    keys: list[tuple[str, str]],
    found: Mapping[tuple[str, str], tuple[str, Decimal, list[Decimal]]],
    edits: Mapping[tuple[str, str, str], Decimal],
    year: str,
    month_ids: list[str],
    round_to: Decimal,
) -> dict[str, tuple[Decimal, list[Decimal]]]:
    """The edited targets of someone with a row under each team they were in (parent →
    year, months): an edit is the person's, so it is shared out, never repeated on each
    row (which would count it twice). An edited month goes to the row of the team they
    were in that month (the larger engine value; the first on a tie), 0 to the others; an
    edited year is spread over all their months in the engine's proportions, and each
    row's year is its part."""
    engine = [found[key][2] for key in keys]
    amounts = [found[key][1] for key in keys]
    months = [list(values) for values in engine]
    for i, period in enumerate(month_ids):
        value = edits.get((measure, member, period))
        if value is None:
            continue
        owner = max(range(len(keys)), key=lambda r: (engine[r][i], -r))
        for r in range(len(keys)):
            months[r][i] = value if r == owner else Decimal(0)
    year_value = edits.get((measure, member, year))
    month_edited = any((measure, member, period) in edits for period in month_ids)
    if year_value is not None and not month_edited:
        spread = respread(year_value, [m for values in engine for m in values], round_to)
        months = [spread[12 * r : 12 * r + 12] for r in range(len(keys))]
        years = [sum(values, Decimal(0)) for values in months]
    elif year_value is not None:  # the year and months edited: the year shared by amounts
        years = respread(year_value, amounts, round_to)
    else:
        years = amounts
    return {key[1]: (years[r], months[r]) for r, key in enumerate(keys)}


METHOD_NAMES = {
    "equal": gettext_lazy("equal"),
    "history": gettext_lazy("history"),
    "potential": gettext_lazy("market potential"),
    "capacity": gettext_lazy("capacity"),
}


def _listed(items: Iterable[str]) -> str:
    """Names in a sentence, as the reader lists them ("A, B" in English, "A、B" in Chinese)."""
    return pgettext("list separator", ", ").join(items)


def warning_text(problem: Problem, scenario: Scenario) -> str:
    """An engine warning in the reader's language, naming the unit or person."""
    params = dict(problem.params)
    who = params.get("who", "")
    source = scenario.units.get(who) or scenario.people.get(who)
    name = f"{source.name} ({who})" if source is not None else who
    if problem.code == "no_members":
        return gettext("%(who)s: nobody to give its target to") % {"who": name}
    if problem.code == "shares_all_zero":
        method = params.get("method", "")
        return gettext("%(who)s: no %(method)s data, so its members share equally") % {
            "who": name,
            "method": METHOD_NAMES.get(method, method),
        }
    if problem.code == "history_negative":
        members = [
            getattr(scenario.units.get(m) or scenario.people.get(m), "name", m)
            for m in str(params.get("members", "")).split(",")
            if m
        ]
        return gettext(
            "%(who)s: %(members)s refunded more than they sold in %(period)s, so their "
            "history counts as 0"
        ) % {"who": name, "members": _listed(members), "period": params.get("period", "")}
    if problem.code == "seasonal_negative":
        return gettext(
            "%(who)s: refunds exceeded sales in %(months)s, so those months weigh 0 in the "
            "seasonal split"
        ) % {"who": name, "months": _listed(str(params.get("months", "")).split(","))}
    if problem.code == "clash":
        return gettext(
            "%(who)s: its %(period)s target was already made by an earlier split, so this "
            "split's is not used"
        ) % {"who": name, "period": params.get("period", "")}
    if problem.code == "clash_value":
        return gettext(
            "%(who)s: its %(period)s target was already made by an earlier split and stays "
            "so; this split still divides its own value"
        ) % {"who": name, "period": params.get("period", "")}
    if problem.code == "rounded":
        values = {  # without the zeros a product leaves after the point (1,000,500.00)
            "who": name,
            "total": number_format(_without_zeros(params["total"]), force_grouping=True),
            "rounded": number_format(_without_zeros(params["rounded"]), force_grouping=True),
        }
        period = str(params.get("period", ""))
        if len(period) == 7 and period[4] == "-" and period[5:].isdigit():
            # a month of a team split month by month: twelve such lines, one per month
            return gettext(
                "%(who)s, %(period)s: %(total)s rounded to %(rounded)s to allocate whole units"
            ) % {**values, "period": period}
        return gettext("%(who)s: %(total)s rounded to %(rounded)s to allocate whole units") % values
    return str(problem)


def _without_zeros(text: str) -> Decimal:
    """A number without trailing zeros after its point, never in exponent form."""
    value = Decimal(text)
    whole = value.to_integral_value()
    return whole.quantize(Decimal(1)) if value == whole else value.normalize()


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
