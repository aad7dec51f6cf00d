"""Reads of reviews, always through the one visibility rule
(:func:`attain.org.selectors.visible_people`): a review is seen by whoever may see its
manager or one of its people; within it, only the packs of people one may see."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from attain.org.models import Assignment, Person
from attain.org.selectors import person_of, visible_people

from . import access
from .models import Review, ReviewAction, ReviewComment, ReviewPack


def reviews_for(user: Any) -> QuerySet[Review]:
    if not access.can_read_reviews(user):
        return Review.objects.none()
    reviews = Review.objects.select_related("manager", "unit")
    if access.reads_every_review(user):
        return reviews
    people = visible_people(user)
    return reviews.filter(Q(manager__in=people) | Q(packs__person__in=people)).distinct()


BIGGEST_ID = 2**63 - 1  # a larger id in a URL is no record (and no database error)


def review_for(user: Any, pk: int) -> Review:
    if not 0 < pk <= BIGGEST_ID:
        raise Http404
    review = reviews_for(user).filter(pk=pk).first()
    if review is None:
        raise Http404
    return review


def packs_of(user: Any, review: Review) -> QuerySet[ReviewPack]:
    """The review's packs the reader may see, with comments and actions."""
    packs = review.packs.select_related("person", "review", "review__manager").prefetch_related(
        Prefetch("comments", queryset=ReviewComment.objects.order_by("created_at", "pk")),
        Prefetch("actions", queryset=ReviewAction.objects.select_related("owner")),
    )
    if access.reads_every_review(user):
        return packs
    return packs.filter(_own_review_or_visible(user))


def pack_for(user: Any, review: Review, code: str) -> ReviewPack:
    pack = packs_of(user, review).filter(person__code=code).first()
    if pack is None:
        raise Http404
    return pack


def action_for(user: Any, pk: int) -> ReviewAction:
    if not 0 < pk <= BIGGEST_ID:
        raise Http404
    action = (
        ReviewAction.objects.filter(_own_review_or_visible(user, "pack__"), pk=pk)
        .select_related("pack", "pack__review", "pack__person", "owner")
        .first()
    )
    if action is None:
        raise Http404
    return action


def _own_review_or_visible(user: Any, prefix: str = "") -> Q:
    """Packs of people the reader may see, and every pack of a review the reader leads
    (a manager keeps their own review's packs of someone who left or moved since)."""
    condition = Q(**{f"{prefix}person__in": _readable_people(user)})
    me = person_of(user) if access.can_read_reviews(user) else None
    if me is not None:
        condition |= Q(**{f"{prefix}review__manager": me})
    return condition


def _readable_people(user: Any) -> Any:
    if not access.can_read_reviews(user):
        return Person.objects.none()
    return visible_people(user)


def carried_actions(pack: ReviewPack) -> list[ReviewAction]:
    """What this pack opens with: the actions agreed in the person's last review before
    this one (one whose period ended earlier: a monthly review inside a quarter is before
    the quarter's), and any older action still not done."""
    return carried_actions_of([pack])[pack.pk]


def carried_actions_of(packs: list[ReviewPack]) -> dict[int, list[ReviewAction]]:
    """:func:`carried_actions` of each of ``packs``, by pack id: two queries for the
    packs of one review, however many people it has."""
    found: dict[int, list[ReviewAction]] = {}
    by_end: dict[datetime.date, list[ReviewPack]] = {}
    for pack in packs:
        by_end.setdefault(pack.review.period_end, []).append(pack)
    for end, group in by_end.items():
        people = {pack.person_id for pack in group}
        last: dict[int, int] = {}  # person id: their last pack of a period ended before
        for person_id, pk in (
            ReviewPack.objects.filter(person_id__in=people, review__period_end__lt=end)
            .order_by("person_id", "-review__period_end", "-pk")
            .values_list("person_id", "pk")
        ):
            last.setdefault(person_id, pk)
        carried: dict[int, list[ReviewAction]] = {}
        for action in (
            ReviewAction.objects.filter(
                pack__person_id__in=people, pack__review__period_end__lt=end
            )
            .filter(Q(pack_id__in=set(last.values())) | Q(done=False))
            .select_related("owner", "pack__review", "pack__person")
            .order_by("pack__review__period_end", "due_on", "pk")
        ):
            carried.setdefault(action.pack.person_id, []).append(action)
        for pack in group:
            found[pack.pk] = carried.get(pack.person_id, [])
    return found


def history_of(user: Any, code: str) -> tuple[Person, list[ReviewPack]]:
    """A person's packs, newest first (404 for someone one may not see)."""
    if not access.can_read_reviews(user):
        raise Http404
    person = visible_people(user).filter(code=code).first()
    if person is None:
        raise Http404
    packs = (
        ReviewPack.objects.filter(person=person)
        .select_related("review", "review__manager")
        .prefetch_related(
            "comments", Prefetch("actions", queryset=ReviewAction.objects.select_related("owner"))
        )
        .order_by("-review__period_end", "-pk")
    )
    return person, list(packs)


def team_of(manager: Person, on: datetime.date) -> list[Person]:
    """The manager's direct reports on ``on`` (their team), by name."""
    ids = Assignment.objects.on(on).filter(manager=manager).values_list("person_id", flat=True)
    return list(Person.objects.filter(pk__in=ids).order_by("name", "code"))


def managers_to_remind(on: datetime.date) -> list[Person]:
    """Everyone with a direct report on ``on`` and a login (the reminder sweep)."""
    ids = Assignment.objects.on(on).exclude(manager=None).values_list("manager_id", flat=True)
    return list(Person.objects.filter(pk__in=ids, user__isnull=False).order_by("code"))


def my_person(user: Any) -> Person | None:
    return person_of(user)
