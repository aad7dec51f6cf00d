"""Helpers for tests of any app: the logins of the shared test company."""

from __future__ import annotations

# Each role's login in the shared company (attain/conftest.py): username and password.
# The manager is m1, the rep r1.
LOGINS = {
    "admin": ("admin", "pw-admin-1"),
    "sales_ops": ("ops", "pw-ops-1"),
    "finance": ("fin", "pw-fin-1"),
    "executive": ("exec", "pw-exec-1"),
    "manager": ("m1", "pw-m1-1"),
    "rep": ("r1", "pw-r1-1"),
}
