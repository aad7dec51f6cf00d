"""Writers of plans, results and honours: the only code that changes this app's rows.

- Plans: :func:`save_plan_version` validates a plan document with the engine's own
  loader (same messages as a scenario file) and stores it as a new draft version;
  :func:`activate_plan` puts a version in effect (earlier active versions end the day
  before it starts, or retire when it covers them); :func:`import_plans` reads YAML.
- Results: :func:`run_calculation` (a full fiscal year, run as a task with progress) and
  :func:`recalculate_people` (incremental, after a record changes) store one
  :class:`PeriodResult` per person and period with the explanation, and one
  :class:`ComponentResult` per component, in one transaction. Audit: one event per run
  or incremental batch, with counts (not one per row).
- :func:`award_honours` fills honours from stored results.
"""

from __future__ import annotations

import datetime
import itertools
import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as noop

from attain.audit.models import Action
from attain.audit.services import record_change, save_values, snapshot
from attain.calc.periods import (
    fiscal_year_of_day,
    fiscal_year_start,
    periods_of_day,
    year_month_ids,
)
from attain.calc.tables import empty_table
from attain.crm.records import RECORD_TABLES
from attain.engine import (
    Number,
    Period,
    Result,
    StoredRow,
    explain,
    explanation_document,
    no_cycle_collection,
    parse_period,
    period_document,
    scenario_from_data,
)
from attain.measures.services import scenario_measures
from attain.notify.services import announce
from attain.org.models import Assignment, Person, Unit
from attain.web import leases
from attain.web.inserts import JsonText, insert_rows
from attain.web.problems import problem_text

from . import calculation, explain_text, governance
from .access import can_edit_plans
from .documents import dump_yaml, parse_yaml, problem_key
from .events import results_stored
from .models import (
    CalculationRun,
    ComponentResult,
    Honour,
    HonourKind,
    PeriodResult,
    Plan,
    PlanTarget,
    PlanVersion,
    RunKind,
    RunPartition,
    RunStatus,
    VersionStatus,
    employed_in_period,
)

EXCELLENT_LABEL = "卓越"


def _require_editor(actor: Any) -> None:
    if not can_edit_plans(actor):
        raise PermissionDenied(_("Only administrators and sales operations change plans."))


# Plans ------------------------------------------------------------------------------


def _spiff_tables(plans: list[dict[str, Any]]) -> dict[str, pl.DataFrame]:
    """The record tables the plans' spiffs read, each as one record of nulls with the
    table's fields as a calculation reads them: the engine then checks the fields a
    spiff names (on an empty table a misspelt one passed, and failed every run)."""
    names = {
        str(component.get("from"))
        for plan in plans
        if isinstance(plan, dict) and isinstance(plan.get("components"), list)
        for component in plan["components"]
        if isinstance(component, dict)
        and component.get("kind") == "spiff"
        and component.get("from") in RECORD_TABLES
    }
    return {name: empty_table(name)[0].clear(1) for name in sorted(names)}


def _validation_scenario(
    plans: list[dict[str, Any]], tables: Mapping[str, pl.DataFrame] | None = None
) -> dict[str, Any]:
    units = [
        {
            "id": u.code,
            "name": u.name,
            **({"parent": p} if (p := u.parent and u.parent.code) else {}),
        }
        for u in Unit.objects.select_related("parent")
    ]
    if not units:
        units = [{"id": "_", "name": "_"}]
    today = timezone.localdate()
    unit_of = dict(Assignment.objects.on(today).values_list("person__code", "unit__code"))
    fallback = units[0]["id"]
    people = [
        {"id": code, "name": code, "unit": unit_of.get(code, fallback)}
        for code in Person.objects.values_list("code", flat=True)
    ]
    return {
        "version": 1,
        "units": units,
        "people": people,
        "records": {
            table: {"parquet": f"{table}.parquet"} if table in (tables or {}) else []
            for table in RECORD_TABLES
        },
        "measures": scenario_measures(),
        "plans": plans,
    }


_PLAN_ID = re.compile(r"[-a-zA-Z0-9_]{1,64}")
# addresses under /performance/plans/ that are pages, not plans (attain/incentives/urls.py)
RESERVED_PLAN_IDS = frozenset({"new", "import"})
# the columns a plan's texts are stored in (Plan.name, ComponentResult.component and .level)
NAME_LENGTH = Plan._meta.get_field("name").max_length or 200
COMPONENT_ID_LENGTH = ComponentResult._meta.get_field("component").max_length or 64
LABEL_LENGTH = ComponentResult._meta.get_field("level").max_length or 64


def plan_problems(document: dict[str, Any]) -> list[tuple[str, str]]:
    """The engine's problems with one plan document: ``[(path, message)]``, paths from
    the plan (``components[1].tiers.table``)."""
    if not isinstance(document, dict):
        return [("", _("A plan must be a mapping."))]
    tables = _spiff_tables([document])
    _scenario, problems = scenario_from_data(
        _validation_scenario([document], tables),
        Path("."),
        frames={f"{name}.parquet": frame for name, frame in tables.items()} or None,
    )
    found = []
    for problem in problems:
        if problem.path.startswith("plans[0]"):
            path = problem.path[len("plans[0]") :].lstrip(".")
            found.append((path, problem_text(problem.message)))
        elif problem.path == "plans":
            found.append(("", problem_text(problem.message)))
    found.extend(_spiff_people(document, tables))
    found.extend(_amounts_too_large(document))
    found.extend(_too_long(document))
    found.extend(_nobody(document))
    plan_id = str(document.get("id") or "").strip()
    if not plan_id:
        found.append(("id", _("A plan needs an id.")))
    elif not _PLAN_ID.fullmatch(str(document.get("id"))):
        # the id is the plan's address (/performance/plans/<id>/) and its stored key: a
        # Chinese or spaced id was stored and then broke the plans page for everyone
        found.append(
            (
                "id",
                _(
                    "“%(id)s” cannot be a plan id: use at most 64 Latin letters, digits, "
                    "“-” and “_” (e.g. rep-2026); the plan's name may be in any language."
                )
                % {"id": plan_id},
            )
        )
    elif plan_id.lower() in RESERVED_PLAN_IDS:
        # /performance/plans/new/ is the page for a new plan: a plan with that id could
        # never be opened
        found.append(
            ("id", _("“%(id)s” cannot be a plan id: the plans pages use it.") % {"id": plan_id})
        )
    return found


def _spiff_people(
    document: dict[str, Any], tables: Mapping[str, pl.DataFrame]
) -> list[tuple[str, str]]:
    """A spiff's person field that its table has not (the engine reports it on the
    records, which the check's record of nulls is not)."""
    found = []
    for index, component in enumerate(document.get("components") or []):
        if not isinstance(component, dict) or component.get("kind") != "spiff":
            continue
        table = tables.get(str(component.get("from")))
        person = component.get("person")
        if table is not None and isinstance(person, str) and person not in table.columns:
            found.append((f"components[{index}].person", problem_text(f"unknown field {person!r}")))
    return found


def _nobody(document: dict[str, Any]) -> list[tuple[str, str]]:
    """An emptied condition of ``applies_to`` (the designer's field left blank): a plan
    for nobody. Refused here, not by the engine, so that a stored plan of that kind does
    not fail every calculation."""
    applies = document.get("applies_to")
    if not isinstance(applies, dict):
        return []
    found = []
    for key, value in applies.items():
        if isinstance(value, list):
            if not value:
                found.append((f"applies_to.{key}", _("Fill this in, or remove the condition.")))
            found.extend(
                (f"applies_to.{key}[{k}]", _("Fill this in, or remove the condition."))
                for k, item in enumerate(value)
                if isinstance(item, str) and not item.strip()
            )
        elif isinstance(value, str) and not value.strip():
            found.append((f"applies_to.{key}", _("Fill this in, or remove the condition.")))
    return found


def _too_long(document: dict[str, Any]) -> list[tuple[str, str]]:
    """Texts longer than the columns that store them (the plan's name, a component's id,
    a level's label): SQLite keeps them, PostgreSQL refuses the save or the run."""
    places: list[tuple[str, Any, int]] = [("name", document.get("name"), NAME_LENGTH)]
    for index, component in enumerate(document.get("components") or []):
        if not isinstance(component, dict):
            continue
        places.append((f"components[{index}].id", component.get("id"), COMPONENT_ID_LENGTH))
        for k, level in enumerate(component.get("levels") or []):
            if isinstance(level, dict):
                places.append(
                    (f"components[{index}].levels[{k}].label", level.get("label"), LABEL_LENGTH)
                )
    return [
        (path, _("At most %(limit)s characters.") % {"limit": limit})
        for path, value, limit in places
        if isinstance(value, str) and len(value) > limit
    ]


def _amounts_too_large(document: dict[str, Any]) -> list[tuple[str, str]]:
    """Fixed amounts a stored payout could never hold (a bonus, a level's or a spiff's
    amount, a floor): saved, they failed every later calculation of their year."""
    found = []
    for index, component in enumerate(document.get("components") or []):
        if not isinstance(component, dict):
            continue
        places = [("floor", component.get("floor")), ("amount", component.get("amount"))]
        for k, level in enumerate(component.get("levels") or []):
            if isinstance(level, dict):
                places.append((f"levels[{k}].amount", level.get("amount")))
        for place, value in places:
            number = _constant(value)
            if number is not None and abs(number) >= PAYOUT_LIMIT:
                found.append(
                    (
                        f"components[{index}].{place}",
                        problem_text(
                            f"{explain_text.number(number)} is more than a payout can hold "
                            "(16 digits before the point)"
                        ),
                    )
                )
    return found


def _constant(value: Any) -> Decimal | None:
    """A cap's or floor's number when it is one (an expression's value is not known)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


# An attainment from this on (1,000 % of the target) was surely typed in percent.
PERCENT_TYPED = Decimal(10)


def _percent_as_attainment(component: dict[str, Any]) -> Decimal | None:
    """The largest attainment of a component's tiers (basis attainment), levels or gate
    when it is at least :data:`PERCENT_TYPED`, else None."""
    found: list[Decimal | None] = []
    tiers = component.get("tiers")
    if isinstance(tiers, dict) and tiers.get("basis") == "attainment":
        found += [
            _constant((t or {}).get("from"))
            for t in tiers.get("table") or []
            if isinstance(t, dict)
        ]
    levels = component.get("levels")
    if isinstance(levels, list):
        found += [
            _constant(level.get("min_attainment")) for level in levels if isinstance(level, dict)
        ]
    gate = component.get("gate")
    if isinstance(gate, dict):
        found.append(_constant(gate.get("min_attainment")))
    largest = max((n for n in found if n is not None), default=None)
    return largest if largest is not None and largest >= PERCENT_TYPED else None


def plan_warnings(document: Any) -> list[str]:
    """What the designer warns about in a valid plan (issue 12 bug 11), per scorecard
    metric: a measure with neither a fixed target nor any target (published by target
    planning or typed with the plans), whose ratio is then always 0; and a measure that
    is an average, minimum or maximum, where a person with no record in the period (no
    survey, say) has no value and scores 0 on it rather than being left out; a metric
    whose direction is not its measure's (complaints as higher is better) and a
    higher-is-better metric with a fixed target of 0 (it always scores 0); per
    component, a cap below its floor, and an attainment (tiers, levels, gate) typed in
    percent (80 for 0.8)."""
    from attain.measures.models import Aggregation, Measure
    from attain.measures.services import measure_names
    from attain.targets.models import IN_FORCE, TargetCell

    if not isinstance(document, dict):
        return []
    aggregations = dict(Measure.objects.values_list("code", "agg"))
    lower = set(Measure.objects.filter(higher_is_better=False).values_list("code", flat=True))
    names = measure_names()
    warnings: list[str] = []
    for component in document.get("components") or []:
        if not isinstance(component, dict):
            continue
        cap, floor = _constant(component.get("cap")), _constant(component.get("floor"))
        if cap is not None and floor is not None and cap < floor:
            # cap, then floor (spec 7.1): the component always pays the floor
            warnings.append(
                _(
                    "%(component)s: its cap %(cap)s is below its floor %(floor)s, so it "
                    "always pays the floor."
                )
                % {
                    "component": component.get("id") or "—",
                    "cap": explain_text.number(cap),
                    "floor": explain_text.number(floor),
                }
            )
        percent = _percent_as_attainment(component)
        if percent is not None:
            # attainment is a fraction: a table typed in percent pays as if no one reached it
            warnings.append(
                _(
                    "%(component)s: attainment %(value)s means %(percent)s%% of the target; "
                    "attainment is written as a fraction (0.8 for 80%%)."
                )
                % {
                    "component": component.get("id") or "—",
                    "value": explain_text.number(percent),
                    "percent": explain_text.number(percent * 100),
                }
            )
        if component.get("kind") != "scorecard":
            continue
        for metric in component.get("metrics") or []:
            code = str((metric or {}).get("measure") or "")
            if not code:
                continue
            what = {"component": component.get("id") or "—", "measure": names.get(code, code)}
            has_target = metric.get("target") not in (None, "")
            if not has_target:
                has_target = (
                    PlanTarget.objects.filter(measure=code).exists()
                    or TargetCell.objects.filter(measure=code, plan__status__in=IN_FORCE).exists()
                )
            if not has_target:
                warnings.append(
                    _(
                        "%(component)s: %(measure)s has no target (none fixed in the metric, "
                        "none published or typed with the plans), so its ratio is always 0 "
                        "and its weight only lowers the score."
                    )
                    % what
                )
            direction = "lower" if metric.get("direction") == "lower" else "higher"
            if (direction == "lower") != (code in lower):
                # the metric's direction defaults to higher: complaints left at it reward
                # more complaints
                warnings.append(
                    _(
                        "%(component)s: the metric takes %(measure)s as %(direction)s, but "
                        "the measure is defined as %(defined)s."
                    )
                    % {
                        **what,
                        "direction": explain_text.DIRECTIONS[direction],
                        "defined": explain_text.DIRECTIONS["lower" if code in lower else "higher"],
                    }
                )
            if direction == "higher" and _constant(metric.get("target")) == 0:
                # actual ÷ 0 has no ratio: the metric scores 0 (spec 7.3)
                warnings.append(
                    _(
                        "%(component)s: %(measure)s has a fixed target of 0, so its ratio "
                        "(actual ÷ target) is always 0 and its weight only lowers the score."
                    )
                    % what
                )
            if aggregations.get(code) in (Aggregation.AVG, Aggregation.MIN, Aggregation.MAX):
                warnings.append(
                    _(
                        "%(component)s: a person with no %(measure)s in the period (no "
                        "record) scores 0 on it: a missing value counts as zero."
                    )
                    % what
                )
    return warnings


def problems_by_field(problems: list[tuple[str, str]]) -> dict[str, Any]:
    """Problems keyed for the designer: ``plan`` → field → messages, ``components`` →
    index → field → messages."""
    grouped: dict[str, Any] = {"plan": {}, "components": {}}
    for path, message in problems:
        index, key = problem_key("plans[0]." + path if path else "plans[0]")
        text = f"{path}: {message}" if path else message
        if index is None:
            grouped["plan"].setdefault(key, []).append(text)
        else:
            grouped["components"].setdefault(index, {}).setdefault(key, []).append(text)
    return grouped


def _effective(document: dict[str, Any]) -> tuple[datetime.date | None, datetime.date | None]:
    effective = document.get("effective") or {}

    def day(value: Any) -> datetime.date | None:
        try:
            return datetime.date.fromisoformat(str(value)) if value else None
        except ValueError:
            return None

    return day(effective.get("from")), day(effective.get("to"))


def _plain_document(document: dict[str, Any]) -> Any:
    """``document`` as its stored text reads back (dates and numbers as the YAML reader
    gives them), to compare with a stored version."""
    data, _problems = parse_yaml(dump_yaml(document))
    return data


def save_plan_version(
    actor: Any, document: dict[str, Any], *, note: str = "", based_on: int | None = None
) -> PlanVersion:
    """Store ``document`` (a scenario plan) as a new draft version of its plan.
    ``based_on``: the latest version number the editor's page showed (0: none); when a
    newer version was saved since, the save is refused (``ValidationError`` with code
    ``"stale"``) rather than silently undoing it."""
    _require_editor(actor)
    problems = plan_problems(document)
    if problems:
        raise ValidationError(
            [f"{path}: {message}" if path else message for path, message in problems]
        )
    source = dump_yaml(document)
    start, end = _effective(document)
    with transaction.atomic():
        plan, created = Plan.objects.get_or_create(
            code=document["id"], defaults={"name": document.get("name") or document["id"]}
        )
        # one save of a plan at a time: two saved at the same moment (a double click, two
        # editors) both numbered their version after the same latest one
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if not created and plan.active() is None:
            # a plan in force keeps its name (shown on every page, statement and result)
            # until a version renaming it is activated
            _rename(actor, plan, document.get("name") or plan.code)
        latest = plan.latest()
        if (
            latest is not None
            and (latest.source == source or latest.document() == _plain_document(document))
            and latest.status != VersionStatus.RETIRED
        ):
            # nothing changed (an imported plan's keys in another order are the same
            # plan): no new version, which would need approving again
            return latest
        if based_on is not None and latest is not None and latest.number > based_on:
            raise ValidationError(
                _(
                    "Version %(number)s of this plan was saved by %(who)s at %(when)s, "
                    "after you opened this page: your changes are not saved. Compare them "
                    "with it, then save again to make this page the next version."
                )
                % {
                    "number": latest.number,
                    "who": latest.created_by.get_username() if latest.created_by else "—",
                    "when": date_format(
                        timezone.localtime(latest.created_at), "SHORT_DATETIME_FORMAT"
                    ),
                },
                code="stale",
            )
        version = PlanVersion.objects.create(
            plan=plan,
            number=(latest.number + 1) if latest else 1,
            source=source,
            effective_from=start,
            effective_to=end,
            note=note,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record_change(actor, Action.CREATE, version, after=snapshot(version), reason=note)
    return version


def activate_plan(actor: Any, version: PlanVersion, *, reason: str = "") -> PlanVersion:
    """Put an approved ``version`` in effect (:mod:`.governance`: the system itself
    records the approval on the way). An earlier active version of the same plan that
    starts before it ends the day before it starts; one that starts inside it and runs on
    after it starts the day after it ends; one it covers entirely is retired."""
    _require_editor(actor)
    if actor is None and version.status == VersionStatus.ACTIVE:
        return version  # the system loading the same plan again (the demo, an import)
    with transaction.atomic():
        governance.require_approved(actor, version)
        others = PlanVersion.objects.filter(plan=version.plan, status=VersionStatus.ACTIVE).exclude(
            pk=version.pk
        )
        for other in others:
            if not _overlap(version, other):  # days of its own: it stays as it is
                continue
            before = snapshot(other)
            starts_before = version.effective_from is not None and (
                other.effective_from is None or other.effective_from < version.effective_from
            )
            if starts_before:
                assert version.effective_from is not None
                new_end = version.effective_from - datetime.timedelta(days=1)
                if other.effective_to is None or other.effective_to > new_end:
                    document = other.document()
                    document.setdefault("effective", {})["to"] = new_end.isoformat()
                    other.source = dump_yaml(document)
                    other.effective_to = new_end
            elif version.effective_to is not None and (
                other.effective_to is None or other.effective_to > version.effective_to
            ):
                # it starts inside the new version and runs on after it: it keeps the
                # days after (retiring it left them without a plan)
                new_start = version.effective_to + datetime.timedelta(days=1)
                document = other.document()
                document.setdefault("effective", {})["from"] = new_start.isoformat()
                other.source = dump_yaml(document)
                other.effective_from = new_start
            else:
                other.status = VersionStatus.RETIRED
            other.save()
            record_change(actor, Action.UPDATE, other, before=before, after=snapshot(other))
        _rename(actor, version.plan, version.document().get("name") or version.plan.code)
        before = snapshot(version)
        version.status = VersionStatus.ACTIVE
        version.activated_at = timezone.now()
        version.save()
        record_change(
            actor, Action.UPDATE, version, before=before, after=snapshot(version), reason=reason
        )
    return version


def _rename(actor: Any, plan: Plan, name: str) -> None:
    """The plan's name, audited when it changes."""
    if plan.name == name:
        return
    save_values(actor, plan, {"name": name})


def _overlap(one: PlanVersion, other: PlanVersion) -> bool:
    """Whether two versions' effective days (open-ended where None) share a day."""
    return (
        one.effective_to is None
        or other.effective_from is None
        or other.effective_from <= one.effective_to
    ) and (
        other.effective_to is None
        or one.effective_from is None
        or one.effective_from <= other.effective_to
    )


def import_plans(actor: Any, text: str, *, activate: bool = False) -> list[PlanVersion]:
    """YAML: one plan mapping, a list of plans, or a mapping with ``plans`` (and optional
    ``targets``, stored as targets typed with the plans). ``activate``: the system itself
    (``actor`` None) puts the versions in effect; a person submits them for approval."""
    _require_editor(actor)
    data, problems = parse_yaml(text)
    if problems:
        # a syntax error's path is where it is ("line 5, column 15"): in the reader's words
        raise ValidationError(
            [
                # Translators: a form error: the field's name, then what is wrong with it
                _("%(field)s: %(problem)s")
                % {"field": problem_text(p.path), "problem": problem_text(p.message)}
                for p in problems
            ]
        )
    targets: Any = []
    if isinstance(data, dict) and "plans" in data:
        plans = data.get("plans") or []
        targets = data.get("targets") or []
    elif isinstance(data, list):
        plans = data
    else:
        plans = [data]
    errors: list[str] = []
    if not isinstance(plans, list):
        errors.append(f"plans: {_('A list of plans is needed here.')}")
        plans = []
    for index, plan in enumerate(plans):
        for path, message in plan_problems(plan):
            errors.append(f"plans[{index}]{'.' + path if path else ''}: {message}")
    if not isinstance(targets, list):
        errors.append(f"targets: {_('A list of targets is needed here.')}")
        targets = []
    errors.extend(f"{path}: {message}" for path, message in target_problems(targets))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        versions = [save_plan_version(actor, plan, note=_("Imported from YAML")) for plan in plans]
        if activate:
            for version in versions:
                if actor is None:
                    activate_plan(actor, version)
                elif version.status in (VersionStatus.DRAFT, VersionStatus.RETIRED):
                    governance.submit_plan_version(actor, version)
        for target in targets:
            save_plan_target(actor, target)
    return versions


def target_problems(targets: list[Any]) -> list[tuple[str, str]]:
    """The engine's problems with targets typed with the plans (``targets[2].who``: an
    unknown person, measure or period, a value that is no number, a duplicate), read
    against the organisation and the measures as a calculation reads them, so that one
    bad row cannot fail every later calculation of its year."""
    if not targets:
        return []
    scenario = _validation_scenario([]) | {"targets": targets}
    _scenario, problems = scenario_from_data(scenario, Path("."))
    found = [
        (problem.path, problem_text(problem.message))
        for problem in problems
        if problem.path.startswith("targets")
    ]
    for index, target in enumerate(targets):
        if not isinstance(target, dict) or found:
            continue
        try:
            value = Decimal(str(target.get("value")))
            if not value.is_finite() or abs(value) >= _TARGET_LIMIT:
                raise ArithmeticError
        except ArithmeticError:
            found.append(
                (
                    f"targets[{index}].value",
                    _("A target must be a number below %(limit)s.") % {"limit": "10¹⁶"},
                )
            )
    return found


_TARGET_LIMIT = Decimal(10) ** 16  # PlanTarget.value: 20 digits, 4 of them decimals


def save_plan_target(actor: Any, target: Mapping[str, Any]) -> PlanTarget:
    _require_editor(actor)
    try:
        value = Decimal(str(target["value"]))
        measure, who, period = str(target["measure"]), str(target["who"]), str(target["period"])
    except (KeyError, TypeError, ArithmeticError) as error:
        raise ValidationError(_("A target needs measure, who, period and value.")) from error
    if parse_period(period) is None:
        raise ValidationError(_("Unknown period “%(period)s”.") % {"period": period})
    spread = "none" if target.get("spread") == "none" else ""
    with transaction.atomic():
        before = PlanTarget.objects.filter(measure=measure, who=who, period=period).first()
        was = snapshot(before) if before is not None else None
        row, created = PlanTarget.objects.update_or_create(
            measure=measure, who=who, period=period, defaults={"value": value, "spread": spread}
        )
        record_change(
            actor, Action.CREATE if created else Action.UPDATE, row, before=was, after=snapshot(row)
        )
    return row


# Results ----------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    """How ``json.dumps`` writes what :func:`_plain` would make text."""
    if isinstance(value, Number):
        return value.text
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _plain(value: Any) -> Any:
    """The value with its numbers as text, as :func:`_json_default` writes them."""
    if isinstance(value, Number | Decimal):
        return _json_default(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _json_text(value: Any) -> JsonText:
    """A stored result's JSON column as text: what ``json.dumps(_plain(value))`` gives,
    written in one pass."""
    return JsonText(_ENCODER.encode(value))


# json.dumps's defaults (ASCII, ", " and ": "), made once rather than per value
_ENCODER = json.JSONEncoder(default=_json_default)


PROGRESS_STEPS = 20  # how many times explaining the results moves the progress bar


def _progress(run: CalculationRun | None, percent: int, stage: str) -> None:
    if run is None or run.kind == RunKind.INCREMENTAL:  # full runs and what-ifs show it
        return
    run.progress = percent
    run.stage = stage
    run.heartbeat_at = timezone.now()
    # Progress is written outside the run's transaction so the page sees it move; it is
    # also the run's heartbeat (attain.web.leases).
    CalculationRun.objects.filter(pk=run.pk).update(
        progress=percent, stage=stage, heartbeat_at=run.heartbeat_at
    )


@dataclass
class ResultRows:
    """A result's rows to store: field values of :class:`PeriodResult` and
    :class:`ComponentResult` (without ``run``), the people they belong to (pks), the
    periods replaced, and the payout per plan (``totals``: name, payout, people codes)."""

    person_pks: list[int]
    period_ids: list[str]
    periods: list[dict[str, Any]]
    components: list[dict[str, Any]]
    totals: dict[str, dict[str, Any]]


Rows = dict[str, list[tuple[Period, StoredRow]]]  # each person's rows, in period order


def python_rows(result: Result, people: Iterable[str] | None = None) -> Rows:
    """The rows of a result calculated in Python (:func:`attain.engine.calculate`), as
    :func:`attain.engine.calculate_rows` gives them."""
    scenario = result.scenario
    found: Rows = {}
    period_of = {p.id: p for p in result.periods}
    wanted = None if people is None else set(people)
    for code in result.people:
        if wanted is not None and code not in wanted:
            continue
        found[code] = [
            (
                period_of[period_id],
                StoredRow(
                    period_document(row, scenario, True),
                    row.attainment.get(calculation.MAIN_MEASURE),
                    {
                        (plan_id, cid): c.score
                        for plan_id, plan in row.plans.items()
                        for cid, c in plan.components.items()
                        if c.kind == "scorecard"
                    },
                ),
            )
            for period_id, row in result.people[code].items()
            if period_id in period_of
        ]
    return found


def result_rows(
    result: Result,
    *,
    people: Iterable[str] | None = None,
    periods: set[str] | None = None,
    run: CalculationRun | None = None,
    explained: bool = True,
    rows: Rows | None = None,
) -> ResultRows:
    """The rows that store ``result`` for ``people`` (codes; all when None) and
    ``periods`` (all reported when None); ``run`` shows the progress. ``rows``: the
    result's rows as :func:`attain.engine.calculate_rows` gave them (else the
    result's own, calculated in Python)."""
    scenario = result.scenario
    org = result.calculation.org
    if rows is None:
        rows = python_rows(result, people)
    codes = sorted(set(rows) if people is None else set(people) & set(rows))
    pk_of = dict(Person.objects.filter(code__in=codes).values_list("code", "pk"))
    unit_pk = dict(Unit.objects.values_list("code", "pk"))
    period_ids = [p.id for p in result.periods if periods is None or p.id in periods]
    chosen = set(period_ids)
    plan_of = {plan.id: plan for plan in scenario.plans}
    kind_of = {(p.id, c.id): c.kind for p in scenario.plans for c in p.components}
    stored: list[dict[str, Any]] = []
    components: list[dict[str, Any]] = []
    plan_totals: dict[str, dict[str, Any]] = {}
    total = max(1, len(codes))
    step = max(1, -(-total // PROGRESS_STEPS))  # at most PROGRESS_STEPS moves, on any size
    for n, code in enumerate(codes):
        if code not in pk_of:
            continue
        if run is not None and n % step == 0:
            stage = noop("Explaining results") if explained else noop("Storing results")
            _progress(run, 40 + int(50 * n / total), stage)
        for period, row in rows[code]:
            if period.id not in chosen:
                continue
            document = row.document
            segment = org.on(code, min(period.end, result.as_of or period.end))
            stored.append(
                {
                    "person_id": pk_of[code],
                    "period": period.id,
                    "period_kind": str(period.kind),
                    "start": period.start,
                    "end": period.end,
                    "unit_id": unit_pk.get(segment.unit),
                    "role": segment.role or "",
                    "measures": _json_text(document["measures"]),
                    "targets": _json_text(document["targets"]),
                    "attainment": _json_text(document["attainment"]),
                    "pace": _json_text(document["pace"]),
                    "plans": _json_text(document.get("plans", {})),
                    "payout": Decimal(_plain(document.get("payout")) or "0"),
                    "main_attainment": row.attainment,
                    "explanation": _explanation_text(result, code, period) if explained else "",
                }
            )
            for plan_id, entry in document.get("plans", {}).items():
                plan_total = plan_totals.setdefault(
                    plan_id, {"name": plan_of[plan_id].name, "payout": Decimal(0), "people": set()}
                )
                payout = Decimal(entry["payout"])
                plan_total["payout"] += payout
                if payout:
                    plan_total["people"].add(code)
                levels = entry.get("levels") or {}
                for component_id, amount in entry["components"].items():
                    components.append(
                        {
                            "person_id": pk_of[code],
                            "period": period.id,
                            "plan": plan_id,
                            "component": component_id,
                            "kind": kind_of[(plan_id, component_id)],
                            "amount": Decimal(amount),
                            "level": levels.get(component_id) or "",
                            "score": row.scores.get((plan_id, component_id)),
                        }
                    )
    person_pks = [pk_of[c] for c in codes if c in pk_of]
    return ResultRows(person_pks, period_ids, stored, components, plan_totals)


# A stored payout (``MONEY``: 18 digits, 2 of them cents) is below this.
PAYOUT_LIMIT = Decimal(10) ** 16


def payout_problems(result: Result, rows: Rows | None = None) -> list[str]:
    """The payouts too large to store, as ``person period plan.component: why`` (a
    bonus of 1e30 failed the run with "InvalidOperation" and nothing to go on)."""
    found: list[str] = []
    for code, periods in (python_rows(result) if rows is None else rows).items():
        for period, row in periods:
            before = len(found)
            for plan_id, entry in row.document.get("plans", {}).items():
                for component_id, text in entry["components"].items():
                    if abs(Decimal(text)) >= PAYOUT_LIMIT:
                        found.append(
                            f"{code} {period.id} {plan_id}.{component_id}: "
                            f"{text} is more than a payout can hold "
                            "(16 digits before the point)"
                        )
                        if len(found) >= 20:
                            return found
            total = row.document.get("payout") or "0"  # each component fits, their sum may not
            if len(found) == before and abs(Decimal(total)) >= PAYOUT_LIMIT:
                found.append(
                    f"{code} {period.id}: {total} is more than a payout can hold "
                    "(16 digits before the point)"
                )
                if len(found) >= 20:
                    return found
    return found


def plan_totals_text(totals: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """A run's payout per plan as stored (``CalculationRun.totals``); ``people`` is a
    set of codes or a count."""
    return {
        plan_id: {
            "name": t["name"],
            "payout": str(Decimal(t["payout"]).quantize(Decimal("0.01"))),
            "people": t["people"] if isinstance(t["people"], int) else len(t["people"]),
        }
        for plan_id, t in sorted(totals.items())
    }


def persist_results(
    result: Result,
    *,
    people: Iterable[str] | None = None,
    periods: set[str] | None = None,
    run: CalculationRun | None = None,
    explained: bool = True,
    rows: Rows | None = None,
) -> tuple[int, int]:
    """Replace the stored results of ``people`` (codes; all when None) for the run's
    periods. Returns (people, rows). ``explained=False`` (a full run) stores no
    explanations: :func:`explanation_of` computes one when it is first asked for."""
    found = result_rows(
        result, people=people, periods=periods, run=run, explained=explained, rows=rows
    )
    person_pks, period_ids = found.person_pks, found.period_ids
    with transaction.atomic():
        PeriodResult.objects.filter(person_id__in=person_pks, period__in=period_ids).delete()
        ComponentResult.objects.filter(person_id__in=person_pks, period__in=period_ids).delete()
        run_id = run.pk if run is not None else None
        insert_rows(
            PeriodResult, found.periods, also={"run_id": run_id, "updated_at": timezone.now()}
        )
        insert_rows(ComponentResult, found.components, also={"run_id": run_id})
    if run is not None and run.kind == RunKind.FULL:
        run.totals = plan_totals_text(found.totals)
    results_stored.send(sender=PeriodResult, people=person_pks, periods=period_ids)
    return len(person_pks), len(found.periods) + len(found.components)


# The fiscal years a run may be asked for: the engine handles fiscal years up to 9998
# (whose last day may fall in 9999, the last year of dates); before 1900 is a typo.
FIRST_RUN_YEAR, LAST_RUN_YEAR = 1900, 9998
WARNINGS_KEPT = 1000  # a run keeps this many warnings' texts (and counts them all)


def run_years() -> tuple[int, int]:
    """The fiscal years a run may be asked for: from the year before the first record
    (a person's start, an order, a payment, a plan version's first day, a stored result;
    at the latest last year) to the year after this one. Further out a year has no data
    and is a typo (``attain calculate 1999`` for 2019, 3000): the run would store zeros."""
    from django.db.models import Min

    from attain.crm.models import Order, Payment

    this = fiscal_year_of_day(timezone.localdate())
    firsts = [
        query.aggregate(first=Min(field))["first"]
        for query, field in (
            (Person.objects.all(), "start"),
            (Order.objects.all(), "date"),
            (Payment.objects.all(), "date"),
            (PlanVersion.objects.all(), "effective_from"),
            (PeriodResult.objects.all(), "start"),
        )
    ]
    days = [day for day in firsts if day is not None]
    first = fiscal_year_of_day(min(days)) - 1 if days else this - 1
    return max(min(first, this - 1), FIRST_RUN_YEAR), min(this + 1, LAST_RUN_YEAR)


def check_run_year(fiscal_year: int) -> None:
    """Refuse (``ValidationError`` on ``fiscal_year``) a year :func:`run_years` leaves out."""
    first, last = run_years()
    if not first <= fiscal_year <= last:
        raise ValidationError(
            {
                "fiscal_year": _(
                    "There is no data for fiscal year %(year)s: calculate a fiscal year from "
                    "%(first)s to %(last)s (the year before the first record to the year "
                    "after this one)."
                )
                % {"year": fiscal_year, "first": first, "last": last}
            }
        )


def start_calculation(
    actor: Any, fiscal_year: int, *, partitions: int | None = None
) -> CalculationRun:
    """Queue a full recalculation of ``fiscal_year`` as a background task, cut into
    ``partitions`` tasks (default: by the company's size; docs/scaling.md)."""
    return request_calculation(actor, fiscal_year, partitions=partitions)[0]


def request_calculation(
    actor: Any, fiscal_year: int, *, partitions: int | None = None
) -> tuple[CalculationRun, bool]:
    """:func:`start_calculation`, and whether it queued a new run: a full run of the
    year still queued (no worker has loaded anything yet) already covers this request,
    so it is that run (a double click on "Run", two changes in a row). The queued run is
    locked until the caller's transaction ends, so a worker takes it only afterwards and
    sees what the caller wrote. One queued run per year is a database constraint."""
    _require_editor(actor)
    check_run_year(fiscal_year)
    from .tasks import calculation_task

    queued = CalculationRun.objects.select_for_update().filter(
        kind=RunKind.FULL, fiscal_year=fiscal_year, status=RunStatus.QUEUED
    )
    for _attempt in range(3):
        with transaction.atomic():
            run = queued.first()
            if run is not None:
                return run, False
            try:
                with transaction.atomic():
                    run = CalculationRun.objects.create(
                        kind=RunKind.FULL,
                        fiscal_year=fiscal_year,
                        created_by=actor if getattr(actor, "is_authenticated", False) else None,
                        stage=noop("Queued"),
                    )
            except IntegrityError:  # queued at the same moment by another request
                continue
            record_change(actor, Action.RUN_STARTED, run, after=snapshot(run))
            transaction.on_commit(lambda pk=run.pk: calculation_task.enqueue(pk, partitions))
            return run, True
    raise ValidationError(_("The calculation could not be queued; try again."))


def run_calculation(
    actor: Any, fiscal_year: int, *, run: CalculationRun | None = None, partitions: int = 1
) -> CalculationRun:
    """Load → compute → persist every person's results for ``fiscal_year``. With
    ``partitions`` above 1 the run is cut by people into that many tasks for the
    workers (:mod:`attain.incentives.partitions`) and returned still running."""
    began = time.perf_counter()
    if run is None:  # a queued run's year was checked when it was asked for
        check_run_year(fiscal_year)
        # running from the start: a queued run of the year (one per year) stays queued
        run = CalculationRun.objects.create(
            kind=RunKind.FULL, fiscal_year=fiscal_year, status=RunStatus.RUNNING
        )
    run.status = RunStatus.RUNNING
    run.worker, run.heartbeat_at = leases.holder(), timezone.now()
    run.as_of = as_of = timezone.localdate()
    run.save(update_fields=["status", "worker", "heartbeat_at", "as_of"])
    if partitions > 1:
        from .partitions import start_partitions

        start_partitions(run, partitions)
        return run
    try:
        _progress(run, 5, noop("Loading records"))
        # millions of rows are built and kept: the cyclic collector would scan them over
        # and over (reference counting still frees them; docs/incentives.md)
        with no_cycle_collection(), calculation.loaded_year(fiscal_year, as_of=as_of) as loaded:
            if loaded.scenario is None:
                return fail_run(run, [f"{p.path}: {p.message}" for p in loaded.problems])
            _progress(run, 25, noop("Calculating"))
            result, found = calculation.run_rows(loaded, as_of)
            if result.errors:
                return fail_run(run, [f"{p.path}: {p.message}" for p in result.errors])
            too_large = payout_problems(result, found)
            if too_large:
                return fail_run(run, too_large)
            _progress(run, 40, noop("Storing results"))
            people, rows = persist_results(result, run=run, explained=False, rows=found)
            run.warnings = len(result.warnings)
            run.warning_details = [[w.path, w.message] for w in result.warnings[:WARNINGS_KEPT]]
            # freed here, not at the function's end: while millions of the run's rows were
            # alive, the collector (running again) scanned them through honours and notices
            del result, found, loaded
        run.seconds = Decimal(f"{time.perf_counter() - began:.3f}")
        finished_run(actor, run, people=people, rows=rows)
    except Exception as error:  # a failed run is shown, not lost
        fail_run(run, [f"{type(error).__name__}: {error}"])
        raise
    return run


def finished_run(actor: Any, run: CalculationRun, *, people: int, rows: int) -> None:
    """A full run whose results are stored: done, audited, honours awarded, people told."""
    mark_done(run, people=people, rows=rows)
    after_full_run(actor, run)


def mark_done(run: CalculationRun, *, people: int, rows: int) -> None:
    """Save the run as done with its counts. A run without ``seconds`` (a partitioned
    one) counts them from when it was asked for."""
    run.people, run.rows = people, rows
    run.status, run.progress, run.stage = RunStatus.DONE, 100, noop("Done")
    run.finished_at = timezone.now()
    if run.seconds is None:
        run.seconds = Decimal(f"{(run.finished_at - run.created_at).total_seconds():.3f}")
    run.save()


def after_full_run(actor: Any, run: CalculationRun) -> None:
    """What follows a done full run: its audit event, honours, the people told."""
    record_change(
        actor,
        Action.UPDATE,
        run,
        after={
            "people": run.people,
            "rows": run.rows,
            "warnings": run.warnings,
            "year": run.fiscal_year,
        },
        reason=noop("Full recalculation"),
    )
    award_honours(None, run.fiscal_year)
    announce(
        "payout_calculated",
        Person.objects.filter(user__isnull=False, period_results__run=run).distinct(),
        year=run.fiscal_year,
    )


def fail_run(run: CalculationRun, problems: list[str]) -> CalculationRun:
    """Save the run failed with its problems (the first 200)."""
    run.status = RunStatus.FAILED
    run.problems = problems[:200]
    run.stage = noop("Failed")
    run.finished_at = timezone.now()
    run.save()
    return run


def fail_abandoned_runs() -> int:
    """Mark failed the runs whose worker died (:func:`attain.web.leases.abandoned`): a
    worker killed mid-run leaves its run ``running`` otherwise. Called by the worker
    when it starts and between tasks, and by the pages that show runs. Returns how many
    runs were marked."""

    def mark(run: CalculationRun, reason: str) -> None:
        fail_run(run, [reason])
        record_change(None, Action.UPDATE, run, after=snapshot(run), reason=reason)

    from .partitions import fail_abandoned_partitions

    # A partitioned run has no worker of its own: its slices have (and are judged).
    partitioned = RunPartition.objects.values("run_id")
    return fail_abandoned_partitions() + leases.fail_abandoned(
        CalculationRun.objects.filter(status=RunStatus.RUNNING).exclude(pk__in=partitioned),
        _(
            "The worker running this calculation (%(worker)s) stopped before it finished; "
            "nothing it calculated was stored. Run it again."
        ),
        mark,
        started="created_at",
    )


def fail_unstarted_run(run_id: int, worker: str) -> int:
    """Mark failed a run still queued whose task's worker died before it began (killed
    between taking the task and marking the run running): no worker would ever take it
    again. Returns 1 when it was marked, else 0."""
    reason = _(
        "The worker that took this calculation (%(worker)s) stopped before it began; "
        "nothing was calculated. Run it again."
    ) % {"worker": worker}
    with transaction.atomic():
        run = CalculationRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != RunStatus.QUEUED:
            return 0
        fail_run(run, [reason])
        record_change(None, Action.UPDATE, run, after=snapshot(run), reason=reason)
    return 1


def affected_people(person_pks: Iterable[int], day: datetime.date) -> set[str]:
    """The people credited with a record and every manager above them on its date."""
    found: set[int] = set()
    todo = [pk for pk in person_pks if pk]
    while todo:
        pk = todo.pop()
        if pk in found:
            continue
        found.add(pk)
        manager = (
            Assignment.objects.on(day)
            .filter(person_id=pk)
            .values_list("manager_id", flat=True)
            .first()
        )
        if manager:
            todo.append(manager)
    return set(Person.objects.filter(pk__in=found).values_list("code", flat=True))


def recalculate_people(
    actor: Any, changes: Iterable[tuple[int, datetime.date]], *, reason: str = ""
) -> CalculationRun | None:
    """Incremental update: ``changes`` are (person pk, record date) pairs. Recomputes the
    affected fiscal years and stores only the affected people's results."""
    began = time.perf_counter()
    by_year: dict[int, set[str]] = {}
    periods: set[str] = set()
    for pk, day in changes:
        by_year.setdefault(fiscal_year_of_day(day), set()).update(affected_people([pk], day))
        periods.update(periods_of_day(day))
    run = None
    as_of = timezone.localdate()
    for year, codes in sorted(by_year.items()):
        if not PeriodResult.objects.filter(period=str(year)).exists():
            continue  # the year was never calculated: nothing to keep current
        run = CalculationRun.objects.create(
            kind=RunKind.INCREMENTAL,
            fiscal_year=year,
            status=RunStatus.RUNNING,
            worker=leases.holder(),
            heartbeat_at=timezone.now(),
            as_of=as_of,
        )
        with calculation.loaded_year(
            year, as_of=as_of, only_for=codes, report=sorted(periods), fresh=True
        ) as loaded:
            if loaded.scenario is None:
                fail_run(run, [f"{p.path}: {p.message}" for p in loaded.problems])
                continue
            result = calculation.run_engine(loaded, as_of, people=codes, periods=periods)
            # like a full run's, explanations are computed when first read (explain_results)
            people, rows = persist_results(
                result, people=codes, periods=periods, run=run, explained=False
            )
        run.people, run.rows, run.status, run.progress = people, rows, RunStatus.DONE, 100
        run.seconds = Decimal(f"{time.perf_counter() - began:.3f}")
        run.finished_at = timezone.now()
        run.save()
        record_change(
            actor,
            Action.UPDATE,
            run,
            after={"people": sorted(codes), "rows": rows, "year": year},
            reason=reason or noop("Incremental update after a record changed"),
        )
    return run


# Honours ----------------------------------------------------------------------------


def award_honours(actor: Any, fiscal_year: int) -> int:
    """Monthly champion (highest revenue attainment per unit and month, at least 100%),
    most improved (largest rise in attainment over the previous month, company-wide; not
    over a month in which nobody had a result) and
    卓越 achievers (anyone whose bonus reached the 卓越 level). People tied for the best
    share the honour. Idempotent: the fiscal year's own periods are replaced (with a
    year starting in April, January–March of the next calendar year belong to it)."""
    months = year_month_ids(fiscal_year)
    # the year's first month rises over the last month of the year before
    year_before = year_month_ids(fiscal_year - 1)[-1]
    quarter_ids = [f"{fiscal_year}-Q{q}" for q in range(1, 5)]
    honours: list[Honour] = []
    results = PeriodResult.objects.filter(
        employed_in_period(),
        period__in=[year_before, *months],
        main_attainment__isnull=False,
        role="rep",
    ).values("person_id", "period", "unit_id", "main_attainment")
    by_month: dict[str, list[dict[str, Any]]] = {}
    for row in results:
        by_month.setdefault(row["period"], []).append(dict(row))
    for month in months:
        rows = by_month.get(month, [])
        best: dict[Any, list[dict[str, Any]]] = {}
        for entry in rows:
            current = best.get(entry["unit_id"])
            if current is None or entry["main_attainment"] > current[0]["main_attainment"]:
                best[entry["unit_id"]] = [entry]
            elif entry["main_attainment"] == current[0]["main_attainment"]:
                current.append(entry)  # a tie: both are champions
        for champion in (entry for tied in best.values() for entry in tied):
            if champion["main_attainment"] >= 1:
                honours.append(
                    Honour(
                        person_id=champion["person_id"],
                        kind=HonourKind.CHAMPION,
                        period=month,
                        unit_id=champion["unit_id"],
                        value=champion["main_attainment"],
                    )
                )
    for previous, month in itertools.pairwise([year_before, *months]):
        before = {r["person_id"]: r["main_attainment"] for r in by_month.get(previous, [])}
        if not any(before.values()):
            continue  # nobody had a result that month (no data): no rise to measure from
        gains = [
            (r["main_attainment"] - before[r["person_id"]], r)
            for r in by_month.get(month, [])
            if r["person_id"] in before
        ]
        top = max((gain for gain, _r in gains), default=Decimal(0))
        if top > 0:
            honours.extend(
                Honour(
                    person_id=improved["person_id"],
                    kind=HonourKind.MOST_IMPROVED,
                    period=month,
                    unit_id=improved["unit_id"],
                    value=gain,
                )
                for gain, improved in sorted(gains, key=lambda g: g[1]["person_id"])
                if gain == top
            )
    excellent = (
        ComponentResult.objects.filter(period__in=months + quarter_ids, level=EXCELLENT_LABEL)
        .values_list("person_id", "period")
        .order_by("person_id", "period")  # stored in one order on every database
        .distinct()
    )
    honours.extend(
        Honour(person_id=pk, kind=HonourKind.EXCELLENT, period=period) for pk, period in excellent
    )
    with transaction.atomic():
        Honour.objects.filter(period__in=[str(fiscal_year), *quarter_ids, *months]).delete()
        Honour.objects.bulk_create(honours)
    return len(honours)


# What if ----------------------------------------------------------------------------


def _explanation_text(result: Result, code: str, period: Period) -> str:
    return json.dumps(
        explanation_document(explain(result, code, period)),
        ensure_ascii=False,
        separators=(",", ":"),
        default=_json_default,
    )


def explanation_text(row: PeriodResult) -> str:
    """The explanation (JSON) of a stored result, computed and kept when first asked
    for; empty when the year cannot be calculated."""
    if not row.explanation:
        explain_results([row])
    return row.explanation


def explanation_of(row: PeriodResult) -> dict[str, Any]:
    text = explanation_text(row)
    return json.loads(text, parse_float=Decimal) if text else {}


FEW_TO_EXPLAIN = 200  # more rows than this are explained from the whole year's records


def explain_results(rows: Iterable[PeriodResult]) -> int:
    """Compute the explanations ``rows`` do not have yet, as of their run's day, and
    keep each whose numbers still equal the stored ones (a result whose records changed
    since is explained as it is now, but not kept). Returns how many were kept."""
    groups: dict[tuple[int, datetime.date], list[PeriodResult]] = {}
    for row in rows:
        if row.explanation:
            continue
        run = row.run
        as_of = (run.as_of if run is not None else None) or timezone.localdate()
        groups.setdefault((fiscal_year_of_day(row.start), as_of), []).append(row)
    kept = 0
    for (year, as_of), found in groups.items():
        codes = {row.person.code for row in found}
        periods = {row.period for row in found}
        few = len(found) <= FEW_TO_EXPLAIN
        with calculation.loaded_year(
            year, as_of=as_of, only_for=codes if few else None, report=sorted(periods), fresh=few
        ) as loaded:
            if loaded.scenario is None:
                continue
            result = calculation.run_engine(loaded, as_of, people=codes, periods=periods)
            period_of = {p.id: p for p in result.periods}
            for row in found:
                code = row.person.code
                if row.period not in result.people.get(code, {}):
                    continue
                text = _explanation_text(result, code, period_of[row.period])
                row.explanation = text
                if Decimal(json.loads(text).get("payout") or "0") != row.payout:
                    continue  # results older than their records: shown, not kept
                kept += PeriodResult.objects.filter(pk=row.pk, explanation="").update(
                    explanation=text
                )
    return kept


def estimate_earnings(person: Person, period_id: str, extra_amount: Decimal) -> dict[str, Any]:
    """What ``person`` would earn in ``period_id`` with one more confirmed order of
    ``extra_amount`` (a synthetic record, dated today within the period): the engine
    run on that person's slice of the data, compared with the stored results."""
    period = parse_period(period_id, fiscal_year_start())
    if period is None:
        raise ValidationError(_("Unknown period."))
    today = timezone.localdate()
    day = min(period.end, max(period.start, today))
    record = {
        "id": "what-if",
        "date": day,
        "owner": person.code,
        "amount": extra_amount,
        "status": "confirmed",
    }
    with calculation.loaded_year(
        fiscal_year_of_day(period.start),
        as_of=today,
        only_for={person.code},
        report=[period_id],
        fresh=True,
        extra_records={"orders": [record]},
    ) as loaded:
        if loaded.scenario is None:
            raise ValidationError([f"{p.path}: {problem_text(p.message)}" for p in loaded.problems])
        result = calculation.run_engine(loaded, today)
    rows = result.people.get(person.code, {})
    estimated = rows.get(period_id)
    stored = {
        (c.plan, c.component): c.amount
        for c in ComponentResult.objects.filter(person=person, period=period_id)
    }
    components: list[dict[str, Any]] = []
    if estimated is not None:
        for plan_id, plan in estimated.plans.items():
            for component_id, component in plan.components.items():
                now = stored.get((plan_id, component_id), Decimal(0))
                components.append(
                    {
                        "plan": plan_id,
                        "component": component_id,
                        "now": now,
                        "then": component.amount,
                        "gain": component.amount - now,
                        "level": component.level,
                    }
                )
    total_now = sum((c["now"] for c in components), Decimal(0))
    total_then = estimated.payout if estimated is not None else Decimal(0)
    return {
        "amount": extra_amount,
        "date": day,
        "components": components,
        "now": total_now,
        "then": total_then,
        "gain": total_then - total_now,
    }


def preview_plan(document: dict[str, Any], period_id: str) -> dict[str, Any]:
    """What ``period_id`` would have paid under the draft ``document`` (nothing stored)."""
    period = parse_period(period_id, fiscal_year_start())
    if period is None:
        raise ValidationError(_("Unknown period."))
    problems = plan_problems(document)
    if problems:
        raise ValidationError([f"{path}: {message}" for path, message in problems])
    today = timezone.localdate()
    with calculation.loaded_year(
        fiscal_year_of_day(period.start), as_of=today, plans=[document], report=[period_id]
    ) as loaded:
        if loaded.scenario is None:
            raise ValidationError([f"{p.path}: {problem_text(p.message)}" for p in loaded.problems])
        result = calculation.run_engine(loaded, today)
    rows: list[dict[str, Any]] = []
    for code, periods in result.people.items():
        for pid, period_result in periods.items():
            plan = period_result.plans.get(document["id"])
            if plan is None:
                continue
            rows.append(
                {
                    "person": code,
                    "period": pid,
                    "components": {cid: c.amount for cid, c in plan.components.items()},
                    "payout": plan.payout,
                }
            )
    rows.sort(key=lambda r: (r["period"], -r["payout"]))
    # only the period asked for: the plan's other payout periods of the year (its
    # halves, asked for a quarter) were shown and added up under this period's name
    wanted = [r for r in rows if r["period"] == period_id]
    return {
        "period": period_id,
        "people": len(wanted),
        "total": sum((r["payout"] for r in wanted), Decimal(0)),
        "rows": wanted[:100],
        "component_ids": [c.get("id") for c in document.get("components") or []],
        "warnings": [f"{w.path}: {w.message}" for w in result.warnings[:20]],
    }
