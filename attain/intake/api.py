"""REST endpoints for imports: upload a file (it is imported in the background) and
follow its batch. Errors use the API's one error body (:mod:`attain.api.errors`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from attain.web.api import ModelSerializer, Serializer

from . import access, services
from .models import ImportBatch
from .parsing import DATE_ORDERS
from .tables import TABLES
from .tasks import enqueue_import


class ImportRequestSerializer(Serializer):
    table = serializers.ChoiceField(choices=list(TABLES))
    file = serializers.FileField()
    date_order = serializers.ChoiceField(
        choices=list(DATE_ORDERS),
        default="ymd",
        help_text="How the file writes dates whose day and month come before the year: "
        "mdy (04/15/2026), dmy (15/04/2026) or ymd (none such; the default).",
    )


class ImportBatchSerializer(ModelSerializer):
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True
    )
    progress = serializers.SerializerMethodField()
    rejects_url = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    date_order = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "table",
            "file_name",
            "status",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "encoding",
            "date_order",
            "rows",
            "imported",
            "updated",
            "rejected",
            "progress",
            "rejects_url",
            "error",
            "warnings",
        ]

    def get_progress(self, batch: ImportBatch) -> int:
        """Rows read so far (while running) or in all (when done)."""
        return batch.rows if batch.finished else services.progress_of(batch)

    def get_date_order(self, batch: ImportBatch) -> str:
        """The order dates written before their year were read in (ymd: none read)."""
        return str((batch.options or {}).get("date_order") or "ymd")

    def get_warnings(self, batch: ImportBatch) -> list[str]:
        """What was imported but should be looked at (in the importer's language)."""
        return list((batch.options or {}).get("warnings", []))

    def get_rejects_url(self, batch: ImportBatch) -> str | None:
        if not batch.rejects_path:
            return None
        request = self.context.get("request")
        url = f"/intake/{batch.pk}/rejects/"
        return request.build_absolute_uri(url) if request else url


class ImportList(APIView):
    """Upload a CSV or XLSX file into a table; it is imported in the background."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ImportRequestSerializer, responses={202: ImportBatchSerializer})
    def post(self, request: Request) -> Response:
        if not access.importable_tables(request.user):
            raise PermissionDenied(_("You may not import data."))
        serializer = ImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        options = {"date_order": data["date_order"]} if data["date_order"] != "ymd" else {}
        batch = services.create_batch(request.user, data["table"], data["file"], options=options)
        enqueue_import(batch)
        batch.refresh_from_db()
        body = ImportBatchSerializer(batch, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ImportDetail(APIView):
    """An import's status and counts."""

    @extend_schema(responses=ImportBatchSerializer)
    def get(self, request: Request, pk: int) -> Response:
        services.fail_abandoned_batches()
        batch = ImportBatch.objects.select_related("created_by").filter(pk=pk).first()
        if batch is None or not access.can_see_batch(request.user, batch):
            raise Http404
        return Response(ImportBatchSerializer(batch, context={"request": request}).data)


class ImportRetry(APIView):
    """Run a failed import again (its stored file, from the start): 202 with the batch,
    queued; 400 when it has not failed or its file is gone."""

    @extend_schema(request=None, responses={202: ImportBatchSerializer})
    def post(self, request: Request, pk: int) -> Response:
        services.fail_abandoned_batches()
        batch = ImportBatch.objects.select_related("created_by").filter(pk=pk).first()
        if batch is None or not access.can_see_batch(request.user, batch):
            raise Http404
        services.retry_batch(request.user, batch)
        enqueue_import(batch)
        batch.refresh_from_db()
        body = ImportBatchSerializer(batch, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("imports/", ImportList.as_view(), name="api-imports"),
    path("imports/<int:pk>/", ImportDetail.as_view(), name="api-import"),
    path("imports/<int:pk>/retry/", ImportRetry.as_view(), name="api-import-retry"),
]
