"""Measures where less is better (complaints, days to collect): the engine judges every
measure's pace as more-is-better (spec 5.3, attainment against elapsed time); the pages
and notices read a lower-is-better measure the right way round, by the scorecard's
ratio target ÷ actual (spec 7.3) with the same limits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from attain.web.numbers import finite_decimal

from .models import Measure

AT_RISK = Decimal("0.8")  # as the engine's pace: at risk from 80 % of the way


def lower_is_better() -> frozenset[str]:
    """The codes of the measures where less is better."""
    codes = Measure.objects.filter(higher_is_better=False).values_list("code", flat=True)
    return frozenset(codes)


def lower_ratio(actual: Any, target: Any) -> Decimal | None:
    """A lower-is-better measure's ratio as a scorecard takes it (spec 7.3): target ÷
    actual; an actual of 0 (or less) has reached it whatever the target."""
    found, allowed = finite_decimal(actual), finite_decimal(target)
    if found is None or allowed is None:
        return None
    return Decimal(1) if found <= 0 else allowed / found


def judged_status(
    status: str | None, actual: Any, projected: Any, target: Any, lower: bool
) -> str | None:
    """The engine's pace status as its reader reads it. A lower-is-better measure is
    judged by target ÷ projection (÷ actual once the period is over): on track from 1,
    at risk from 0.8, else behind; met or missed. A target of 0 on a more-is-better
    measure has no attainment (spec 5.3) and so no status (it is never behind)."""
    if status is None:
        return None
    allowed = finite_decimal(target)
    if allowed is None:
        return None
    if not lower:
        return None if allowed == 0 else status
    over = status in ("met", "missed")
    ratio = lower_ratio(actual if over else projected, allowed)
    if ratio is None:
        return status
    if over:
        return "met" if ratio >= 1 else "missed"
    return "on_track" if ratio >= 1 else "at_risk" if ratio >= AT_RISK else "behind"


def judged_pace(pace: Any, actual: Any, target: Any, lower: bool) -> dict[str, Any] | None:
    """A stored pace (``{elapsed, projected, status}``) with :func:`judged_status`'s
    status, or None when it has none."""
    if not pace:
        return None
    status = judged_status(pace.get("status"), actual, pace.get("projected"), target, lower)
    return None if status is None else {**pace, "status": status}


def heat_ratio(actual: Any, target: Any, attainment: Any, lower: bool) -> Decimal | None:
    """What a heatmap cell is coloured by: the attainment, or for a measure where less
    is better the ratio target ÷ actual (0 complaints against at most 2 is the best)."""
    return lower_ratio(actual, target) if lower else finite_decimal(attainment)
