"""Plans as scenario documents: YAML text ↔ plan mapping ↔ the designer's form fields.

The designer never asks for YAML: it posts flat form fields (``c0-rate``,
``c0-t1-from`` …) that :func:`document_from_form` turns into exactly the mapping a
scenario file's ``plans`` entry holds (spec section 7). :func:`dump_yaml` writes that
mapping as YAML (numbers keep their decimal text) and :func:`parse_yaml` reads it back
with the engine's own reader, so export → import → export gives the same text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import yaml

from attain.engine import Problem, read_yaml

KINDS = ("commission", "bonus", "scorecard", "spiff")
PERIODS = ("month", "quarter", "half", "year")
SCOPES = ("self", "team", "team_and_self")
# The labels of a three-level bonus (基础 basic, 优秀 excellent, 卓越 outstanding).
LEVEL_LABELS = ("基础", "优秀", "卓越")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_KEY = re.compile(r"^c(\d+)-(?:([tlm])(\d+)-)?(\w+)$")


# YAML -----------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _decimal)


def dump_yaml(document: Any) -> str:
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def parse_yaml(text: str) -> tuple[Any, list[Problem]]:
    return read_yaml(text)


# Form fields → document -----------------------------------------------------------


def number_or_expression(text: str | None) -> Any:
    """``"0.05"`` → Decimal, ``"12"`` → 12, anything else stays text (an expression)."""
    text = (text or "").strip()
    if not text:
        return None
    if _NUMBER.match(text):
        return Decimal(text) if "." in text else int(text)
    return text


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != "":
        target[key] = value


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\s，]+", text or "") if part.strip()]


# what a row's fields hold before anyone types in them (a level's label is pre-filled,
# a metric's direction chosen)
_PRESET = {"label", "direction"}


def _rows(
    fields: Mapping[str, str], index: int, letter: str, drop_empty: bool = False
) -> list[dict[str, str]]:
    """``drop_empty``: without the rows nothing was typed in (added with their button
    and left empty), as a plan is saved."""
    rows: dict[int, dict[str, str]] = {}
    for key, value in fields.items():
        match = _KEY.match(key)
        if match and int(match[1]) == index and match[2] == letter:
            rows.setdefault(int(match[3]), {})[match[4]] = value
    return [
        rows[j]
        for j in sorted(rows)
        if not drop_empty or any((v or "").strip() for k, v in rows[j].items() if k not in _PRESET)
    ]


def _component(fields: Mapping[str, str], i: int, drop_empty_rows: bool = False) -> dict[str, Any]:
    def get(name: str) -> str:
        return (fields.get(f"c{i}-{name}") or "").strip()

    def rows(letter: str) -> list[dict[str, str]]:
        return _rows(fields, i, letter, drop_empty_rows)

    kind = get("kind") or "commission"
    comp: dict[str, Any] = {"id": get("id")}
    _put(comp, "name", get("name"))  # its label on payslips and pages (基本提成)
    comp["kind"] = kind
    if kind in ("commission", "bonus"):
        _put(comp, "measure", get("measure"))
        if get("scope") and get("scope") != "self":
            comp["scope"] = get("scope")  # a bonus on the team's attainment too
    if kind == "commission":
        if get("pay") == "tiers":
            tiers: dict[str, Any] = {
                "basis": get("basis") or "attainment",
                "mode": get("mode") or "marginal",
                "table": [
                    # the first tier starts at 0 when its `from` is left empty; a later
                    # one's empty `from` is missing (not 0, "1 then 0")
                    {
                        "from": number_or_expression(r.get("from")) or (0 if k == 0 else None),
                        "rate": _rate(r),
                    }
                    for k, r in enumerate(rows("t"))
                ],
            }
            comp["tiers"] = tiers
        else:
            _put(comp, "rate", number_or_expression(get("rate")))
    elif kind == "bonus":
        if get("bonus") == "levels":
            levels = []
            for r in rows("l"):
                level: dict[str, Any] = {
                    "min_attainment": number_or_expression(r.get("min")),
                    "amount": number_or_expression(r.get("amount")),
                }
                _put(level, "label", (r.get("label") or "").strip())
                levels.append(level)
            comp["levels"] = levels
            _put(comp, "when", get("when"))
        else:
            _put(comp, "when", get("when"))
            _put(comp, "amount", number_or_expression(get("amount")))
    elif kind == "scorecard":
        metrics = []
        for r in rows("m"):
            metric: dict[str, Any] = {
                "measure": (r.get("measure") or "").strip(),
                "weight": number_or_expression(r.get("weight")),
            }
            _put(metric, "target", number_or_expression(r.get("target")))
            if (r.get("direction") or "higher") == "lower":
                metric["direction"] = "lower"
            metrics.append(metric)
        comp["metrics"] = metrics
        score: dict[str, Any] = {}
        _put(score, "floor", number_or_expression(get("score_floor")))
        _put(score, "cap", number_or_expression(get("score_cap")))
        if score:
            comp["score"] = score
        _put(comp, "payout", get("payout"))
    elif kind == "spiff":
        _put(comp, "from", get("from"))
        _put(comp, "where", get("where"))
        amount = get("amount")
        if amount:
            comp["amount"] = amount
        if get("person") and get("person") != "owner":
            comp["person"] = get("person")
    if get("gate"):
        gate: dict[str, Any] = {"min_attainment": number_or_expression(get("gate"))}
        _put(gate, "measure", get("gate_measure"))
        comp["gate"] = gate
    _put(comp, "multiplier", number_or_expression(get("multiplier")))
    _put(comp, "cap", number_or_expression(get("cap")))
    _put(comp, "floor", number_or_expression(get("floor")))
    return comp


def _rate(row: Mapping[str, str]) -> Any:
    return number_or_expression(row.get("rate"))


def component_indexes(fields: Mapping[str, str]) -> list[int]:
    found = set()
    for key in fields:
        match = _KEY.match(key)
        if match and match[4] == "kind" and match[2] is None:
            found.add(int(match[1]))
    return sorted(found)


MORE_CONDITIONS = 3  # besides the first: role, people, units and manager at most


def document_from_form(
    fields: Mapping[str, str], *, drop_empty_rows: bool = False
) -> dict[str, Any]:
    """The scenario plan mapping the designer's fields describe (order as in spec 7).
    ``drop_empty_rows``: as the plan is saved or previewed, a tier, level or metric row
    left empty is none (while the form is edited, a row just added stays)."""

    def get(name: str) -> str:
        return (fields.get(name) or "").strip()

    document: dict[str, Any] = {"id": get("id"), "name": get("name")}
    # the first condition, then the optional further ones, all of which must hold
    # (a plan for reps in the east: role and units); a further one left empty is none
    rules = [(get("applies_kind") or "role", get("applies_value"))]
    for n in range(1, MORE_CONDITIONS + 1):
        if get(f"applies_value_{n}"):
            rules.append((get(f"applies_kind_{n}") or "role", get(f"applies_value_{n}")))
    applies: dict[str, Any] = {}
    for kind, text in rules:
        values = _split(text)
        if kind == "role":
            applies.pop("roles", None)
            if len(values) > 1:
                applies["roles"] = values
            else:
                applies["role"] = values[0] if values else ""
        else:
            applies[kind] = values
    document["applies_to"] = applies
    effective: dict[str, Any] = {}
    _put(effective, "from", get("effective_from"))
    _put(effective, "to", get("effective_to"))
    if effective:
        document["effective"] = effective
    document["period"] = get("period") or "quarter"
    document["components"] = [
        _component(fields, i, drop_empty_rows) for i in component_indexes(fields)
    ]
    return document


# Document → form fields -----------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def form_from_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """What the designer template renders: plain strings, one dict per component."""
    applies = document.get("applies_to") or {}
    conditions: list[dict[str, str]] = []
    for key, value in applies.items() if isinstance(applies, Mapping) else []:
        conditions.append(
            {
                "kind": str({"roles": "role", "managers": "manager"}.get(key, key)),
                "value": ", ".join(map(str, value)) if isinstance(value, list) else _text(value),
            }
        )
    first = conditions[0] if conditions else {"kind": "role", "value": ""}
    # every further condition the plan has, and one empty to add (at most MORE_CONDITIONS)
    more = [*conditions[1:], {"kind": "role", "value": ""}]
    effective = document.get("effective") or {}
    components = []
    for comp in document.get("components") or []:
        if not isinstance(comp, Mapping):
            continue
        tiers = comp.get("tiers") if isinstance(comp.get("tiers"), Mapping) else None
        tier_map: Mapping[str, Any] = tiers or {}
        gate: Mapping[str, Any] = comp["gate"] if isinstance(comp.get("gate"), Mapping) else {}
        score: Mapping[str, Any] = comp["score"] if isinstance(comp.get("score"), Mapping) else {}
        components.append(
            {
                "id": _text(comp.get("id")),
                "name": _text(comp.get("name")),
                "kind": _text(comp.get("kind")) or "commission",
                "measure": _text(comp.get("measure")),
                "scope": _text(comp.get("scope")) or "self",
                "pay": "tiers" if tiers is not None else "rate",
                "rate": _text(comp.get("rate")),
                "basis": _text(tier_map.get("basis")) or "attainment",
                "mode": _text(tier_map.get("mode")) or "marginal",
                "tiers": [
                    {"from": _text(row.get("from")), "rate": _text(row.get("rate"))}
                    for row in tier_map.get("table") or []
                    if isinstance(row, Mapping)
                ],
                "bonus": "levels" if comp.get("levels") is not None else "when",
                "when": _text(comp.get("when")),
                "amount": _text(comp.get("amount")),
                "levels": [
                    {
                        "min": _text(row.get("min_attainment")),
                        "amount": _text(row.get("amount")),
                        "label": _text(row.get("label")),
                    }
                    for row in comp.get("levels") or []
                    if isinstance(row, Mapping)
                ],
                "metrics": [
                    {
                        "measure": _text(row.get("measure")),
                        "weight": _text(row.get("weight")),
                        "target": _text(row.get("target")),
                        "direction": _text(row.get("direction")) or "higher",
                    }
                    for row in comp.get("metrics") or []
                    if isinstance(row, Mapping)
                ],
                "score_floor": _text(score.get("floor")),
                "score_cap": _text(score.get("cap")),
                "payout": _text(comp.get("payout")),
                "from": _text(comp.get("from")),
                "where": _text(comp.get("where")),
                "person": _text(comp.get("person")) or "owner",
                "gate": _text(gate.get("min_attainment")),
                "gate_measure": _text(gate.get("measure")),
                "multiplier": _text(comp.get("multiplier")),
                "cap": _text(comp.get("cap")),
                "floor": _text(comp.get("floor")),
            }
        )
    return {
        "id": _text(document.get("id")),
        "name": _text(document.get("name")),
        "applies_kind": first["kind"],
        "applies_value": first["value"],
        "applies_more": [
            {"n": n, **condition} for n, condition in enumerate(more[:MORE_CONDITIONS], 1)
        ],
        "effective_from": _text(effective.get("from")) if isinstance(effective, Mapping) else "",
        "effective_to": _text(effective.get("to")) if isinstance(effective, Mapping) else "",
        "period": _text(document.get("period")) or "quarter",
        "components": components,
    }


def plan_document(
    plan_id: str,
    name: str,
    role: str,
    year: int,
    components: list[dict[str, Any]],
    period: str = "quarter",
) -> dict[str, Any]:
    """A plan document for one role over one calendar year."""
    return {
        "id": plan_id,
        "name": name,
        "applies_to": {"role": role},
        "effective": {"from": f"{year}-01-01", "to": f"{year}-12-31"},
        "period": period,
        "components": components,
    }


def marginal_commission(
    component_id: str, rates: list[tuple[Decimal | int, Decimal]], measure: str = "revenue"
) -> dict[str, Any]:
    """A commission paying each (from attainment, rate) tier on the part of the measure
    within it (超额累进)."""
    return {
        "id": component_id,
        "kind": "commission",
        "measure": measure,
        "tiers": {
            "basis": "attainment",
            "mode": "marginal",
            "table": [{"from": start, "rate": rate} for start, rate in rates],
        },
    }


def level_bonus(
    component_id: str, levels: list[tuple[Decimal, int]], measure: str = "revenue"
) -> dict[str, Any]:
    """A bonus paying each (minimum attainment, amount) level, labelled 基础/优秀/卓越."""
    return {
        "id": component_id,
        "kind": "bonus",
        "measure": measure,
        "levels": [
            {"min_attainment": minimum, "amount": amount, "label": label}
            for (minimum, amount), label in zip(levels, LEVEL_LABELS, strict=False)
        ],
    }


DEFAULT_LEVELS = [(Decimal("0.8"), 2000), (Decimal("1.0"), 5000), (Decimal("1.2"), 10000)]


def new_component(kind: str, index: int) -> dict[str, Any]:
    """A sensible starting point for a component of ``kind``."""
    if kind == "bonus":
        return level_bonus(f"bonus-{index + 1}", DEFAULT_LEVELS)
    if kind == "scorecard":
        return {
            "id": f"kpi-{index + 1}",
            "kind": "scorecard",
            "metrics": [{"measure": "revenue", "weight": 100}],
            "score": {"floor": 0, "cap": Decimal("1.2")},
            "payout": "score * 10000",
        }
    if kind == "spiff":
        return {"id": f"spiff-{index + 1}", "kind": "spiff", "from": "orders", "amount": "100"}
    return {
        "id": f"commission-{index + 1}",
        "kind": "commission",
        "measure": "revenue",
        "rate": Decimal("0.03"),
    }


def apply_action(document: dict[str, Any], action: str) -> dict[str, Any]:
    """Designer buttons: ``add:commission``, ``remove:2``, ``add-row:2:t``, ``remove-row:2:t:1``."""
    components: list[dict[str, Any]] = document.setdefault("components", [])
    parts = action.split(":")
    row_keys = {"t": ("tiers", "table"), "l": ("levels",), "m": ("metrics",)}
    empty_rows: dict[str, dict[str, Any]] = {
        "t": {"from": "", "rate": ""},
        "l": {"min_attainment": "", "amount": "", "label": ""},
        "m": {"measure": "", "weight": ""},
    }
    try:
        if parts[0] == "add" and parts[1] in KINDS:
            components.append(new_component(parts[1], len(components)))
        elif parts[0] == "remove":
            del components[int(parts[1])]
        elif parts[0] in ("add-row", "remove-row"):
            comp = components[int(parts[1])]
            keys = row_keys[parts[2]]
            holder: Any = comp
            for key in keys[:-1]:
                holder = holder.setdefault(key, {"basis": "attainment", "mode": "marginal"})
            rows = holder.setdefault(keys[-1], [])
            if parts[0] == "add-row":
                rows.append(dict(empty_rows[parts[2]]))
            else:
                del rows[int(parts[3])]
    except (IndexError, KeyError, ValueError):
        pass
    return document


def problem_key(path: str) -> tuple[int | None, str]:
    """``plans[0].components[2].tiers.table[1].rate`` → ``(2, "tiers")``;
    ``plans[0].effective.from`` → ``(None, "effective")``."""
    rest = re.sub(r"^plans\[\d+\]\.?", "", path)
    match = re.match(r"^components\[(\d+)\]\.?([a-z_]*)", rest)
    if match:
        return int(match[1]), match[2] or "general"
    head = re.match(r"^([a-z_]*)", rest)
    return None, (head[1] if head and head[1] else "general")
