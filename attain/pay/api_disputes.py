# mypy: disable-error-code="type-arg"
"""Disputes over the API (docs/pay.md, "Disputes"): the list and one dispute with its
thread under the visibility rule; opening one, messages and the steps go through
:mod:`attain.pay.services_disputes`, which asks :mod:`attain.pay.dispute_access`.
Files are sent as ``multipart/form-data`` (field ``files``, repeated)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from attain.web.api import Serializer, choice_parameter
from attain.web.fields import MONEY
from attain.web.parsers import JSONParser
from attain.web.query import query_one, query_optional_bool

from . import dispute_access as access
from . import selectors_disputes as selectors
from . import services_disputes as services
from .api import TABLE_CHOICES
from .api_payouts import period_field
from .models_disputes import Dispute, DisputeEvent, DisputeStatus, DisputeSubject
from .services_close import PERIOD_RE

ACTIONS = ["start", "assign", "resolve", "reject", "withdraw"]


class DisputeRowSerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    person = serializers.CharField(source="person.code")
    name = serializers.CharField(source="person.name")
    subject = serializers.ChoiceField(choices=DisputeSubject.choices)
    period = serializers.CharField()
    plan = serializers.CharField()
    component = serializers.CharField()
    line_amount = serializers.DecimalField(allow_null=True, **MONEY)
    record_table = serializers.CharField()
    record_ref = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=DisputeStatus.choices)
    assignee = serializers.CharField(source="assignee.username", allow_null=True, default=None)
    opened_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField()
    adjustment_amount = serializers.DecimalField(allow_null=True, **MONEY)


class DisputeAttachmentSerializer(Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, row: Any) -> str:
        return reverse("pay:dispute_file", args=[row.pk])


class DisputeMessageSerializer(Serializer):
    author = serializers.CharField(source="author.username", allow_null=True, default=None)
    event = serializers.ChoiceField(choices=DisputeEvent.choices)
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    attachments = DisputeAttachmentSerializer(many=True, source="attachments.all")


class DisputeDetailSerializer(DisputeRowSerializer):
    # the disputed line's amount now (line_amount: when the dispute was opened)
    line_amount_now = serializers.SerializerMethodField()
    adjustment_period = serializers.SerializerMethodField()

    def get_line_amount_now(self, row: Dispute) -> str | None:
        if hasattr(row, "line_amount_now"):  # read by selectors.dispute_for
            amount = row.line_amount_now
        else:
            amount = selectors.line_amount_now(row)
        return None if amount is None else str(amount)

    messages = DisputeMessageSerializer(many=True, source="messages.all")

    def get_adjustment_period(self, row: Dispute) -> str | None:
        adjustment = getattr(row, "adjustment", None)
        return adjustment.period if adjustment is not None else None


class DisputeOpenSerializer(Serializer):
    subject = serializers.ChoiceField(choices=DisputeSubject.choices)
    period = period_field()
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=5000)
    plan = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)
    component = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    record_table = serializers.ChoiceField(
        choices=TABLE_CHOICES, required=False, default="", allow_blank=True
    )
    record_ref = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=5
    )


class DisputeReplySerializer(Serializer):
    text = serializers.CharField(max_length=5000)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=5
    )


class DisputeActionSerializer(Serializer):
    action = serializers.ChoiceField(choices=ACTIONS)
    amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True, default=None
    )
    reason = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    assignee = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)


def _files(request: Request) -> list[Any]:
    return list(request.FILES.getlist("files")) if hasattr(request, "FILES") else []


LIST_PARAMETERS = [
    choice_parameter("status", DisputeStatus.values),
    OpenApiParameter("period", str, pattern=PERIOD_RE.pattern),
    OpenApiParameter("overdue", bool),
]


class DisputesView(GenericAPIView):
    """The disputes the caller may see, a page at a time (the common pager: ``?page=``,
    ``?page_size=``); POST opens one about one's own pay."""

    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(parameters=LIST_PARAMETERS, responses=DisputeRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        access.check(access.can_list_disputes(request.user), _("You have no disputes to see."))
        status = query_one(request, "status")
        if status is not None and status not in DisputeStatus.values:
            raise serializers.ValidationError({"status": [_("Unknown dispute status.")]})
        period = query_one(request, "period")
        if request.query_params.getlist("period") == [""] or (
            period is not None and not PERIOD_RE.fullmatch(period)
        ):
            raise serializers.ValidationError({"period": [_("Give a period id such as 2026-Q3.")]})
        rows = selectors.disputes(
            request.user,
            status=status,
            period=period,
            overdue=query_optional_bool(request, "overdue"),
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(DisputeRowSerializer(page, many=True).data)

    @extend_schema(
        request={
            "application/json": DisputeOpenSerializer,
            "multipart/form-data": DisputeOpenSerializer,
        },
        responses={201: DisputeDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        access.check(
            access.can_open_dispute(request.user),
            _("Only the person paid opens a dispute about their pay."),
        )
        body = DisputeOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data.pop("files", None)
        dispute = services.open_dispute(request.user, files=_files(request), **data)
        found = selectors.dispute_for(request.user, dispute.pk)
        return Response(DisputeDetailSerializer(found).data, status=201)


class DisputeView(APIView):
    """One dispute with its thread."""

    @extend_schema(responses=DisputeDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(DisputeDetailSerializer(selectors.dispute_for(request.user, pk)).data)


class MessagesView(APIView):
    """Write in the thread (the person, sales operations, finance), with files."""

    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        request={
            "application/json": DisputeReplySerializer,
            "multipart/form-data": DisputeReplySerializer,
        },
        responses={201: DisputeDetailSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        found = selectors.dispute_for(request.user, pk)
        access.check(access.may_write(request.user, found), _("You may not write in this dispute."))
        body = DisputeReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.add_message(
            request.user, found, text=body.validated_data["text"], files=_files(request)
        )
        return Response(
            DisputeDetailSerializer(selectors.dispute_for(request.user, pk)).data, status=201
        )


class ActionView(APIView):
    """One step: start, assign (``assignee``: a username), resolve (``amount`` and
    ``reason``), reject (``reason``: the explanation) or withdraw (the person)."""

    parser_classes = [JSONParser]

    @extend_schema(request=DisputeActionSerializer, responses=DisputeDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        found = selectors.dispute_for(request.user, pk)
        body = DisputeActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        user, action = request.user, data["action"]
        if action == "withdraw":
            services.withdraw(user, found, note=data["reason"])
        else:
            access.check_handle(user)
            if action == "start":
                services.start(user, found, note=data["reason"])
            elif action == "assign":
                who = get_user_model().objects.filter(username=data["assignee"]).first()
                if who is None:
                    raise serializers.ValidationError({"assignee": [_("No such login.")]})
                services.assign(user, found, who, note=data["reason"])
            elif action == "resolve":
                if data["amount"] is None:
                    raise serializers.ValidationError(
                        {"amount": [_("Give the adjustment as a number, e.g. 120.00 or 0.")]}
                    )
                services.resolve(user, found, amount=data["amount"], reason=data["reason"])
            else:
                services.reject(user, found, explanation=data["reason"])
        return Response(DisputeDetailSerializer(selectors.dispute_for(user, pk)).data)


class DisputeStatsSerializer(Serializer):
    period = serializers.CharField()
    opened = serializers.IntegerField()
    active = serializers.IntegerField()
    overdue = serializers.IntegerField()
    resolved = serializers.IntegerField()
    rejected = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    adjusted = serializers.DecimalField(**MONEY)
    hours = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)


class StatsView(APIView):
    """Disputes per period: counts and the average hours to an answer."""

    @extend_schema(responses=DisputeStatsSerializer(many=True))
    def get(self, request: Request) -> Response:
        access.check(
            access.can_read_dispute_stats(request.user),
            _("Only finance, sales operations and executives see dispute counts."),
        )
        return Response(DisputeStatsSerializer(selectors.stats(), many=True).data)


urlpatterns: list[URLPattern] = [
    path("pay/disputes/", DisputesView.as_view(), name="pay-disputes"),
    path("pay/disputes/stats/", StatsView.as_view(), name="pay-dispute-stats"),
    path("pay/disputes/<int:pk>/", DisputeView.as_view(), name="pay-dispute"),
    path("pay/disputes/<int:pk>/messages/", MessagesView.as_view(), name="pay-dispute-messages"),
    path("pay/disputes/<int:pk>/actions/", ActionView.as_view(), name="pay-dispute-actions"),
]
