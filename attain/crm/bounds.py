"""Hard bounds on the money, quantity and date fields of records, and whether a new
record counts at once or waits for verification (docs/pay.md, "Records that count").

The CRM services and the import's row check (:mod:`attain.intake.rows`) both ask here,
so a page, the API and an import refuse the same values with the same message. The
limits come from the table's :class:`~attain.crm.models.RecordPolicy` (sales operations
edit them), else the defaults.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.accounts.models import Role
from attain.org.company import company, money_places
from attain.org.selectors import person_of, role_of

from .events import local_day
from .models import (
    DEFAULT_AMOUNT_CEILING,
    DEFAULT_MAX_FUTURE_DAYS,
    RecordPolicy,
    Verification,
)
from .records import PLACEMENTS

MONEY, QUANTITY, DATE = "money", "quantity", "date"

# The bounded fields of each model: money (not negative, under the ceiling), quantities
# (not negative) and business dates (not too far in the future). Negative amounts are
# never entered: a return or a cancellation is an order's status.
BOUNDED: dict[str, dict[str, str]] = {
    "Order": {"amount": MONEY, "date": DATE},
    "OrderLine": {"quantity": QUANTITY, "unit_price": MONEY, "amount": MONEY},
    "Payment": {"amount": MONEY, "date": DATE},
    "Activity": {"occurred_at": DATE, "duration_minutes": QUANTITY},
    "Customer": {"created_on": DATE},
    "Opportunity": {"amount": MONEY, "created_on": DATE},
    "Product": {"list_price": MONEY},
    "ServiceTicket": {"opened_on": DATE, "resolved_on": DATE},
    "Survey": {"date": DATE},
    "TrainingScore": {"date": DATE},
    "PeerRating": {"date": DATE},
}

# The policy table of models that are not record tables of their own.
_TABLE_OF = {"OrderLine": "orders", "Opportunity": "opportunities", "Product": "orders"}

# Roles whose entries count at once: they are not paid for the records they enter.
REVIEWERS = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE})


def table_of(model_name: str) -> str:
    if model_name in _TABLE_OF:
        return _TABLE_OF[model_name]
    return PLACEMENTS[model_name].table


def policy(table: str) -> RecordPolicy:
    """The table's policy (an unsaved one with the defaults when none is stored)."""
    stored = RecordPolicy.objects.filter(table=table).first()
    if stored is not None:
        return stored
    return RecordPolicy(
        table=table,
        review_own=True,
        max_future_days=DEFAULT_MAX_FUTURE_DAYS,
        amount_ceiling=DEFAULT_AMOUNT_CEILING,
    )


def _label(model: type[models.Model], name: str) -> str:
    return str(model._meta.get_field(name).verbose_name).capitalize()  # type: ignore[union-attr]


def _storable(value: Any) -> bool:
    """Whether a date and time can be stored (in UTC): one in the first hours of year 1
    east of Greenwich, or the last of year 9999 west of it, cannot."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        try:
            value.astimezone(datetime.UTC)
        except OverflowError:
            return False
    return True


# The one negative amount: a credit note (an order refunded), and only from the system
# of record (an import, finance, sales operations). Quantities, prices and payments are
# never negative; a rep takes an order back through its status (returned, cancelled).
CREDIT_NOTES = frozenset({("Order", "amount")})


def bound_errors(
    model: type[models.Model],
    values: Mapping[str, Any],
    *,
    rules: RecordPolicy | None = None,
    today: datetime.date | None = None,
    credit_notes: bool = False,
) -> dict[str, str]:
    """The bound each value of ``values`` (field name → value) breaks, keyed by field.
    ``credit_notes``: the writer may enter credit notes (see :data:`CREDIT_NOTES`).
    Amounts in a currency without decimals (JPY, KRW: :func:`money_places` 0) are whole
    numbers: 1000.5 yen is refused."""
    bounded = BOUNDED.get(model.__name__)
    if not bounded:
        return {}
    rules = rules or policy(table_of(model.__name__))
    today = today or timezone.localdate()
    whole = money_places() == 0
    errors: dict[str, str] = {}
    for name, kind in bounded.items():
        value = values.get(name)
        if value is None:
            continue
        credit_note = credit_notes and (model.__name__, name) in CREDIT_NOTES
        if kind in (MONEY, QUANTITY) and Decimal(value) < 0 and not credit_note:
            if (model.__name__, name) in CREDIT_NOTES:  # a rep's order: its status
                errors[name] = _(
                    "%(field)s must not be negative (an order is taken back through its "
                    "status: returned or cancelled)."
                ) % {"field": _label(model, name)}
            else:  # a payment, a price, a quantity: never negative
                errors[name] = _("%(field)s must not be negative.") % {"field": _label(model, name)}
        elif kind == MONEY and abs(Decimal(value)) > rules.amount_ceiling:
            errors[name] = _("%(field)s %(value)s is above the ceiling of %(ceiling)s.") % {
                "field": _label(model, name),
                "value": value,
                "ceiling": rules.amount_ceiling,
            }
        elif kind == MONEY and whole and Decimal(value) != Decimal(value).to_integral_value():
            errors[name] = _(
                "%(field)s %(value)s has decimals: amounts in %(currency)s are whole numbers."
            ) % {"field": _label(model, name), "value": value, "currency": company().currency}
        elif kind == DATE and not _storable(value):
            errors[name] = _("%(field)s %(date)s is out of range.") % {
                "field": _label(model, name),
                "date": value.date().isoformat(),
            }
        elif kind == DATE:
            day = local_day(value)
            if day is not None and (day - today).days > rules.max_future_days:
                errors[name] = _("%(field)s %(date)s is more than %(days)s days in the future.") % {
                    "field": _label(model, name),
                    "date": day.isoformat(),
                    "days": rules.max_future_days,
                }
    return errors


def record_bound_errors(record: models.Model, actor: Any = None) -> dict[str, str]:
    """:func:`bound_errors` of a model instance's fields, written by ``actor``."""
    bounded = BOUNDED.get(type(record).__name__, {})
    values = {name: getattr(record, name) for name in bounded}
    return bound_errors(type(record), values, credit_notes=reviews_records(actor))


def reviews_records(actor: Any) -> bool:
    """Whether ``actor``'s entries count at once (the system, finance, sales operations,
    administrators)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return True
    return role_of(actor) in REVIEWERS


def initial_verification(actor: Any, table: str, people: Iterable[int | None]) -> str:
    """The state a record written by ``actor`` starts in: *pending* when the one entering
    it is paid for it (one of ``people``, the people it is credited to, or a manager,
    paid on the team's records) and the table's policy asks for review; else verified.
    Finance, sales operations and administrators verify records, so theirs count at once,
    except a record credited to their own person: nobody makes their own record count."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Verification.VERIFIED
    if not policy(table).review_own:
        return Verification.VERIFIED
    me = person_of(actor)
    if me is not None and me.pk in set(people):
        return Verification.PENDING
    if reviews_records(actor):
        return Verification.VERIFIED
    if role_of(actor) == Role.MANAGER:
        return Verification.PENDING
    return Verification.VERIFIED
