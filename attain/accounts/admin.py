from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext

from attain.audit.admin import AuditedAdminMixin

from .models import User
from .services import (
    ResetNotEmailed,
    can_force_password_reset,
    force_password_reset,
    record_password_change,
)


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Attain"), {"fields": ("role",)}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Attain"), {"fields": ("role",)}),
    )
    audit_exclude = ("password", "last_login")
    actions = ["force_password_reset"]

    def user_change_password(self, request: Any, id: str, form_url: str = "") -> Any:
        """Django's form that sets a login's password: who set whose is audited."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, unquote(id))
                if user is not None:
                    record_password_change(
                        request.user, user, reason=gettext_noop("Password set in Django admin")
                    )
        return response

    @admin.action(description=_("Force a password reset (email the link)"))
    def force_password_reset(self, request: Any, queryset: Any) -> None:
        if not can_force_password_reset(request.user):
            self.message_user(
                request, _("Only administrators force a password reset."), messages.ERROR
            )
            return
        base_url = request.build_absolute_uri("/")
        without_email = []
        not_sent = []
        count = 0
        for user in queryset:
            try:
                link = force_password_reset(request.user, user, base_url=base_url)
            except ResetNotEmailed as failure:  # the mail server is down: hand it over
                not_sent.append((f"{user.username}: {failure.link}", failure.error))
            except ValidationError as error:  # single sign-on only: no link, unchanged
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
                continue
            else:
                if not user.email:
                    without_email.append(f"{user.username}: {link}")
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d password reset.", "%(count)d passwords reset.", count)
            % {"count": count},
        )
        for line in without_email:
            self.message_user(
                request, _("No email address; hand over this link: %s") % line, messages.WARNING
            )
        for line, error in not_sent:
            self.message_user(
                request,
                _("The email could not be sent (%(error)s); hand over this link: %(link)s")
                % {"error": error, "link": line},
                messages.WARNING,
            )
