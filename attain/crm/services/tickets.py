"""After-sales: hand-off tickets for won orders, tickets opened by hand, their status."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.audit.services import snapshot
from attain.org.models import Assignment, Person

from ..access import check_write_customer, check_write_for
from ..models import Customer, Order, ServiceTicket, TicketKind, TicketStatus
from .common import save_changed, save_new

AFTER_SALES_TITLE = "after_sales"  # the job role that receives hand-offs of won orders


def hand_off_order(actor: Any, order: Order) -> ServiceTicket | None:
    """Open an after-sales hand-off ticket for a confirmed order, assigned to the
    after-sales person (job role ``after_sales``) with the fewest open tickets."""
    if ServiceTicket.objects.filter(order=order, kind=TicketKind.HANDOFF).exists():
        return None
    today = order.date
    candidates = (
        Person.objects.employed_on(today)
        .filter(
            pk__in=Assignment.objects.on(today).filter(title=AFTER_SALES_TITLE).values("person")
        )
        .annotate(
            open_tickets=Count(
                "tickets",
                filter=~Q(tickets__status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED]),
            )
        )
        .order_by("open_tickets", "code")
    )
    ticket = ServiceTicket(
        customer=order.customer,
        order=order,
        owner=candidates.first(),
        kind=TicketKind.HANDOFF,
        opened_on=order.date,
        summary="",  # written out in the reader's language (ServiceTicket.text)
    )
    with transaction.atomic():
        return save_new(actor, ticket)


def open_ticket(
    actor: Any,
    *,
    customer: Customer,
    kind: str,
    owner: Person | None = None,
    order: Order | None = None,
    summary: str = "",
    opened_on: datetime.date | None = None,
) -> ServiceTicket:
    check_write_customer(actor, customer)
    if owner is not None:
        check_write_for(actor, owner)
    if kind not in TicketKind.values:
        raise ValidationError({"kind": _("Unknown ticket kind “%(kind)s”.") % {"kind": kind}})
    if order is not None and order.customer_id != customer.pk:
        raise ValidationError({"order": _("The order belongs to another customer.")})
    ticket = ServiceTicket(
        customer=customer,
        kind=kind,
        owner=owner,
        order=order,
        summary=summary,
        opened_on=opened_on or timezone.localdate(),
    )
    with transaction.atomic():
        return save_new(actor, ticket)


def update_ticket(
    actor: Any,
    ticket: ServiceTicket,
    *,
    status: str,
    on: datetime.date | None = None,
    reason: str = "",
) -> ServiceTicket:
    """Change a ticket's status. Resolving or closing it records the day (``on``,
    default today); reopening clears it."""
    check_write_for(actor, ticket.owner)
    if status not in TicketStatus.values:
        raise ValidationError(
            {"status": _("Unknown ticket status “%(status)s”.") % {"status": status}}
        )
    with transaction.atomic():
        ticket = ServiceTicket.objects.select_for_update().get(pk=ticket.pk)
        before = snapshot(ticket)
        ticket.status = status
        done = status in {TicketStatus.RESOLVED, TicketStatus.CLOSED}
        ticket.resolved_on = (ticket.resolved_on or on or timezone.localdate()) if done else None
        if ticket.resolved_on is not None and ticket.resolved_on < ticket.opened_on:
            raise ValidationError(
                {
                    "on": _("A ticket is resolved on or after the day it was opened (%(day)s).")
                    % {"day": ticket.opened_on.isoformat()}
                }
            )
        save_changed(actor, ticket, before, reason)
    return ticket
