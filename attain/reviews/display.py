"""A pack's stored figures made ready for a page or the API, in the reader's language:
numbers back to Decimal, the weak stage named, reasons and the forecast's basis in words."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from attain.crm.models import ActivityKind
from attain.crm.stages import stored_step
from attain.incentives import reasons
from attain.measures.models import Measure
from attain.pay.models import PayoutState
from attain.targets.forecast import BASIS_TEXT

from .models import ReviewPack


def _d(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    number = Decimal(str(value))
    return number if number.is_finite() else None


def _day(value: Any) -> datetime.date | None:
    """A day kept in a pack as an ISO string, as a date (the page writes it in the reader's
    format)."""
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def money_measures() -> set[str]:
    """The codes of the measures that are amounts of money."""
    return {m.code for m in Measure.objects.all() if m.is_money}


def pack_views(packs: Any) -> list[dict[str, Any]]:
    """:func:`pack_view` of each of ``packs``, the measures read once for them all."""
    money = money_measures()
    return [pack_view(pack, money) for pack in packs]


def pack_view(pack: ReviewPack, money: set[str] | None = None) -> dict[str, Any]:
    data = pack.data or {}
    measures = []
    if money is None:
        money = money_measures()
    for m in data.get("measures") or []:
        entry = {
            k: (_d(v) if k not in ("code", "name", "status", "basis") else v) for k, v in m.items()
        }
        entry["money"] = m.get("code") in money
        entry["basis_text"] = str(BASIS_TEXT.get(m.get("basis") or "", m.get("basis") or ""))
        measures.append(entry)
    funnel = data.get("funnel") or {"steps": [], "medians": [], "rates": [], "weak": None}
    weak = funnel.get("weak")
    steps = [stored_step(step) for step in funnel.get("steps") or []]
    weak_step = steps[weak] if weak is not None and 0 <= weak < len(steps) else None
    rates = [_d(r) for r in funnel.get("rates") or []]
    medians = [_d(m) for m in funnel.get("medians") or []]
    activities = data.get("activities") or {}
    kinds = activities.get("kinds") or {}
    kind_medians = activities.get("medians") or {}
    labels = dict(ActivityKind.choices)
    position = {kind: i for i, kind in enumerate(labels)}
    states = dict(PayoutState.choices)
    return {
        "pack": pack,
        "as_of": _day(data.get("as_of")),
        "plan": data.get("plan") or "",
        "problem": data.get("problem") or "",
        "measures": measures,
        "main": measures[0] if measures else None,
        "funnel": {
            "steps": steps,
            "rates": rates,
            "medians": medians,
            "rows": [
                {
                    "step": step,
                    "rate": rates[i] if i < len(rates) else None,
                    "median": medians[i] if i < len(medians) else None,
                    "weak": i == weak,
                }
                for i, step in enumerate(steps)
            ],
            "weak_step": weak_step,
            "weak_rate": rates[weak] if weak is not None and weak < len(rates) else None,
            "weak_median": medians[weak] if weak is not None and weak < len(medians) else None,
        },
        "activities": {
            "rows": [
                {
                    "kind": kind,
                    "label": labels.get(kind, kind),
                    "count": kinds.get(kind, 0),
                    "median": _d(kind_medians.get(kind)),
                }
                # the kinds' own order, not the stored JSON's (jsonb keeps its own)
                for kind in sorted(kinds, key=lambda k: (position.get(k, len(position)), k))
            ],
            "total": activities.get("total", 0),
            "median": _d(activities.get("median")),
        },
        "payouts": [
            {
                **p,
                "amount": _d(p.get("amount")),
                "state_label": str(states.get(p.get("state"), p.get("state") or "")),
            }
            for p in data.get("payouts") or []
        ],
        "reasons": [
            {
                "code": r.get("code"),
                "label": reasons.label(str(r.get("code"))),
                "text": reasons.text(r),
            }
            for r in data.get("reasons") or []
        ],
    }
