"""Who may define measures, one condition per line. Everyone signed in reads them (a
measure is a definition, not people's data)."""

from __future__ import annotations

from typing import Any

from attain.accounts.models import Role
from attain.org.selectors import role_of

EDITOR_ROLES = frozenset({Role.ADMIN, Role.SALES_OPS})


def can_define_measures(user: Any) -> bool:
    if user is None:  # the system itself (migrations, demo, CLI)
        return True
    return role_of(user) in EDITOR_ROLES
