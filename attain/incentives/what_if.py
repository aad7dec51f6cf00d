"""What-if on history: a draft plan run over past data, beside the plan that was in force.

One scenario is built through the calculation adapter (:mod:`attain.calc`) for the
chosen range of quarters or months, with the plans in force over it and the draft
(renamed ``CODE@what-if`` and put in effect over the whole range), and calculated once by
the engine. Payouts of the plans' periods lying wholly within the range are compared per
person and per period by the engine's :func:`~attain.engine.compare_payouts`. Nothing
is stored here: :mod:`.services_what_if` keeps the comparison on the run that asked for
it, never in the stored results. See docs/effectiveness.md.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as noop

from attain.calc.periods import fiscal_year_of_day, period_bounds, periods_of_day
from attain.calc.run import loaded as calc_loaded
from attain.engine import (
    WHAT_IF_DRAFT,
    WHAT_IF_IN_FORCE,
    calculate,
    compare_payouts,
    parse_period,
)
from attain.measures.services import scenario_measures
from attain.org.models import Person, Unit

from .calculation import engine_plan_ids, targets_for
from .models import PeriodResult, PlanVersion, VersionStatus

# Versions a what-if runs: not yet in force (a draft, or on its way to approval).
DRAFT_STATES = (VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.APPROVED)
MAX_MONTHS = 24  # the longest range a what-if covers
FIRST_YEAR, LAST_YEAR = 1900, 9990  # the years a what-if can run over (as the forecast)
SUFFIX = "@what-if"
Progress = Callable[[int, str], None]


def drafts() -> list[PlanVersion]:
    return list(
        PlanVersion.objects.filter(status__in=DRAFT_STATES)
        .select_related("plan")
        .order_by("plan__code", "-number")
    )


def default_range(today: datetime.date | None = None) -> tuple[str, str]:
    """The latest fiscal year with stored quarterly results, from its first quarter to
    its last quarter that has ended (or begun, when none has ended); the current year
    to date without results."""
    today = today or timezone.localdate()
    quarters = sorted(
        set(PeriodResult.objects.filter(period_kind="quarter").values_list("period", flat=True))
    )
    if not quarters:
        year = periods_of_day(today)[0]
        return f"{year}-Q1", periods_of_day(today)[2]
    ended = [q for q in quarters if (b := period_bounds(q)) is not None and b[1] < today]
    begun = [q for q in quarters if (b := period_bounds(q)) is not None and b[0] <= today]
    last = (ended or begun or quarters)[-1]
    year = last.split("-")[0]
    first = min(q for q in quarters if q.startswith(f"{year}-"))
    return first, last


@dataclass(frozen=True)
class Range:
    first: str
    last: str
    start: datetime.date
    end: datetime.date


def parse_range(first: str, last: str) -> Range:
    """``first`` and ``last`` are quarters (2026-Q1) or months (2026-03); the range runs
    from the first day of one to the last day of the other. Errors name the field."""
    errors: dict[str, list[str]] = {}
    bounds: dict[str, tuple[datetime.date, datetime.date]] = {}
    for name, text in (("from", first), ("to", last)):
        found = parse_period(text.strip()) if isinstance(text, str) else None
        if found is None or found.kind not in ("quarter", "month"):
            errors[name] = [
                _("“%(value)s” is not a quarter or a month (e.g. 2026-Q1, 2026-03).")
                % {"value": text}
            ]
            continue
        exact = period_bounds(found.id)
        assert exact is not None
        if not FIRST_YEAR <= exact[0].year <= LAST_YEAR:
            errors[name] = [
                _("Give a period between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            ]
            continue
        bounds[name] = exact
    if not errors and bounds["from"][0] > bounds["to"][1]:
        errors["to"] = [_("The range ends before it starts.")]
    if not errors:
        start, end = bounds["from"][0], bounds["to"][1]
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if months > MAX_MONTHS:
            errors["to"] = [
                _("A what-if covers at most %(months)s months.") % {"months": MAX_MONTHS}
            ]
    if errors:
        raise ValidationError(errors)
    return Range(first.strip(), last.strip(), bounds["from"][0], bounds["to"][1])


def _clipped(document: dict[str, Any], start: datetime.date, end: datetime.date) -> dict[str, Any]:
    effective = dict(document.get("effective") or {})
    begins = _day(effective.get("from")) or start
    ends = _day(effective.get("to")) or end
    effective["from"] = max(begins, start).isoformat()
    effective["to"] = min(ends, end).isoformat()
    return {**document, "effective": effective}


def _day(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def in_force(version: PlanVersion, span: Range) -> list[PlanVersion]:
    """The active versions the draft is compared with: those of its own plan in force
    over the range; for a new plan, every plan in force (the people it covers are
    compared with what those plans paid them)."""
    active = (
        PlanVersion.objects.filter(status=VersionStatus.ACTIVE)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=span.end))
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=span.start))
        .select_related("plan")
    )
    same = [v for v in active if v.plan_id == version.plan_id]
    return same or list(active)


def run(version: PlanVersion, span: Range, progress: Progress | None = None) -> dict[str, Any]:
    """The comparison as a JSON-ready document (money as text, exact to the cent)."""
    began = time.perf_counter()
    note = progress or (lambda _percent, _stage: None)
    today = timezone.localdate()
    as_of = min(today, span.end)
    baseline = in_force(version, span)
    ids = engine_plan_ids(baseline)
    plans: list[dict[str, Any]] = []
    for active in baseline:
        plans.append({**_clipped(active.document(), span.start, span.end), "id": ids[active.pk]})
    draft_id = f"{version.plan.code}{SUFFIX}"
    draft = _clipped(version.document(), span.start, span.end)
    draft["effective"] = {"from": span.start.isoformat(), "to": span.end.isoformat()}
    plans.append({**draft, "id": draft_id})
    measures = scenario_measures()
    years = range(fiscal_year_of_day(span.start), fiscal_year_of_day(span.end) + 1)
    targets = [t for year in years for t in targets_for(year, list(measures))]
    note(10, noop("Loading records"))
    with calc_loaded(
        start=span.start,
        end=span.end,
        measures=measures,
        targets=targets,
        plans=plans,
        as_of=as_of,
    ) as found:
        scenario = found.checked()
        note(40, noop("Calculating"))
        result = calculate(scenario, as_of)
    if result.errors:
        raise ValidationError([f"{p.path}: {p.message}" for p in result.errors])
    note(85, noop("Comparing"))
    inside = {p.id: p for p in result.periods if span.start <= p.start and p.end <= span.end}
    baseline_ids = set(ids.values())
    draft_people: set[str] = set()
    rows: list[dict[str, Any]] = []
    for person, periods in result.people.items():
        for period_id, period_result in periods.items():
            if period_id not in inside:
                continue
            for plan_id, plan_result in period_result.plans.items():
                side = WHAT_IF_DRAFT if plan_id == draft_id else WHAT_IF_IN_FORCE
                if side == WHAT_IF_IN_FORCE and plan_id not in baseline_ids:
                    continue
                if side == WHAT_IF_DRAFT:
                    draft_people.add(person)
                rows.append(
                    {
                        "person": person,
                        "period": period_id,
                        "side": side,
                        "payout": plan_result.payout,
                    }
                )
    same_plan = any(v.plan_id == version.plan_id for v in baseline)
    if not same_plan:  # a new plan: only the people it covers are compared
        rows = [r for r in rows if r["person"] in draft_people]
    frame = pl.DataFrame(
        rows,
        schema={
            "person": pl.String,
            "period": pl.String,
            "side": pl.String,
            "payout": pl.Decimal(38, 2),
        },
    )
    comparison = compare_payouts(frame)
    codes = comparison.people["person"].to_list()
    names = dict(Person.objects.filter(code__in=codes).values_list("code", "name"))
    unit_names = dict(Unit.objects.values_list("code", "name"))
    units: dict[str, str] = {}
    org = result.calculation.org
    for code in codes:
        try:
            segment = org.on(code, as_of)
        except (KeyError, ValueError):
            continue
        if segment is not None and segment.unit:
            units[code] = unit_names.get(segment.unit, segment.unit)
    return {
        "plan": version.plan.code,
        "name": version.plan.name,
        "number": version.number,
        "status": version.status,
        "from": span.first,
        "to": span.last,
        "as_of": as_of.isoformat(),
        "same_plan": same_plan,
        "baseline": [f"{v.plan.code} v{v.number}" for v in baseline],
        "in_force": _text(comparison.in_force),
        "draft": _text(comparison.draft),
        "change": _text(comparison.change),
        "periods": [
            {k: _text(v) if k != "period" else v for k, v in row.items()}
            for row in comparison.periods.to_dicts()
        ],
        "people": [
            {
                "person": row["person"],
                "name": names.get(row["person"], row["person"]),
                "unit": units.get(row["person"], ""),
                "in_force": _text(row["in_force"]),
                "draft": _text(row["draft"]),
                "change": _text(row["change"]),
            }
            for row in comparison.people.to_dicts()
        ],
        "seconds": round(time.perf_counter() - began, 3),
    }


def _text(value: Any) -> str:
    from decimal import Decimal

    return format(Decimal(value or 0).quantize(Decimal("0.01")), "f")
