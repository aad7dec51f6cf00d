"""The password-reset page that sets the new password, audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext_noop

from .services import record_password_change


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's, and the audit trail records that the login's password was set through
    a reset link (by the login itself: it held the link)."""

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            record_password_change(
                form.user, form.user, reason=gettext_noop("Password set through a reset link")
            )
        return response
