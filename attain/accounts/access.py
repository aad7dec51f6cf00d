"""Who may read and check the audit trail: decided by the login's role alone, so the
audit app itself depends on no other app (accounts sits above it)."""

from __future__ import annotations

from typing import Any

from attain.accounts.models import AUDIT_READER_ROLES, Role


def can_read_audit(user: Any) -> bool:
    """Administrators (and superusers) and sales operations read the trail."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return Role(user.role) in AUDIT_READER_ROLES


def can_verify_audit(user: Any) -> bool:
    """Checking the hash chain reads every event: the same readers."""
    return can_read_audit(user)
