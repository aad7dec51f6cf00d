# mypy: disable-error-code="type-arg"
"""Period close over the API (docs/pay.md, "Period close"): the pay periods with their
state, closing one (a background task) and reopening one with a reason; the
prior-period adjustments under the one visibility rule; the dispute adjustments that
wait for someone who has left, and settling one (as on the pay periods page)."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from attain.web.api import Serializer
from attain.web.fields import MONEY
from attain.web.parsers import JSONParser
from attain.web.query import query_one

from . import adjustments as dispute_adjustments
from . import close_access as access
from . import selectors_close as selectors
from . import services_close as services
from . import services_disputes
from .api_payouts import period_field
from .models import PayoutState
from .models_close import PeriodState
from .models_deficits import CarriedDeficit
from .models_disputes import DisputeAdjustment
from .payout_access import can_pay_payouts
from .payout_access import check as access_check
from .services_close import PERIOD_RE


class PeriodSerializer(Serializer):
    period = serializers.CharField()
    end = serializers.DateField()
    payouts = serializers.IntegerField()
    total = serializers.DecimalField(**MONEY)
    state = serializers.ChoiceField(choices=PeriodState.choices)
    progress = serializers.IntegerField(source="close.progress", default=0)
    stage = serializers.CharField(source="close.stage", default="")
    problems = serializers.ListField(
        child=serializers.CharField(), source="close.problems", default=list
    )
    closed_at = serializers.DateTimeField(source="close.closed_at", default=None, allow_null=True)
    closed_by = serializers.CharField(
        source="close.requested_by.username", default=None, allow_null=True
    )
    reopen_reason = serializers.CharField(source="close.reopen_reason", default="")
    plan_versions = serializers.DictField(
        child=serializers.IntegerField(), source="close.plan_versions", default=dict
    )
    data_fingerprint = serializers.CharField(source="close.data_fingerprint", default="")
    results_fingerprint = serializers.CharField(source="close.results_fingerprint", default="")
    adjustments = serializers.IntegerField()
    adjusted = serializers.DecimalField(**MONEY)


class CloseSerializer(Serializer):
    period = period_field()
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class ReopenSerializer(Serializer):
    period = period_field()
    # missing or blank: the service asks for it in its own words (docs/pay.md)
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class PeriodStateSerializer(Serializer):
    period = serializers.CharField()
    state = serializers.ChoiceField(choices=PeriodState.choices)
    progress = serializers.IntegerField()
    stage = serializers.CharField()


class ComponentSerializer(Serializer):
    plan = serializers.CharField()
    component = serializers.CharField()
    kind = serializers.CharField()
    before = serializers.DecimalField(**MONEY)
    after = serializers.DecimalField(**MONEY)
    amount = serializers.DecimalField(**MONEY)


class AdjustmentSerializer(Serializer):
    person = serializers.CharField(source="person.code")
    name = serializers.CharField(source="person.name")
    source_period = serializers.CharField()
    paid_in = serializers.CharField(source="payout.period", default=None, allow_null=True)
    payout_state = serializers.ChoiceField(
        choices=PayoutState.choices, source="payout.state", default=None, allow_null=True
    )
    amount = serializers.DecimalField(**MONEY)
    before = serializers.DecimalField(**MONEY)
    after = serializers.DecimalField(**MONEY)
    components = ComponentSerializer(many=True)


class PeriodsView(APIView):
    """The pay periods with payouts, newest first: open, closing (with progress) or
    closed (with the snapshot's plan versions and fingerprints)."""

    @extend_schema(responses=PeriodSerializer(many=True))
    def get(self, request: Request) -> Response:
        access.check_see_periods(request.user)
        services.fail_abandoned_closes()
        return Response(PeriodSerializer(selectors.periods(), many=True).data)


def _state(row: Any) -> dict[str, Any]:
    return {"period": row.period, "state": row.state, "progress": row.progress, "stage": row.stage}


class CloseView(APIView):
    parser_classes = [JSONParser]
    """Close a period that has ended (finance, sales operations): 202, the freezing runs
    in the background; GET /api/pay/periods/ shows its progress."""

    @extend_schema(request=CloseSerializer, responses={202: PeriodStateSerializer})
    def post(self, request: Request) -> Response:
        access.check_close_periods(request.user)
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            row = services.close_period(request.user, data["period"], reason=data["reason"])
        except services.DeficitsLeft as refusal:  # the call that carries them, by name
            messages = [*refusal.message_dict["period"], _carry_call(refusal)]
            raise ValidationError({"period": messages}) from None
        return Response(PeriodStateSerializer(_state(row)).data, status=status.HTTP_202_ACCEPTED)


def _carry_call(refusal: services.DeficitsLeft) -> str:
    """What carries the deficits that stopped a close, as the API's caller sends it."""
    body = {"action": "carry", "period": refusal.period, "people": refusal.people, "reason": "…"}
    return _(
        "Carry them forward first with POST /api/pay/payouts/actions/ %(body)s (finance, "
        "with the reason), then close the period again."
    ) % {"body": json.dumps(body, ensure_ascii=False)}


class ReopenView(APIView):
    parser_classes = [JSONParser]
    """Reopen a closed period (sales operations, administrators), with a reason."""

    @extend_schema(request=ReopenSerializer, responses=PeriodStateSerializer)
    def post(self, request: Request) -> Response:
        access.check_reopen_periods(request.user)
        body = ReopenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        row = services.reopen_period(request.user, data["period"], reason=data["reason"])
        return Response(PeriodStateSerializer(_state(row)).data)


class AdjustmentsView(APIView):
    """Prior-period adjustments of the people the caller may see: ``source_period`` the
    frozen period they adjust, ``paid_in`` the payout that carries them (null while the
    person has no open payout); before and after per component."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period", str, pattern=PERIOD_RE.pattern, description="paid in this period"
            ),
            OpenApiParameter(
                "source_period",
                str,
                pattern=PERIOD_RE.pattern,
                description="adjusting this period",
            ),
        ],
        responses=AdjustmentSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = selectors.adjustments(
            request.user,
            source_period=_period_param(request, "source_period"),
            period=_period_param(request, "period"),
        )
        return Response(AdjustmentSerializer(rows, many=True).data)


class WaitingSerializer(Serializer):
    id = serializers.IntegerField()
    person = serializers.CharField(source="person.code")
    name = serializers.CharField(source="person.name")
    left_on = serializers.DateField(source="person.end")
    source_period = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    reason = serializers.CharField()
    waiting_since = serializers.DateTimeField(source="created_at")
    settled_at = serializers.DateTimeField(allow_null=True)
    settled_by = serializers.CharField(source="settled_by.username", default=None, allow_null=True)
    settled_reason = serializers.CharField()


class StrandedSerializer(WaitingSerializer):
    dispute = serializers.IntegerField(source="dispute_id")


class StrandedDeficitSerializer(WaitingSerializer):
    """A carried deficit (``amount`` below zero) waiting for someone who has left;
    ``source_period``: the period of the negative payout it was carried from."""


class SettleSerializer(Serializer):
    adjustment = serializers.IntegerField()
    # missing or blank: the service asks for it in its own words (docs/pay.md)
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class SettleDeficitSerializer(Serializer):
    deficit = serializers.IntegerField()
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class StrandedView(APIView):
    """Resolved disputes' adjustments waiting for someone who has left (no later payout
    carries them), oldest first: finance pay or recover them in the final pay through
    payroll and settle them (POST /api/pay/adjustments/stranded/settle/)."""

    model: dispute_adjustments.Placed = DisputeAdjustment
    serializer: type[Serializer] = StrandedSerializer

    @extend_schema(responses=StrandedSerializer(many=True))
    def get(self, request: Request) -> Response:
        access.check_see_periods(request.user)
        rows = dispute_adjustments.stranded(self.model)
        return Response(self.serializer(rows, many=True).data)


class StrandedDeficitsView(StrandedView):
    """Negative payouts' deficits carried forward and waiting for someone who has left
    (no later payout to recover them from), oldest first: finance recover them in the
    final pay through payroll and settle them (POST /api/pay/deficits/stranded/settle/)."""

    model = CarriedDeficit
    serializer = StrandedDeficitSerializer

    @extend_schema(responses=StrandedDeficitSerializer(many=True))
    def get(self, request: Request) -> Response:
        return super().get(request)


class SettleView(APIView):
    parser_classes = [JSONParser]
    """Settle a stranded adjustment (finance, administrators) with how it was settled
    (required, audited): it then waits no more and no payout carries it."""

    model: dispute_adjustments.Placed = DisputeAdjustment
    field = "adjustment"
    body: type[Serializer] = SettleSerializer
    serializer: type[Serializer] = StrandedSerializer

    @extend_schema(request=SettleSerializer, responses=StrandedSerializer)
    def post(self, request: Request) -> Response:
        # who may settle first: the refusal of a login without the right names no record
        access_check(can_pay_payouts(request.user), _("Only finance settles an adjustment."))
        body = self.body(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        row = dispute_adjustments.stranded(self.model).filter(pk=data[self.field]).first()
        if row is None:
            raise ValidationError(
                {self.field: _("This adjustment is not waiting for someone who has left.")}
            )
        services_disputes.settle_adjustment(request.user, row, reason=data["reason"])
        row = self.model.objects.select_related("person", "settled_by").get(pk=row.pk)
        return Response(self.serializer(row).data)


class SettleDeficitView(SettleView):
    """Settle a stranded carried deficit (finance, administrators) with how it was
    settled (required, audited): it then waits no more and no payout recovers it."""

    model = CarriedDeficit
    field = "deficit"
    body = SettleDeficitSerializer
    serializer = StrandedDeficitSerializer

    @extend_schema(request=SettleDeficitSerializer, responses=StrandedDeficitSerializer)
    def post(self, request: Request) -> Response:
        return super().post(request)


def _period_param(request: Request, name: str) -> str | None:
    """A period id parameter, read strictly: empty, twice or malformed is a 400."""
    if request.query_params.getlist(name) == [""]:
        raise serializers.ValidationError({name: [_("Give a period id such as 2026-Q3.")]})
    value = query_one(request, name)
    if value is not None and not PERIOD_RE.fullmatch(value):
        raise serializers.ValidationError({name: [_("Give a period id such as 2026-Q3.")]})
    return value


urlpatterns: list[URLPattern] = [
    path("pay/periods/", PeriodsView.as_view(), name="pay-periods"),
    path("pay/periods/close/", CloseView.as_view(), name="pay-periods-close"),
    path("pay/periods/reopen/", ReopenView.as_view(), name="pay-periods-reopen"),
    path("pay/adjustments/", AdjustmentsView.as_view(), name="pay-adjustments"),
    path("pay/adjustments/stranded/", StrandedView.as_view(), name="pay-adjustments-stranded"),
    path(
        "pay/adjustments/stranded/settle/",
        SettleView.as_view(),
        name="pay-adjustments-settle",
    ),
    path("pay/deficits/stranded/", StrandedDeficitsView.as_view(), name="pay-deficits-stranded"),
    path("pay/deficits/stranded/settle/", SettleDeficitView.as_view(), name="pay-deficits-settle"),
]
