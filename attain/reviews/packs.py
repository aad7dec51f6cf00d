"""What Attain prepares for each person of a review (docs/reviews.md, "The pack"), from
the data the other pages use:

- attainment and pace of every measure with a target in the plan in force
  (:func:`attain.targets.pace.pace_report`), and its forecast with the P10–P90 range and
  what it rests on (:func:`attain.targets.forecast.forecast_report`, docs/forecast.md);
- funnel conversion per stage against the team median and the weak stage (短板)
  (:func:`attain.incentives.selectors.funnel_of`);
- the activity mix against the team median; the payouts of the last twelve months
  (:mod:`attain.pay`);
- the reasons someone is behind (:mod:`attain.incentives.reasons`).

Kept in the pack as JSON (numbers as strings, exact), so a past review reads as it was.
Integrity holds are not kept: they are shown live to whoever may see them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from attain.calc.periods import fiscal_year_of_day
from attain.crm.models import ActivityKind
from attain.incentives import reasons
from attain.incentives.calculation import MAIN_MEASURE
from attain.incentives.selectors import funnel_of
from attain.measures.services import measure_names
from attain.org.models import Person
from attain.pay.models import Payout
from attain.targets.forecast import forecast_report
from attain.targets.models import TargetPlan
from attain.targets.pace import pace_report
from attain.targets.selectors import plans_in_force

from .models import Review

PAYOUT_DAYS = 365  # the payout trend: pay periods ending in the last year


def _s(value: Any) -> str | None:
    """A number kept exactly, as a string; None for no value (or one that is not a
    finite number: a forecast the model could not make says so, never "NaN")."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        # positional, never in exponent form (a zero attainment read "0E+2")
        return format(value, "f") if value.is_finite() else None
    return str(value)


def plan_for(review: Review) -> TargetPlan | None:
    """The target plan in force for the review's fiscal year (the newest version)."""
    # the fiscal year of the period's first day: January 2027 is in FY2026 when the
    # fiscal year starts in April
    found = plans_in_force(fiscal_year=fiscal_year_of_day(review.period_start))
    return max(found, key=lambda p: (p.version, p.pk)) if found else None


def as_of(review: Review, today: datetime.date | None = None) -> datetime.date:
    """The day the figures are taken on: today, or the period's last day once it is over."""
    return min(today or timezone.localdate(), review.period_end)


def build(review: Review, people: list[Person]) -> dict[int, dict[str, Any]]:
    """The pack of each of ``people`` (the review's team), by person id."""
    day = as_of(review)
    team = Person.objects.filter(pk__in=[p.pk for p in people])
    names = measure_names()
    plan = plan_for(review)
    pace: list[Any] = []
    forecasts: list[Any] = []
    problem = ""
    if plan is not None:
        try:
            pace = [r for r in pace_report(plan, day) if r.kind == "person"]
            forecasts = [r for r in forecast_report(plan, day) if r.kind == "person"]
        except (ValueError, ValidationError) as error:
            problem = str(error)
    codes = {p.pk: p.code for p in people}
    team_codes = set(codes.values())
    # the team's rows of the review's period, by person (the reports cover the company)
    pace_of: dict[str, list[Any]] = defaultdict(list)
    for r in pace:
        if r.period == review.period and r.who in team_codes:
            pace_of[r.who].append(r)
    forecasts_of: dict[str, dict[str, Any]] = defaultdict(dict)
    for r in forecasts:
        if r.period == review.period and r.who in team_codes:
            forecasts_of[r.who][r.measure] = r
    funnel = funnel_of(team, review.period_start, review.period_end)
    funnel_by_person = {entry["person"].pk: entry for entry in funnel["people"]}
    counts = reasons.activity_counts(team, review.period_start, day)
    median = reasons.median_total(counts, [p.pk for p in people])
    kind_medians = _kind_medians(counts, [p.pk for p in people])
    main: dict[int, tuple[Decimal | None, Decimal | None]] = {}
    for person in people:
        row = next((r for r in pace_of[person.code] if r.measure == MAIN_MEASURE), None)
        main[person.pk] = (row.target, row.actual) if row else (None, None)
    why = reasons.reasons_for(
        team, people, review.period_start, review.period_end, day, main, funnel
    )
    payouts = _payouts(people, review.period_end)
    packs: dict[int, dict[str, Any]] = {}
    for person in people:
        code = codes[person.pk]
        forecast = forecasts_of[code]
        measures = []
        for r in pace_of[code]:
            f = forecast.get(r.measure)
            measures.append(
                {
                    "code": r.measure,
                    "name": names.get(r.measure, r.measure),
                    "actual": _s(r.actual),
                    "target": _s(r.target),
                    "attainment": _s(r.attainment),
                    "elapsed": _s(r.elapsed),
                    "projected": _s(r.projected),
                    "status": r.status or "",
                    "p10": _s(f.p10) if f else None,
                    "p50": _s(f.p50) if f else None,
                    "p90": _s(f.p90) if f else None,
                    # exact, as "attainment": the forecast row's are rounded to 4 places,
                    # and the page rounding them again showed 56.3% for 56.247%
                    "attainment_p10": _s(_share(f.p10, r.target)) if f else None,
                    "attainment_p50": _s(_share(f.p50, r.target)) if f else None,
                    "attainment_p90": _s(_share(f.p90, r.target)) if f else None,
                    "basis": f.basis if f else "",
                }
            )
        measures.sort(key=lambda m: (m["code"] != MAIN_MEASURE, m["code"]))
        entry = funnel_by_person.get(person.pk)
        mine = counts.get(person.pk, {})
        packs[person.pk] = {
            "as_of": day.isoformat(),
            "plan": plan.name if plan else "",
            "problem": problem,
            "measures": measures,
            "funnel": {
                "steps": funnel["steps"],
                "medians": [_s(m) for m in funnel["medians"]],
                "rates": [_s(r) for r in entry["rates"]] if entry else [],
                "counts": list(entry["counts"]) if entry else [],
                "weak": entry["weak"] if entry else None,
            },
            "activities": {
                "kinds": {k: mine.get(k, 0) for k in ActivityKind.values},
                "medians": {k: _s(v) for k, v in kind_medians.items()},
                "total": sum(mine.values()),
                "median": _s(median),
            },
            "payouts": payouts.get(person.pk, []),
            "reasons": why.get(person.pk, []),
        }
    return packs


def _share(value: Decimal, target: Decimal | None) -> Decimal | None:
    """``value`` as a share of ``target`` (None without a target)."""
    return value / target if target else None


def _kind_medians(counts: dict[int, dict[str, int]], people: list[int]) -> dict[str, Decimal]:
    import statistics

    found = {}
    for kind in ActivityKind.values:
        values = [counts.get(pk, {}).get(kind, 0) for pk in people]
        found[kind] = Decimal(str(statistics.median(values))) if values else Decimal(0)
    return found


def _payouts(people: list[Person], end: datetime.date) -> dict[int, list[dict[str, Any]]]:
    since = end - datetime.timedelta(days=PAYOUT_DAYS)
    found: dict[int, list[dict[str, Any]]] = {}
    for payout in Payout.objects.filter(
        person__in=people, period_end__gt=since, period_end__lte=end
    ).order_by("period_end", "period"):
        found.setdefault(payout.person_id, []).append(
            {
                "period": payout.period,
                "amount": str(payout.amount),
                "state": payout.state,
                "held": payout.held,
            }
        )
    return found
