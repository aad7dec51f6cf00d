"""Reads of stored results, always through the one visibility rule
(:func:`attain.org.selectors.visible_people`)."""

from __future__ import annotations

import datetime
import itertools
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from attain.accounts.models import Role
from attain.calc.periods import (
    fiscal_year_of_day,
    fiscal_year_start,
    period_bounds,
    periods_of_day,
    year_bounds,
    year_month_ids,
)
from attain.crm.models import Opportunity, Stage, StageChange, StageKind
from attain.engine import (
    ENGINE_CONTEXT,
    TargetSpec,
    exact_targets,
    minor_unit,
    number_text,
    parse_period,
)
from attain.measures.direction import heat_ratio, lower_is_better
from attain.measures.models import Measure
from attain.org.company import company
from attain.org.models import Person, Unit
from attain.org.selectors import (
    person_of,
    role_of,
    unit_descendant_ids,
    unit_labels,
    visible_people,
)
from attain.web.aggregates import ExactSum

from .access import ranks_everyone, ranks_own_unit
from .calculation import MAIN_MEASURE, active_plans, targets_for
from .effectiveness import periods_within
from .models import ComponentResult, Honour, PeriodResult, employed_in_period


def current_period(kind: str = "quarter", day: datetime.date | None = None) -> str:
    """The fiscal year, half, quarter or month (``kind``) that contains ``day`` (today)."""
    year, half, quarter, month = periods_of_day(day or timezone.localdate())
    return {"month": month, "half": half, "year": year}.get(kind, quarter)


def latest_period_with_data(kind: str = "month", day: datetime.date | None = None) -> str:
    """The newest period of ``kind`` up to the current one in which someone has a result
    above zero (a new month has none yet: its board would rank everyone at 0%); the
    current period when no period has any."""
    current = current_period(kind, day)
    found = (
        PeriodResult.objects.filter(
            employed_in_period(),
            period_kind=kind,
            role="rep",
            main_attainment__gt=0,
            period__lte=current,
        )
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    return found or current


def previous_period(period: str) -> str:
    """The period of the same kind before ``period`` (fiscal years, halves, quarters)."""
    bounds = period_bounds(period)
    if bounds is None:
        return period
    year, half, quarter, month = periods_of_day(bounds[0] - datetime.timedelta(days=1))
    if period.isdigit():
        return year
    if "-H" in period:
        return half
    return quarter if "-Q" in period else month


def results(user: Any, period: str) -> QuerySet[PeriodResult]:
    return PeriodResult.objects.filter(person__in=visible_people(user), period=period)


def result_for(user: Any, code: str, period: str) -> PeriodResult:
    row = results(user, period).filter(person__code=code).select_related("person", "unit").first()
    if row is None:
        raise Http404
    return row


def person_for(user: Any, code: str | None) -> Person:
    """The person a page is about: ``code`` if visible, else the user's own person."""
    if code:
        person = visible_people(user).filter(code=code).first()
        if person is None:
            raise Http404
        return person
    me = person_of(user)
    if me is None:
        raise Http404
    return me


def components_for(row: PeriodResult) -> QuerySet[ComponentResult]:
    """Lazy: a page caching its rendering runs the query only on a cache miss."""
    return ComponentResult.objects.filter(person_id=row.person_id, period=row.period).order_by(
        "plan", "pk"
    )


def plan_labels(period: str) -> dict[str, dict[str, Any]]:
    """The names the plans in force give themselves and their components, by the plan
    ids results of ``period`` carry (``rep``, an older version ``rep@v1``, as a run of its
    fiscal year names them): ``{"plans": {id: name}, "components": {id: {cid: name}}}``.
    A component without a name is absent (it is shown by its id)."""
    labels: dict[str, dict[str, Any]] = {"plans": {}, "components": {}}
    bounds = period_bounds(period)
    if bounds is None:
        return labels
    for document in active_plans(*year_bounds(fiscal_year_of_day(bounds[0]))):
        plan_id = str(document["id"])
        if document.get("name"):
            labels["plans"][plan_id] = str(document["name"])
        labels["components"][plan_id] = {
            str(component.get("id")): str(component["name"])
            for component in document.get("components") or []
            if isinstance(component, dict) and component.get("name")
        }
    return labels


# by period and kind, ties by name and id: a total order, the same on every database
# (with "-period", "kind" alone SQLite and PostgreSQL each kept their own 30 of a long
# list of tied honours)
HONOURS_ORDER = ("-period", "kind", "person__name", "person__code", "pk")


def honours_of(person: Person) -> QuerySet[Honour]:
    return Honour.objects.filter(person=person).order_by(*HONOURS_ORDER)[:12]


def team_people(user: Any, period: str | None = None, unit: Unit | None = None) -> QuerySet[Person]:
    """A manager's people (without themself: their subtree and the leavers whose line ran
    through them, :func:`visible_people`); everyone for organisation-wide roles.
    ``unit``: only those whose result of ``period`` is in that unit or one below it."""
    role = role_of(user)
    me = person_of(user)
    people = visible_people(user)
    if role == Role.MANAGER and me is not None:
        people = people.exclude(pk=me.pk)
    if unit is not None:
        results = PeriodResult.objects.filter(unit_id__in=unit_descendant_ids(unit))
        if period is not None:
            results = results.filter(period=period)
        people = people.filter(pk__in=results.values("person_id"))
    return people


def _team_results(user: Any, period: str, unit: Unit | None) -> QuerySet[PeriodResult]:
    """The team's results of ``period``, of those employed in it (a leaver's later
    periods are reported with nothing in them)."""
    return PeriodResult.objects.filter(
        employed_in_period(), person__in=team_people(user, period, unit), period=period
    )


def team_units(user: Any, period: str) -> list[Unit]:
    """The units a team page can be narrowed to: those of the team's results of
    ``period`` and the units above them, by name."""
    used = set(_team_results(user, period, None).values_list("unit_id", flat=True).distinct())
    parents = dict(Unit.objects.values_list("pk", "parent_id"))
    found: set[int] = set()
    for pk in used:
        step: int | None = pk
        while step is not None and step not in found:
            found.add(step)
            step = parents.get(step)
    return list(Unit.objects.filter(pk__in=found).order_by("name", "code"))


def heatmap(
    user: Any,
    period: str,
    measures: Sequence[str] = (),
    unit: Unit | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """The team's attainment per person and measure: every measure that has a target for
    someone in the team (the main measure first), or ``measures`` when given. A cell of a
    person without a target for the measure says so (``no_target``). ``unit``: only its
    people (:func:`team_people`); ``limit``: the first rows only (``total`` counts all)."""
    results = _team_results(user, period, unit)
    if not measures:
        targeted = {
            code
            for targets in results.values_list("targets", flat=True)
            for code, value in (targets or {}).items()
            if value is not None
        }
        measures = sorted(targeted, key=lambda code: (code != MAIN_MEASURE, code))
    ordered = results.select_related("person", "unit").order_by("unit__name", "person__name")
    found = list(ordered if limit is None else ordered[:limit])
    lower = lower_is_better()
    rows = []
    for row in found:
        cells = []
        for measure in measures:
            value = row.attainment.get(measure)
            target = (row.targets or {}).get(measure)
            cells.append(
                {
                    "measure": measure,
                    "attainment": Decimal(value) if value else None,
                    "heat": heat_ratio(
                        (row.measures or {}).get(measure), target, value, measure in lower
                    ),
                    "no_target": target is None,
                }
            )
        rows.append({"row": row, "cells": cells})
    total = len(found) if limit is None or len(found) < limit else results.count()
    return {"measures": list(measures), "rows": rows, "total": total}


def main_target_and_actual(row: PeriodResult) -> tuple[Decimal | None, Decimal | None]:
    """The main measure's target and actual of a stored result (None where missing)."""
    target = (row.targets or {}).get(MAIN_MEASURE)
    actual = (row.measures or {}).get(MAIN_MEASURE)
    return (
        None if target is None else Decimal(str(target)),
        None if actual is None else Decimal(str(actual)),
    )


def behind_pace(user: Any, period: str, unit: Unit | None = None) -> list[PeriodResult]:
    """The team's people behind pace on the main measure (of ``unit`` only, when given),
    furthest behind first. Someone with no target, or a target of zero, is never behind
    (issue 12, bug 8)."""
    return behind_pace_first(user, period, unit)[0]


def behind_pace_first(
    user: Any, period: str, unit: Unit | None = None, limit: int | None = None
) -> tuple[list[PeriodResult], int]:
    """:func:`behind_pace`'s first ``limit`` rows, and how many there are in all."""
    results = _team_results(user, period, unit)
    behind = []
    for pk, pace, targets in results.order_by("main_attainment", "pk").values_list(
        "pk", "pace", "targets"
    ):
        target = (targets or {}).get(MAIN_MEASURE)
        if target is None or Decimal(str(target)) == 0:
            continue
        if ((pace or {}).get(MAIN_MEASURE) or {}).get("status") in ("behind", "at_risk", "missed"):
            behind.append(pk)
    shown = behind if limit is None else behind[:limit]
    by_pk = results.select_related("person", "unit").in_bulk(shown)
    return [by_pk[pk] for pk in shown], len(behind)


def funnel(
    user: Any, start: datetime.date, end: datetime.date, people: QuerySet[Person] | None = None
) -> dict[str, Any]:
    """Per person, the conversion from each open stage to the next (opportunities created
    in start…end), the team median per step, and each person's weakest step (短板).
    ``people``: the part of the team to take (:func:`team_people` of a unit)."""
    return funnel_of(team_people(user) if people is None else people, start, end)


def funnel_of(owners: Any, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """:func:`funnel` for the people ``owners`` (a queryset the caller has already cut
    to what the reader may see): the review packs and the behind-pace reasons use it."""
    stages = list(Stage.objects.filter(kind=StageKind.OPEN).order_by("position"))
    won = Stage.objects.filter(kind=StageKind.WON).order_by("position").first()
    ladder = stages + ([won] if won else [])
    if len(ladder) < 2:
        return {"steps": [], "medians": [], "people": []}
    position = {s.pk: s.position for s in ladder}
    opportunities = Opportunity.objects.filter(
        owner__in=owners, created_on__range=(start, end)
    ).select_related("stage", "owner")
    highest = dict(
        StageChange.objects.filter(opportunity__in=opportunities)
        .values("opportunity_id")
        .annotate(top=Max("to_stage__position"))
        .values_list("opportunity_id", "top")
    )
    reached: dict[Person, list[int]] = defaultdict(lambda: [0] * len(ladder))
    for opp in opportunities:
        top = max(position.get(opp.stage_id, 0), highest.get(opp.pk) or 0)
        if opp.stage.kind == StageKind.WON:
            top = ladder[-1].position
        for i, stage in enumerate(ladder):
            if stage.position <= top:
                reached[opp.owner][i] += 1
    steps = [f"{a.name} → {b.name}" for a, b in itertools.pairwise(ladder)]
    people: list[dict[str, Any]] = []
    for person, counts in reached.items():
        rates = [
            Decimal(counts[i + 1]) / counts[i] if counts[i] else None for i in range(len(steps))
        ]
        people.append({"person": person, "counts": counts, "rates": rates})
    medians: list[Decimal | None] = []
    for i in range(len(steps)):
        values = [p["rates"][i] for p in people if p["rates"][i] is not None]
        medians.append(statistics.median(values) if values else None)
    for p in people:
        gaps: list[tuple[Decimal, int]] = []
        for i, rate in enumerate(p["rates"]):
            median = medians[i]
            if rate is not None and median is not None:
                gaps.append((median - rate, i))
        worst = max(gaps, default=None)
        p["weak"] = worst[1] if worst and worst[0] > 0 else None
    people.sort(key=lambda p: p["person"].name)
    return {"steps": steps, "medians": medians, "people": people}


def ranks(values: list[Any]) -> list[int]:
    """Competition ranks of values in ranking order ("1, 1, 3"): equal values share a
    rank, and the next rank counts everyone above."""
    found: list[int] = []
    for index, value in enumerate(values):
        found.append(found[-1] if index and value == values[index - 1] else index + 1)
    return found


def ranked_board(rows: list[PeriodResult]) -> tuple[list[PeriodResult], list[PeriodResult]]:
    """A board's rows as the page and the API show them: those with a result, each with
    its competition rank (``rank``: people tied share it), then those at 0% (no result
    yet), unranked (``rank`` None). Nobody is ranked on no result."""
    ranked = [r for r in rows if r.main_attainment]
    unranked = [r for r in rows if not r.main_attainment]
    for row, rank in zip(ranked, ranks([r.main_attainment for r in ranked]), strict=True):
        row.rank = rank  # type: ignore[attr-defined]
    for row in unranked:
        row.rank = None  # type: ignore[attr-defined]
    return ranked, unranked


def own_board_unit(user: Any, period: str) -> int | None:
    """The unit whose board a rep sees for a period: theirs while they were employed in
    it; None for a period they did not work in (a leaver's later ones)."""
    me = PeriodResult.objects.filter(
        employed_in_period(), person=person_of(user), period=period
    ).first()
    return me.unit_id if me is not None else None


def leaderboard(user: Any, period: str, unit_id: int | None = None) -> list[PeriodResult]:
    rows = PeriodResult.objects.filter(
        employed_in_period(), period=period, main_attainment__isnull=False, role="rep"
    ).select_related("person", "unit")
    if unit_id:
        from attain.org.models import Unit
        from attain.org.selectors import unit_descendant_ids

        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is not None:
            rows = rows.filter(unit_id__in=unit_descendant_ids(unit))
    # Everyone may see the ranking of the people they can see; reps see their own
    # unit's board (names and attainment only, never payouts) of the periods they were
    # employed in (a leaver's login keeps a rep's role, not their former unit's boards).
    if ranks_own_unit(user):
        own = own_board_unit(user, period)
        if own is None:
            return []
        rows = rows.filter(unit_id=own)
    elif not ranks_everyone(user):
        rows = rows.filter(person__in=visible_people(user))
    # everyone (a unit of hundreds too): the page shows the first rows and the reader's
    # own, the API all of them
    rows = rows.only(
        "person__code", "person__name", "unit__code", "unit__name", "main_attainment", "period"
    )
    return list(rows.order_by("-main_attainment", "person__name", "person__code"))


def distribution(period: str) -> dict[str, Any]:
    rows = list(
        PeriodResult.objects.filter(
            employed_in_period(), period=period, role="rep", main_attainment__isnull=False
        )
        .select_related("unit")
        .only("main_attainment", "unit__name", "unit__code", "payout", "measures")
    )
    buckets = [
        (Decimal("0"), Decimal("0.5"), "< 50%"),
        (Decimal("0.5"), Decimal("0.8"), "50–80%"),
        (Decimal("0.8"), Decimal("1"), "80–100%"),
        (Decimal("1"), Decimal("1.2"), "100–120%"),
        (Decimal("1.2"), None, "≥ 120%"),
    ]
    counts: list[dict[str, Any]] = []
    for low, high, label in buckets:
        n = sum(
            1
            for r in rows
            if r.main_attainment is not None
            and (r.main_attainment >= low or low == 0)
            and (high is None or r.main_attainment < high)
        )
        counts.append({"label": label, "count": n})
    total = len(rows)
    at_or_above = sum(1 for r in rows if r.main_attainment is not None and r.main_attainment >= 1)
    labels = unit_labels({(r.unit.pk, r.unit.name, r.unit.code) for r in rows if r.unit})
    units: dict[str, list[PeriodResult]] = defaultdict(list)
    for r in rows:
        units[labels[r.unit.pk] if r.unit else "—"].append(r)
    by_unit = [
        {
            "unit": name,
            "people": len(members),
            "share": Decimal(sum(1 for m in members if (m.main_attainment or Decimal(0)) >= 1))
            / len(members),
        }
        for name, members in sorted(units.items())
    ]
    payout, revenue = pay_and_revenue(period)
    return {
        "buckets": counts,
        "max": max([c["count"] for c in counts] or [1]) or 1,
        "total": total,
        "share": Decimal(at_or_above) / total if total else None,
        "by_unit": by_unit,
        "payout": payout,
        "revenue": revenue,
        "cost_of_sales": payout / revenue if revenue and payout is not None else None,
    }


def over_time(year: int) -> list[dict[str, Any]]:
    """The share of reps at or above 100% of their main target, month by month of the
    fiscal ``year``, up to this month (a month not begun has no result yet)."""
    months = year_month_ids(year)
    counted = {
        period: (people, met)
        for period, people, met in PeriodResult.objects.filter(
            employed_in_period(), period__in=months, role="rep", main_attainment__isnull=False
        )
        .values("period")
        .annotate(people=Count("pk"), met=Count("pk", filter=Q(main_attainment__gte=1)))
        .values_list("period", "people", "met")
    }
    series = []
    today = timezone.localdate()
    for month in months:
        people, met = counted.get(month, (0, 0))
        bounds = period_bounds(month)
        if bounds is not None and bounds[0] > today:
            break  # a month not begun: its stored 0% is no result yet (it read 0.0%)
        if people:
            series.append({"period": month, "share": Decimal(met) / people, "people": people})
    return series


def cost_over_quarters(period: str, count: int) -> list[dict[str, Any]]:
    """Cost of sales of the ``count`` quarters up to the one ``period`` falls in (or
    ends in), oldest first, leaving out quarters without results."""
    bounds = period_bounds(period)
    if bounds is None:
        return []
    # the fiscal quarter of the period's last day (with an April start, 2027-02 is in
    # 2026-Q4)
    last = periods_of_day(bounds[1])[2]
    year, quarter = int(last[:4]), int(last[-1])
    labels = []
    for _ in range(count):
        labels.append(f"{year:04d}-Q{quarter}")
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    found = []
    for label in reversed(labels):
        cost = cost_of_sales(label)
        if cost is not None:
            found.append({"period": label, "cost_of_sales": cost})
    return found


def cost_of_sales(period: str) -> Decimal | None:
    """Payouts ÷ revenue of the period (None without revenue or pay period), as plan effectiveness
    counts them (:func:`pay_and_revenue`)."""
    payout, revenue = pay_and_revenue(period)
    return payout / revenue if revenue and payout is not None else None


def pay_and_revenue(period: str) -> tuple[Decimal | None, Decimal]:
    """Everyone's pay of the periods lying in ``period`` (a year's: its quarters') and
    everyone's own revenue in it, to the cent: the cost of sales of docs/effectiveness.md.
    The pay is None when no pay period lies within ``period`` (a month of plans paying
    by quarter): nothing to count, not nothing paid."""
    bounds = period_bounds(period)
    if bounds is None:
        return None, Decimal(0)
    paid = periods_within(bounds)
    payout = (
        PeriodResult.objects.filter(period__in=paid).aggregate(total=ExactSum("payout"))["total"]
        or Decimal(0)
        if paid
        else None
    )
    revenue = sum(
        (
            Decimal(str((measures or {}).get(MAIN_MEASURE) or 0))
            for measures in PeriodResult.objects.filter(period=period).values_list(
                "measures", flat=True
            )
        ),
        Decimal(0),
    )
    return payout, revenue.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def pace_over_year(person: Any, year: int, measure: str = MAIN_MEASURE) -> list[dict[str, Any]]:
    """Month by month of fiscal ``year``: the person's ``measure`` and its target, and
    both added up from the year's start (None where a month has no result yet).

    The target to date adds up the months' exact targets and is rounded once, as a
    stored target is: a year of 40,000 spread over twelve months is 10,000/3 a month,
    stored as 3,333.33, and reads 40,000.00 in December, not 39,999.96
    (:func:`_exact_month_targets`). A month whose stored target is not its exact one
    rounded (the targets changed since the results were calculated) counts as stored, so
    the line adds up the months the table shows."""
    months = year_month_ids(year)
    found = {
        r.period: r
        for r in PeriodResult.objects.filter(person=person, period__in=months).only(
            "period", "measures", "targets"
        )
    }
    exact, rounded = _exact_month_targets(person, year, measure, months)
    rows: list[dict[str, Any]] = []
    actual_sum: Decimal | None = Decimal(0)
    target_sum: Fraction | None = Fraction(0)
    for month, exact_target in zip(months, exact, strict=True):
        row = found.get(month)
        actual = _decimal(row.measures.get(measure)) if row else None
        target = _decimal(row.targets.get(measure)) if row else None
        actual_sum = actual_sum + actual if actual_sum is not None and actual is not None else None
        if target_sum is not None and target is not None:
            agrees = exact_target is not None and rounded(exact_target) == target
            target_sum += exact_target if agrees and exact_target is not None else Fraction(target)
        else:
            target_sum = None
        rows.append(
            {
                "period": month,
                "actual": actual,
                "target": target,
                "actual_to_date": actual_sum,
                "target_to_date": None if target_sum is None else rounded(target_sum),
            }
        )
    return rows


def _exact_month_targets(
    person: Any, year: int, measure: str, months: list[str]
) -> tuple[list[Fraction | None], Callable[[Fraction], Decimal]]:
    """The exact target of ``person`` for ``measure`` in each of ``months`` (rule 5.1
    over the targets in force, :func:`attain.engine.exact_targets`), and how the engine
    rounds a stored target of the measure (money to the currency's places)."""
    start = fiscal_year_start()
    given = [
        TargetSpec(
            str(t["measure"]),
            str(t["who"]),
            period,
            Decimal(str(t["value"])),
            t.get("spread", "distribution") != "none",
            "",
        )
        for t in targets_for(year, [measure], who=[person.code])
        if (period := parse_period(str(t["period"]), start)) is not None
    ]
    periods = [p for p in (parse_period(m, start) for m in months) if p is not None]
    exact = exact_targets(given, measure, person.code, periods, fiscal_year_start=start)
    found = Measure.objects.filter(code=measure).first()
    money = found is not None and found.is_money
    places = minor_unit(company().currency)

    def rounded(value: Fraction) -> Decimal:
        with localcontext(ENGINE_CONTEXT):
            quotient = Decimal(value.numerator) / Decimal(value.denominator)
        return Decimal(number_text(quotient, money, places))

    return exact, rounded


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
