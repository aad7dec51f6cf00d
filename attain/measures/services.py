"""Writers of measures. A measure is validated by the engine's own scenario loader, so
the web and the API give exactly the messages a scenario file would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from attain.audit.models import Action
from attain.audit.services import record_change, snapshot
from attain.crm.records import RECORD_TABLES
from attain.engine import scenario_from_data
from attain.web.problems import problem_text

from .access import can_define_measures
from .defaults import reader_name
from .models import Measure

if TYPE_CHECKING:
    import polars as pl

# Scenario keys → model fields, for naming the field at fault.
_FIELD_OF = {
    "from": "table",
    "value": "value",
    "where": "where",
    "agg": "agg",
    "date": "date_field",
    "person": "person_field",
    "money": "money",
    "rollup": "rollup",
}


def measure_names() -> dict[str, str]:
    """Every measure's name by its code (one query), a default measure's in the
    reader's language (:func:`attain.measures.defaults.reader_name`)."""
    return {
        code: reader_name(code, name) for code, name in Measure.objects.values_list("code", "name")
    }


def stored_measure_names() -> dict[str, str]:
    """Every measure's name by its code as stored: for texts kept for later readers (a
    notification's parameters), which :func:`attain.measures.defaults.reader_name` turns
    into each reader's when shown."""
    return dict(Measure.objects.values_list("code", "name"))


# A record table as a calculation reads it, without its rows (its fields and their
# types). The calculation adapter, a layer above, gives it (attain.calc.cache.connect).
TableReader = Callable[[str], "tuple[pl.DataFrame, tuple[str, ...]]"]
_table_reader: list[TableReader] = []


def read_tables_with(reader: TableReader) -> None:
    """Measures are checked against the fields of the tables ``reader`` gives."""
    _table_reader[:] = [reader]


def measure_problems(measure: Measure) -> dict[str, list[str]]:
    """The engine's problems with this measure, keyed by model field. The engine checks
    the fields a measure names against a record of its table (one of nulls with the
    table's fields): on an empty table it has none to check, and a field misspelt
    (``amout``) failed every calculation of the company."""
    records: dict[str, Any] = {table: [] for table in RECORD_TABLES}
    frames: dict[str, pl.DataFrame] = {}
    columns: list[str] | None = None
    dates: tuple[str, ...] = ()
    if _table_reader and measure.table in RECORD_TABLES:
        empty, dates = _table_reader[0](measure.table)
        columns = list(empty.columns)
        frames[f"{measure.table}.parquet"] = empty.clear(1)
        records[measure.table] = {"parquet": f"{measure.table}.parquet"}
    data = {
        "version": 1,
        "units": [{"id": "_", "name": "_"}],
        "people": [],
        "records": records,
        "measures": {measure.code or "_": measure.as_scenario()},
    }
    _scenario, problems = scenario_from_data(data, Path("."), frames=frames or None)
    errors: dict[str, list[str]] = {}
    for problem in problems:
        parts = problem.path.split(".")
        if parts[0] == "records":  # the record of nulls: no id, no date, no person
            continue
        key = parts[2] if len(parts) > 2 and parts[0] == "measures" else ""
        errors.setdefault(_FIELD_OF.get(key, "__all__"), []).append(problem_text(problem.message))
    if columns is not None and measure.date_field and measure.date_field not in dates:
        errors.setdefault("date_field", []).append(
            _("“%(name)s” is not a date field of this table: use one of %(fields)s.")
            % {"name": measure.date_field, "fields": pgettext("list separator", ", ").join(dates)}
        )
    if columns is not None and measure.person_field and measure.person_field not in columns:
        errors.setdefault("person_field", []).append(
            problem_text(f"unknown field {measure.person_field!r}")
        )
    return errors


def save_measure(actor: Any, measure: Measure, *, reason: str = "") -> Measure:
    """Create or change a measure after the engine has validated it."""
    if not can_define_measures(actor):
        raise PermissionDenied(_("Only administrators and sales operations define measures."))
    errors = measure_problems(measure)
    if measure.table not in RECORD_TABLES:
        errors.setdefault("table", []).append(
            _("Unknown record table “%(table)s”.") % {"table": measure.table}
        )
    taken = Measure.objects.filter(code=measure.code)
    if measure.pk:
        taken = taken.exclude(pk=measure.pk)
    if taken.exists():
        errors.setdefault("code", []).append(_("A measure with this code already exists."))
    stored = Measure.objects.filter(pk=measure.pk).values_list("code", flat=True).first()
    if measure.pk and stored is not None and stored != measure.code:
        # plans, targets, stored results and expressions (actual('revenue')) name the
        # measure by its code: a renamed measure failed every calculation of their years
        errors.setdefault("code", []).append(
            _(
                "The code of a measure cannot change (plans, targets and results name it "
                "“%(code)s”): change its name, or add a new measure."
            )
            % {"code": stored}
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = snapshot(Measure.objects.get(pk=measure.pk)) if measure.pk else None
        measure.save()
        after = snapshot(measure)
        if before != after:
            action = Action.UPDATE if before else Action.CREATE
            record_change(actor, action, measure, before=before, after=after, reason=reason)
    return measure


def scenario_measures(codes: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """The measures (all, or the named ones) as a scenario's ``measures`` mapping."""
    measures = Measure.objects.all()
    if codes is not None:
        measures = measures.filter(code__in=codes)
    return {m.code: m.as_scenario() for m in measures}
