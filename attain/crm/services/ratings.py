"""Scores about people: customers' satisfaction surveys, training and test scores,
colleagues' collaboration ratings."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from attain.org.models import Person
from attain.org.selectors import person_of

from ..access import (
    can_record_training,
    check_rate_for,
    check_record_training,
    check_write_customer,
    check_write_for,
    may_know_of,
    named_for,
)
from ..models import Customer, PeerRating, ServiceTicket, Survey, TrainingScore
from .common import refuse, save_new


def record_survey(
    actor: Any,
    *,
    customer: Customer,
    person: Person,
    date: datetime.date,
    score: Decimal,
    ticket: ServiceTicket | None = None,
    comment: str = "",
    external_id: str | None = None,
) -> Survey:
    """Record a customer's satisfaction answer (1 to 5) about ``person``, optionally for
    one of the customer's tickets. Written by those who may record data for ``person``
    and may see the customer; nobody records a survey about themself."""
    check_write_for(actor, person)
    check_write_customer(actor, customer)
    errors: dict[str, str] = {}
    me = person_of(actor) if actor is not None else None
    if me is not None and me.pk == person.pk:
        errors["person"] = _("Nobody records a satisfaction survey about themself.")
    if not Decimal(1) <= score <= Decimal(5):
        errors["score"] = _("A satisfaction score lies between 1 and 5.")
    if customer.merged_into_id:
        errors["customer"] = _("This customer was merged into another one.")
    if ticket is not None and ticket.customer_id != customer.pk:
        errors["ticket"] = _("The ticket belongs to another customer.")
    refuse(errors, new=Survey, external_id=external_id)
    survey = Survey(
        customer=customer, person=person, date=date, score=score, ticket=ticket, comment=comment
    )
    with transaction.atomic():
        return save_new(actor, survey, external_id=external_id)


def record_training_score(
    actor: Any,
    *,
    person: Person,
    course: str,
    date: datetime.date,
    score: Decimal,
    external_id: str | None = None,
) -> TrainingScore:
    if can_record_training(actor) and not may_know_of(actor, person):
        # a manager naming someone outside their team: as for an id nobody has
        raise ValidationError({"person": _("Unknown person “%(code)s”.") % {"code": person.code}})
    check_record_training(actor, person)
    errors: dict[str, str] = {}
    if not course.strip():
        errors["course"] = _("Give the course or test.")
    if not Decimal(0) <= score <= Decimal(100):
        errors["score"] = _("A training score lies between 0 and 100.")
    refuse(errors, new=TrainingScore, external_id=external_id)
    row = TrainingScore(person=person, course=course.strip(), date=date, score=score)
    with transaction.atomic():
        return save_new(actor, row, external_id=external_id)


def record_peer_rating(
    actor: Any,
    *,
    rater: Person,
    person: Person,
    date: datetime.date,
    score: Decimal,
    comment: str = "",
    external_id: str | None = None,
) -> PeerRating:
    """A colleague rates ``person``'s collaboration (1 to 5). Not oneself, and one rating
    per rater, person and calendar month (imports of history are not held to it)."""
    check_rate_for(actor, rater)
    errors: dict[str, str] = {}
    if rater.pk == person.pk:
        errors["person"] = _("Nobody rates their own collaboration.")
    elif not Person.objects.employed_on(date).filter(pk=person.pk).exists():
        errors["person"] = _("%(name)s is not employed on %(date)s.") % {
            "name": named_for(actor, person),  # anyone may be rated: by id if not seen
            "date": date_format(date, "DATE_FORMAT"),
        }
    elif PeerRating.objects.filter(
        rater=rater, person=person, date__year=date.year, date__month=date.month
    ).exists():
        errors["person"] = _("%(rater)s already rated %(name)s for %(month)s.") % {
            "rater": rater.name,
            "name": person.name,
            "month": date_format(date, "YEAR_MONTH_FORMAT"),
        }
    if not Decimal(1) <= score <= Decimal(5):
        errors["score"] = _("A collaboration rating lies between 1 and 5.")
    refuse(errors, new=PeerRating, external_id=external_id)
    row = PeerRating(rater=rater, person=person, date=date, score=score, comment=comment)
    with transaction.atomic():
        return save_new(actor, row, external_id=external_id)
