"""Contacts: the people at a customer."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attain.audit.models import Action
from attain.audit.services import record_change, snapshot

from ..access import check_write_customer
from ..models import Contact, Customer
from .common import check_external_id


def create_contact(actor: Any, *, customer: Customer, name: str, **fields: Any) -> Contact:
    check_write_customer(actor, customer)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the contact's name.")
    if customer.merged_into_id:
        errors["customer"] = _("This customer was merged into another one.")
    check_external_id(Contact, fields.get("external_id"), errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact = Contact.objects.create(customer=customer, name=name.strip(), **fields)
        record_change(actor, Action.CREATE, contact, after=snapshot(contact))
    return contact
