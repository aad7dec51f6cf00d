from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from attain.integrity import access, selectors
from attain.org.selectors import person_of

register = template.Library()


@register.inclusion_tag("integrity/hold_notice.html", takes_context=True)
def hold_notice(context: dict[str, Any], person: Any) -> dict[str, Any]:
    """The payout holds on ``person`` (their own, or for a reviewer), with the reason."""
    request = context.get("request")
    user = getattr(request, "user", None)
    holds = selectors.holds_for(user, person) if user is not None and person is not None else []
    language = get_language() or "en"
    own = user is not None and person is not None and access.may_dispute_hold(user, person)
    return {
        "holds": [(h, h.reason(language), _dispute_link(h) if own else "") for h in holds],
        # a reviewer reading someone else's page reads the hold as that person's
        "mine": person_of(user) == person if user is not None else False,
        "person": person,
    }


# The record tables a dispute can name (attain.pay.selectors.REVIEW_TABLES).
DISPUTABLE = ("orders", "payments", "activities", "customers", "surveys", "peer_ratings")


def _dispute_link(alert: Any) -> str:
    """The dispute form, prefilled for the held person: a dispute about the alert's
    records for its period (docs/pay.md, "Disputes")."""
    tables = [r.get("table") for r in alert.records if r.get("table") in DISPUTABLE]
    query = {
        "subject": "record",
        "period": alert.period,
        "record_table": tables[0] if tables else "orders",
        "record_ref": _("Integrity alert %(number)s") % {"number": alert.pk},
        "title": _("Payout held for %(period)s: integrity alert %(number)s")
        % {"period": alert.period, "number": alert.pk},
    }
    return f"{reverse('pay:dispute_new')}?{urlencode(query)}"
