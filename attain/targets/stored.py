"""A stored plan version's cells as grids (what was submitted, approved, published)."""

from __future__ import annotations

from decimal import Decimal

from attain.calc.periods import year_month_ids
from attain.org.models import Person, Unit

from .allocation import Grid, Row, _tree_order
from .models import Kind, TargetCell, TargetPlan


def stored_grids(plan: TargetPlan) -> dict[str, Grid]:
    year = str(plan.fiscal_year)
    month_ids = year_month_ids(plan.fiscal_year)  # April … March when the year starts in April
    index = {p: i for i, p in enumerate(month_ids)}
    by_measure: dict[str, dict[tuple[str, str], Row]] = {}
    unit_names = dict(Unit.objects.values_list("code", "name"))
    cells = TargetCell.objects.filter(plan=plan).values_list(
        "measure", "who", "kind", "parent", "period", "value", "engine_value"
    )
    people: set[str] = set()
    for measure, who, kind, parent, period, value, engine_value in cells.iterator(chunk_size=5000):
        rows = by_measure.setdefault(measure, {})
        row = rows.get((who, parent))
        if row is None:
            row = rows[(who, parent)] = Row(
                who, kind, who, parent, 0, Decimal(0), Decimal(0), [], []
            )
            if kind == Kind.PERSON:
                people.add(who)
        if period == year:
            row.year, row.engine_year = value, engine_value
        else:
            if not row.months:
                row.months = [Decimal(0)] * 12
                row.engine_months = [Decimal(0)] * 12
            row.months[index[period]] = value
            row.engine_months[index[period]] = engine_value
    person_names = dict(Person.objects.filter(code__in=people).values_list("code", "name"))
    grids: dict[str, Grid] = {}
    for measure, rows in by_measure.items():
        root = (plan.root_unit.code, "")
        ordered = [rows[root]] if root in rows else []
        ordered += [r for key, r in rows.items() if key != root]
        depth: dict[str, int] = {plan.root_unit.code: 0}
        for row in ordered:
            row.name = (unit_names if row.kind == Kind.UNIT else person_names).get(row.who, row.who)
        for row in _tree_order(ordered) if ordered else []:
            row.depth = depth.get(row.parent, -1) + 1 if row.parent else 0
            depth[row.who] = row.depth
            row.edited = {
                p
                for i, p in enumerate(month_ids)
                if row.months and row.months[i] != row.engine_months[i]
            }
        grids[measure] = Grid(
            measure, plan.fiscal_year, plan.round_to, _tree_order(ordered) if ordered else [], []
        )
    return grids
