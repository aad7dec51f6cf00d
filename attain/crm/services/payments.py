"""Payments (回款) with their credit splits."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attain.audit.models import Action
from attain.audit.services import record_change, snapshot
from attain.org.models import Person

from ..access import check_write_for
from ..models import Customer, Order, Payment, PaymentCredit
from .common import check_external_id
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
    check_write_for(actor, collector, *credits)
    validate_shares(credits)
    errors: dict[str, str] = {}
    if order is not None and order.customer_id != customer.pk:
        errors["order"] = _("The order belongs to another customer.")
    check_external_id(Payment, external_id, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        payment = Payment(
            customer=customer, collector=collector, date=date, amount=amount, order=order
        )
        if external_id:
            payment.external_id = external_id
        payment.save()
        PaymentCredit.objects.bulk_create(
            PaymentCredit(payment=payment, person=p, share=s) for p, s in credits.items()
        )
        record_change(
            actor,
            Action.CREATE,
            payment,
            after={**snapshot(payment), "credits": credit_json(credits)},
        )
    return payment
