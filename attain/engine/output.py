"""The JSON document of spec section 8, written with exact decimal text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .calculate import PeriodResult, Result
from .model import Scenario
from .numbers import money_text, plain, round_money, significant
from .periods import Month


class Number:
    """A JSON number given as exact text (never through a binary float)."""

    def __init__(self, text: str) -> None:
        self.text = text


def number(value: Decimal | None, money: bool, currency: str) -> Number | None:
    if value is None:
        return None
    if money:
        return Number(plain(round_money(value, currency)))
    return Number(plain(significant(value)))


def period_document(result: PeriodResult, scenario: Scenario, with_plans: bool) -> dict[str, Any]:
    currency = scenario.currency
    money = {name: m.money for name, m in scenario.measures.items()}
    document: dict[str, Any] = {
        "measures": {k: number(v, money[k], currency) for k, v in result.measures.items()},
        "targets": {k: number(v.value, money[k], currency) for k, v in result.targets.items()},
        "attainment": {k: number(v, False, currency) for k, v in result.attainment.items()},
        "pace": {
            k: None
            if v is None
            else {
                "elapsed": number(v.elapsed, False, currency),
                "projected": number(v.projected, money[k], currency),
                "status": v.status,
            }
            for k, v in result.pace.items()
        },
    }
    if with_plans:
        plans: dict[str, Any] = {}
        for plan_id, plan in result.plans.items():
            entry: dict[str, Any] = {
                "components": {
                    cid: money_text(c.amount, currency) for cid, c in plan.components.items()
                }
            }
            levels = {cid: c.level for cid, c in plan.components.items() if c.has_levels}
            scores = {
                cid: number(c.score, False, currency)
                for cid, c in plan.components.items()
                if c.kind == "scorecard"
            }
            if levels:
                entry["levels"] = levels
            if scores:
                entry["scores"] = scores
            entry["payout"] = money_text(plan.payout, currency)
            plans[plan_id] = entry
        document["plans"] = plans
        document["payout"] = money_text(result.payout, currency)
    return document


def to_document(result: Result) -> dict[str, Any]:
    scenario = result.scenario
    currency = scenario.currency
    order = [p.id for p in result.periods]
    people = {
        pid: {
            period_id: period_document(rows[period_id], scenario, True)
            for period_id in order
            if period_id in rows
        }
        for pid, rows in result.people.items()
    }
    units = {
        uid: {
            period_id: period_document(rows[period_id], scenario, False)
            for period_id in order
            if period_id in rows
        }
        for uid, rows in result.units.items()
    }
    targets = []
    for spec in result.generated:
        money = scenario.measures[spec.measure].money
        targets.append(
            {
                "decomposition": spec.decomposition,
                "measure": spec.measure,
                "who": spec.who,
                "period": spec.period.id,
                "value": number(spec.value, money, currency),
            }
        )
    return {
        "version": 1,
        "currency": currency,
        "as_of": result.as_of.isoformat() if result.as_of else None,
        "people": people,
        "units": units,
        "targets": targets,
        "warnings": [{"path": w.path, "message": w.message} for w in result.warnings],
    }


def _write(value: Any, out: list[str], indent: int, level: int) -> None:
    pad = "\n" + " " * (indent * (level + 1)) if indent else ""
    end = "\n" + " " * (indent * level) if indent else ""
    sep = ": " if indent else ":"
    if isinstance(value, Number):
        out.append(value.text)
    elif isinstance(value, Mapping):
        if not value:
            out.append("{}")
            return
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(",")
            out.append(pad)
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(sep)
            _write(item, out, indent, level + 1)
        out.append(end + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            out.append(pad)
            _write(item, out, indent, level + 1)
        out.append(end + "]")
    elif isinstance(value, Decimal):
        out.append(plain(value))
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def dumps(document: Any, indent: int = 2) -> str:
    out: list[str] = []
    _write(document, out, indent, 0)
    return "".join(out)


def to_json(result: Result, indent: int = 2) -> str:
    """The run's JSON text (spec section 8)."""
    return dumps(to_document(result), indent)


def month_id(key: int) -> str:
    return Month.from_key(key).id
