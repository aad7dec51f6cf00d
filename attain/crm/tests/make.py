"""Short factories for records in tests: each calls the crm service as the system (no
actor), with the arguments every test gives first and in order; the rest by keyword."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from attain.crm import services
from attain.crm.models import Activity, Customer, Opportunity, Order, Payment
from attain.org.models import Person


def order(
    customer: Customer, owner: Person, date: datetime.date, amount: Any = None, **more: Any
) -> Order:
    return services.record_order(
        None, customer=customer, owner=owner, date=date, amount=amount, **more
    )


def payment(
    customer: Customer, collector: Person, date: datetime.date, amount: Any, **more: Any
) -> Payment:
    return services.record_payment(
        None, customer=customer, collector=collector, date=date, amount=amount, **more
    )


def activity(
    customer: Customer,
    owner: Person,
    kind: str = "visit",
    occurred_at: datetime.datetime | None = None,
    **more: Any,
) -> Activity:
    when = occurred_at or timezone.now()
    return services.log_activity(
        None, kind=kind, customer=customer, owner=owner, occurred_at=when, **more
    )


def opportunity(
    customer: Customer, owner: Person, name: str, amount: Any, **more: Any
) -> Opportunity:
    return services.create_opportunity(
        None, customer=customer, name=name, owner=owner, amount=amount, **more
    )


def shares(*people_and_shares: Any) -> dict[Person, Decimal]:
    """``shares(r1, "0.6", r2, "0.4")``: credit shares by person."""
    pairs = zip(people_and_shares[::2], people_and_shares[1::2], strict=True)
    return {person: Decimal(share) for person, share in pairs}
