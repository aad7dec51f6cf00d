"""API tokens that expire and can be revoked.

One token per login (Django REST framework's ``authtoken`` table). A token is valid for
``ATTAIN_TOKEN_TTL`` after it was issued; ``DELETE /api/auth/token/`` revokes the caller's,
and a password change revokes all of the login's tokens (:mod:`attain.accounts.signals`).
Issue and revocation are audited against the login; the key itself is never recorded.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from attain.audit.models import Action
from attain.audit.services import record_change


def ttl() -> datetime.timedelta:
    value: datetime.timedelta = settings.ATTAIN_TOKEN_TTL
    return value


def expires_at(token: Token) -> datetime.datetime:
    created: datetime.datetime = token.created
    return created + ttl()


def is_expired(token: Token, now: datetime.datetime | None = None) -> bool:
    return expires_at(token) <= (now or timezone.now())


def issue(user: Any) -> Token:
    """The login's valid token, or a new one (replacing an expired one)."""
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and not is_expired(token):
            return token
        if token is not None:
            token.delete()
        token = Token.objects.create(user=user)
        record_change(
            user,
            Action.TOKEN_CREATED,
            user,
            after={"expires": expires_at(token).isoformat()},
            reason="POST /api/auth/token/",
        )
    return token


def revoke(user: Any, *, actor: Any = None, reason: str = "") -> int:
    """Delete every token of ``user``; returns how many there were."""
    with transaction.atomic():
        count, _ = Token.objects.filter(user=user).delete()
        if count:
            record_change(
                actor if actor is not None else user,
                Action.TOKEN_REVOKED,
                user,
                before={"tokens": count},
                reason=reason,
            )
    return int(count)


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; an expired token is refused with 401."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if is_expired(token):
            raise exceptions.AuthenticationFailed(_("The token has expired."))
        return user, token
