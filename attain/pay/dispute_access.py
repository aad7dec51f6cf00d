"""Who may do what with disputes (docs/pay.md, "Disputes"), one condition per line.
Seeing a dispute follows the one visibility rule (a manager reads their team's, a rep
their own) for managers and reps; sales operations, finance and administrators see
every dispute. Tested as a role × action table (tests/test_dispute_access.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from attain.accounts.models import Role
from attain.org.selectors import person_of, role_of, visible_people

# Who sees every dispute; who handles them (assign, start, resolve, reject); who may
# write in any dispute's thread; who sees the counts.
SEE_ALL = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE})
HANDLERS = frozenset({Role.ADMIN, Role.SALES_OPS})
WRITERS = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE})
STATS_READERS = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE, Role.EXECUTIVE})
PEOPLE_ROLES = frozenset({Role.MANAGER, Role.REP})


def can_list_disputes(user: Any) -> bool:
    """The list (filtered by :func:`may_see`): the handlers and the people paid."""
    role = role_of(user)
    return role in SEE_ALL or (role in PEOPLE_ROLES and person_of(user) is not None)


def may_see(user: Any, dispute: Any) -> bool:
    role = role_of(user)
    if role in SEE_ALL:
        return True
    if role not in PEOPLE_ROLES:
        return False
    return visible_people(user).filter(pk=dispute.person_id).exists()


def can_open_dispute(user: Any) -> bool:
    """A person opens disputes about their own pay (a rep, or a manager about theirs)."""
    return role_of(user) in PEOPLE_ROLES and person_of(user) is not None


def may_open_for(user: Any, person: Any) -> bool:
    me = person_of(user)
    return can_open_dispute(user) and me is not None and me.pk == person.pk


def can_handle_disputes(user: Any) -> bool:
    return role_of(user) in HANDLERS


def may_handle(user: Any, dispute: Any) -> bool:
    """Take in hand, resolve (an adjustment to the person's pay) or reject: a handler,
    never about their own pay (segregation of duties); they may assign it to another."""
    me = person_of(user)
    return can_handle_disputes(user) and (me is None or me.pk != dispute.person_id)


def may_write(user: Any, dispute: Any) -> bool:
    """The person the dispute is about (their own login) and the handlers, finance."""
    if role_of(user) in WRITERS:
        return True
    me = person_of(user)
    return role_of(user) in PEOPLE_ROLES and me is not None and me.pk == dispute.person_id


def may_withdraw(user: Any, dispute: Any) -> bool:
    me = person_of(user)
    return role_of(user) in PEOPLE_ROLES and me is not None and me.pk == dispute.person_id


def can_read_dispute_stats(user: Any) -> bool:
    return role_of(user) in STATS_READERS


def can_set_dispute_policy(user: Any) -> bool:
    return role_of(user) in HANDLERS


def check(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def check_handle(user: Any) -> None:
    check(can_handle_disputes(user), _("Only sales operations handle disputes."))


def check_may_handle(user: Any, dispute: Any) -> None:
    check_handle(user)
    check(
        may_handle(user, dispute),
        _("Dispute #%(number)s is about your own pay: another handler answers it.")
        % {"number": dispute.pk},
    )
