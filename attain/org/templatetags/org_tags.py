"""Template helpers of the organisation pages."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils.translation import pgettext_lazy

from ..selectors import visible_people

register = template.Library()


@register.filter
def may_see(user: Any, code: Any) -> bool:
    """Whether ``user`` may open the page of the person ``code`` (a link is shown only
    then: a rep's manager is named, not linked to a page the rep may not open)."""
    if not code:
        return False
    return visible_people(user).filter(code=code).exists()


@register.filter
def last_day(valid_to: datetime.date | None) -> datetime.date | None:
    """An assignment's last day: its ``valid_to`` is the first day it no longer holds
    (the next one's start, or the day after the employment end), while a reader takes
    "until" as the last day it holds."""
    return valid_to - datetime.timedelta(days=1) if valid_to else None


JOB_TITLES = {
    "rep": pgettext_lazy("job title", "sales rep"),
    "manager": pgettext_lazy("job title", "sales manager"),
    "director": pgettext_lazy("job title", "regional director"),
    "vp": pgettext_lazy("job title", "VP of sales"),
    "sales_ops": pgettext_lazy("job title", "sales operations"),
    "after_sales": pgettext_lazy("job title", "after-sales specialist"),
    "after_sales_manager": pgettext_lazy("job title", "after-sales manager"),
}


@register.filter
def job_title(code: Any) -> str:
    """A job role as its reader says it. The stored value is the code plans select on
    (``rep``, ``manager``…); a code outside the known ones is free text and shown as is."""
    if not code:
        return "—"
    return str(JOB_TITLES.get(str(code), code))
