"""The only writers of reviews: validate, write in one transaction, audit every change
(:func:`attain.audit.services.record_change`), and tell people through
:mod:`attain.notify`. Errors are ``ValidationError`` keyed by field name; a refused
permission is ``PermissionDenied`` and changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from attain.accounts.models import Role
from attain.audit.services import record_change, save_values, snapshot
from attain.calc.periods import period_bounds
from attain.notify.services import announce
from attain.org.models import Person
from attain.org.selectors import person_of, role_of

from . import access, packs
from .models import (
    Cadence,
    Review,
    ReviewAction,
    ReviewComment,
    ReviewPack,
    ReviewStatus,
    Side,
)
from .selectors import team_of

DUE_AFTER_DAYS = 10  # a review is due within ten days of its period's end
MAX_TEXT = 4000
FIRST_YEAR = 1900  # reviews look back a year (payouts): nothing before this


def cadence_of(period: str) -> str | None:
    """``month`` for 2026-03, ``quarter`` for 2026-Q1, None for anything else."""
    if period_bounds(period) is None:
        return None
    if len(period) == 7 and period[4] == "-" and period[5] == "Q":
        return Cadence.QUARTER
    if len(period) == 7 and period[4] == "-" and period[5:].isdigit():
        return Cadence.MONTH
    return None


def due_on(period_end: datetime.date) -> datetime.date:
    return period_end + datetime.timedelta(days=DUE_AFTER_DAYS)


def open_review(actor: Any, manager: Person, period: str) -> Review:
    """Open the review of ``manager``'s team (their direct reports) for ``period`` (a
    month or a quarter) and prepare a pack for each person."""
    if not access.may_open_for(actor, manager):
        raise PermissionDenied(_("Only the team's manager opens its review."))
    period = (period or "").strip()
    cadence = cadence_of(period)
    bounds = period_bounds(period) if cadence else None
    if cadence is None or bounds is None:
        raise ValidationError({"period": _("Give a month or a quarter, e.g. 2026-03 or 2026-Q1.")})
    start, end = bounds
    if start.year < FIRST_YEAR:
        raise ValidationError({"period": _("Give a month or a quarter, e.g. 2026-03 or 2026-Q1.")})
    day = min(timezone.localdate(), end)
    if start > timezone.localdate():
        raise ValidationError({"period": _("This period has not begun yet.")})
    already_open = _("This team's review of %(period)s is already open.") % {"period": period}
    if Review.objects.filter(manager=manager, period=period).exists():
        raise ValidationError({"period": already_open})
    team = team_of(manager, day)
    if not team:
        raise ValidationError(
            {"manager": _("%(name)s has nobody reporting to them.") % {"name": manager.name}}
        )
    assignment = manager.assignment_on(day)
    previous = (
        Review.objects.filter(manager=manager, period_end__lt=end)
        .order_by("-period_end", "-pk")
        .first()
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    manager=manager,
                    unit=assignment.unit if assignment else None,
                    cadence=cadence,
                    period=period,
                    period_start=start,
                    period_end=end,
                    due_on=due_on(end),
                    previous=previous,
                    opened_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError as error:  # a concurrent request opened it since the check
            raise ValidationError({"period": already_open}) from error
        record_change(actor, "create", review, after=snapshot(review))
        prepared = packs.build(review, team)
        ReviewPack.objects.bulk_create(
            [ReviewPack(review=review, person=p, data=prepared[p.pk]) for p in team]
        )
        for pack in review.packs.all():
            record_change(
                actor, "create", pack, after={"review": review.pk, "person": pack.person.code}
            )
        announce(
            "review_opened",
            team,
            period=period,
            manager=manager.name,
            review=review.pk,
        )
    return review


def prepare_again(actor: Any, review: Review) -> Review:
    """Prepare every pack of an open review again from today's data (the team as it was
    when the review opened)."""
    if not access.may_lead(actor, review):
        raise PermissionDenied(_("Only the team's manager prepares its packs."))
    _check_open(review)
    with transaction.atomic():
        found = list(review.packs.select_related("person"))
        prepared = packs.build(review, [p.person for p in found])
        now = timezone.now()
        for pack in found:
            pack.data = prepared[pack.person_id]
            pack.prepared_at = now
            record_change(
                actor,
                "update",
                pack,
                after={"prepared_at": now.isoformat()},
                reason=gettext_noop("prepared again"),
            )
        ReviewPack.objects.bulk_update(found, ["data", "prepared_at"])
    return review


def close_review(actor: Any, review: Review) -> Review:
    """Close a review: its comments and actions are final (its actions can still be
    ticked done at the next review)."""
    if not access.may_lead(actor, review):
        raise PermissionDenied(_("Only the team's manager closes its review."))
    _check_open(review)
    with transaction.atomic():
        closed = {"status": ReviewStatus.CLOSED, "closed_at": timezone.now()}
        save_values(actor, review, closed)
    return review


def _check_open(review: Review) -> None:
    if not review.is_open:
        raise ValidationError({"review": _("This review is closed.")})


def _text(value: Any, field: str, limit: int = MAX_TEXT) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: _("Write something.")})
    if "\x00" in text:  # PostgreSQL cannot hold it
        raise ValidationError({field: _("May not contain a NUL character.")})
    if len(text) > limit:
        raise ValidationError({field: _("At most %(limit)s characters.") % {"limit": limit}})
    return text


def _side(actor: Any, pack: ReviewPack) -> str:
    me = person_of(actor)
    if me is not None and me.pk == pack.person_id:
        return Side.PERSON
    if me is not None and me.pk == pack.review.manager_id:
        return Side.MANAGER
    return Side.OTHER


def add_comment(actor: Any, pack: ReviewPack, text: Any) -> ReviewComment:
    if not access.may_write(actor, pack):
        raise PermissionDenied(_("Only the manager and the person reviewed comment."))
    _check_open(pack.review)
    body = _text(text, "text")
    me = person_of(actor)
    with transaction.atomic():
        comment = ReviewComment.objects.create(
            pack=pack,
            author=actor if getattr(actor, "is_authenticated", False) else None,
            author_name=me.name if me else (actor.get_username() if actor else "system"),
            side=_side(actor, pack),
            text=body,
        )
        record_change(actor, "create", comment, after=snapshot(comment))
        other = pack.person if comment.side != Side.PERSON else pack.review.manager
        announce(
            "review_comment",
            [other],
            period=pack.review.period,
            who=comment.author_name,
            review=pack.review_id,
        )
    return comment


def add_action(actor: Any, pack: ReviewPack, *, text: Any, owner: Any, due_on: Any) -> ReviewAction:
    """Agree an action: what, its owner (the person reviewed or the manager, by employee
    id) and its due date (not before the review's period began)."""
    if not access.may_write(actor, pack):
        raise PermissionDenied(_("Only the manager and the person reviewed agree actions."))
    _check_open(pack.review)
    body = _text(text, "text", 500)
    allowed = {pack.person.code: pack.person, pack.review.manager.code: pack.review.manager}
    code = owner.code if isinstance(owner, Person) else str(owner or "").strip()
    if code not in allowed:
        raise ValidationError({"owner": _("The owner is the person reviewed or their manager.")})
    day = due_on
    if isinstance(day, str):
        try:
            day = datetime.date.fromisoformat(day.strip())
        except ValueError:
            day = None
    if not isinstance(day, datetime.date):
        raise ValidationError({"due_on": _("Give a due date, e.g. 2026-04-30.")})
    if day < pack.review.period_start:
        raise ValidationError({"due_on": _("The due date is before the review's period.")})
    with transaction.atomic():
        action = ReviewAction.objects.create(
            pack=pack,
            text=body,
            owner=allowed[code],
            due_on=day,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record_change(actor, "create", action, after=snapshot(action))
    return action


def tick_action(actor: Any, action: ReviewAction, done: bool) -> ReviewAction:
    """Mark an action done or not done (at the next review, or whenever it is)."""
    if not access.may_tick(actor, action):
        raise PermissionDenied(_("Only the manager, the person reviewed or the owner ticks it."))
    if not isinstance(done, bool):
        raise ValidationError({"done": _("Say true or false.")})
    if action.done == done:
        return action
    with transaction.atomic():
        by = actor if done and getattr(actor, "is_authenticated", False) else None
        when = timezone.now() if done else None
        save_values(actor, action, {"done": done, "done_at": when, "done_by": by})
    return action


def manager_of_request(actor: Any, code: str | None) -> Person:
    """The manager a new review is for: ``code`` (the administrator), else oneself. Anyone
    else naming another team is refused alike whether the id exists or not (an "Unknown
    person" would tell which employee ids exist)."""
    if code:
        me = person_of(actor)
        if role_of(actor) != Role.ADMIN and (me is None or me.code != str(code).strip()):
            raise PermissionDenied(_("Only the team's manager opens its review."))
        code = str(code).strip()
        # PostgreSQL cannot compare text holding NUL (the page's form is not checked)
        found = Person.objects.filter(code=code).first() if "\x00" not in code else None
        if found is None:
            raise ValidationError({"manager": _("Unknown person.")})
        return found
    me = person_of(actor)
    if me is None:
        if role_of(actor) is None:
            raise PermissionDenied
        raise ValidationError({"manager": _("Give the manager whose team is reviewed.")})
    return me
