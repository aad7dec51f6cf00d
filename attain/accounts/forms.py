"""The forgotten-password form: Django's, sending no link to a login that may not sign in
with a password (``ATTAIN_PASSWORD_LOGIN=admins``: single sign-on only), and writing the
email in the login's language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth import forms as auth_forms
from django.utils import translation

from .backends import password_login_allowed
from .languages import language_of


class PasswordResetForm(auth_forms.PasswordResetForm):
    def get_users(self, email: str) -> Iterator[Any]:
        """As Django's (active logins with a usable password), less the logins that sign
        in with single sign-on only: they get nothing, as an unknown address does (the
        page tells everyone who may still reset a password)."""
        return (user for user in super().get_users(email) if password_login_allowed(user))

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        """The email is read by the login it is sent to: in that login's language (as a
        forced reset's), not the language of the browser that asked for it."""
        context = kwargs.get("context", args[2] if len(args) > 2 else {})
        with translation.override(language_of(context["user"])):
            super().send_mail(*args, **kwargs)
