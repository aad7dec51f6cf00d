"""Load → compute: the inputs of a calculation run, read from the database.

The organisation and record tables come from the calculation adapter
(:mod:`attain.calc`: Polars frames + a scenario document), targets from target planning
(``published_targets``, when that app provides it) and from targets typed with the
plans, plans from the active plan versions. Pure reads: the writers are in
:mod:`attain.incentives.services`.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import polars as pl
from django.db.models import Q

from attain.calc.periods import year_bounds, year_periods
from attain.calc.run import Frames, Loaded
from attain.calc.run import loaded as calc_loaded
from attain.engine import Period, Result, StoredRow, calculate, calculate_rows, parse_date
from attain.measures.services import scenario_measures

from .models import PlanTarget, PlanVersion, VersionStatus

log = logging.getLogger(__name__)
MAIN_MEASURE = "revenue"


def engine_plan_ids(versions: Sequence[PlanVersion]) -> dict[int, str]:
    """The id each active version takes in the scenario: the latest version of a plan
    keeps the plan's id, older ones still in effect become ``id@vN``."""
    ids: dict[int, str] = {}
    seen: set[int] = set()
    for version in sorted(versions, key=lambda v: (v.plan_id, -v.number)):
        ids[version.pk] = (
            version.plan.code
            if version.plan_id not in seen
            else f"{version.plan.code}@v{version.number}"
        )
        seen.add(version.plan_id)
    return ids


def active_plans(start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    """The active plan versions in effect on some day of start…end, as scenario plans."""
    versions = list(
        PlanVersion.objects.filter(status=VersionStatus.ACTIVE)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=end))
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
        .select_related("plan")
    )
    ids = engine_plan_ids(versions)
    plans = []
    for version in versions:
        document = version.document()
        document["id"] = ids[version.pk]
        plans.append(document)
    return sorted(plans, key=lambda p: p["id"])


def within_year(
    plans: Sequence[Mapping[str, Any]], start: datetime.date, end: datetime.date
) -> list[dict[str, Any]]:
    """The plans with their effective days cut to the fiscal year start…end. Only the
    year's records are loaded: a plan running on past either end (January – December
    when the year starts in April, or one without an end date) would otherwise have the
    periods outside the year computed from none of their records, and a run would store
    them over their own year's results. Every payout period lies within one fiscal
    year, so the year's own periods are computed as before."""
    kept: list[dict[str, Any]] = []
    for plan in plans:
        effective = dict(plan.get("effective") or {})
        first = parse_date(effective.get("from"))
        last = parse_date(effective.get("to"))
        unreadable = (effective.get("from") is not None and first is None) or (
            effective.get("to") is not None and last is None
        )
        outside = (first is not None and first > end) or (last is not None and last < start)
        if unreadable or outside:  # the engine says what it finds
            kept.append(dict(plan))
            continue
        effective["from"] = (start if first is None else max(first, start)).isoformat()
        effective["to"] = (end if last is None else min(last, end)).isoformat()
        kept.append({**plan, "effective": effective})
    return kept


def targets_for(
    year: int, measures: Sequence[str], who: Collection[str] | None = None
) -> list[dict[str, Any]]:
    """Published targets (target planning), completed by the targets typed with plans;
    with ``who``, only those of these people and units."""
    published: list[dict[str, Any]] = []
    try:
        from attain.targets.selectors import published_targets
    except ImportError:  # target planning not installed: only targets typed with plans
        pass
    else:
        published = [dict(t) for t in published_targets(fiscal_year=year, who=who)]
    taken = {(t["measure"], t["who"], t["period"]) for t in published}
    # the fiscal year's own periods (with an April start, January–March are next
    # calendar year's months, and the calendar year's are the year before's)
    typed = PlanTarget.objects.filter(period__in=year_periods(year))
    if who is not None:
        typed = typed.filter(who__in=sorted(who))
    for target in typed:
        key = (target.measure, target.who, target.period)
        if key not in taken:
            published.append(target.as_scenario())
    return [t for t in published if t["measure"] in measures]


@contextmanager
def loaded_year(
    year: int,
    *,
    as_of: datetime.date,
    plans: list[dict[str, Any]] | None = None,
    extra_records: dict[str, list[dict[str, Any]]] | None = None,
    only_for: set[str] | None = None,
    report: Sequence[str] | None = None,
    fresh: bool = False,
) -> Iterator[Loaded]:
    """The scenario of a fiscal year. ``fresh``: read through Django's connection,
    which sees a commit just made."""
    start, end = year_bounds(year)
    measures = scenario_measures()

    chosen = within_year(active_plans(start, end) if plans is None else plans, start, end)

    def edit(frames: Frames, data: dict[str, Any]) -> None:
        if extra_records:
            _add_records(frames, data, extra_records)
        if only_for is not None:
            # only the targets of the people and units kept are read
            data["targets"] = targets_for(
                year, list(measures), who=restrict(frames, data, only_for)
            )

    def records_of(people: pl.DataFrame) -> set[str]:
        assert only_for is not None
        return whose_records(people, measures, chosen, only_for)

    with calc_loaded(
        start=start,
        end=end,
        measures=measures,
        targets=targets_for(year, list(measures)) if only_for is None else (),
        plans=chosen,
        as_of=as_of,
        report=year_periods(year) if report is None else sorted(report),
        fresh=fresh,
        edit=edit,
        records_of=None if only_for is None else records_of,
    ) as found:
        yield found


def _add_records(
    frames: Frames, data: dict[str, Any], extra: dict[str, list[dict[str, Any]]]
) -> None:
    """Append hypothetical records (the earnings estimator) to the record tables."""
    for table, rows in extra.items():
        spec = data["records"].get(table)
        if spec is None:
            continue
        frame = frames[spec["parquet"]]
        addition = pl.DataFrame(
            [{name: row.get(name) for name in frame.columns} for row in rows],
            schema=frame.schema,
        )
        frames[spec["parquet"]] = pl.concat([frame, addition])


def run_engine(
    loaded: Loaded,
    as_of: datetime.date,
    people: Collection[str] | None = None,
    periods: Collection[str] | None = None,
) -> Result:
    """Calculate the loaded year; with ``people``, only their rows (and no unit's),
    with ``periods`` only those periods'."""
    assert loaded.scenario is not None
    if people is None and periods is None:
        return calculate(loaded.scenario, as_of)
    return calculate(loaded.scenario, as_of, people=people, units=False, periods=periods)


def run_rows(
    loaded: Loaded, as_of: datetime.date, people: Collection[str] | None = None
) -> tuple[Result, dict[str, list[tuple[Period, StoredRow]]]]:
    """Calculate the loaded year on the engine's columns, as `attain scenario run`
    does: the result (periods, warnings, errors) and each person's rows to store;
    with ``people``, only theirs (and no unit's)."""
    assert loaded.scenario is not None
    return calculate_rows(
        loaded.scenario, as_of, main=MAIN_MEASURE, people=people, units=people is None
    )


_MANAGER_IN_HISTORY = re.compile(r'"manager":\s*"([^"]+)"')
_UNIT_IN_HISTORY = re.compile(r'"unit":\s*"([^"]+)"')
_ROLE_IN_HISTORY = re.compile(r'"role":\s*"([^"]+)"')


def _team_roles(plans: Sequence[Mapping[str, Any]]) -> tuple[set[str], bool]:
    """Roles covered by a plan with a team-scope component; True when such a plan
    selects people otherwise (then everyone with reports counts)."""
    roles: set[str] = set()
    anyone = False
    for plan in plans:
        team = any((c.get("scope") or "self") != "self" for c in plan.get("components") or ())
        if not team:
            continue
        applies = plan.get("applies_to") or {}
        named = applies.get("roles") or ([applies["role"]] if applies.get("role") else [])
        if named and set(applies) <= {"role", "roles"}:
            roles.update(str(r) for r in named)
        else:
            anyone = True
    return roles, anyone


def _managers(people: pl.DataFrame) -> dict[str, set[str]]:
    """Every manager each person has on some day of the scenario."""
    managers: dict[str, set[str]] = {}
    for pid, manager, history in people.select("id", "manager", "history").iter_rows():
        managers[pid] = ({manager} if manager else set()) | set(
            _MANAGER_IN_HISTORY.findall(history or "")
        )
    return managers


def whose_records(
    people: pl.DataFrame,
    measures: Mapping[str, Mapping[str, Any]],
    plans: Sequence[Mapping[str, Any]],
    chain: set[str],
) -> set[str]:
    """The people whose records the results of ``chain`` need: themselves and, where a
    team-scope plan (or a roll-up measure) covers them, everyone below them."""
    reports: dict[str, set[str]] = {}
    for pid, ups in _managers(people).items():
        for up in ups:
            reports.setdefault(up, set()).add(pid)
    roles: dict[str, set[str]] = {}
    for pid, role, history in people.select("id", "role", "history").iter_rows():
        roles[pid] = ({role} if role else set()) | set(_ROLE_IN_HISTORY.findall(history or ""))
    team_roles, anyone = _team_roles(plans)
    rollup = any(m.get("rollup") for m in measures.values())
    needed = set(chain)
    for pid in chain:
        if rollup or anyone or roles.get(pid, set()) & team_roles:
            todo = list(reports.get(pid, ()))
            while todo:
                below = todo.pop()
                if below not in needed:
                    needed.add(below)
                    todo.extend(reports.get(below, ()))
    return needed


def restrict(frames: Frames, data: dict[str, Any], chain: set[str]) -> set[str]:
    """Cut the scenario down to what the results of ``chain`` need: their own records,
    their teams' records where a team-scope plan (or a roll-up measure) covers them,
    and the people those records and reporting lines name. Results of everyone in
    ``chain`` are then exactly those of the whole scenario. Returns the people and units
    kept: targets of others are left out (those given already, and any read later)."""
    people = frames[data["people"]["parquet"]]
    managers = _managers(people)
    needed = whose_records(people, data["measures"], data.get("plans") or [], chain)
    pattern = "|".join(re.escape(f'"{pid}"') for pid in sorted(needed))
    named: set[str] = set()
    person_fields: dict[str, set[str]] = {}
    for spec in data["measures"].values():
        person_fields.setdefault(spec["from"], set()).add(spec.get("person") or "owner")
    for plan in data.get("plans") or []:
        for c in plan.get("components") or ():
            if c.get("kind") == "spiff":
                person_fields.setdefault(c["from"], set()).add(c.get("person") or "owner")
    for table, spec in data["records"].items():
        frame = frames[spec["parquet"]]
        fields = [f for f in person_fields.get(table, {"owner"}) if f in frame.columns]
        keep = pl.lit(False)
        for field in fields:
            keep = keep | pl.col(field).is_in(sorted(needed))
        if "credit" in frame.columns and pattern:
            keep = keep | pl.col("credit").fill_null("").str.contains(pattern)
        frame = frame.filter(keep)
        frames[spec["parquet"]] = frame
        for field in fields:
            named.update(v for v in frame[field].drop_nulls().unique().to_list())
        if "credit" in frame.columns:
            for text in frame["credit"].drop_nulls().to_list():
                named.update(re.findall(r'"([^"]+)"\s*:', text))
    keep_people = needed | named
    todo = list(keep_people)
    while todo:
        for up in managers.get(todo.pop(), ()):
            if up not in keep_people:
                keep_people.add(up)
                todo.append(up)
    people = people.filter(pl.col("id").is_in(sorted(keep_people)))
    frames[data["people"]["parquet"]] = people
    # Only the units these people sit in (on any day) and the units above them: the
    # engine computes every unit's measures, which an incremental update never stores.
    unit_frame = frames[data["units"]["parquet"]]
    parent = dict(unit_frame.select("id", "parent").iter_rows())
    units: set[str] = set()
    for unit, history in people.select("unit", "history").iter_rows():
        pending: list[str | None] = [unit, *_UNIT_IN_HISTORY.findall(history or "")]
        while pending:
            current = pending.pop()
            if current and current not in units:
                units.add(current)
                pending.append(parent.get(current))
    frames[data["units"]["parquet"]] = unit_frame.filter(pl.col("id").is_in(sorted(units)))
    data["targets"] = [
        t for t in data.get("targets") or [] if t["who"] in keep_people or t["who"] in units
    ]
    plans = []
    for plan in data.get("plans") or []:
        applies = plan.get("applies_to") or {}
        if "people" in applies:
            chosen = [p for p in applies["people"] if p in keep_people]
            if not chosen:
                continue
            plan = {**plan, "applies_to": {**applies, "people": chosen}}
        plans.append(plan)
    data["plans"] = plans
    return keep_people | units
