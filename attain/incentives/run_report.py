"""What a finished calculation run shows: its payout by plan beside the previous full run
of the same fiscal year, and its warnings grouped by kind in the reader's language.

The engine writes its warnings in English (it knows no Django); the kinds it can raise
are recognised here by their wording and named with a translated sentence. A warning of
a kind not listed keeps the engine's text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import CalculationRun, RunKind, RunStatus

EXAMPLES = 5  # warnings shown under each kind

# The engine's warning wordings (attain/engine/plans.py, decomposition.py) → the kind.
# Plan warnings start with "<person> <period>: ".
KINDS: list[tuple[str, re.Pattern[str], Any]] = [
    (
        "no_target",
        re.compile(r"no target for (?P<x>\S+); tiers by attainment pay 0"),
        _("No target for the measure: tiers by attainment pay 0"),
    ),
    (
        "no_ratio",
        re.compile(r"no target or no actual for metric (?P<x>\S+); its ratio is 0"),
        _("A scorecard metric has no target or no actual: its ratio is 0"),
    ),
    (
        "gate_closed",
        re.compile(r"no attainment of (?P<x>\S+) for the gate; the gate stays closed"),
        _("No attainment for a gate: the gate stays closed"),
    ),
    (
        "rate_no_number",
        re.compile(r"rate .* gave no number; the component pays 0"),
        _("A rate gave no number: the component pays 0"),
    ),
    (
        "rate_clamped",
        re.compile(r"rate .* is outside \[0, 1\]; clamped"),
        _("A rate outside 0–1 was clamped"),
    ),
    (
        "amount_no_number",
        re.compile(r"amount .* gave no number; pays 0"),
        _("An amount gave no number: pays 0"),
    ),
    (
        "payout_no_number",
        re.compile(r"payout .* gave no number; pays 0"),
        _("A payout formula gave no number: pays 0"),
    ),
    (
        "multiplier_no_number",
        re.compile(r"multiplier .* gave no number; using 1"),
        _("A multiplier gave no number: 1 is used"),
    ),
    (
        "equal_shares",
        re.compile(r"shares are all 0; members share equally instead"),
        _("Target shares were all 0: members share equally"),
    ),
    (
        "no_members",
        re.compile(r"no members to decompose the target to"),
        _("A target has no members to decompose to"),
    ),
    (
        "clash",
        re.compile(r"target of .* (is already .* is not used|stays .* still splits)"),
        _("Two decompositions made one target differently: the first counts"),
    ),
    (
        "rounded",
        re.compile(r"is not a multiple of round_to"),
        _("A target total is not a multiple of the rounding step: rounded"),
    ),
]
OTHER = _("Other warnings")


@dataclass
class WarningGroup:
    kind: str
    label: Any
    count: int = 0
    examples: list[tuple[str, str]] = field(default_factory=list)


# The sentence an example of a kind is shown as, in the reader's language: the engine's
# "<person> <period>: " (``head``) and the measure it names (``x``) put back in.
SENTENCES: dict[str, Any] = {
    "no_target": _("%(head)s: no target for %(x)s; tiers by attainment pay 0"),
    "no_ratio": _("%(head)s: no target or no actual for metric %(x)s; its ratio is 0"),
    "gate_closed": _("%(head)s: no attainment of %(x)s for the gate; the gate stays closed"),
}
_HEAD = re.compile(r"^(?P<head>[^:]+): ")


def kind_of(message: str) -> tuple[str, Any]:
    for kind, pattern, label in KINDS:
        if pattern.search(message):
            return kind, label
    return "other", OTHER


def example_text(kind: str, message: str) -> str:
    """A warning in the reader's language where its kind has a sentence (the engine's
    own text otherwise)."""
    sentence = SENTENCES.get(kind)
    head = _HEAD.match(message)
    found = next((p.search(message) for k, p, _label in KINDS if k == kind), None)
    if sentence is None or head is None or found is None:
        return message
    return str(sentence) % {"head": head.group("head"), "x": found.group("x")}


def warning_groups(run: CalculationRun) -> list[WarningGroup]:
    """The run's kept warnings by kind, most frequent first, a few examples each (the
    path and the engine's text, which names the person, period and component)."""
    groups: dict[str, WarningGroup] = {}
    for path, message in run.warning_details or []:
        kind, label = kind_of(message)
        group = groups.setdefault(kind, WarningGroup(kind, label))
        group.count += 1
        if len(group.examples) < EXAMPLES:
            group.examples.append((path, example_text(kind, message)))
    return sorted(groups.values(), key=lambda g: (-g.count, g.kind))


def previous_full_run(run: CalculationRun) -> CalculationRun | None:
    """The last full run of the same fiscal year that finished before ``run``."""
    return (
        CalculationRun.objects.filter(
            kind=RunKind.FULL,
            fiscal_year=run.fiscal_year,
            status=RunStatus.DONE,
            pk__lt=run.pk,
        )
        .order_by("-pk")
        .first()
    )


def plan_rows(run: CalculationRun, previous: CalculationRun | None) -> list[dict[str, Any]]:
    """Per plan of either run: payout, people paid, the previous run's payout and the
    change (``None`` where the previous run had no total for the plan)."""
    before = (previous.totals or {}) if previous is not None else {}
    rows = []
    for plan_id in sorted(set(run.totals or {}) | set(before)):
        now = (run.totals or {}).get(plan_id)
        then = before.get(plan_id)
        payout = Decimal(now["payout"]) if now else Decimal(0)
        earlier = Decimal(then["payout"]) if then else None
        rows.append(
            {
                "plan": plan_id,
                "name": (now or then or {}).get("name", plan_id),
                "payout": payout,
                "people": now["people"] if now else 0,
                "previous": earlier,
                "change": None if earlier is None else payout - earlier,
            }
        )
    return rows


def run_report(run: CalculationRun) -> dict[str, Any]:
    """The context a finished run's page adds (empty while it is not done)."""
    if run.status != RunStatus.DONE:
        return {}
    previous = previous_full_run(run) if run.kind == RunKind.FULL else None
    rows = plan_rows(run, previous) if run.kind == RunKind.FULL else []
    total = sum((r["payout"] for r in rows), Decimal(0))
    previous_total = (
        sum((Decimal(t["payout"]) for t in (previous.totals or {}).values()), Decimal(0))
        if previous is not None and previous.totals
        else None
    )
    return {
        "previous": previous,
        "plan_rows": rows,
        "total": total,
        "previous_total": previous_total,
        "total_change": None if previous_total is None else total - previous_total,
        "warning_groups": warning_groups(run),
        "warnings_hidden": max(0, run.warnings - len(run.warning_details or [])),
    }
