"""Account changes made by administrators."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from attain.audit.models import Action
from attain.audit.services import record_change

from .backends import password_login_allowed
from .languages import language_of
from .models import Role, User


class ResetNotEmailed(Exception):
    """The password is reset but its link could not be emailed (the mail server refused
    or could not be reached): ``link`` is to be handed over, ``error`` says why."""

    def __init__(self, link: str, error: str) -> None:
        super().__init__(error)
        self.link = link
        self.error = error


def can_force_password_reset(user: Any) -> bool:
    """Administrators only (the command line acts as the system)."""
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.role == Role.ADMIN)


def check_password_login(user: User) -> None:
    """Refuse to send ``user`` a link to set a password they may not sign in with:
    with ``ATTAIN_PASSWORD_LOGIN=admins`` only administrators keep a password."""
    if not password_login_allowed(user):
        raise ValidationError(
            _(
                "%(username)s signs in with single sign-on: only administrators have a "
                "password here, so no link to set one is sent."
            )
            % {"username": user.username},
            code="single_sign_on",
        )


def reset_link(user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return base_url.rstrip("/") + path


def record_password_change(actor: Any, user: User, *, reason: str) -> None:
    """Audit that ``user``'s password was set (by ``actor``), never the password or its
    hash: an administrator choosing someone's password could otherwise sign in as them
    without a trace."""
    record_change(actor, Action.UPDATE, user, after={"password": "changed"}, reason=reason)


def force_password_reset(actor: Any, user: User, *, base_url: str, reason: str = "") -> str:
    """Make the login's password unusable (its sessions end, its API tokens are revoked),
    email it a one-time link to choose a new one when it has an email address (in the
    login's own language), and return the link (for an administrator to hand over when
    it has none). When the mail server cannot take the email, the reset stands and
    :class:`ResetNotEmailed` carries the link. A login that may not sign in with a
    password (``ATTAIN_PASSWORD_LOGIN=admins``) is refused, unchanged
    (:class:`~django.core.exceptions.ValidationError`)."""
    if not can_force_password_reset(actor):
        raise PermissionDenied("only administrators force a password reset")
    check_password_login(user)
    with transaction.atomic():
        user.set_unusable_password()
        user.save(update_fields=["password"])
        record_change(
            actor,
            Action.PASSWORD_RESET,
            user,
            after={"emailed": bool(user.email)},
            reason=reason,
        )
    link = reset_link(user, base_url)
    if user.email:
        context = {"user": user, "link": link}
        with translation.override(language_of(user)):  # the reader's, not the sender's
            subject = render_to_string("registration/reset_subject.txt", context).strip()
            body = render_to_string("registration/forced_reset_email.txt", context)
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        except OSError as error:  # smtplib's errors and the socket's
            raise ResetNotEmailed(link, f"{type(error).__name__}: {error}"[:300]) from error
    return link
