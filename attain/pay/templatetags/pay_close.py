"""Template helpers of period close: the adjustment behind a payout's adjustment line, and
a carried deficit's line named."""

from __future__ import annotations

from typing import Any

from django import template

from attain.pay import adjustments

register = template.Library()


@register.filter
def line_label(line: Any) -> str:
    """A carried deficit's line in the reader's language ("" for another line)."""
    return adjustments.line_label(line.component)


@register.simple_tag
def adjustment_for(payout: Any, line: Any) -> Any:
    """The adjustment paid as ``line`` on ``payout`` (None for a component line)."""
    for adjustment in payout.adjustments.all():
        if adjustment.source_period == line.component:
            return adjustment
    return None
