"""Plan effectiveness and what-ifs on history over the API (docs/effectiveness.md).

For sales operations, executives and administrators (:mod:`.access`); everyone else gets
403. The figures are the page's (:mod:`.effectiveness`); a what-if is queued by
:mod:`.services_what_if` (202) and followed at its own address.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from attain.engine import parse_period
from attain.web.api import Serializer, query_one

from . import access, effectiveness, services, services_what_if
from .models import CalculationRun, PlanVersion, RunKind
from .selectors import current_period


def _require(request: Request) -> None:
    if not access.can_see_effectiveness(request.user):
        raise PermissionDenied(
            _("Only administrators, sales operations and executives see plan effectiveness.")
        )


class AttainmentDistributionSerializer(Serializer):
    group = serializers.CharField(help_text="The plan's or the unit's name.")
    people = serializers.IntegerField()
    counts = serializers.ListField(
        child=serializers.IntegerField(), help_text="People per bucket of `buckets`."
    )
    at_or_above = serializers.IntegerField(help_text="People at or above 100%.")
    share = serializers.FloatField(allow_null=True)
    band = serializers.ChoiceField(
        choices=["low", "healthy", "high"],
        allow_null=True,
        help_text="Against the healthy band; null with fewer than 5 people.",
    )
    median = serializers.FloatField(allow_null=True)


class PayForPerformanceSerializer(Serializer):
    plan = serializers.CharField()
    people = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=38, decimal_places=2)
    top_share = serializers.FloatField(allow_null=True)
    bottom_share = serializers.FloatField(allow_null=True)
    correlation = serializers.FloatField(allow_null=True, help_text="Spearman's rho.")
    follows = serializers.BooleanField(allow_null=True)


class CostOfSalesSerializer(Serializer):
    period = serializers.CharField()
    payout = serializers.DecimalField(max_digits=38, decimal_places=2)
    revenue = serializers.DecimalField(max_digits=38, decimal_places=2)
    ratio = serializers.FloatField(allow_null=True)


class ComponentFindingSerializer(Serializer):
    plan = serializers.CharField()
    component = serializers.CharField()
    rows = serializers.IntegerField()
    paid_share = serializers.FloatField()
    max_share = serializers.FloatField()
    maximum = serializers.FloatField()
    declared = serializers.BooleanField()
    flag = serializers.ChoiceField(choices=["everyone_max", "nobody_paid"], allow_null=True)


class QuotaFairnessSerializer(Serializer):
    people = serializers.IntegerField(help_text="People with a market potential; 0: no data.")
    without_potential = serializers.IntegerField()
    correlation = serializers.FloatField(allow_null=True)
    by_fifth = serializers.ListField(
        child=serializers.DictField(), help_text="{people, median} per fifth, low to high."
    )
    follows = serializers.BooleanField(allow_null=True)


class EffectivenessSerializer(Serializer):
    period = serializers.CharField()
    band = serializers.ListField(child=serializers.FloatField())
    buckets = serializers.ListField(child=serializers.CharField())
    people = serializers.IntegerField()
    by_plan = AttainmentDistributionSerializer(many=True)
    by_unit = AttainmentDistributionSerializer(many=True)
    pay = PayForPerformanceSerializer(many=True)
    cost_of_sales = CostOfSalesSerializer(many=True)
    components = ComponentFindingSerializer(many=True)
    fairness = QuotaFairnessSerializer()


def _plain(value: Any) -> dict[str, Any]:
    return dict(vars(value))


class EffectivenessView(APIView):
    """The plan effectiveness figures of a period (default: the latest fiscal year with
    results)."""

    @extend_schema(
        parameters=[OpenApiParameter("period", str, description="e.g. 2026, 2026-Q3")],
        responses=EffectivenessSerializer,
    )
    def get(self, request: Request) -> Response:
        _require(request)
        asked = query_one(request, "period")
        if asked is not None:
            parsed = parse_period(asked)
            if parsed is None:
                raise serializers.ValidationError(
                    {"period": [_("Give a period such as 2026, 2026-H1, 2026-Q3 or 2026-03.")]}
                )
            period = parsed.id
        else:
            period = effectiveness.latest_period() or current_period("year")
        found = effectiveness.figures(period)
        fair = found.fairness
        data = {
            "period": period,
            "band": list(found.band),
            "buckets": found.buckets,
            "people": found.people,
            "by_plan": [_plain(d) for d in found.by_plan],
            "by_unit": [_plain(d) for d in found.by_unit],
            "pay": [{"plan": name, **_plain(p)} for name, p in found.pay],
            "cost_of_sales": [_plain(c) for c in found.costs],
            "components": [_plain(c) for c in found.components],
            "fairness": {
                "people": fair.people if fair else 0,
                "without_potential": fair.without_potential if fair else 0,
                "correlation": fair.correlation if fair else None,
                "by_fifth": [
                    {"people": p, "median": m} for p, m in (fair.by_fifth if fair else [])
                ],
                "follows": fair.follows if fair else None,
            },
        }
        return Response(EffectivenessSerializer(data).data)


class WhatIfRequestSerializer(Serializer):
    plan = serializers.SlugField(max_length=64, help_text="The plan's id.")
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    start = serializers.CharField(
        max_length=16, help_text="First quarter or month, e.g. 2026-Q1 or 2026-01."
    )
    end = serializers.CharField(max_length=16, help_text="Last quarter or month.")


class WhatIfPersonSerializer(Serializer):
    person = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    in_force = serializers.DecimalField(max_digits=20, decimal_places=2)
    draft = serializers.DecimalField(max_digits=20, decimal_places=2)
    change = serializers.DecimalField(max_digits=20, decimal_places=2)


class WhatIfPeriodSerializer(Serializer):
    period = serializers.CharField()
    in_force = serializers.DecimalField(max_digits=20, decimal_places=2)
    draft = serializers.DecimalField(max_digits=20, decimal_places=2)
    change = serializers.DecimalField(max_digits=20, decimal_places=2)


class WhatIfResultSerializer(Serializer):
    plan = serializers.CharField()
    name = serializers.CharField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    start = serializers.CharField(source="from")
    end = serializers.CharField(source="to")
    as_of = serializers.DateField()
    same_plan = serializers.BooleanField()
    baseline = serializers.ListField(child=serializers.CharField())
    in_force = serializers.DecimalField(max_digits=20, decimal_places=2)
    draft = serializers.DecimalField(max_digits=20, decimal_places=2)
    change = serializers.DecimalField(max_digits=20, decimal_places=2)
    periods = WhatIfPeriodSerializer(many=True)
    people = WhatIfPersonSerializer(many=True)
    seconds = serializers.FloatField()


class WhatIfRunSerializer(Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="queued, running, done or failed.")
    progress = serializers.IntegerField()
    stage = serializers.CharField()
    problems = serializers.ListField(child=serializers.CharField())
    seconds = serializers.DecimalField(max_digits=10, decimal_places=3, allow_null=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    result = WhatIfResultSerializer(allow_null=True)


def _run_data(run: CalculationRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "status": run.status,
        "progress": run.progress,
        "stage": run.stage,
        "problems": [str(p) for p in run.problems or []],
        "seconds": run.seconds,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "result": services_what_if.what_if_of(run).get("result"),
    }


class WhatIfList(APIView):
    """Run a draft (or submitted, or approved) plan version over past quarters or months
    and compare it with the plan in force: 202 with the queued run; follow it at its own
    address. Nothing is written to the stored results."""

    @extend_schema(request=WhatIfRequestSerializer, responses={202: WhatIfRunSerializer})
    def post(self, request: Request) -> Response:
        if not access.can_run_what_if(request.user):
            raise PermissionDenied(
                _("Only administrators, sales operations and executives run a what-if.")
            )
        data = WhatIfRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        version = (
            PlanVersion.objects.select_related("plan")
            .filter(plan__code=values["plan"], number=values["version"])
            .first()
        )
        if version is None:
            raise serializers.ValidationError({"version": [_("No such plan version.")]})
        try:
            run = services_what_if.start_what_if(
                request.user, version, values["start"], values["end"]
            )
        except ValidationError as error:  # the service names from/to: the API start/end
            names = {"from": "start", "to": "end"}
            raise serializers.ValidationError(
                {names.get(k, k): v for k, v in error.message_dict.items()}
            ) from error
        run.refresh_from_db()
        return Response(WhatIfRunSerializer(_run_data(run)).data, status=status.HTTP_202_ACCEPTED)


class WhatIfDetail(APIView):
    """A what-if run: its progress and, once done, the comparison person by person, by
    period and in total (money as text, exact to the cent)."""

    @extend_schema(responses=WhatIfRunSerializer)
    def get(self, request: Request, pk: int) -> Response:
        _require(request)
        services.fail_abandoned_runs()
        run = CalculationRun.objects.filter(pk=pk, kind=RunKind.PREVIEW).first()
        if run is None:
            raise Http404
        return Response(WhatIfRunSerializer(_run_data(run)).data)


urlpatterns: list[URLPattern] = [
    path("performance/effectiveness/", EffectivenessView.as_view(), name="api-effectiveness"),
    path("performance/what-if/", WhatIfList.as_view(), name="api-what-if"),
    path("performance/what-if/<int:pk>/", WhatIfDetail.as_view(), name="api-what-if-run"),
]
