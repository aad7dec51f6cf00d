from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from attain.integrity import selectors

register = template.Library()


@register.inclusion_tag("integrity/hold_notice.html", takes_context=True)
def hold_notice(context: dict[str, Any], person: Any) -> dict[str, Any]:
    """The payout holds on ``person`` (their own, or for a reviewer), with the reason."""
    request = context.get("request")
    user = getattr(request, "user", None)
    holds = selectors.holds_for(user, person) if user is not None and person is not None else []
    language = get_language() or "en"
    return {"holds": [(h, h.reason(language)) for h in holds]}
