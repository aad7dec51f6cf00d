"""Template helpers of period close: the adjustment behind a payout's adjustment line."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def adjustment_for(payout: Any, line: Any) -> Any:
    """The adjustment paid as ``line`` on ``payout`` (None for a component line)."""
    for adjustment in payout.adjustments.all():
        if adjustment.source_period == line.component:
            return adjustment
    return None
