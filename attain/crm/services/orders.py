"""Orders with their lines and credit splits; cancelling and returning them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attain.audit.models import Action
from attain.audit.services import record_change, snapshot
from attain.org.company import money_places
from attain.org.models import Person

from ..access import check_credits_for, check_write_for
from ..bounds import record_bound_errors
from ..models import (
    Customer,
    Opportunity,
    Order,
    OrderCredit,
    OrderLine,
    OrderStatus,
    Product,
)
from .common import refuse, save_new, stamp_verification
from .tickets import hand_off_order

SHARE_TOLERANCE = Decimal("1e-9")


def validate_shares(shares: Mapping[Person, Decimal], field: str = "credits") -> None:
    """Credit shares are positive and sum to 1 (no shares: the owner gets it all)."""
    if not shares:
        return
    if any(share <= 0 for share in shares.values()):
        raise ValidationError({field: _("Every credit share must be greater than 0.")})
    total = sum(shares.values(), Decimal(0))
    if abs(total - 1) > SHARE_TOLERANCE:
        raise ValidationError(
            {field: _("Credit shares sum to %(total)s, not 1.") % {"total": total}}
        )


def credit_json(credits: Mapping[Person, Decimal]) -> dict[str, str]:
    """A credit split as the audit trail stores it: person code → share."""
    return {person.code: str(share) for person, share in credits.items()}


def record_order(
    actor: Any,
    *,
    customer: Customer,
    owner: Person,
    date: datetime.date,
    amount: Decimal | None = None,
    status: str = OrderStatus.CONFIRMED,
    lines: Iterable[tuple[Product, Decimal, Decimal]] = (),
    credits: Mapping[Person, Decimal] | None = None,
    opportunity: Opportunity | None = None,
    external_id: str | None = None,
    hand_off: bool = True,
) -> Order:
    """Record an order. ``lines`` are (product, quantity, unit price); without an
    ``amount`` the order's amount is their total. A confirmed order is handed off to
    after-sales."""
    credits = dict(credits or {})
    check_write_for(actor, owner)
    check_credits_for(actor, credits)
    validate_shares(credits)
    step = Decimal(1).scaleb(-money_places())  # the cent; the yen in JPY
    line_rows = [
        OrderLine(
            product=product,
            quantity=quantity,
            unit_price=price,
            amount=(quantity * price).quantize(step, rounding=ROUND_HALF_UP),
        )
        for product, quantity, price in lines
    ]
    line_errors: dict[str, str] = {}
    for line in line_rows:
        line_errors.update(record_bound_errors(line, actor))
    if line_errors:
        raise ValidationError(line_errors)
    if amount is None:
        if not line_rows:
            raise ValidationError({"amount": _("Give the amount or the order lines.")})
        amount = sum((line.amount for line in line_rows), Decimal(0))
    errors: dict[str, str] = {}
    if customer.merged_into_id:
        errors["customer"] = _("This customer was merged into another one.")
    if opportunity is not None and opportunity.customer_id != customer.pk:
        errors["opportunity"] = _("The opportunity belongs to another customer.")
    refuse(errors, new=Order, external_id=external_id)
    with transaction.atomic():
        order = save_new(
            actor,
            Order(
                customer=customer,
                owner=owner,
                date=date,
                amount=amount,
                status=status,
                opportunity=opportunity,
            ),
            external_id=external_id,
            audit={"credits": credit_json(credits)},
        )
        for line in line_rows:
            line.order = order
        OrderLine.objects.bulk_create(line_rows)
        OrderCredit.objects.bulk_create(
            OrderCredit(order=order, person=p, share=s) for p, s in credits.items()
        )
        if hand_off and status == OrderStatus.CONFIRMED:
            hand_off_order(actor, order)
    return order


def change_order_status(
    actor: Any, order: Order, status: str, *, on: datetime.date, reason: str = ""
) -> Order:
    """Cancel or return an order (or confirm it again), effective ``on``. The order
    belongs to its owner and to everyone credited a share: the actor must be allowed to
    record for each of them (as when the order was recorded with its split), and a change
    by someone paid for it waits for verification again (docs/pay.md)."""
    credited = Person.objects.filter(order_credits__order=order)
    check_write_for(actor, order.owner, *credited)
    if status not in OrderStatus.values:
        raise ValidationError(
            {"status": _("Unknown order status “%(status)s”.") % {"status": status}}
        )
    if on < order.date:
        raise ValidationError(
            {
                "on": _("A status change is effective on or after the order's date (%(day)s).")
                % {"day": order.date.isoformat()}
            }
        )
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        before = snapshot(order)
        changed = (order.status, order.status_changed_on) != (status, on)
        order.status = status
        order.status_changed_on = on
        if changed:
            stamp_verification(actor, order)
        order.save(
            update_fields=[
                "status",
                "status_changed_on",
                "verification",
                "verified_by",
                "verified_at",
            ]
        )
        record_change(
            actor, Action.UPDATE, order, before=before, after=snapshot(order), reason=reason
        )
    return order
