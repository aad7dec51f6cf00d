from __future__ import annotations

from typing import Any

from django.contrib import admin

from attain.audit.admin import AuditedAdminMixin

from .channels import audited_url
from .models import Delivery, Webhook


@admin.register(Webhook)
class WebhookAdmin(AuditedAdminMixin, admin.ModelAdmin):
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
