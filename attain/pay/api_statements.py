# mypy: disable-error-code="type-arg"
"""Statements over the API (docs/pay.md, "Statements"): the published statements a
caller may see (the one visibility rule), a statement's PDF, acknowledging one's own,
and generating a period's set with its progress (finance, sales operations)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from attain.web.api import Serializer
from attain.web.fields import MONEY
from attain.web.parsers import JSONParser

from . import selectors_statements as selectors
from . import services_statements as services
from . import statement_access as access
from .api_payouts import _period, period_field
from .models_statements import Statement, StatementSet
from .services_close import PERIOD_RE


class StatementSerializer(Serializer):
    id = serializers.IntegerField()
    person = serializers.CharField(source="person.code")
    name = serializers.CharField(source="person.name")
    period = serializers.CharField()
    language = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    payout_state = serializers.CharField()
    held = serializers.BooleanField()
    size = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    # the payout's amount now; outdated: it differs from the statement's
    payout_amount = serializers.DecimalField(**MONEY, allow_null=True, default=None)
    outdated = serializers.BooleanField()
    pdf = serializers.SerializerMethodField()

    def get_pdf(self, statement: Statement) -> str:
        return f"/api/pay/statements/{statement.pk}/pdf/"


class SetSerializer(Serializer):
    id = serializers.IntegerField()
    period = serializers.CharField()
    status = serializers.CharField(help_text="queued, running, done or failed")
    published = serializers.BooleanField()
    progress = serializers.IntegerField()
    stage = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    problems = serializers.ListField(child=serializers.CharField())
    seconds = serializers.DecimalField(max_digits=10, decimal_places=3, allow_null=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class GenerateSerializer(Serializer):
    period = period_field()


def _statement(request: Request, pk: int) -> Statement:
    try:
        return selectors.statement_for(request.user, pk)
    except Statement.DoesNotExist as error:
        raise Http404 from error


class StatementListView(GenericAPIView):
    """The published statements of the people the caller may see, a page at a time (the
    common pager: ``?page=``, ``?page_size=``)."""

    @extend_schema(
        parameters=[OpenApiParameter("period", str, pattern=PERIOD_RE.pattern)],
        responses=StatementSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = self.paginate_queryset(selectors.statements(request.user, period=_period(request)))
        return self.get_paginated_response(StatementSerializer(rows, many=True).data)


class StatementPdfView(APIView):
    """A statement's PDF."""

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, pk: int) -> Any:
        statement = _statement(request, pk)
        path_ = services.file_of(statement)
        if not path_.is_file():
            raise Http404
        name = f"statement-{statement.person.code}-{statement.period}.pdf"
        return FileResponse(path_.open("rb"), content_type="application/pdf", filename=name)


class AcknowledgeView(APIView):
    """The person the statement is for confirms they have read it (audited)."""

    parser_classes = [JSONParser]

    @extend_schema(request=None, responses=StatementSerializer)
    def post(self, request: Request, pk: int) -> Response:
        statement = services.acknowledge_statement(request.user, _statement(request, pk))
        return Response(StatementSerializer(_statement(request, statement.pk)).data)


class GenerateView(APIView):
    """Generate every statement of a period in the background (resumes an unfinished
    set); follow it at ``/api/pay/statements/sets/{id}/``."""

    parser_classes = [JSONParser]

    @extend_schema(request=GenerateSerializer, responses={202: SetSerializer})
    def post(self, request: Request) -> Response:
        access.check_generate_statements(request.user)
        body = GenerateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.start_statements(request.user, body.validated_data["period"])
        return Response(SetSerializer(row).data, status=status.HTTP_202_ACCEPTED)


class SetView(APIView):
    """A statement set's status and progress."""

    @extend_schema(responses=SetSerializer)
    def get(self, request: Request, pk: int) -> Response:
        access.check_generate_statements(request.user)
        services.fail_abandoned_sets()
        try:
            row = StatementSet.objects.get(pk=pk)
        except StatementSet.DoesNotExist as error:
            raise Http404 from error
        return Response(SetSerializer(row).data)


urlpatterns: list[URLPattern] = [
    path("pay/statements/", StatementListView.as_view(), name="pay-statements"),
    path("pay/statements/generate/", GenerateView.as_view(), name="pay-statements-generate"),
    path("pay/statements/sets/<int:pk>/", SetView.as_view(), name="pay-statement-set"),
    path("pay/statements/<int:pk>/pdf/", StatementPdfView.as_view(), name="pay-statement-pdf"),
    path(
        "pay/statements/<int:pk>/acknowledge/",
        AcknowledgeView.as_view(),
        name="pay-statement-acknowledge",
    ),
]
