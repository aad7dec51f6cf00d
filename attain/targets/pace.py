"""Pace (spec 5.3), computed by the engine: actuals from the CRM record tables, targets
in force from the plans, attainment, elapsed share, projection and status on a day.

A report is cached per plan, day and data fingerprint (the newest order, payment, person,
assignment and audit event), so it is recomputed as soon as the data changes.
"""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max

from attain.audit.models import AuditEvent
from attain.crm.loader import build_scenario
from attain.crm.models import Order, Payment
from attain.engine import calculate, scenario_from_data
from attain.org.models import Assignment, Person

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


def fingerprint() -> str:
    parts: list[Any] = []
    for model in (Order, Payment, Person, Assignment, AuditEvent):
        row = model.objects.aggregate(n=Count("pk"), m=Max("pk"))
        parts.extend((row["n"], row["m"]))
    return "-".join(str(p) for p in parts)


def periods_on(plan: TargetPlan, as_of: datetime.date) -> list[str]:
    """The year, and the quarter and month of ``as_of`` when it lies in the year."""
    year = str(plan.fiscal_year)
    if as_of.year != plan.fiscal_year:
        return [year]
    quarter = (as_of.month - 1) // 3 + 1
    return [year, f"{year}-Q{quarter}", f"{year}-{as_of.month:02d}"]


def pace_report(plan: TargetPlan, as_of: datetime.date) -> list[PaceRow]:
    """Every unit and person with a target in force of the plan's measures (cached)."""
    key = f"targets-pace:{plan.pk}:{as_of.isoformat()}:{fingerprint()}"
    rows: list[PaceRow] | None = cache.get(key)
    if rows is None:
        rows = _compute(plan, as_of)
        cache.set(key, rows, 3600)
    return rows


def _compute(plan: TargetPlan, as_of: datetime.date) -> list[PaceRow]:
    codes = list(plan.plan_measures.values_list("measure", flat=True))
    targets = published_targets(measures=codes, fiscal_year=plan.fiscal_year)
    if not targets:
        return []
    carriers = {str(t["who"]) for t in targets}
    periods = periods_on(plan, as_of)
    with tempfile.TemporaryDirectory(prefix="attain-pace-") as tmp:
        data = build_scenario(
            period_start=datetime.date(plan.fiscal_year, 1, 1),
            period_end=datetime.date(plan.fiscal_year, 12, 31),
            measures=measure_specs(codes),
            work_dir=tmp,
            targets=targets,
            as_of=as_of,
            report=periods,
        )
        scenario, problems = scenario_from_data(data, Path(tmp))
        if scenario is None or problems:
            raise ValueError("; ".join(f"{p.path}: {p.message}" for p in problems))
        result = calculate(scenario, as_of)
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
                    pace = period_result.pace.get(measure)
                    rows.append(
                        PaceRow(
                            who,
                            names.get(who, who),
                            kind,
                            measure,
                            period,
                            period_result.measures.get(measure),
                            target,
                            period_result.attainment.get(measure),
                            pace.elapsed if pace else None,
                            pace.projected if pace else None,
                            pace.status if pace else None,
                        )
                    )
    return rows


def behind_first(rows: list[PaceRow]) -> list[PaceRow]:
    return sorted(
        rows,
        key=lambda r: (STATUS_ORDER.get(r.status or "", 9), r.attainment or Decimal(0), r.who),
    )
