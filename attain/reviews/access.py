"""Who may do what with reviews (docs/reviews.md), one condition per line; tested as a
role × action table (tests/test_access.py). Whose packs anyone sees is the one
visibility rule (:func:`attain.org.selectors.visible_people`) on top of this: the rep
sees their own pack, the manager their team's, executives and sales operations read
every review; finance has no part in reviews."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from attain.accounts.models import Role
from attain.org.models import Assignment
from attain.org.selectors import person_of, role_of

from .models import Review, ReviewAction, ReviewPack

READERS = frozenset({Role.ADMIN, Role.SALES_OPS, Role.EXECUTIVE, Role.MANAGER, Role.REP})
# Opening a review (and preparing its packs again): the team's manager; the
# administrator for any team.
OPENERS = frozenset({Role.ADMIN, Role.MANAGER})
# Writing comments and agreeing actions: the manager, the person reviewed.
WRITERS = frozenset({Role.ADMIN, Role.MANAGER, Role.REP})


def can_read_reviews(user: Any) -> bool:
    return role_of(user) in READERS


def can_open_reviews(user: Any) -> bool:
    return role_of(user) in OPENERS


def can_write_reviews(user: Any) -> bool:
    return role_of(user) in WRITERS


def reads_every_review(user: Any) -> bool:
    """Organisation-wide readers: every review, every pack."""
    return role_of(user) in {Role.ADMIN, Role.SALES_OPS, Role.EXECUTIVE}


def may_open_for(user: Any, manager: Any) -> bool:
    """A manager opens their own team's reviews; the administrator anyone's."""
    if role_of(user) == Role.ADMIN:
        return True
    me = person_of(user)
    return can_open_reviews(user) and me is not None and me.pk == manager.pk


def may_lead(user: Any, review: Review) -> bool:
    """Prepare again, close: the review's manager (the administrator)."""
    return may_open_for(user, review.manager)


def may_write(user: Any, pack: ReviewPack) -> bool:
    """Comment and agree actions on a pack: its review's manager, the person reviewed."""
    if not can_write_reviews(user):
        return False
    if role_of(user) == Role.ADMIN:
        return True
    me = person_of(user)
    return me is not None and me.pk in (pack.review.manager_id, pack.person_id)


def may_tick(user: Any, action: ReviewAction) -> bool:
    """Tick an action done or not done: the manager, the person reviewed, its owner, and
    the person's manager today (an action carried from a review their earlier manager
    led, after they moved)."""
    if may_write(user, action.pack):
        return True
    me = person_of(user)
    if not can_write_reviews(user) or me is None:
        return False
    if me.pk == action.owner_id:
        return True
    return (
        role_of(user) == Role.MANAGER
        and Assignment.objects.on(timezone.localdate())
        .filter(person_id=action.pack.person_id, manager=me)
        .exists()
    )
