"""Payments (回款) with their credit splits."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from attain.org.models import Person

from ..access import check_credits_for, check_write_for
from ..models import Customer, Order, Payment, PaymentCredit
from .common import refuse, save_new
from .orders import credit_json, validate_shares


def record_payment(
    actor: Any,
    *,
    customer: Customer,
    collector: Person,
    date: datetime.date,
    amount: Decimal,
    order: Order | None = None,
    credits: Mapping[Person, Decimal] | None = None,
    external_id: str | None = None,
) -> Payment:
    credits = dict(credits or {})
    check_write_for(actor, collector)
    check_credits_for(actor, credits)
    validate_shares(credits)
    errors: dict[str, str] = {}
    if order is not None and order.customer_id != customer.pk:
        errors["order"] = _("The order belongs to another customer.")
    refuse(errors, new=Payment, external_id=external_id)
    with transaction.atomic():
        payment = save_new(
            actor,
            Payment(customer=customer, collector=collector, date=date, amount=amount, order=order),
            external_id=external_id,
            audit={"credits": credit_json(credits)},
        )
        PaymentCredit.objects.bulk_create(
            PaymentCredit(payment=payment, person=p, share=s) for p, s in credits.items()
        )
    return payment
