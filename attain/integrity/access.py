"""Who may do what with integrity alerts, one condition per line.

Whose alerts anyone sees is the one visibility rule
(:func:`attain.org.selectors.visible_people`) on top of this: a reviewer sees every
alert but those about themself (nobody reviews their own case); a rep never sees an
alert, only a hold notice about themself.
"""

from __future__ import annotations

from typing import Any

from attain.accounts.models import Role
from attain.org.selectors import person_of, role_of

# The review queue and the per-unit integrity page.
REVIEW_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE})
# Who may start a scan from the page.
SCAN_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS})
# Who opens disputes about their own pay (as attain.pay.dispute_access says).
DISPUTING_ROLES = frozenset({Role.MANAGER, Role.REP})


def can_review(user: Any) -> bool:
    if user is None:  # the system itself (scans, CLI, tasks)
        return True
    return role_of(user) in REVIEW_ROLES


def can_scan(user: Any) -> bool:
    if user is None:
        return True
    return role_of(user) in SCAN_ROLES


def sees_own_hold(user: Any) -> bool:
    """Everyone with a person sees the hold notice about themself (My performance)."""
    return role_of(user) is not None


def may_dispute_hold(user: Any, person: Any) -> bool:
    """The person whose payout is held, signed in as themself, may dispute the hold."""
    me = person_of(user) if user is not None else None
    return role_of(user) in DISPUTING_ROLES and me is not None and me == person


def concerns(user: Any, alert: Any) -> bool:
    """The alert names the user's own person: they may not see, assign or decide it."""
    me = person_of(user) if user is not None else None
    return me is not None and alert.people.filter(pk=me.pk).exists()
