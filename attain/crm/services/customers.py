"""Customers: create (refusing likely duplicates), find duplicates, merge."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from attain.audit.models import Action
from attain.audit.services import record_change, snapshot
from attain.org.models import Person

from .. import dedupe, events
from ..access import check_merge_customers, check_write_for
from ..models import Customer, OrderCredit, PaymentCredit
from ..records import PLACEMENTS
from ..selectors import holding_phone_keys
from .common import external_id_taken, refuse, save_new


def set_customer_keys(customer: Customer) -> None:
    """Keep the duplicate keys of ``customer`` in step with its name, phone and email,
    and its credit code normalised (also used by Django admin's customer form)."""
    customer.name_key = dedupe.name_key(customer.name)
    customer.phone_key = dedupe.phone_key(customer.phone)
    customer.email_key = dedupe.email_key(customer.email)
    customer.credit_code = dedupe.normalise_credit_code(customer.credit_code)


def find_duplicates(customer: Customer) -> list[tuple[Customer, list[str]]]:
    """Other live customers sharing a credit code, name, phone or email with ``customer``,
    each with the reasons it matched."""
    set_customer_keys(customer)
    checks = [
        ("credit_code", customer.credit_code, _("same unified social credit code")),
        ("name_key", customer.name_key, _("same name")),
        ("phone_key", customer.phone_key, _("same phone")),
        ("email_key", customer.email_key, _("same email")),
    ]
    condition = Q()
    for field, value, _reason in checks:
        if field == "phone_key" and value:
            # each number of a field holding several (0769-8888 1234；186 1234 5678)
            condition |= holding_phone_keys(value.split())
        elif value:
            condition |= Q(**{field: value})
    if not condition:
        return []
    found = Customer.objects.filter(condition, merged_into__isnull=True)
    if customer.pk:
        found = found.exclude(pk=customer.pk)
    result = []
    # more than are listed: candidates that only share a landline's key with a number in
    # another city are dropped below, and must not push a real duplicate out
    for other in found.order_by("pk")[:200]:
        reasons = [
            reason
            for field, value, reason in checks
            if value
            and (
                dedupe.same_phone(customer.phone, other.phone)
                if field == "phone_key"
                else getattr(other, field) == value
            )
        ]
        if reasons:  # not when only the key of a landline in another city matched
            result.append((other, reasons))
            if len(result) == 20:
                break
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
    check_write_for(actor, owner)
    customer = Customer(name=name.strip(), owner=owner, **fields)
    set_customer_keys(customer)
    errors: dict[str, str] = {}
    _validate_customer(customer, errors)
    taken = external_id_taken(Customer, fields.get("external_id"))
    if taken:
        errors["external_id"] = taken
    if not errors and not allow_duplicate:
        duplicates = find_duplicates(customer)
        if duplicates:
            other, reasons = duplicates[0]
            errors["name"] = _("This looks like %(name)s (%(reasons)s).") % {
                "name": other.name,
                "reasons": pgettext("list separator", ", ").join(reasons),
            }
    refuse(errors)
    with transaction.atomic():
        return save_new(actor, customer)


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


def _note_moved(duplicate: Customer) -> None:
    """The records about to move to another customer change what measures read (a count
    of distinct customers, say): announce them, with everyone credited a share, so the
    results of the people they are credited to follow (the queryset update that moves
    them bypasses the model hooks of :mod:`attain.crm.events`)."""
    for relation in _CUSTOMER_RELATIONS:
        rows = getattr(duplicate, relation)
        placement = PLACEMENTS.get(rows.model.__name__)
        if placement is None:
            continue
        pairs: list[tuple[Any, Any]] = []
        for person in placement.people:
            pairs += rows.values_list(person, placement.date)
        credit = {"orders": (OrderCredit, "order"), "payments": (PaymentCredit, "payment")}
        if relation in credit:
            model, field = credit[relation]
            pairs += model._default_manager.filter(**{f"{field}__customer": duplicate}).values_list(
                "person_id", f"{field}__{placement.date}"
            )
        events.note(placement.table, pairs)
        if relation == "orders":
            events.note("order_lines", pairs)


def merge_customers(
    actor: Any, keep: Customer, duplicate: Customer, *, reason: str = ""
) -> Customer:
    """Merge ``duplicate`` into ``keep``: every record of the duplicate moves to ``keep``
    (so both histories stay, now in one place), blank fields of ``keep`` are filled from
    the duplicate, and the duplicate remains as a pointer (``merged_into``)."""
    check_merge_customers(actor)
    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("A customer cannot be merged into itself.")})
    with transaction.atomic():
        keep = Customer.objects.select_for_update().get(pk=keep.pk)
        duplicate = Customer.objects.select_for_update().get(pk=duplicate.pk)
        if duplicate.merged_into_id or keep.merged_into_id:
            raise ValidationError({"duplicate": _("One of these customers is already merged.")})
        keep_before, duplicate_before = snapshot(keep), snapshot(duplicate)
        _note_moved(duplicate)
        # Which records came from the duplicate, by id: kept in the audit trail, so the
        # merge can be checked and, if it was a mistake, undone record by record.
        moved: dict[str, list[str]] = {}
        for relation in _CUSTOMER_RELATIONS:
            rows = getattr(duplicate, relation)
            moved[relation] = list(rows.order_by("pk").values_list("external_id", flat=True))
            rows.update(customer=keep)
        for field in _FILLABLE:
            if not getattr(keep, field) and getattr(duplicate, field):
                setattr(keep, field, getattr(duplicate, field))
        keep.created_on = min(keep.created_on, duplicate.created_on)
        duplicate.merged_into = keep
        duplicate.credit_code = ""  # the code now belongs to the kept record only
        set_customer_keys(duplicate)
        duplicate.save()
        set_customer_keys(keep)
        keep.save()
        counts = pgettext("list separator", ", ").join(
            f"{getattr(Customer, relation).rel.related_model._meta.verbose_name_plural} {len(ids)}"
            for relation, ids in moved.items()
            if ids
        )
        note = _("Merged %(duplicate)s into %(keep)s (records moved: %(counts)s).") % {
            "duplicate": duplicate.name,
            "keep": keep.name,
            "counts": counts or "0",
        }
        if reason.strip():  # the reason given, and still what moved
            note = f"{reason.strip()} · {note}"
        merged = {"merged": {"duplicate": duplicate.external_id, "records": moved}}
        record_change(
            actor,
            Action.UPDATE,
            duplicate,
            before=duplicate_before,
            after={**snapshot(duplicate), **merged},
            reason=note,
        )
        record_change(
            actor,
            Action.UPDATE,
            keep,
            before=keep_before,
            after={**snapshot(keep), **merged},
            reason=note,
        )
    return keep
