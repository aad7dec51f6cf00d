from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request

from attain.org.selectors import can_read_audit

from .filters import filter_events
from .models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    object_type = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor_name",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "reason",
        ]

    def get_object_type(self, event: AuditEvent) -> str:
        return f"{event.content_type.app_label}.{event.content_type.model}"


class AuditEventList(generics.ListAPIView):
    """The audit trail, newest first. Admins and sales operations only.
    Filters: ``type`` (app.model), ``actor``, ``action``, ``object`` (id), ``since``, ``until``."""

    serializer_class = AuditEventSerializer

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if not can_read_audit(self.request.user):
            raise PermissionDenied()
        return filter_events(
            AuditEvent.objects.select_related("content_type"), self.request.query_params
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().list(request, *args, **kwargs)
