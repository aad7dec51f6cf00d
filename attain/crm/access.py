"""Every permission check of the CRM, in one place: ``can_*`` answers, ``check_*`` raises
``PermissionDenied``. Services, pages and the API all ask here. Each rule is written one
condition per line, so the role × action tests (tests/test_access.py) cover every branch.

Whose data a user may see is the one visibility rule,
:func:`attain.org.selectors.visible_people`; these checks build on it.

``actor=None`` is the system (imports, the demo, scheduled jobs): it may write anything
except complete someone's reminder.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from attain.accounts.models import ORGANISATION_WIDE_ROLES, Role
from attain.org.models import Person
from attain.org.selectors import person_of, role_of, visible_people

from .models import Customer, OrderCredit, PaymentCredit, Reminder

# Roles that write records for anyone (executives see all but change nothing).
WRITERS_FOR_ANYONE = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE})
# Roles that write records for the people they may see.
WRITERS_FOR_VISIBLE = frozenset({Role.MANAGER, Role.REP})
# Roles that merge duplicate customers and edit the product catalogue.
MERGERS = frozenset({Role.ADMIN, Role.SALES_OPS})
CATALOGUE_EDITORS = frozenset({Role.ADMIN, Role.SALES_OPS})
# Roles that record training scores for anyone, and ratings on behalf of the rater.
TRAINING_RECORDERS = frozenset({Role.ADMIN, Role.SALES_OPS})
RATING_RECORDERS = frozenset({Role.ADMIN, Role.SALES_OPS})


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _system_or_role_in(actor: Any, roles: frozenset[Role]) -> bool:
    if actor is None:
        return True
    return role_of(actor) in roles


def _sees(actor: Any, person: Person) -> bool:
    return visible_people(actor).filter(pk=person.pk).exists()


def _is_me(actor: Any, person_id: int | None) -> bool:
    me = person_of(actor)
    return me is not None and me.pk == person_id


# Seeing customers ------------------------------------------------------------------


def sees_everything(user: Any) -> bool:
    """Organisation-wide roles see every CRM record."""
    return role_of(user) in ORGANISATION_WIDE_ROLES


def can_view_customer(user: Any, customer: Customer) -> bool:
    """The rule of :func:`attain.crm.selectors.visible_customers` for one customer: its
    owner or the person of any of its records is someone ``user`` may see."""
    role = role_of(user)
    if role is None:
        return False
    if role in ORGANISATION_WIDE_ROLES:
        return True
    people = visible_people(user)
    if customer.owner_id is not None and people.filter(pk=customer.owner_id).exists():
        return True
    if customer.opportunities.filter(owner__in=people).exists():
        return True
    if customer.activities.filter(owner__in=people).exists():
        return True
    if customer.orders.filter(owner__in=people).exists():
        return True
    if OrderCredit.objects.filter(order__customer=customer, person__in=people).exists():
        return True
    if customer.payments.filter(collector__in=people).exists():
        return True
    if PaymentCredit.objects.filter(payment__customer=customer, person__in=people).exists():
        return True
    if customer.tickets.filter(owner__in=people).exists():
        return True
    if customer.surveys.filter(person__in=people).exists():  # noqa: SIM103
        return True
    return False


# Writing records -------------------------------------------------------------------


def can_write_for(actor: Any, person: Person | None) -> bool:
    """May ``actor`` create or change a record that belongs to ``person``?"""
    if actor is None:
        return True
    role = role_of(actor)
    if role in WRITERS_FOR_ANYONE:
        return True
    if role not in WRITERS_FOR_VISIBLE:
        return False
    if person is None:
        return False
    return _sees(actor, person)


def can_record(actor: Any) -> bool:
    """May ``actor`` record anything at all (a form to enter a record is offered only
    then; whose records, and which customers', is asked of each)?"""
    return actor is None or role_of(actor) in WRITERS_FOR_ANYONE | WRITERS_FOR_VISIBLE


def check_record(actor: Any) -> None:
    _require(can_record(actor), _("You may not record data."))


def writable_people_ids(actor: Any, people_ids: set[int]) -> set[int]:
    """The ids among ``people_ids`` of the people :func:`can_write_for` allows ``actor``
    to write for, in one query for them all (a board of many cards)."""
    if actor is None:
        return set(people_ids)
    role = role_of(actor)
    if role in WRITERS_FOR_ANYONE:
        return set(people_ids)
    if role not in WRITERS_FOR_VISIBLE:
        return set()
    return set(visible_people(actor).filter(pk__in=people_ids).values_list("pk", flat=True))


def check_write_for(actor: Any, *people: Person | None) -> None:
    """Refuse unless ``actor`` may write for every one of ``people`` (none: for nobody
    in particular)."""
    for person in people or (None,):
        _require(can_write_for(actor, person), _("You may not record data for this person."))


def named_for(actor: Any, person: Person) -> str:
    """A person in a refusal: name and employee id for a reader who sees them, else the
    id alone (what was typed; the name would tell who is behind any id)."""
    if actor is None or role_of(actor) in ORGANISATION_WIDE_ROLES or _sees(actor, person):
        return f"{person.name} ({person.code})"
    return person.code


def check_credits_for(actor: Any, people: Any) -> None:
    """A credit split may name only people ``actor`` may record for. Naming someone
    else is a mistake in the input, not a forbidden page: a ``ValidationError`` on the
    ``credits`` field names them, so the form is shown again with what was typed."""
    refused = [person for person in people if not can_write_for(actor, person)]
    if refused:
        raise ValidationError(
            {
                "credits": [
                    _(
                        "You may not credit %(names)s: a credit split may name only people "
                        "you record data for. Ask their manager or sales operations."
                    )
                    % {"names": ", ".join(named_for(actor, p) for p in refused)}
                ]
            }
        )


def can_write_customer(actor: Any, customer: Customer) -> bool:
    """Shared customer data (contacts, tickets, surveys) is written by the system,
    administrators, sales operations and finance, and by managers and reps who may see
    the customer."""
    if actor is None:
        return True
    role = role_of(actor)
    if role in WRITERS_FOR_ANYONE:
        return True
    if role not in WRITERS_FOR_VISIBLE:
        return False
    return can_view_customer(actor, customer)


def check_write_customer(actor: Any, customer: Customer) -> None:
    _require(can_write_customer(actor, customer), _("You may not change this customer."))


def can_merge_customers(actor: Any) -> bool:
    return _system_or_role_in(actor, MERGERS)


def check_merge_customers(actor: Any) -> None:
    _require(
        can_merge_customers(actor), _("Only administrators and sales operations merge customers.")
    )


# People's data: training scores and peer ratings -------------------------------------


def can_record_training(actor: Any, person: Person | None = None) -> bool:
    """Administrators and sales operations record training and test scores for anyone;
    managers for the people of their team (not for themselves). ``person=None``: may
    ``actor`` record any at all?"""
    if actor is None:
        return True
    role = role_of(actor)
    if role in TRAINING_RECORDERS:
        return True
    if role != Role.MANAGER:
        return False
    if person is None:
        return True
    if _is_me(actor, person.pk):
        return False
    return _sees(actor, person)


def may_know_of(actor: Any, person: Person) -> bool:
    """Whether a write naming ``person`` may tell ``actor`` that the person exists: the
    system, and whoever sees them. Anyone else is told what an employee id nobody has
    would tell (a refusal would say which ids exist)."""
    return actor is None or _sees(actor, person)


def check_record_training(actor: Any, person: Person | None = None) -> None:
    _require(
        can_record_training(actor, person),
        _("Training scores are recorded by administrators, sales operations and managers."),
    )


def can_rate_on_behalf(actor: Any) -> bool:
    """May ``actor`` record a rating given by someone else (e.g. on a paper form)?"""
    return _system_or_role_in(actor, RATING_RECORDERS)


def can_rate_for(actor: Any, rater: Person) -> bool:
    """Everyone rates as themself; administrators and sales operations may record a
    rating on behalf of the rater. The system may always."""
    if can_rate_on_behalf(actor):
        return True
    return _is_me(actor, rater.pk)


def can_rate(actor: Any) -> bool:
    """May ``actor`` give any rating at all (as themself or on behalf of someone)?"""
    if can_rate_on_behalf(actor):
        return True
    return person_of(actor) is not None


def check_rate_for(actor: Any, rater: Person) -> None:
    _require(can_rate_for(actor, rater), _("You may only give your own ratings."))


# Product catalogue and reminders -------------------------------------------------------


def can_edit_catalogue(actor: Any) -> bool:
    return _system_or_role_in(actor, CATALOGUE_EDITORS)


def check_edit_catalogue(actor: Any) -> None:
    _require(
        can_edit_catalogue(actor), _("Only administrators and sales operations edit products.")
    )


def can_complete_reminder(actor: Any, reminder: Reminder) -> bool:
    """Only the person a reminder is for (or an administrator) marks it done."""
    if role_of(actor) == Role.ADMIN:
        return True
    return _is_me(actor, reminder.person_id)


def check_complete_reminder(actor: Any, reminder: Reminder) -> None:
    _require(can_complete_reminder(actor, reminder), _("This reminder is for someone else."))


# Records that count -----------------------------------------------------------------

# Roles that verify or reject records entered by the people paid for them, and set the
# record tables' policies (docs/pay.md).
VERIFIERS = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE})
POLICY_EDITORS = frozenset({Role.ADMIN, Role.SALES_OPS})


def can_verify_records(user: Any) -> bool:
    return _system_or_role_in(user, VERIFIERS)


def check_verify_records(user: Any) -> None:
    _require(can_verify_records(user), _("Only finance or sales operations verify records."))


def can_edit_record_policy(user: Any) -> bool:
    return _system_or_role_in(user, POLICY_EDITORS)


def check_edit_record_policy(user: Any) -> None:
    _require(can_edit_record_policy(user), _("Only sales operations set record policies."))
