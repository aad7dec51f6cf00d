"""Account events: failed logins are audited (never the password); a password change
or disabling the login revokes its API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_noop

from attain.audit.models import Action
from attain.audit.services import record_event

from . import tokens
from .lockout import client_ip
from .models import User


@receiver(user_login_failed, dispatch_uid="attain-audit-login-failed")
def audit_failed_login(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")[:150]
    user = User.objects.filter(username=username).only("pk").first() if username else None
    details: dict[str, Any] = {"username": username}
    if request is not None:
        details["ip"] = client_ip(request)
        details["path"] = request.path[:200]
    record_event(
        None,
        Action.LOGIN_FAILED,
        User,
        user.pk if user is not None else "",
        username,
        after=details,
        actor_name="anonymous",
    )


@receiver(pre_save, sender=User, dispatch_uid="attain-note-password-change")
def note_password_change(
    sender: Any, instance: User, update_fields: Any = None, **kwargs: Any
) -> None:
    instance._attain_password_changed = False  # type: ignore[attr-defined]
    instance._attain_disabled = False  # type: ignore[attr-defined]
    if instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. the last_login update on every sign-in
    stored = User.objects.filter(pk=instance.pk).values_list("password", "is_active").first()
    if stored is None:
        return
    instance._attain_password_changed = stored[0] != instance.password  # type: ignore[attr-defined]
    instance._attain_disabled = stored[1] and not instance.is_active  # type: ignore[attr-defined]


@receiver(post_save, sender=User, dispatch_uid="attain-revoke-tokens-on-password-change")
def revoke_tokens_on_password_change(
    sender: Any, instance: User, created: bool, **kwargs: Any
) -> None:
    """Any new password hash (set by the user, a reset link, an administrator, or made
    unusable) revokes the login's API tokens."""
    if getattr(instance, "_attain_password_changed", False):
        instance._attain_password_changed = False  # type: ignore[attr-defined]
        tokens.revoke(instance, reason=gettext_noop("password changed"))
    if getattr(instance, "_attain_disabled", False):
        # a disabled login's token was refused, but came back to life when the login was
        # enabled again (someone rehired, an account enabled by mistake)
        instance._attain_disabled = False  # type: ignore[attr-defined]
        tokens.revoke(instance, reason=gettext_noop("login disabled"))
