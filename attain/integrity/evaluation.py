"""Precision and recall of each detector against labelled cases
(``attain demo generate --inject-gaming`` writes the labels).

A label is (detector, people, period). An alert of the same detector and period that
names one of the label's people finds it; precision counts the alerts that find a
label, recall the labels found, per detector at its default threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from attain.engine.integrity import DETECTORS, Alert


def labels_path() -> Path:
    """Where ``attain demo … --inject-gaming`` writes its labels."""
    return Path(settings.VAR_DIR) / "integrity-labels.json"


@dataclass(frozen=True)
class Score:
    detector: str
    alerts: int
    true_alerts: int
    labels: int
    found: int

    @property
    def precision(self) -> float | None:
        return self.true_alerts / self.alerts if self.alerts else None

    @property
    def recall(self) -> float | None:
        return self.found / self.labels if self.labels else None


def _matches(alert: Alert, label: dict[str, Any]) -> bool:
    return (
        alert.detector == label["detector"]
        and alert.period == label["period"]
        and bool(set(alert.people) & set(label["people"]))
    )


def evaluate(alerts: Sequence[Alert], labels: Iterable[dict[str, Any]]) -> list[Score]:
    labels = list(labels)
    scores = []
    for detector in DETECTORS:
        mine = [a for a in alerts if a.detector == detector]
        wanted = [x for x in labels if x["detector"] == detector]
        true_alerts = sum(1 for a in mine if any(_matches(a, x) for x in wanted))
        found = sum(1 for x in wanted if any(_matches(a, x) for a in mine))
        scores.append(Score(detector, len(mine), true_alerts, len(wanted), found))
    return scores


def table(scores: Sequence[Score]) -> str:
    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    lines = [f"{'detector':<18} {'alerts':>6} {'labels':>6} {'precision':>9} {'recall':>6}"]
    for s in scores:
        lines.append(
            f"{s.detector:<18} {s.alerts:>6} {s.labels:>6} {pct(s.precision):>9} {pct(s.recall):>6}"
        )
    return "\n".join(lines)
