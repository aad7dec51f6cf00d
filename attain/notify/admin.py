from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from attain.audit.admin import AuditedAdminMixin

from .channels import audited_url
from .kinds import KINDS
from .models import Delivery, Webhook


class WebhookForm(forms.ModelForm):
    # the kinds a group may carry, ticked by their labels (was a JSON text box of codes,
    # where a typo silently sent the group nothing)
    kinds = forms.MultipleChoiceField(
        label=getattr(Webhook._meta.get_field("kinds"), "verbose_name", "kinds"),
        help_text=getattr(Webhook._meta.get_field("kinds"), "help_text", ""),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=lambda: [
            (code, kind.label) for code, kind in KINDS.items() if kind.groups and code != "test"
        ],
    )

    class Meta:
        model = Webhook
        fields = ["name", "platform", "url", "secret", "kinds", "language", "active"]


@admin.register(Webhook)
class WebhookAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = WebhookForm
    list_display = ["name", "platform", "language", "active"]
    list_filter = ["platform", "active"]
    audit_exclude = ("secret",)
    audit_masked = {"url": audited_url}


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: what was sent, what is retrying, what failed and why."""

    list_display = ["created", "kind", "channel", "webhook", "status", "attempts", "last_error"]
    list_filter = ["status", "channel", "kind"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
