"""Reads of pay governance, through the one visibility rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from attain.crm.bounds import policy
from attain.crm.models import (
    Activity,
    Customer,
    Order,
    Payment,
    PeerRating,
    ServiceTicket,
    Survey,
    TrainingScore,
    Verification,
)
from attain.crm.records import PLACEMENTS
from attain.crm.services.verification import record_digest
from attain.org.selectors import visible_people


@dataclass(frozen=True)
class ReviewTable:
    """One record table of the review queue: its model, label and how a row reads."""

    table: str
    model: type[models.Model]
    label: Any
    amount: str | None  # the money field shown, if any

    @property
    def people(self) -> tuple[str, ...]:
        return tuple(name.removesuffix("_id") for name in PLACEMENTS[self.model.__name__].people)

    @property
    def date(self) -> str:
        return PLACEMENTS[self.model.__name__].date


REVIEW_TABLES = (
    ReviewTable("orders", Order, _("Orders"), "amount"),
    ReviewTable("payments", Payment, _("Payments"), "amount"),
    ReviewTable("activities", Activity, _("Activities"), None),
    ReviewTable("customers", Customer, _("Customers"), None),
    ReviewTable("tickets", ServiceTicket, _("Service tickets"), None),
    ReviewTable("surveys", Survey, _("Surveys"), None),
    ReviewTable("training", TrainingScore, _("Training scores"), None),
    ReviewTable("peer_ratings", PeerRating, _("Peer ratings"), None),
)
BY_TABLE = {t.table: t for t in REVIEW_TABLES}


def records_waiting(
    user: Any, table: ReviewTable, state: str = Verification.PENDING
) -> QuerySet[Any]:
    """The ``table`` records in ``state`` credited to people ``user`` may see."""
    people = visible_people(user)
    condition = Q()
    for name in table.people:
        condition |= Q(**{f"{name}__in": people})
    rows = table.model._default_manager.filter(condition, verification=state)
    return rows.select_related(*table.people).order_by(table.date, "pk")


def waiting_counts(user: Any) -> list[tuple[ReviewTable, int]]:
    return [(t, records_waiting(user, t).count()) for t in REVIEW_TABLES]


def policies() -> list[Any]:
    """Every record table's policy (stored or the defaults)."""
    return [policy(t.table) for t in REVIEW_TABLES]


@dataclass(frozen=True)
class ReviewRow:
    pk: int
    external_id: str
    date: Any
    people: str
    amount: Any
    state: str
    state_label: str
    digest: str  # the record as shown (crm.services.verification.record_digest)


def review_row(table: ReviewTable, record: Any) -> ReviewRow:
    names = [getattr(record, name) for name in table.people]
    return ReviewRow(
        pk=record.pk,
        external_id=record.external_id,
        date=getattr(record, table.date),
        people=", ".join(str(person.name) for person in names if person is not None),
        amount=getattr(record, table.amount) if table.amount else None,
        state=record.verification,
        state_label=str(record.get_verification_display()),
        digest=record_digest(record),
    )
