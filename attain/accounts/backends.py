"""The lockout check (django-axes) in front of Django's password check, and the password
check itself (which single sign-on may restrict to administrators)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from .models import Role


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out username + address before its password is checked.

    Authentication without a request (a management command, the test client's
    ``login``) has no address to count against and is not throttled.
    """

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PasswordBackend(ModelBackend):
    """Django's username + password check; with ``ATTAIN_PASSWORD_LOGIN=admins`` (single
    sign-on in use) only administrators may still sign in with a password."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not password_login_allowed(user):
            return None
        return user


def password_login_allowed(user: Any) -> bool:
    if getattr(settings, "ATTAIN_PASSWORD_LOGIN", "all") != "admins":
        return True
    # a superuser is an administrator whatever its role field says (createsuperuser)
    return bool(user.is_superuser or user.role == Role.ADMIN)
