"""Disputes on other apps' pages: the counts card of the executive dashboard and the
"Dispute this line" link (docs/pay.md, "Disputes")."""

from __future__ import annotations

from typing import Any

from django import template

from attain.pay import dispute_access as access
from attain.pay import selectors_disputes as selectors
from attain.pay.selectors import BY_TABLE

register = template.Library()


@register.inclusion_tag("pay/disputes_card.html", takes_context=True)
def dispute_card(context: dict[str, Any]) -> dict[str, Any]:
    """Disputes per period: counts and the average time to an answer."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not access.can_read_dispute_stats(user):
        return {"shown": False}
    return {
        "shown": True,
        "rows": selectors.stats(),
        "can_list": access.can_list_disputes(user),
        "request": request,
    }


@register.filter
def record_table(table: str) -> str:
    """A record table's name in the reader's language."""
    found = BY_TABLE.get(table)
    return str(found.label) if found is not None else table
