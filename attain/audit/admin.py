from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import admin
from django.db import transaction

from .models import Action, AuditEvent
from .services import record_change, snapshot


class AuditedAdminMixin:
    """Records every create, change and delete made through Django admin."""

    audit_exclude: tuple[str, ...] = ()
    # fields written in the trail only as their function gives them (a URL whose key is
    # a secret: where it points, not the key)
    audit_masked: ClassVar[dict[str, Callable[[Any], Any]]] = {}

    def audit_snapshot(self, obj: Any) -> dict[str, Any]:
        values = snapshot(obj, self.audit_exclude)
        for name, mask in self.audit_masked.items():
            if name in values:
                values[name] = mask(values[name])
        return values

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = None
            if change:
                before = self.audit_snapshot(type(obj).objects.get(pk=obj.pk))
            super().save_model(request, obj, form, change)
            after = self.audit_snapshot(obj)
            if before != after:
                action = Action.UPDATE if change else Action.CREATE
                record_change(request.user, action, obj, before=before, after=after)

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        """The inlines too (an order's credit split and lines, a customer's contacts): each
        row added, changed or deleted is its own event."""
        with transaction.atomic():
            model = formset.model
            before = {
                f.instance.pk: snapshot(model._default_manager.get(pk=f.instance.pk))
                for f in formset.initial_forms
                if f.instance.pk is not None and (f.has_changed() or f in formset.deleted_forms)
            }
            for f in formset.deleted_forms:
                if f.instance.pk in before:
                    record_change(
                        request.user, Action.DELETE, f.instance, before=before[f.instance.pk]
                    )
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                record_change(request.user, Action.CREATE, obj, after=snapshot(obj))
            for obj, _fields in formset.changed_objects:
                after = snapshot(obj)
                if before.get(obj.pk) != after:
                    record_change(
                        request.user, Action.UPDATE, obj, before=before.get(obj.pk), after=after
                    )

    def delete_model(self, request: Any, obj: Any) -> None:
        with transaction.atomic():
            before = self.audit_snapshot(obj)
            record_change(request.user, Action.DELETE, obj, before=before)
            super().delete_model(request, obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                record_change(request.user, Action.DELETE, obj, before=self.audit_snapshot(obj))
            super().delete_queryset(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "action", "content_type", "object_repr")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "actor_name", "object_id")
    date_hierarchy = "at"

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
