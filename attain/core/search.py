"""Search across the kinds a user may look up: the pickers' suggestions and the global
search page. Every kind is read through its visibility rule (people through
``visible_people``, customers and their records through the crm selectors), so a rep only
finds what they may see. Units and products are not people's data: everyone finds them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from attain.crm.models import Customer, Opportunity, Order, Product
from attain.crm.selectors import (
    customer_search,
    visible_customers,
    visible_opportunities,
    visible_orders,
)
from attain.org.models import Person, Unit
from attain.org.selectors import visible_people

PICK_LIMIT = 20
PAGE_LIMIT = 25
MAX_QUERY = 100


def people(user: Any, q: str) -> QuerySet[Person]:
    return (
        visible_people(user)
        .filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(email__icontains=q))
        .order_by("name", "code")
    )


def units(user: Any, q: str) -> QuerySet[Unit]:
    return Unit.objects.filter(Q(code__icontains=q) | Q(name__icontains=q)).order_by("code")


def customers(user: Any, q: str) -> QuerySet[Customer]:
    return (
        visible_customers(user)
        .filter(customer_search(q) | Q(external_id__icontains=q))
        .order_by("name", "pk")
    )


def products(user: Any, q: str) -> QuerySet[Product]:
    return (
        Product.objects.filter(active=True)
        .filter(Q(code__icontains=q) | Q(name__icontains=q))
        .order_by("code")
    )


def _newest_first(rows: QuerySet[Any], day: str) -> QuerySet[Any]:
    """``rows`` newest first, sorted once found. Ordered by the bare date column, SQLite
    walks that column's index through every record of the company, reading each row, to
    find the few that match (a word no order matches: 1 s of CPU for 264,000 orders); an
    expression of the column uses no index, so the matches are found first, then sorted."""
    return rows.order_by(Coalesce(day, day).desc(), "-pk")


def opportunities(user: Any, q: str) -> QuerySet[Opportunity]:
    return _newest_first(
        visible_opportunities(user)
        .filter(Q(name__icontains=q) | Q(external_id__icontains=q))
        .select_related("customer", "stage"),
        "created_on",
    )


def orders(user: Any, q: str) -> QuerySet[Order]:
    # the customers by name first (a few), not a join to each order's customer
    named = Customer.objects.filter(name__icontains=q).values("pk")
    return _newest_first(
        visible_orders(user)
        .filter(Q(external_id__icontains=q) | Q(customer__in=named))
        .select_related("customer"),
        "date",
    )


@dataclass(frozen=True)
class Option:
    """One suggestion: the code the form takes and the words shown beside it."""

    value: str
    label: str


def pick_options(user: Any, kind: str, q: str) -> list[Option]:
    """Up to :data:`PICK_LIMIT` suggestions of ``kind`` for the text ``q``."""
    q = q.strip()[:MAX_QUERY]
    if kind == "person":
        return [Option(p.code, p.name) for p in people(user, q)[:PICK_LIMIT]]
    if kind == "unit":
        return [Option(u.code, u.name) for u in units(user, q)[:PICK_LIMIT]]
    if kind == "customer":
        return [Option(c.external_id, c.name) for c in customers(user, q)[:PICK_LIMIT]]
    if kind == "product":
        return [Option(p.code, p.name) for p in products(user, q)[:PICK_LIMIT]]
    raise ValueError(kind)


@dataclass(frozen=True)
class Hit:
    title: str
    detail: str
    url: str


@dataclass(frozen=True)
class Group:
    kind: str
    label: Any
    hits: list[Hit]
    more: bool


def _group(kind: str, label: Any, rows: list[Hit]) -> Group:
    return Group(kind, label, rows[:PAGE_LIMIT], len(rows) > PAGE_LIMIT)


def search_all(user: Any, q: str) -> list[Group]:
    """The global search: every kind's matches, grouped, under the visibility rule."""
    q = q.strip()[:MAX_QUERY]
    if not q:
        return []
    n = PAGE_LIMIT + 1
    groups = [
        _group(
            "people",
            _("People"),
            [Hit(p.name, p.code, reverse("person", args=[p.code])) for p in people(user, q)[:n]],
        ),
        _group(
            "units",
            _("Units"),
            [Hit(u.name, u.code, f"{reverse('people')}?unit={u.code}") for u in units(user, q)[:n]],
        ),
        _group(
            "customers",
            _("Customers"),
            [
                Hit(c.name, c.external_id, reverse("crm:customer", args=[c.external_id]))
                for c in customers(user, q)[:n]
            ],
        ),
        _group(
            "opportunities",
            _("Opportunities"),
            [
                Hit(
                    o.name,
                    f"{o.external_id} · {o.customer.name} · {o.stage.shown_name}",
                    reverse("crm:opportunity", args=[o.external_id]),
                )
                for o in opportunities(user, q)[:n]
            ],
        ),
        _group(
            "orders",
            _("Orders"),
            [
                Hit(
                    o.external_id,
                    f"{o.customer.name} · {date_format(o.date, 'SHORT_DATE_FORMAT')}",
                    reverse("crm:customer", args=[o.customer.external_id]),
                )
                for o in orders(user, q)[:n]
            ],
        ),
    ]
    return [g for g in groups if g.hits]
