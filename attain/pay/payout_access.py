"""Who may do what with payouts (docs/pay.md, "Payout approval"), one condition per line.
Seeing payouts follows the one visibility rule; these say who may change them. Tested as
a role × action table (tests/test_payout_access.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.accounts.models import Role
from attain.org.models import Person
from attain.org.selectors import person_of, role_of, team_ids_q

# Pay steps and the roles that take them (the administrator may take every step).
REVIEWERS = frozenset({Role.ADMIN, Role.MANAGER})
APPROVERS = frozenset({Role.ADMIN, Role.FINANCE})
PAYERS = frozenset({Role.ADMIN, Role.FINANCE})
HOLDERS = frozenset({Role.ADMIN, Role.FINANCE, Role.SALES_OPS})
PAYROLL_READERS = frozenset({Role.ADMIN, Role.FINANCE, Role.SALES_OPS})
MAPPING_EDITORS = frozenset({Role.ADMIN, Role.FINANCE, Role.SALES_OPS})
ACCRUAL_READERS = frozenset({Role.ADMIN, Role.FINANCE, Role.SALES_OPS, Role.EXECUTIVE})


def can_review_payouts(user: Any) -> bool:
    """Managers review their team's payouts (checked per person by :func:`may_review`)."""
    return role_of(user) in REVIEWERS


def is_own(user: Any, person: Person) -> bool:
    """Whether ``person`` is the login's own person (segregation of duties: nobody
    reviews, approves, marks paid, holds or releases their own payout, whatever their
    role)."""
    me = person_of(user)
    return me is not None and me.pk == person.pk


def may_review(user: Any, person: Person) -> bool:
    """A manager reviews the people below them (and the leavers who were below them on
    their last day); nobody reviews their own payout."""
    role = role_of(user)
    if is_own(user, person):
        return False
    if role == Role.ADMIN:
        return True
    me = person_of(user)
    if role != Role.MANAGER or me is None:
        return False
    return Person.objects.filter(team_ids_q(me.pk, timezone.localdate()), pk=person.pk).exists()


def can_approve_payouts(user: Any) -> bool:
    return role_of(user) in APPROVERS


def can_pay_payouts(user: Any) -> bool:
    return role_of(user) in PAYERS


def may_approve(user: Any, person: Person) -> bool:
    """Finance approves a person's payout, never their own."""
    return can_approve_payouts(user) and not is_own(user, person)


def may_pay(user: Any, person: Person) -> bool:
    """Finance marks a person's payout paid, never their own."""
    return can_pay_payouts(user) and not is_own(user, person)


def can_carry_deficits(user: Any) -> bool:
    """Finance carry a negative payout's deficit to the person's next payout."""
    return role_of(user) in PAYERS


def may_carry_deficit(user: Any, person: Person) -> bool:
    """Finance carry a person's deficit forward, never their own."""
    return can_carry_deficits(user) and not is_own(user, person)


def own_refusal(label: str) -> str:
    """The message refusing a step on the login's own payout (``label``: the payout)."""
    return _(
        "%(payout)s is your own payout: nobody reviews, approves, marks paid, holds or "
        "releases their own payout."
    ) % {"payout": label}


def reviewed_it(user: Any, payout: Any) -> bool:
    """Whether the login reviewed this payout (four eyes: whoever reviewed a payout does
    not approve it too; only an administrator could try)."""
    return payout.reviewed_by_id is not None and payout.reviewed_by_id == getattr(user, "pk", None)


def reviewer_refusal(label: str) -> str:
    """The message refusing to approve a payout the login reviewed."""
    return _("You reviewed %(payout)s: another login approves it (four eyes).") % {"payout": label}


def can_hold_payouts(user: Any) -> bool:
    return role_of(user) in HOLDERS


def may_hold(user: Any, person: Person) -> bool:
    """Finance or sales operations hold (and release) a person's payout, never their own."""
    return can_hold_payouts(user) and not is_own(user, person)


def can_export_payroll(user: Any) -> bool:
    return role_of(user) in PAYROLL_READERS


def can_edit_payroll_mapping(user: Any) -> bool:
    return role_of(user) in MAPPING_EDITORS


def can_read_accrual(user: Any) -> bool:
    return role_of(user) in ACCRUAL_READERS


def can_sync_payouts(user: Any) -> bool:
    """Bringing payouts up to date with the stored results (it happens by itself after
    every calculation; the button is for results stored before payouts existed)."""
    return role_of(user) in HOLDERS


def check(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def check_export_payroll(user: Any) -> None:
    check(can_export_payroll(user), _("Only finance or sales operations export payroll."))


def check_edit_payroll_mapping(user: Any) -> None:
    check(
        can_edit_payroll_mapping(user),
        _("Only finance or sales operations edit the payroll columns."),
    )


def check_read_accrual(user: Any) -> None:
    check(can_read_accrual(user), _("Only finance, sales operations and executives see accruals."))


def check_sync_payouts(user: Any) -> None:
    check(can_sync_payouts(user), _("Only finance or sales operations bring payouts up to date."))
