"""Who may do what with statements (docs/pay.md, "Statements"), one condition per line.
Reading a statement follows the one visibility rule (a rep their own, a manager their
team's and their own; finance, sales operations, executives and administrators
everyone's); these say who may generate them and who acknowledges. Tested as a role ×
action table (tests/test_statements_access.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from attain.accounts.models import Role
from attain.org.selectors import person_of, role_of, visible_people

from .models_statements import Statement

GENERATORS = frozenset({Role.ADMIN, Role.FINANCE, Role.SALES_OPS})


def can_generate_statements(user: Any) -> bool:
    """Generate a period's statements, see every set's progress, name the company."""
    return role_of(user) in GENERATORS


def can_read_statement(user: Any, statement: Statement) -> bool:
    return visible_people(user).filter(pk=statement.person_id).exists()


def can_acknowledge(user: Any, statement: Statement) -> bool:
    """Only the person the statement is for acknowledges it (no one acts for them)."""
    me = person_of(user)
    return me is not None and me.pk == statement.person_id


def check_generate_statements(user: Any) -> None:
    if not can_generate_statements(user):
        raise PermissionDenied(_("Only finance or sales operations generate statements."))


def check_acknowledge(user: Any, statement: Statement) -> None:
    if not can_acknowledge(user, statement):
        raise PermissionDenied(_("Only the person a statement is for acknowledges it."))
