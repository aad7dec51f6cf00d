"""Who may close and reopen pay periods (docs/pay.md, "Period close"), one condition per
line. Tested as a role × action table (tests/test_close.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from attain.accounts.models import Role
from attain.org.selectors import role_of

PERIOD_READERS = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE, Role.EXECUTIVE})
CLOSERS = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE})
REOPENERS = frozenset({Role.ADMIN, Role.SALES_OPS})  # rare: administrators, sales ops


def can_see_periods(user: Any) -> bool:
    return role_of(user) in PERIOD_READERS


def can_close_periods(user: Any) -> bool:
    if user is None:  # the system itself (the command line: `attain pay close`)
        return True
    return role_of(user) in CLOSERS


def can_reopen_periods(user: Any) -> bool:
    if user is None:  # the system itself (the command line: `attain pay reopen`)
        return True
    return role_of(user) in REOPENERS


def check_see_periods(user: Any) -> None:
    if not can_see_periods(user):
        raise PermissionDenied(
            _("Only finance, sales operations and executives see the pay periods.")
        )


def check_close_periods(user: Any) -> None:
    if not can_close_periods(user):
        raise PermissionDenied(_("Only finance or sales operations close pay periods."))


def check_reopen_periods(user: Any) -> None:
    if not can_reopen_periods(user):
        raise PermissionDenied(_("Only sales operations or an administrator reopen pay periods."))
