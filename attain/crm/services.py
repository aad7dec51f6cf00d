"""The only writers of CRM records. Each validates, writes in one transaction and
appends to the audit trail; bad input raises ``ValidationError`` keyed by field.

Who may write: the system (``actor=None``, imports and the demo), administrators,
sales operations and finance for anyone; managers and reps for the people they may
see (themselves, their reporting line); executives for no one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.accounts.models import Role
from attain.audit.models import Action
from attain.audit.services import record_change, snapshot
from attain.org.models import Assignment, Person
from attain.org.selectors import role_of, visible_people
from attain.web.files import check_evidence

from . import dedupe
from .models import (
    Activity,
    ActivityKind,
    Customer,
    Evidence,
    FollowUpRule,
    Opportunity,
    Order,
    OrderCredit,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentCredit,
    Product,
    Reminder,
    ServiceTicket,
    Stage,
    StageChange,
    StageKind,
    Survey,
    TicketKind,
    TicketStatus,
)

AFTER_SALES_TITLE = "after_sales"  # the job role that receives hand-offs of won orders
SHARE_TOLERANCE = Decimal("1e-9")
_UNSET: Any = object()


# Permissions ---------------------------------------------------------------------


def can_write_for(actor: Any, person: Person | None) -> bool:
    """May ``actor`` create or change a record that belongs to ``person``?"""
    if actor is None:
        return True
    role = role_of(actor)
    if role in {Role.ADMIN, Role.SALES_OPS, Role.FINANCE}:
        return True
    if role in {Role.MANAGER, Role.REP} and person is not None:
        return visible_people(actor).filter(pk=person.pk).exists()
    return False


def _require_writer(actor: Any, *people: Person | None) -> None:
    for person in people or (None,):
        if not can_write_for(actor, person):
            raise PermissionDenied(_("You may not record data for this person."))


# Customers -----------------------------------------------------------------------


def _customer_keys(customer: Customer) -> None:
    customer.name_key = dedupe.name_key(customer.name)
    customer.phone_key = dedupe.phone_key(customer.phone)
    customer.email_key = dedupe.email_key(customer.email)
    customer.credit_code = dedupe.normalise_credit_code(customer.credit_code)


def find_duplicates(customer: Customer) -> list[tuple[Customer, list[str]]]:
    """Other live customers sharing a credit code, name, phone or email with ``customer``,
    each with the reasons it matched."""
    _customer_keys(customer)
    checks = [
        ("credit_code", customer.credit_code, _("same unified social credit code")),
        ("name_key", customer.name_key, _("same name")),
        ("phone_key", customer.phone_key, _("same phone")),
        ("email_key", customer.email_key, _("same email")),
    ]
    condition = Q()
    for field, value, _reason in checks:
        if value:
            condition |= Q(**{field: value})
    if not condition:
        return []
    found = Customer.objects.filter(condition, merged_into__isnull=True)
    if customer.pk:
        found = found.exclude(pk=customer.pk)
    result = []
    for other in found.order_by("pk")[:20]:
        reasons = [
            reason for field, value, reason in checks if value and getattr(other, field) == value
        ]
        result.append((other, reasons))
    return result


def _validate_customer(customer: Customer, errors: dict[str, str]) -> None:
    if not customer.name.strip():
        errors["name"] = _("Give the customer's name.")
    if customer.credit_code and not dedupe.credit_code_is_valid(customer.credit_code):
        errors["credit_code"] = _(
            "“%(code)s” is not a valid unified social credit code "
            "(18 characters with a check digit)."
        ) % {"code": customer.credit_code}
    elif customer.credit_code:
        taken = Customer.objects.filter(credit_code=customer.credit_code, merged_into__isnull=True)
        if customer.pk:
            taken = taken.exclude(pk=customer.pk)
        other = taken.first()
        if other is not None:
            errors["credit_code"] = _("%(name)s already has this credit code.") % {
                "name": other.name
            }


def create_customer(
    actor: Any,
    *,
    name: str,
    owner: Person | None = None,
    allow_duplicate: bool = False,
    **fields: Any,
) -> Customer:
    """Create a customer. Likely duplicates (same name, phone or email) are refused
    unless ``allow_duplicate``; a duplicate credit code is always refused."""
    _require_writer(actor, owner)
    customer = Customer(name=name.strip(), owner=owner, **fields)
    _customer_keys(customer)
    errors: dict[str, str] = {}
    _validate_customer(customer, errors)
    if not errors and not allow_duplicate:
        duplicates = find_duplicates(customer)
        if duplicates:
            other, reasons = duplicates[0]
            errors["name"] = _("This looks like %(name)s (%(reasons)s).") % {
                "name": other.name,
                "reasons": ", ".join(reasons),
            }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        customer.save()
        record_change(actor, Action.CREATE, customer, after=snapshot(customer))
    return customer


def update_customer(actor: Any, customer: Customer, *, reason: str = "", **fields: Any) -> Customer:
    _require_writer(actor, customer.owner)
    if "owner" in fields:
        _require_writer(actor, fields["owner"])
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        before = snapshot(customer)
        for field, value in fields.items():
            setattr(customer, field, value)
        _customer_keys(customer)
        errors: dict[str, str] = {}
        _validate_customer(customer, errors)
        if errors:
            raise ValidationError(errors)
        customer.save()
        after = snapshot(customer)
        if after != before:
            record_change(actor, Action.UPDATE, customer, before=before, after=after, reason=reason)
    return customer


# Everything that points at a customer, moved over when two customers are merged.
_CUSTOMER_RELATIONS = (
    "contacts",
    "opportunities",
    "activities",
    "orders",
    "payments",
    "tickets",
    "surveys",
)
_FILLABLE = ("credit_code", "phone", "email", "industry", "city", "owner")


def merge_customers(
    actor: Any, keep: Customer, duplicate: Customer, *, reason: str = ""
) -> Customer:
    """Merge ``duplicate`` into ``keep``: every record of the duplicate moves to ``keep``
    (so both histories stay, now in one place), blank fields of ``keep`` are filled from
    the duplicate, and the duplicate remains as a pointer (``merged_into``)."""
    if role_of(actor) not in {Role.ADMIN, Role.SALES_OPS} and actor is not None:
        raise PermissionDenied(_("Only administrators and sales operations merge customers."))
    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("A customer cannot be merged into itself.")})
    with transaction.atomic():
        keep = Customer.objects.select_for_update().get(pk=keep.pk)
        duplicate = Customer.objects.select_for_update().get(pk=duplicate.pk)
        if duplicate.merged_into_id or keep.merged_into_id:
            raise ValidationError({"duplicate": _("One of these customers is already merged.")})
        keep_before, duplicate_before = snapshot(keep), snapshot(duplicate)
        moved = {}
        for relation in _CUSTOMER_RELATIONS:
            moved[relation] = getattr(duplicate, relation).update(customer=keep)
        for field in _FILLABLE:
            if not getattr(keep, field) and getattr(duplicate, field):
                setattr(keep, field, getattr(duplicate, field))
        keep.created_on = min(keep.created_on, duplicate.created_on)
        duplicate.merged_into = keep
        duplicate.credit_code = ""  # the code now belongs to the kept record only
        _customer_keys(duplicate)
        duplicate.save()
        _customer_keys(keep)
        keep.save()
        counts = ", ".join(f"{relation} {count}" for relation, count in moved.items() if count)
        note = reason or _("Merged %(duplicate)s into %(keep)s (records moved: %(counts)s).") % {
            "duplicate": duplicate.name,
            "keep": keep.name,
            "counts": counts or "0",
        }
        record_change(
            actor,
            Action.UPDATE,
            duplicate,
            before=duplicate_before,
            after=snapshot(duplicate),
            reason=note,
        )
        record_change(
            actor, Action.UPDATE, keep, before=keep_before, after=snapshot(keep), reason=note
        )
    return keep


# Credit splits -------------------------------------------------------------------


def validate_shares(shares: Mapping[Person, Decimal], field: str = "credits") -> None:
    if not shares:
        return
    if any(share <= 0 for share in shares.values()):
        raise ValidationError({field: _("Every credit share must be greater than 0.")})
    total = sum(shares.values(), Decimal(0))
    if abs(total - 1) > SHARE_TOLERANCE:
        raise ValidationError(
            {field: _("Credit shares sum to %(total)s, not 1.") % {"total": total}}
        )


# Orders and payments -------------------------------------------------------------


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
    _require_writer(actor, owner, *credits)
    validate_shares(credits)
    line_rows = [
        OrderLine(
            product=product,
            quantity=quantity,
            unit_price=price,
            amount=(quantity * price).quantize(Decimal("0.01")),
        )
        for product, quantity, price in lines
    ]
    if amount is None:
        if not line_rows:
            raise ValidationError({"amount": _("Give the amount or the order lines.")})
        amount = sum((line.amount for line in line_rows), Decimal(0))
    if customer.merged_into_id:
        raise ValidationError({"customer": _("This customer was merged into another one.")})
    with transaction.atomic():
        order = Order(
            customer=customer,
            owner=owner,
            date=date,
            amount=amount,
            status=status,
            opportunity=opportunity,
        )
        if external_id:
            order.external_id = external_id
        order.save()
        for line in line_rows:
            line.order = order
        OrderLine.objects.bulk_create(line_rows)
        OrderCredit.objects.bulk_create(
            OrderCredit(order=order, person=p, share=s) for p, s in credits.items()
        )
        record_change(
            actor, Action.CREATE, order, after={**snapshot(order), "credits": _credit_json(credits)}
        )
        if hand_off and status == OrderStatus.CONFIRMED:
            hand_off_order(actor, order)
    return order


def _credit_json(credits: Mapping[Person, Decimal]) -> dict[str, str]:
    return {person.code: str(share) for person, share in credits.items()}


def change_order_status(
    actor: Any, order: Order, status: str, *, on: datetime.date, reason: str = ""
) -> Order:
    """Cancel or return an order (or confirm it again), effective ``on``."""
    _require_writer(actor, order.owner)
    if status not in OrderStatus.values:
        raise ValidationError(
            {"status": _("Unknown order status “%(status)s”.") % {"status": status}}
        )
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        before = snapshot(order)
        order.status = status
        order.status_changed_on = on
        order.save(update_fields=["status", "status_changed_on"])
        record_change(
            actor, Action.UPDATE, order, before=before, after=snapshot(order), reason=reason
        )
    return order


def set_order_credits(
    actor: Any, order: Order, credits: Mapping[Person, Decimal], *, reason: str = ""
) -> Order:
    _require_writer(actor, order.owner, *credits)
    validate_shares(credits)
    with transaction.atomic():
        before = {
            p.code: str(s)
            for p, s in ((c.person, c.share) for c in order.credits.select_related("person"))
        }
        order.credits.all().delete()
        OrderCredit.objects.bulk_create(
            OrderCredit(order=order, person=p, share=s) for p, s in credits.items()
        )
        record_change(
            actor,
            Action.UPDATE,
            order,
            before={"credits": before},
            after={"credits": _credit_json(credits)},
            reason=reason,
        )
    return order


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
    _require_writer(actor, collector, *credits)
    validate_shares(credits)
    if order is not None and order.customer_id != customer.pk:
        raise ValidationError({"order": _("The order belongs to another customer.")})
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
            after={**snapshot(payment), "credits": _credit_json(credits)},
        )
    return payment


# Funnel --------------------------------------------------------------------------


def first_stage() -> Stage:
    stage = Stage.objects.filter(kind=StageKind.OPEN).order_by("position").first()
    if stage is None:
        raise ValidationError({"stage": _("Configure the funnel stages first.")})
    return stage


def create_opportunity(
    actor: Any,
    *,
    customer: Customer,
    name: str,
    owner: Person,
    amount: Decimal,
    stage: Stage | None = None,
    **fields: Any,
) -> Opportunity:
    _require_writer(actor, owner)
    stage = stage or first_stage()
    with transaction.atomic():
        opportunity = Opportunity.objects.create(
            customer=customer, name=name, owner=owner, amount=amount, stage=stage, **fields
        )
        StageChange.objects.create(
            opportunity=opportunity,
            to_stage=stage,
            changed_by=_user(actor),
            changed_at=timezone.now(),
        )
        record_change(actor, Action.CREATE, opportunity, after=snapshot(opportunity))
    return opportunity


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def move_opportunity(
    actor: Any,
    opportunity: Opportunity,
    stage: Stage,
    *,
    reason: str = "",
    on: datetime.date | None = None,
) -> Opportunity:
    """Move an opportunity to another stage, enforcing the stage's requirements: a
    required activity must be logged first, and winning or losing needs a reason."""
    _require_writer(actor, opportunity.owner)
    errors: dict[str, str] = {}
    if stage.pk == opportunity.stage_id:
        errors["stage"] = _("The opportunity is already in this stage.")
    if opportunity.stage.kind != StageKind.OPEN:
        errors["stage"] = _("The opportunity is closed (%(stage)s).") % {
            "stage": opportunity.stage.name
        }
    if (
        stage.required_activity
        and not opportunity.activities.filter(kind=stage.required_activity).exists()
    ):
        errors["stage"] = _(
            "Log a %(activity)s for this opportunity before moving it to %(stage)s."
        ) % {
            "activity": ActivityKind(stage.required_activity).label,
            "stage": stage.name,
        }
    if stage.kind != StageKind.OPEN and not reason.strip():
        errors["reason"] = _("Give the reason the opportunity was won or lost.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        before = snapshot(opportunity)
        previous = opportunity.stage
        opportunity.stage = stage
        if stage.kind != StageKind.OPEN:
            opportunity.closed_on = on or timezone.localdate()
            opportunity.close_reason = reason.strip()
        opportunity.save()
        StageChange.objects.create(
            opportunity=opportunity,
            from_stage=previous,
            to_stage=stage,
            changed_by=_user(actor),
            note=reason[:200],
        )
        record_change(
            actor,
            Action.UPDATE,
            opportunity,
            before=before,
            after=snapshot(opportunity),
            reason=reason,
        )
    return opportunity


# Activities ----------------------------------------------------------------------


def log_activity(
    actor: Any,
    *,
    kind: str,
    customer: Customer,
    owner: Person,
    occurred_at: datetime.datetime,
    opportunity: Opportunity | None = None,
    evidence: Iterable[tuple[str, Any]] = (),
    external_id: str | None = None,
    **fields: Any,
) -> Activity:
    """Log a visit, call, meeting or note, with optional evidence (kind, uploaded file)."""
    _require_writer(actor, owner)
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": _("Unknown activity kind “%(kind)s”.") % {"kind": kind}})
    if opportunity is not None and opportunity.customer_id != customer.pk:
        raise ValidationError({"opportunity": _("The opportunity belongs to another customer.")})
    evidence = list(evidence)
    check_evidence(evidence)  # allowed types by content, sizes, image pixels
    with transaction.atomic():
        activity = Activity(
            kind=kind,
            customer=customer,
            owner=owner,
            occurred_at=occurred_at,
            opportunity=opportunity,
            **fields,
        )
        if external_id:
            activity.external_id = external_id
        activity.save()
        for evidence_kind, upload in evidence:
            Evidence.objects.create(activity=activity, kind=evidence_kind, file=upload)
        record_change(actor, Action.CREATE, activity, after=snapshot(activity))
    return activity


# After-sales ---------------------------------------------------------------------


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
    with transaction.atomic():
        ticket = ServiceTicket.objects.create(
            customer=order.customer,
            order=order,
            owner=candidates.first(),
            kind=TicketKind.HANDOFF,
            opened_on=order.date,
            summary=_("Order %(order)s won by %(owner)s: deliver and onboard.")
            % {"order": order.external_id, "owner": order.owner.name},
        )
        record_change(actor, Action.CREATE, ticket, after=snapshot(ticket))
    return ticket


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
    from attain.org.selectors import person_of

    _require_writer(actor, person)
    _require_customer_writer(actor, customer)
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
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        survey = Survey(
            customer=customer, person=person, date=date, score=score, ticket=ticket, comment=comment
        )
        if external_id:
            survey.external_id = external_id
        survey.save()
        record_change(actor, Action.CREATE, survey, after=snapshot(survey))
    return survey


# Follow-up rules -----------------------------------------------------------------


def check_follow_ups(today: datetime.date | None = None) -> int:
    """Raise reminders for open opportunities that nobody contacted within their stage's
    rule. Idempotent: an open reminder is not raised twice. Returns how many were raised."""
    today = today or timezone.localdate()
    raised = 0
    for rule in FollowUpRule.objects.filter(active=True).select_related("stage"):
        cutoff = today - datetime.timedelta(days=rule.days)
        stale = (
            Opportunity.objects.filter(stage=rule.stage, created_on__lte=cutoff)
            .exclude(activities__occurred_at__date__gt=cutoff)
            .select_related("owner", "customer")
        )
        managers = dict(
            Assignment.objects.on(today)
            .filter(person__in=stale.values("owner"))
            .values_list("person_id", "manager_id")
        )
        reminders = []
        for opportunity in stale:
            message = _(
                "%(customer)s · %(name)s: no contact for %(days)s days in stage %(stage)s."
            ) % {
                "customer": opportunity.customer.name,
                "name": opportunity.name,
                "days": rule.days,
                "stage": rule.stage.name,
            }
            for person_id in {opportunity.owner_id, managers.get(opportunity.owner_id)} - {None}:
                reminders.append(
                    Reminder(
                        person_id=person_id, opportunity=opportunity, rule=rule, message=message
                    )
                )
        existing = set(
            Reminder.objects.filter(rule=rule, done_at__isnull=True).values_list(
                "person_id", "opportunity_id"
            )
        )
        new = [r for r in reminders if (r.person_id, r.opportunity_id) not in existing]
        Reminder.objects.bulk_create(new)
        raised += len(new)
    return raised


# Contacts, tickets, training, collaboration, products, reminders -------------------
# (added with the CRM pages and API; same validate → write → audit pattern)


def _require_customer_writer(actor: Any, customer: Customer) -> None:
    """Shared customer data (contacts) is written by the system, administrators, sales
    operations and finance, and by managers and reps who may see the customer."""
    from .selectors import can_view_customer

    if actor is None:
        return
    role = role_of(actor)
    if role in {Role.ADMIN, Role.SALES_OPS, Role.FINANCE}:
        return
    if role in {Role.MANAGER, Role.REP} and can_view_customer(actor, customer):
        return
    raise PermissionDenied(_("You may not change this customer."))


def create_contact(actor: Any, *, customer: Customer, name: str, **fields: Any) -> Any:
    from .models import Contact

    _require_customer_writer(actor, customer)
    if not name.strip():
        raise ValidationError({"name": _("Give the contact's name.")})
    if customer.merged_into_id:
        raise ValidationError({"customer": _("This customer was merged into another one.")})
    with transaction.atomic():
        contact = Contact.objects.create(customer=customer, name=name.strip(), **fields)
        record_change(actor, Action.CREATE, contact, after=snapshot(contact))
    return contact


def update_ticket(
    actor: Any,
    ticket: ServiceTicket,
    *,
    status: str | None = None,
    owner: Person | None = _UNSET,
    summary: str | None = None,
    on: datetime.date | None = None,
    reason: str = "",
) -> ServiceTicket:
    """Change a ticket's status, handler or summary. Resolving or closing it records the
    day; reopening clears it."""
    _require_writer(actor, ticket.owner)
    if owner is not _UNSET and owner is not None:
        _require_writer(actor, owner)
    if status is not None and status not in TicketStatus.values:
        raise ValidationError(
            {"status": _("Unknown ticket status “%(status)s”.") % {"status": status}}
        )
    with transaction.atomic():
        ticket = ServiceTicket.objects.select_for_update().get(pk=ticket.pk)
        before = snapshot(ticket)
        if status is not None:
            ticket.status = status
            done = status in {TicketStatus.RESOLVED, TicketStatus.CLOSED}
            ticket.resolved_on = (
                (ticket.resolved_on or on or timezone.localdate()) if done else None
            )
        if owner is not _UNSET:
            ticket.owner = owner
        if summary is not None:
            ticket.summary = summary
        ticket.save()
        after = snapshot(ticket)
        if after != before:
            record_change(actor, Action.UPDATE, ticket, before=before, after=after, reason=reason)
    return ticket


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
    _require_customer_writer(actor, customer)
    if owner is not None:
        _require_writer(actor, owner)
    if kind not in TicketKind.values:
        raise ValidationError({"kind": _("Unknown ticket kind “%(kind)s”.") % {"kind": kind}})
    if order is not None and order.customer_id != customer.pk:
        raise ValidationError({"order": _("The order belongs to another customer.")})
    with transaction.atomic():
        ticket = ServiceTicket.objects.create(
            customer=customer,
            kind=kind,
            owner=owner,
            order=order,
            summary=summary,
            opened_on=opened_on or timezone.localdate(),
        )
        record_change(actor, Action.CREATE, ticket, after=snapshot(ticket))
    return ticket


TRAINING_RECORDERS = frozenset({Role.ADMIN, Role.SALES_OPS})


def can_record_training(actor: Any, person: Person | None = None) -> bool:
    """Administrators and sales operations record training and test scores for anyone;
    managers for the people of their team (not for themselves). ``person=None``: may
    ``actor`` record any at all?"""
    from attain.org.selectors import person_of

    if actor is None:
        return True
    role = role_of(actor)
    if role in TRAINING_RECORDERS:
        return True
    if role != Role.MANAGER:
        return False
    if person is None:
        return True
    me = person_of(actor)
    if me is not None and me.pk == person.pk:
        return False
    return visible_people(actor).filter(pk=person.pk).exists()


def record_training_score(
    actor: Any,
    *,
    person: Person,
    course: str,
    date: datetime.date,
    score: Decimal,
    external_id: str | None = None,
) -> Any:
    from .models import TrainingScore

    if not can_record_training(actor, person):
        raise PermissionDenied(
            _("Training scores are recorded by administrators, sales operations and managers.")
        )
    errors: dict[str, str] = {}
    if not course.strip():
        errors["course"] = _("Give the course or test.")
    if not Decimal(0) <= score <= Decimal(100):
        errors["score"] = _("A training score lies between 0 and 100.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = TrainingScore(person=person, course=course.strip(), date=date, score=score)
        if external_id:
            row.external_id = external_id
        row.save()
        record_change(actor, Action.CREATE, row, after=snapshot(row))
    return row


def can_rate_for(actor: Any, rater: Person) -> bool:
    """Everyone rates as themself; administrators and sales operations may record a
    rating on behalf of the rater (e.g. from a paper form). The system may always."""
    from attain.org.selectors import person_of

    if can_rate_on_behalf(actor):
        return True
    me = person_of(actor)
    return me is not None and me.pk == rater.pk


def can_rate_on_behalf(actor: Any) -> bool:
    return actor is None or role_of(actor) in {Role.ADMIN, Role.SALES_OPS}


def record_peer_rating(
    actor: Any,
    *,
    rater: Person,
    person: Person,
    date: datetime.date,
    score: Decimal,
    comment: str = "",
    external_id: str | None = None,
) -> Any:
    """A colleague rates ``person``'s collaboration (1 to 5). Not oneself, and one rating
    per rater, person and calendar month (imports of history are not held to it)."""
    from .models import PeerRating

    if not can_rate_for(actor, rater):
        raise PermissionDenied(_("You may only give your own ratings."))
    errors: dict[str, str] = {}
    if rater.pk == person.pk:
        errors["person"] = _("Nobody rates their own collaboration.")
    elif not Person.objects.employed_on(date).filter(pk=person.pk).exists():
        errors["person"] = _("%(name)s is not employed on %(date)s.") % {
            "name": person.name,
            "date": date.isoformat(),
        }
    elif PeerRating.objects.filter(
        rater=rater, person=person, date__year=date.year, date__month=date.month
    ).exists():
        errors["person"] = _("%(rater)s already rated %(name)s for %(month)s.") % {
            "rater": rater.name,
            "name": person.name,
            "month": date.strftime("%Y-%m"),
        }
    if not Decimal(1) <= score <= Decimal(5):
        errors["score"] = _("A collaboration rating lies between 1 and 5.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = PeerRating(rater=rater, person=person, date=date, score=score, comment=comment)
        if external_id:
            row.external_id = external_id
        row.save()
        record_change(actor, Action.CREATE, row, after=snapshot(row))
    return row


def _require_catalogue_editor(actor: Any) -> None:
    if not can_edit_catalogue(actor):
        raise PermissionDenied(_("Only administrators and sales operations edit products."))


def can_edit_catalogue(actor: Any) -> bool:
    return actor is None or role_of(actor) in {Role.ADMIN, Role.SALES_OPS}


def create_product_line(actor: Any, *, code: str, name: str) -> Any:
    from .models import ProductLine

    _require_catalogue_editor(actor)
    code, name = code.strip(), name.strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = _("Give the code.")
    elif ProductLine.objects.filter(code=code).exists():
        errors["code"] = _("A product line “%(code)s” exists.") % {"code": code}
    if not name:
        errors["name"] = _("Give the name.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        line = ProductLine.objects.create(code=code, name=name)
        record_change(actor, Action.CREATE, line, after=snapshot(line))
    return line


def update_product_line(actor: Any, line: Any, *, name: str, reason: str = "") -> Any:
    """Rename a product line (its code is the key imports and the engine use)."""
    from .models import ProductLine

    _require_catalogue_editor(actor)
    if not name.strip():
        raise ValidationError({"name": _("Give the name.")})
    with transaction.atomic():
        line = ProductLine.objects.select_for_update().get(pk=line.pk)
        before = snapshot(line)
        line.name = name.strip()
        line.save()
        after = snapshot(line)
        if after != before:
            record_change(actor, Action.UPDATE, line, before=before, after=after, reason=reason)
    return line


def _validate_product(fields: Mapping[str, Any], errors: dict[str, str]) -> None:
    if "name" in fields and not str(fields["name"]).strip():
        errors["name"] = _("Give the name.")
    price = fields.get("list_price")
    if price is not None and price < 0:
        errors["list_price"] = _("A list price is not negative.")


def create_product(actor: Any, *, code: str, name: str, line: Any, **fields: Any) -> Product:
    _require_catalogue_editor(actor)
    code = code.strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = _("Give the product code.")
    elif Product.objects.filter(code=code).exists():
        errors["code"] = _("A product “%(code)s” exists.") % {"code": code}
    _validate_product({"name": name, **fields}, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        product = Product.objects.create(code=code, name=name.strip(), line=line, **fields)
        record_change(actor, Action.CREATE, product, after=snapshot(product))
    return product


PRODUCT_FIELDS = frozenset({"name", "line", "list_price", "active"})


def update_product(actor: Any, product: Product, *, reason: str = "", **fields: Any) -> Product:
    """Change a product's name, line, list price or whether it is offered (its code is
    the key imports and the engine use)."""
    _require_catalogue_editor(actor)
    unknown = set(fields) - PRODUCT_FIELDS
    if unknown:
        raise ValueError(f"not product fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    _validate_product(fields, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        before = snapshot(product)
        for field, value in fields.items():
            setattr(product, field, value.strip() if field == "name" else value)
        product.save()
        after = snapshot(product)
        if after != before:
            record_change(actor, Action.UPDATE, product, before=before, after=after, reason=reason)
    return product


def complete_reminder(actor: Any, reminder: Reminder) -> Reminder:
    """Mark a reminder done; only the person it is for (or an administrator) may."""
    from attain.org.selectors import person_of

    me = person_of(actor)
    if role_of(actor) != Role.ADMIN and (me is None or me.pk != reminder.person_id):
        raise PermissionDenied(_("This reminder is for someone else."))
    if reminder.done_at is None:
        reminder.done_at = timezone.now()
        reminder.save(update_fields=["done_at"])
    return reminder


FOLLOW_UP_CACHE_KEY = "crm:follow-ups-checked:%s"


def check_follow_ups_once_a_day(today: datetime.date | None = None) -> int | None:
    """Run :func:`check_follow_ups` unless it already ran today (in this cache); returns
    how many reminders it raised, or ``None`` when it had already run."""
    from django.core.cache import cache

    today = today or timezone.localdate()
    if not cache.add(FOLLOW_UP_CACHE_KEY % today.isoformat(), True, timeout=60 * 60 * 26):
        return None
    return check_follow_ups(today)
