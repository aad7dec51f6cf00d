"""Reads of CRM records, all built on the one visibility rule :func:`visible_people`.

- A record is visible when its person is visible: the owner of an opportunity, activity
  or order, the collector of a payment, the person credited with a share of an order or
  payment, the person handling a ticket (or owning its order), the rated person of a
  survey, training score or peer rating.
- A customer is visible when the user may see its owner or the person of any of its
  records; organisation-wide roles see every customer.
- Once a customer is visible, its Customer 360 page shows all of its records, whoever
  they belong to: that is the point of one shared customer. People's performance pages
  stay under the people rule.
- Merged customers (``merged_into`` set) are left out of lists; :func:`access_customer`
  follows them to the kept record.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from attain.org.models import Person
from attain.org.selectors import person_of, role_of, visible_people

from .access import can_view_customer as can_view_customer  # the evidence page asks here
from .access import sees_everything
from .events import local_day
from .models import (
    Activity,
    Contact,
    Customer,
    Opportunity,
    Order,
    OrderCredit,
    Payment,
    PaymentCredit,
    PeerRating,
    Reminder,
    ServiceTicket,
    Survey,
    TrainingScore,
)

Row = TypeVar("Row", bound=Model)
Rule = Callable[[QuerySet[Person]], Q]  # visible people → the condition on records

# Customers -----------------------------------------------------------------------


def _customer_reach(people: QuerySet[Person]) -> Q:
    """Customers that have ``people`` as owner or as the person of any record."""
    return (
        Q(owner__in=people)
        | Q(pk__in=Opportunity.objects.filter(owner__in=people).values("customer_id"))
        | Q(pk__in=Activity.objects.filter(owner__in=people).values("customer_id"))
        | Q(pk__in=Order.objects.filter(owner__in=people).values("customer_id"))
        | Q(pk__in=OrderCredit.objects.filter(person__in=people).values("order__customer_id"))
        | Q(pk__in=Payment.objects.filter(collector__in=people).values("customer_id"))
        | Q(pk__in=PaymentCredit.objects.filter(person__in=people).values("payment__customer_id"))
        | Q(pk__in=ServiceTicket.objects.filter(owner__in=people).values("customer_id"))
        | Q(pk__in=Survey.objects.filter(person__in=people).values("customer_id"))
    )


def visible_customers(user: Any, *, include_merged: bool = False) -> QuerySet[Customer]:
    """Live customers ``user`` may see (one query, however many people are visible)."""
    customers = Customer.objects.all()
    if not include_merged:
        customers = customers.filter(merged_into__isnull=True)
    if role_of(user) is None:
        return customers.none()
    if sees_everything(user):
        return customers
    return customers.filter(_customer_reach(visible_people(user)))


def customer_search(query: str) -> Q:
    """Customers matching a search text: the name, id, credit code, phone, email or city
    as typed, and also by the duplicate keys (:mod:`attain.crm.dedupe`), so “ＡＢＣ” finds
    “ABC”, “上海华信有限公司” finds “上海华信有限责任公司”, “138 0000 1111” finds
    “+86 138-0000-1111” and a credit code in lower case or with spaces finds the code."""
    from . import dedupe

    query = query.strip()
    condition = (
        Q(name__icontains=query)
        | Q(external_id=query)
        | Q(phone__icontains=query)
        | Q(email__icontains=query)
        | Q(city__icontains=query)
    )
    code = dedupe.normalise_credit_code(query)
    if code:
        condition |= Q(credit_code__contains=code)
    name = dedupe.name_key(query)
    if name:
        condition |= Q(name_key__contains=name)
    phone = dedupe.phone_search_key(query)
    if len(phone) >= 5:  # a few digits of a number, not a stray digit of a name
        condition |= Q(phone_key__contains=phone)
    return condition


def access_customer(user: Any, external_id: str) -> Customer:
    """The customer with ``external_id`` (or the one it was merged into) if ``user`` may
    see it; otherwise 404, so an invisible customer looks like a missing one."""
    customer = Customer.objects.select_related("owner", "merged_into").filter(
        external_id=external_id
    )
    found = customer.first()
    seen: set[int] = set()
    while found is not None and found.merged_into_id is not None and found.pk not in seen:
        seen.add(found.pk)
        found = Customer.objects.select_related("owner", "merged_into").get(pk=found.merged_into_id)
    if found is None or not can_view_customer(user, found):
        raise Http404(_("No such customer, or not one you may see."))
    return found


# Records -------------------------------------------------------------------------


def _visible(
    user: Any, rows: QuerySet[Row], rule: Callable[[QuerySet[Person]], Q]
) -> QuerySet[Row]:
    """``rows`` of the people ``user`` may see: all for organisation-wide roles, else
    those matching ``rule`` applied to :func:`visible_people`."""
    if sees_everything(user):
        return rows
    return rows.filter(rule(visible_people(user)))


def visible_opportunities(user: Any) -> QuerySet[Opportunity]:
    return _visible(user, Opportunity.objects.all(), lambda people: Q(owner__in=people))


def visible_activities(user: Any) -> QuerySet[Activity]:
    return _visible(user, Activity.objects.all(), lambda people: Q(owner__in=people))


def _owned_or_credited(person_field: str, credit: type[Model], record_field: str) -> Rule:
    """The rule for records with a person and a credit split: the person is visible, or
    a visible person is credited a share."""
    return lambda people: (
        Q(**{f"{person_field}__in": people})
        | Q(pk__in=credit._default_manager.filter(person__in=people).values(record_field))
    )


def visible_orders(user: Any) -> QuerySet[Order]:
    """Orders owned by, or crediting a share to, a visible person."""
    return _visible(user, Order.objects.all(), _owned_or_credited("owner", OrderCredit, "order_id"))


def visible_payments(user: Any) -> QuerySet[Payment]:
    """Payments collected by, or crediting a share to, a visible person."""
    rule = _owned_or_credited("collector", PaymentCredit, "payment_id")
    return _visible(user, Payment.objects.all(), rule)


def visible_tickets(user: Any) -> QuerySet[ServiceTicket]:
    """Tickets handled by a visible person, or opened for a visible person's order."""
    return _visible(
        user,
        ServiceTicket.objects.all(),
        lambda people: Q(owner__in=people) | Q(order__owner__in=people),
    )


def visible_surveys(user: Any) -> QuerySet[Survey]:
    return _visible(user, Survey.objects.all(), lambda people: Q(person__in=people))


def visible_contacts(user: Any) -> QuerySet[Contact]:
    """Contacts of visible customers: a contact belongs to the shared customer."""
    contacts = Contact.objects.filter(customer__merged_into__isnull=True)
    if sees_everything(user):
        return contacts
    return contacts.filter(customer__in=visible_customers(user))


def visible_training_scores(user: Any) -> QuerySet[TrainingScore]:
    return _visible(user, TrainingScore.objects.all(), lambda people: Q(person__in=people))


def visible_peer_ratings(user: Any) -> QuerySet[PeerRating]:
    """Ratings of visible people (the rated person's data), and the ratings the user
    gave, so a rater can check what they submitted."""
    me = person_of(user)
    given = Q(rater=me) if me is not None else Q(pk__in=[])
    return _visible(user, PeerRating.objects.all(), lambda people: Q(person__in=people) | given)


def my_reminders(user: Any) -> QuerySet[Reminder]:
    """Open reminders for the signed-in person (none for logins without a person)."""
    me = person_of(user)
    if me is None:
        return Reminder.objects.none()
    return Reminder.objects.filter(person=me, done_at__isnull=True)


# Customer 360 --------------------------------------------------------------------

SECTION_LIMIT = 200


def customer_360(customer: Customer) -> dict[str, Any]:
    """Everything about one customer across sales, marketing and after-sales, in a fixed
    number of queries. The caller has checked the customer is visible."""
    opportunities = list(
        customer.opportunities.select_related("owner", "stage", "product_line")
        .prefetch_related("stage_changes__from_stage", "stage_changes__to_stage")
        .order_by("-created_on", "-id")[:SECTION_LIMIT]
    )
    activities = list(
        customer.activities.select_related("owner", "opportunity", "contact")
        .prefetch_related("evidence")
        .order_by("-occurred_at", "-id")[:SECTION_LIMIT]
    )
    orders = list(
        customer.orders.select_related("owner", "product_line", "opportunity")
        .prefetch_related("lines__product", "credits__person")
        .order_by("-date", "-id")[:SECTION_LIMIT]
    )
    payments = list(
        customer.payments.select_related("collector", "order")
        .prefetch_related("credits__person")
        .order_by("-date", "-id")[:SECTION_LIMIT]
    )
    tickets = list(
        customer.tickets.select_related("owner", "order__owner").order_by("-opened_on", "-id")[
            :SECTION_LIMIT
        ]
    )
    surveys = list(
        customer.surveys.select_related("person").order_by("-date", "-id")[:SECTION_LIMIT]
    )
    contacts = list(customer.contacts.order_by("name", "id")[:SECTION_LIMIT])
    return {
        "opportunities": opportunities,
        "activities": activities,
        "orders": orders,
        "payments": payments,
        "tickets": tickets,
        "surveys": surveys,
        "contacts": contacts,
        "timeline": _timeline(opportunities, activities, orders, payments, tickets, surveys),
    }


SECTIONS = ("contacts", "opportunities", "activities", "orders", "payments", "tickets", "surveys")


def customer_figures(customer: Customer) -> dict[str, Any]:
    """How many records of each section the customer has (its Customer 360 shows the
    latest :data:`SECTION_LIMIT`), and its totals over all of them: confirmed orders and
    money collected, of verified records only (pending and rejected ones are shown,
    marked, but never counted: docs/pay.md). One query."""
    from decimal import Decimal

    from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
    from django.db.models.functions import Coalesce

    from attain.web.fields import MONEY

    from .models import OrderStatus, Verification

    def mine(model: type[Model]) -> QuerySet[Any]:
        return model._default_manager.filter(customer=OuterRef("pk")).order_by().values("customer")

    def count(model: type[Model]) -> Coalesce:
        return Coalesce(Subquery(mine(model).annotate(n=Count("pk")).values("n")[:1]), 0)

    def total(rows: QuerySet[Any]) -> Coalesce:
        money = DecimalField(**MONEY)
        found = Subquery(rows.annotate(t=Sum("amount")).values("t")[:1], output_field=money)
        return Coalesce(found, Value(Decimal(0)), output_field=money)

    models = {getattr(Customer, s).rel.related_model: s for s in SECTIONS}
    figures = {
        **{section: count(model) for model, section in models.items()},
        "confirmed_orders": total(
            mine(Order).filter(status=OrderStatus.CONFIRMED, verification=Verification.VERIFIED)
        ),
        "collected": total(mine(Payment).filter(verification=Verification.VERIFIED)),
    }
    names = [f"figure_{name}" for name in figures]
    values = (
        Customer.objects.filter(pk=customer.pk)
        .annotate(**dict(zip(names, figures.values(), strict=True)))
        .values_list(*names)
        .get()
    )
    row: dict[str, Any] = dict(zip(figures, values, strict=True))
    cent = Decimal("0.01")
    return {
        "counts": {section: row[section] for section in SECTIONS},
        "totals": {
            "confirmed_orders": Decimal(row["confirmed_orders"]).quantize(cent),
            "collected": Decimal(row["collected"]).quantize(cent),
        },
    }


def _timeline(
    opportunities: list[Opportunity],
    activities: list[Activity],
    orders: list[Order],
    payments: list[Payment],
    tickets: list[ServiceTicket],
    surveys: list[Survey],
) -> list[dict[str, Any]]:
    """One list, newest first, of everything that happened with the customer."""

    def day(value: Any) -> datetime.date:
        return local_day(value) or value

    events: list[dict[str, Any]] = []
    for a in activities:
        events.append(
            {
                "on": day(a.occurred_at),
                "kind": a.get_kind_display(),
                "department": _("Sales"),
                "who": a.owner,
                "text": a.summary,
            }
        )
    for o in opportunities:
        for change in o.stage_changes.all():
            events.append(
                {
                    "on": day(change.changed_at),
                    "kind": _("Stage"),
                    "department": _("Sales"),
                    "who": o.owner,
                    "text": _("%(opportunity)s: %(before)s → %(after)s")
                    % {
                        "opportunity": o.name,
                        "before": change.from_stage or "—",
                        "after": change.to_stage,
                    },
                }
            )
    for order in orders:
        events.append(
            {
                "on": order.date,
                "kind": _("Order"),
                "department": _("Sales"),
                "who": order.owner,
                "text": order.external_id,
                "amount": order.amount,  # shown as money, in the reader's format
                "after": order.get_status_display(),
            }
        )
    for p in payments:
        events.append(
            {
                "on": p.date,
                "kind": _("Payment"),
                "department": _("Finance"),
                "who": p.collector,
                "text": p.external_id,
                "amount": p.amount,
            }
        )
    for t in tickets:
        events.append(
            {
                "on": t.opened_on,
                "kind": t.get_kind_display(),
                "department": _("After-sales"),
                "who": t.owner,
                "text": f"{t.get_status_display()} · {t.text}",
            }
        )
    for s in surveys:
        events.append(
            {
                "on": s.date,
                "kind": _("Survey"),
                "department": _("Marketing"),
                "who": s.person,
                "text": f"{s.score} · {s.comment}",
            }
        )
    events.sort(key=lambda e: e["on"], reverse=True)
    return events


# Duplicates and funnel -----------------------------------------------------------


def duplicate_pairs(limit: int = 50) -> list[tuple[Customer, Customer, list[str]]]:
    """Pairs of live customers sharing a normalised name, phone or email (the credit
    code is unique among live customers), oldest first, each with its reasons. Six
    queries whatever the number of customers."""
    from django.db.models import Count

    from . import dedupe

    live = Customer.objects.filter(merged_into__isnull=True)
    checks = [
        ("name_key", _("same name")),
        ("phone_key", _("same phone")),
        ("email_key", _("same email")),
    ]
    pairs: dict[tuple[int, int], tuple[Customer, Customer, list[str]]] = {}
    for field, reason in checks:
        if field == "phone_key":
            # a phone field may hold several numbers, its key one per number
            # (space-separated): the keys are counted one by one
            counts = Counter(
                number
                for held in live.exclude(phone_key="").values_list("phone_key", flat=True)
                for number in set(held.split())
            )
            keys = sorted(number for number, n in counts.items() if n > 1)[:limit]
        else:
            keys = list(
                live.exclude(**{field: ""})
                .values(field)
                .annotate(n=Count("id"))
                .filter(n__gt=1)
                .order_by(field)
                .values_list(field, flat=True)[:limit]
            )
        if not keys:
            continue
        groups: dict[str, list[Customer]] = {}
        if field == "phone_key":
            wanted = set(keys)
            for customer in live.filter(holding_phone_keys(keys)).select_related("owner"):
                for number in set(customer.phone_key.split()) & wanted:
                    groups.setdefault(number, []).append(customer)
        else:
            for customer in live.filter(**{f"{field}__in": keys}).select_related("owner"):
                groups.setdefault(getattr(customer, field), []).append(customer)
        for group in groups.values():
            group.sort(key=lambda c: (c.created_on, c.pk))
            for n, other in enumerate(group[1:], start=1):
                # the oldest before it that is the same (a phone: the same line, not one
                # of the same number in another city)
                first = next(
                    (
                        c
                        for c in group[:n]
                        if field != "phone_key" or dedupe.same_phone(c.phone, other.phone)
                    ),
                    None,
                )
                if first is None:
                    continue
                key = (first.pk, other.pk)
                if key in pairs:
                    if reason not in pairs[key][2]:
                        pairs[key][2].append(reason)
                else:
                    pairs[key] = (first, other, [reason])
    return [pairs[key] for key in sorted(pairs)][:limit]


def holding_phone_keys(keys: list[str]) -> Q:
    """Customers whose :attr:`~Customer.phone_key` holds one of ``keys``: the whole key,
    or one of the space-separated keys of a field holding several numbers."""
    condition = Q(phone_key__in=keys)
    for key in keys:
        condition |= (
            Q(phone_key__startswith=f"{key} ")
            | Q(phone_key__endswith=f" {key}")
            | Q(phone_key__contains=f" {key} ")
        )
    return condition


def funnel(opportunities: QuerySet[Opportunity]) -> list[dict[str, Any]]:
    """Count, amount and weighted amount (amount × win probability, to the cent half-up)
    per stage."""
    from decimal import ROUND_HALF_UP, Decimal

    from django.db.models import Count

    from attain.web.aggregates import ExactSum

    from .models import Stage

    totals: dict[int, dict[str, Any]] = {
        row["stage_id"]: dict(row)
        for row in opportunities.order_by()
        .values("stage_id")
        .annotate(count=Count("id"), amount=ExactSum("amount"))
    }
    rows = []
    for stage in Stage.objects.order_by("position"):
        row = totals.get(stage.pk, {})
        amount = row.get("amount") or Decimal(0)
        rows.append(
            {
                "stage": stage,
                "count": row.get("count", 0),
                "amount": amount,
                "weighted": (amount * stage.probability).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                ),
            }
        )
    return rows


def funnel_reached(opportunities: QuerySet[Opportunity]) -> list[dict[str, Any]]:
    """How many of ``opportunities`` reached each open stage and won, in stage order:
    an opportunity counts at every stage up to the furthest it has been in (its stage
    history or its stage now); a won one at every stage. The funnel chart's figures."""
    from django.db.models import Count, Max, OuterRef, Subquery

    from .models import Stage, StageChange, StageKind

    stages = list(Stage.objects.filter(kind=StageKind.OPEN).order_by("position"))
    won = Stage.objects.filter(kind=StageKind.WON).order_by("position").first()
    ladder = stages + ([won] if won else [])
    if not ladder:
        return []
    top_of_ladder = ladder[-1].position
    # Counted in the database: per stage now and furthest stage in the history, how many
    # (a few dozen rows, not every opportunity and its history read into Python).
    furthest = (
        StageChange.objects.filter(
            opportunity=OuterRef("pk"), to_stage__kind__in=(StageKind.OPEN, StageKind.WON)
        )
        .order_by()
        .values("opportunity")
        .annotate(top=Max("to_stage__position"))
        .values("top")
    )
    groups = (
        opportunities.order_by()
        .annotate(furthest=Subquery(furthest))
        .values_list("stage__position", "stage__kind", "furthest")
        .annotate(n=Count("pk"))
    )
    counts = [0] * len(ladder)
    for position, kind, history, n in groups:
        top = (
            top_of_ladder
            if kind == StageKind.WON
            else max(position if kind == StageKind.OPEN else 0, history or 0)
        )
        for index, stage in enumerate(ladder):
            if stage.position <= top:
                counts[index] += n
    return [{"stage": stage, "reached": n} for stage, n in zip(ladder, counts, strict=True)]
