"""Template helpers of the organisation pages."""

from __future__ import annotations

from typing import Any

from django import template

from ..selectors import visible_people

register = template.Library()


@register.filter
def may_see(user: Any, code: Any) -> bool:
    """Whether ``user`` may open the page of the person ``code`` (a link is shown only
    then: a rep's manager is named, not linked to a page the rep may not open)."""
    if not code:
        return False
    return visible_people(user).filter(code=code).exists()
