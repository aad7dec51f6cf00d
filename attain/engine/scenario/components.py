"""A plan's components: commission, bonus, scorecard and spiff, with gate, cap and floor."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any, Literal, cast

from ..expressions import Expression, ExpressionContext, Type
from ..model import Component, Gate, Level, Metric, RecordTable, Scope, Tier, Tiers
from ..numbers import ONE, ZERO
from ..problems import join, unknown
from .measures import table_context
from .reader import Reader
from .records import check_numbers

KINDS = ("commission", "bonus", "scorecard", "spiff")
COMMON_COMPONENT_KEYS = {"id", "kind", "name", "gate", "multiplier", "cap", "floor"}
COMPONENT_KEYS = {
    "commission": {"measure", "scope", "rate", "tiers"},
    "bonus": {"when", "amount", "measure", "levels", "scope"},
    "scorecard": {"metrics", "score", "payout"},
    "spiff": {"from", "where", "amount", "person"},
}


def _rate_outside(rate: Decimal) -> str:
    """A rate outside [0, 1]; one of 1 … 100 was most likely meant as a percentage."""
    message = f"rate {rate} is outside [0, 1]"
    if ONE < rate <= 100:
        return f"{message}; write {rate}% as {rate / 100:f}"
    return message


def _component_context(reader: Reader, measure: str | None, kind: str) -> ExpressionContext:
    """The names a component expression may use: its measure's numbers, a scorecard's score."""
    names: dict[str, Type] = {}
    if measure is not None:
        names.update({"actual": "number", "target": "number", "attainment": "number"})
    if kind == "scorecard":
        names["score"] = "number"
    return ExpressionContext(names, reader.measure_names, what="variable")


def read_component(
    reader: Reader,
    value: object,
    path: str,
    tables: Mapping[str, RecordTable],
) -> Component | None:
    """One component of a plan; None when its kind or id cannot be read."""
    if not isinstance(value, Mapping):
        reader.add(path, "must be a mapping")
        return None
    kind_value = value.get("kind")
    if kind_value not in KINDS:
        reader.add(join(path, "kind"), f"{kind_value!r} is not one of {', '.join(KINDS)}")
        return None
    kind = cast(Literal["commission", "bonus", "scorecard", "spiff"], kind_value)
    row = reader.mapping(value, path, COMMON_COMPONENT_KEYS | COMPONENT_KEYS[kind])
    cid = reader.text(row.get("id"), join(path, "id"))
    measure = None
    if "measure" in row or kind == "commission":
        measure = reader.text(row.get("measure"), join(path, "measure"))
        if reader.unknown_measure(measure, join(path, "measure")):
            measure = None
    context = _component_context(reader, measure, kind)
    scope = cast(
        Scope,
        reader.choice(
            row.get("scope"), join(path, "scope"), ("self", "team", "team_and_self"), "self"
        ),
    )

    def expr(key: str) -> Expression | None:
        if key not in row or row[key] is None:
            return None
        return reader.number_expression(row[key], join(path, key), context)

    gate = None
    if row.get("gate") is not None:
        gate_row = reader.mapping(row["gate"], join(path, "gate"), {"min_attainment", "measure"})
        minimum = reader.number(gate_row.get("min_attainment"), join(path, "gate.min_attainment"))
        gate_measure = reader.text(gate_row.get("measure", measure), join(path, "gate.measure"))
        known = not reader.unknown_measure(gate_measure, join(path, "gate.measure"))
        if known and minimum is not None and gate_measure is not None:
            gate = Gate(minimum, gate_measure)
    component = Component(
        id=cid or "",
        kind=kind,
        path=path,
        measure=measure,
        scope=scope,
        gate=gate,
        multiplier=expr("multiplier"),
        cap=expr("cap"),
        floor=expr("floor"),
    )
    fields: dict[str, Any] = {}
    if kind == "commission":
        fields.update(_commission(reader, row, path, context))
    elif kind == "bonus":
        fields.update(_bonus(reader, row, path, context, measure))
    elif kind == "scorecard":
        fields.update(_scorecard(reader, row, path, context))
    else:
        fields.update(_spiff(reader, row, path, tables))
    if cid is None:
        return None
    return replace(component, **fields)


def _commission(
    reader: Reader, row: Mapping[str, Any], path: str, context: ExpressionContext
) -> dict[str, Any]:
    """A rate (a number or an expression) or a tiers table, exactly one of them."""
    has_rate, has_tiers = "rate" in row, "tiers" in row
    if has_rate == has_tiers:
        reader.add(path, "a commission needs exactly one of rate and tiers")
        return {}
    if has_rate:
        rate = row["rate"]
        if isinstance(rate, str):
            return {"rate": reader.number_expression(rate, join(path, "rate"), context)}
        number = reader.number(rate, join(path, "rate"))
        if number is not None and not ZERO <= number <= ONE:
            reader.add(join(path, "rate"), _rate_outside(number))
            return {}
        return {"rate": Expression.constant(number)} if number is not None else {}
    tiers_path = join(path, "tiers")
    tiers = reader.mapping(row["tiers"], tiers_path, {"basis", "mode", "table"})
    basis = reader.choice(
        tiers.get("basis"), join(tiers_path, "basis"), ("attainment", "amount"), "attainment"
    )
    mode = reader.choice(
        tiers.get("mode"), join(tiers_path, "mode"), ("marginal", "whole"), "marginal"
    )
    table_path = join(tiers_path, "table")
    raw_table = tiers.get("table")
    if not isinstance(raw_table, list) or not raw_table:
        reader.add(table_path, "must be a non-empty list of {from, rate}")
        return {}
    table: list[Tier] = []
    broken = False  # every row is read, so that each bad one is reported
    for k, raw in enumerate(raw_table):
        tier_path = join(table_path, k)
        tier = reader.mapping(raw, tier_path, {"from", "rate"})
        start = reader.number(tier.get("from"), join(tier_path, "from"))
        rate = reader.number(tier.get("rate"), join(tier_path, "rate"))
        if rate is not None and not ZERO <= rate <= ONE:
            reader.add(join(tier_path, "rate"), _rate_outside(rate))
            rate = None
        if start is None or rate is None:
            broken = True
            continue
        table.append(Tier(start, rate))
    if broken:
        return {}
    if table[0].start != 0:
        reader.add(table_path, f"must start at from: 0, not {table[0].start}")
    for previous, current in itertools.pairwise(table):
        if current.start <= previous.start:
            reader.add(
                table_path,
                f"from values must strictly increase ({previous.start} then {current.start})",
            )
            break
    return {
        "tiers": Tiers(
            cast(Literal["attainment", "amount"], basis),
            cast(Literal["marginal", "whole"], mode),
            tuple(table),
        )
    }


def _bonus(
    reader: Reader,
    row: Mapping[str, Any],
    path: str,
    context: ExpressionContext,
    measure: str | None,
) -> dict[str, Any]:
    """An amount, or levels of attainment with their amounts; optionally a `when`."""
    fields: dict[str, Any] = {}
    if "when" in row:
        fields["when"] = reader.expression(row["when"], join(path, "when"), context)
    has_amount, has_levels = "amount" in row, "levels" in row
    if has_amount == has_levels:
        reader.add(path, "a bonus needs exactly one of amount and levels")
        return fields
    if has_amount:
        fields["amount"] = reader.number_expression(row["amount"], join(path, "amount"), context)
        return fields
    if measure is None:
        if "measure" not in row:
            reader.add(join(path, "measure"), "is required with levels")
        return fields
    levels_path = join(path, "levels")
    if not isinstance(row["levels"], list) or not row["levels"]:
        reader.add(levels_path, "must be a non-empty list of {min_attainment, amount, label}")
        return fields
    levels: list[Level] = []
    for k, raw in enumerate(row["levels"]):
        level_path = join(levels_path, k)
        level = reader.mapping(raw, level_path, {"min_attainment", "amount", "label"})
        minimum = reader.number(level.get("min_attainment"), join(level_path, "min_attainment"))
        amount = (
            reader.number_expression(level.get("amount"), join(level_path, "amount"), context)
            if "amount" in level
            else None
        )
        if "amount" not in level:
            reader.add(join(level_path, "amount"), "is required")
        label = reader.text(level.get("label"), join(level_path, "label"), required=False)
        if minimum is not None and amount is not None:
            if any(existing.min_attainment == minimum for existing in levels):
                reader.add(join(level_path, "min_attainment"), f"two levels start at {minimum}")
            levels.append(Level(minimum, amount, label))
    fields["levels"] = tuple(sorted(levels, key=lambda level: level.min_attainment))
    return fields


def _scorecard(
    reader: Reader, row: Mapping[str, Any], path: str, context: ExpressionContext
) -> dict[str, Any]:
    """Weighted metrics, the score's floor and cap, and the payout expression."""
    metrics_path = join(path, "metrics")
    raw_metrics = row.get("metrics")
    if not isinstance(raw_metrics, list) or not raw_metrics:
        reader.add(metrics_path, "must be a non-empty list of {measure, weight}")
        return {}
    metrics: list[Metric] = []
    for k, raw in enumerate(raw_metrics):
        metric_path = join(metrics_path, k)
        metric = reader.mapping(raw, metric_path, {"measure", "weight", "target", "direction"})
        measure = reader.text(metric.get("measure"), join(metric_path, "measure"))
        if reader.unknown_measure(measure, join(metric_path, "measure")):
            measure = None
        weight = reader.number(metric.get("weight"), join(metric_path, "weight"), positive=True)
        target = reader.number(metric.get("target"), join(metric_path, "target"), required=False)
        direction = reader.choice(
            metric.get("direction"),
            join(metric_path, "direction"),
            ("higher", "lower"),
            "higher",
        )
        if measure is not None and weight is not None:
            metrics.append(
                Metric(measure, weight, target, cast(Literal["higher", "lower"], direction))
            )
    score = reader.mapping(row.get("score", {}) or {}, join(path, "score"), {"floor", "cap"})
    floor = reader.number(score.get("floor", 0), join(path, "score.floor"))
    cap = reader.number(score.get("cap"), join(path, "score.cap"), required=False)
    if floor is not None and cap is not None and cap < floor:
        reader.add(join(path, "score.cap"), f"cap {cap} is below floor {floor}")
    payout = (
        reader.number_expression(row["payout"], join(path, "payout"), context)
        if "payout" in row
        else None
    )
    return {"metrics": tuple(metrics), "score_floor": floor, "score_cap": cap, "payout": payout}


def _spiff(
    reader: Reader, row: Mapping[str, Any], path: str, tables: Mapping[str, RecordTable]
) -> dict[str, Any]:
    """A payment per record of a table: which records (`where`), how much, to whom."""
    table_name = reader.text(row.get("from"), join(path, "from"))
    table = tables.get(table_name) if table_name else None
    if table_name is not None and table is None:
        reader.add(join(path, "from"), unknown("record table", table_name, tables))
        return {}
    context = table_context(table)
    where = (
        reader.expression(row["where"], join(path, "where"), context) if "where" in row else None
    )
    if "amount" not in row:
        reader.add(join(path, "amount"), "is required")
        return {}
    amount = reader.number_expression(row["amount"], join(path, "amount"), context)
    if amount is not None and amount.type not in ("number", "any", "null", "text"):
        reader.add(join(path, "amount"), f"must be a number, not {amount.type}")
    if amount is not None and table is not None:
        checked: set[tuple[str, str]] = set()
        check_numbers(reader, tables, table.name, amount, path, "sum", checked)
    person = reader.text(row.get("person", "owner"), join(path, "person")) or "owner"
    return {"table": table_name, "where": where, "amount": amount, "person_field": person}
