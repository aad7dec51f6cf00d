"""Contacts: the people at a customer."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ..access import check_write_customer
from ..models import Contact, Customer
from .common import refuse, save_new


def create_contact(actor: Any, *, customer: Customer, name: str, **fields: Any) -> Contact:
    check_write_customer(actor, customer)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the contact's name.")
    if customer.merged_into_id:
        errors["customer"] = _("This customer was merged into another one.")
    refuse(errors, new=Contact, external_id=fields.get("external_id"))
    with transaction.atomic():
        return save_new(actor, Contact(customer=customer, name=name.strip(), **fields))
