from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from attain.audit import chain
from attain.audit.filters import filter_events
from attain.audit.models import AuditEvent
from attain.org.selectors import can_read_audit, can_verify_audit
from attain.web.api import ModelSerializer, Serializer
from attain.web.errors import ErrorSerializer
from attain.web.query import query_date, query_one

FILTERS = [
    OpenApiParameter("type", str, description="the record's type, app.model (crm.order)"),
    OpenApiParameter("actor", str, description="who did it, as the event names them"),
    OpenApiParameter("action", str, description="create, update, delete, …"),
    OpenApiParameter("object", str, description="the record's id (with type: its history)"),
    OpenApiParameter("batch", str, description="the import batch"),
    OpenApiParameter("q", str, description="search in the record's name"),
    OpenApiParameter("since", OpenApiTypes.DATE, description="from this day (YYYY-MM-DD)"),
    OpenApiParameter("until", OpenApiTypes.DATE, description="to this day (YYYY-MM-DD)"),
]


class AuditEventSerializer(ModelSerializer):
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
            "batch",
        ]

    def get_object_type(self, event: AuditEvent) -> str:
        return f"{event.content_type.app_label}.{event.content_type.model}"


@extend_schema(parameters=FILTERS)
class AuditEventList(generics.ListAPIView):
    """The audit trail, newest first. Admins and sales operations only.
    Filters: ``type`` (app.model), ``actor``, ``action``, ``object`` (id), ``batch``,
    ``since``, ``until``. A record's history is ``?type=app.model&object=ID``."""

    serializer_class = AuditEventSerializer

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if not can_read_audit(self.request.user):
            raise PermissionDenied()
        for parameter in FILTERS:  # each once; a day that is not one is a 400, not ignored
            if parameter.type == OpenApiTypes.DATE:
                query_date(self.request, parameter.name)
            else:
                query_one(self.request, parameter.name)
        return filter_events(
            AuditEvent.objects.select_related("content_type"), self.request.query_params
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().list(request, *args, **kwargs)


class VerifySerializer(Serializer):
    intact = serializers.BooleanField()
    checked = serializers.IntegerField(help_text="events whose hash was recomputed")
    head_id = serializers.IntegerField(allow_null=True, help_text="the newest intact event")
    head_hash = serializers.CharField(help_text="its chain hash; keep it to detect truncation")
    broken_id = serializers.IntegerField(allow_null=True, help_text="the first broken event")


class AuditVerify(APIView):
    """Recompute the audit trail's hash chain. Admins and sales operations only."""

    @extend_schema(
        responses={
            200: VerifySerializer,
            401: OpenApiResponse(ErrorSerializer, description="not authenticated"),
            403: OpenApiResponse(ErrorSerializer, description="not an audit reader"),
        }
    )
    def get(self, request: Request) -> Response:
        if not can_verify_audit(request.user):
            raise PermissionDenied()
        verdict = chain.verify()
        return Response(
            {
                "intact": verdict.intact,
                "checked": verdict.checked,
                "head_id": verdict.head_id,
                "head_hash": verdict.head_hash,
                "broken_id": verdict.broken_id,
            }
        )
