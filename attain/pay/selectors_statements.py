"""Reads of statements, always through the one visibility rule (docs/pay.md,
"Statements"): people see the statements of published sets only."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from attain.org.selectors import person_of, visible_people

from .models import Payout
from .models_statements import Statement, StatementSet


def current_amount() -> Subquery:
    """The amount of the statement's payout as it stands now (``Statement.outdated``)."""
    return Subquery(
        Payout.objects.filter(person=OuterRef("person"), period=OuterRef("period")).values(
            "amount"
        )[:1]
    )


def statements(user: Any, *, period: str | None = None) -> QuerySet[Statement]:
    """The published statements of the people ``user`` may see."""
    rows = Statement.objects.filter(statement_set__published=True, person__in=visible_people(user))
    if period:
        rows = rows.filter(period=period)
    return (
        rows.select_related("person", "statement_set")
        .annotate(payout_amount=current_amount())
        .order_by("-period", "person__code")
    )


def my_statements(user: Any) -> QuerySet[Statement]:
    me = person_of(user)
    if me is None:
        return Statement.objects.none()
    return statements(user).filter(person=me)


def statement_for(user: Any, pk: int) -> Statement:
    """One published statement ``user`` may see (``Statement.DoesNotExist`` otherwise)."""
    return statements(user).get(pk=pk)


def latest_set(period: str) -> StatementSet | None:
    return StatementSet.objects.filter(period=period).order_by("-pk").first()
