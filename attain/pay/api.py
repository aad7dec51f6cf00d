# mypy: disable-error-code="type-arg"
"""The review queue and the record policies over the API (docs/pay.md). Records are
named by their ``external_id``; the rules are the pages' (:mod:`.access`)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from attain.crm.models import MAX_FUTURE_DAYS_LIMIT, Verification
from attain.crm.services import set_record_policy, verify_records
from attain.web.api import Serializer, choice_parameter
from attain.web.fields import MONEY
from attain.web.query import query_one

from . import access, selectors

TABLE_CHOICES = [t.table for t in selectors.REVIEW_TABLES]


class ReviewRowSerializer(Serializer):
    external_id = serializers.CharField()
    date = serializers.CharField()
    people = serializers.CharField()
    amount = serializers.DecimalField(allow_null=True, **MONEY)
    verification = serializers.CharField(source="state")


class VerifyRequestSerializer(Serializer):
    table = serializers.ChoiceField(choices=TABLE_CHOICES)
    ids = serializers.ListField(
        child=serializers.CharField(max_length=64), min_length=1, max_length=5000
    )
    state = serializers.ChoiceField(
        choices=[Verification.VERIFIED, Verification.REJECTED], default=Verification.VERIFIED
    )
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class VerifyResultSerializer(Serializer):
    changed = serializers.IntegerField()


class PolicySerializer(Serializer):
    table = serializers.ChoiceField(choices=TABLE_CHOICES)
    review_own = serializers.BooleanField()
    max_future_days = serializers.IntegerField(min_value=0, max_value=MAX_FUTURE_DAYS_LIMIT)
    amount_ceiling = serializers.DecimalField(min_value=0, **MONEY)
    reason = serializers.CharField(
        max_length=500, required=False, default="", allow_blank=True, write_only=True
    )


class RecordsView(GenericAPIView):
    """Records of one table in one verification state (pending by default), a page at a
    time (the common pager: ``?page=``, ``?page_size=``)."""

    @extend_schema(
        parameters=[
            choice_parameter("table", list(TABLE_CHOICES)),
            choice_parameter("state", list(Verification.values)),
        ],
        responses=ReviewRowSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        access.check_review_records(request.user)
        table = selectors.BY_TABLE.get(query_one(request, "table") or "orders")
        if table is None:
            raise serializers.ValidationError({"table": [_("Unknown record table or state.")]})
        state = query_one(request, "state") or Verification.PENDING
        if state not in Verification.values:
            raise serializers.ValidationError({"state": [_("Unknown record table or state.")]})
        rows = self.paginate_queryset(selectors.records_waiting(request.user, table, state))
        data = [selectors.review_row(table, record) for record in rows or []]
        return self.get_paginated_response(ReviewRowSerializer(data, many=True).data)


class VerifyView(APIView):
    """Verify or reject records (by external id) in one call."""

    @extend_schema(request=VerifyRequestSerializer, responses=VerifyResultSerializer)
    def post(self, request: Request) -> Response:
        access.check_review_records(request.user)
        body = VerifyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(body.validated_data)
        table = selectors.BY_TABLE[data["table"]]
        visible = selectors.records_waiting(request.user, table)
        ids = set(data["ids"])
        pks = dict(visible.filter(external_id__in=ids).values_list("external_id", "pk"))
        unknown = sorted(ids - set(pks))
        if unknown:
            raise serializers.ValidationError(
                {
                    "ids": [
                        _("Not waiting for verification: %(ids)s")
                        % {"ids": ", ".join(unknown[:20])}
                    ]
                }
            )
        changed = verify_records(
            request.user, table.model, pks.values(), data["state"], reason=data["reason"]
        )
        return Response({"changed": changed})


class PoliciesView(APIView):
    """Each record table's policy; PUT stores one (sales operations)."""

    @extend_schema(responses=PolicySerializer(many=True))
    def get(self, request: Request) -> Response:
        access.check_review_records(request.user)
        return Response(PolicySerializer(selectors.policies(), many=True).data)

    @extend_schema(request=PolicySerializer, responses=PolicySerializer)
    def put(self, request: Request) -> Response:
        access.check_set_record_policy(request.user)
        body = PolicySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        row = set_record_policy(
            request.user,
            data.pop("table"),
            reason=data.pop("reason"),
            **data,
        )
        return Response(PolicySerializer(row).data)


urlpatterns: list[URLPattern] = [
    path("pay/records/", RecordsView.as_view(), name="pay-records"),
    path("pay/records/verify/", VerifyView.as_view(), name="pay-verify"),
    path("pay/policies/", PoliciesView.as_view(), name="pay-policies"),
]
