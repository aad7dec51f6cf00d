"""The forgotten-password form: Django's, sending no link to a login that may not sign in
with a password (``ATTAIN_PASSWORD_LOGIN=admins``: single sign-on only)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth import forms as auth_forms

from .backends import password_login_allowed


class PasswordResetForm(auth_forms.PasswordResetForm):
    def get_users(self, email: str) -> Iterator[Any]:
        """As Django's (active logins with a usable password), less the logins that sign
        in with single sign-on only: they get nothing, as an unknown address does (the
        page tells everyone who may still reset a password)."""
        return (user for user in super().get_users(email) if password_login_allowed(user))
