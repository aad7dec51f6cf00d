"""REST endpoints for results, explanations and leaderboards (read-only), all under the
visibility rule: a rep reads their own results, a manager their subtree's, the
organisation-wide roles everyone's."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from attain.org.company import company
from attain.org.models import Unit
from attain.web.api import (
    PERIOD_PATTERN,
    ModelSerializer,
    Serializer,
    SortedDictField,
    query_one,
    query_period,
)
from attain.web.forms import record_pk
from attain.web.pagination import WithCurrency

from . import access, selectors, services
from .effectiveness_api import urlpatterns as effectiveness_urls
from .governance_api import urlpatterns as governance_urls
from .models import CalculationRun, ComponentResult, PeriodResult, RunPartition

PERIOD = OpenApiParameter(
    "period",
    str,
    pattern=PERIOD_PATTERN,
    description="Period id, e.g. 2026-Q4 (absent or empty: now)",
)


class ComponentSerializer(ModelSerializer):
    class Meta:
        model = ComponentResult
        fields = ["plan", "component", "kind", "amount", "level", "score"]


class ResultSerializer(ModelSerializer):
    person = serializers.CharField(source="person.code")
    name = serializers.CharField(source="person.name")
    unit = serializers.CharField(source="unit.code", allow_null=True, default=None)
    components = serializers.SerializerMethodField()
    measures = SortedDictField(child=serializers.CharField(allow_null=True))
    targets = SortedDictField(child=serializers.CharField(allow_null=True))
    attainment = SortedDictField(child=serializers.CharField(allow_null=True))
    pace = SortedDictField(child=serializers.DictField(allow_null=True), allow_null=True)

    class Meta:
        model = PeriodResult
        fields = [
            "person",
            "name",
            "period",
            "unit",
            "role",
            "measures",
            "targets",
            "attainment",
            "pace",
            "payout",
            "components",
            "updated_at",
        ]

    @extend_schema(responses=ComponentSerializer(many=True))
    def get_components(self, row: PeriodResult) -> list[dict[str, Any]]:
        by_person = self.context.get("components", {})
        return [ComponentSerializer(c).data for c in by_person.get((row.person_id, row.period), [])]


def _currency() -> str:
    return company().currency


class ResultPages(WithCurrency):
    """Pages of results with the company's currency, which payouts and money measures
    are in (as the pay API's answers name it)."""

    currency = staticmethod(_currency)


class ResultList(generics.ListAPIView):
    """Stored results per person for a period (``?period=``, ``?person=``), a page at a
    time with the ``currency`` their amounts are in."""

    serializer_class = ResultSerializer
    pagination_class = ResultPages

    def get_queryset(self) -> QuerySet[PeriodResult]:
        period = query_period(self.request) or selectors.current_period()
        rows = selectors.results(self.request.user, period).select_related("person", "unit")
        person = query_one(self.request, "person")
        if person:
            rows = rows.filter(person__code=person)
        return rows.order_by("person__code")

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        """The serializer of the rows shown, with their components read for those rows
        only (one query for the page, not every visible person's of the period)."""
        if args:
            rows = list(args[0])
            grouped: dict[tuple[int, str], list[ComponentResult]] = {}
            for c in ComponentResult.objects.filter(
                person_id__in={r.person_id for r in rows}, period__in={r.period for r in rows}
            ):
                grouped.setdefault((c.person_id, c.period), []).append(c)
            kwargs["context"] = {**self.get_serializer_context(), "components": grouped}
            args = (rows, *args[1:])
        return super().get_serializer(*args, **kwargs)

    @extend_schema(parameters=[PERIOD, OpenApiParameter("person", str)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ExplanationView(APIView):
    """The engine's explanation of one person's period: records credited, target rule,
    component steps (the document of ``attain scenario explain --format json``)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, code: str, period: str) -> Response:
        row = selectors.result_for(request.user, code, period)
        return Response(json.loads(services.explanation_text(row) or "{}"))


class LeaderboardEntry(Serializer):
    rank = serializers.IntegerField(allow_null=True)  # None: at 0%, listed but not ranked
    person = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField(allow_null=True)
    attainment = serializers.DecimalField(max_digits=20, decimal_places=6)


def _unit_id(request: Request) -> int | None:
    """``?unit=``: a unit's code, as the rest of the API names units (the number the
    leaderboard page's address holds is read too); naming no unit is a 400, not the
    whole company's board."""
    value = query_one(request, "unit")
    if value is None:
        return None
    unit = Unit.objects.filter(code=value).first()
    if unit is None and (pk := record_pk(value)) is not None:
        unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise serializers.ValidationError({"unit": [_("No such unit.")]})
    return unit.pk


class LeaderboardView(APIView):
    """Ranked by attainment of the main measure (not absolute sales)."""

    @extend_schema(
        parameters=[PERIOD, OpenApiParameter("unit", str, description="unit code")],
        responses=LeaderboardEntry(many=True),
    )
    def get(self, request: Request) -> Response:
        # as the page: the latest month with results, not an empty current month
        period = query_period(request) or selectors.latest_period_with_data("month")
        rows = selectors.leaderboard(request.user, period, _unit_id(request))
        ranked, unranked = selectors.ranked_board(rows)
        data = [
            {
                "rank": r.rank,  # type: ignore[attr-defined]
                "person": r.person.code,
                "name": r.person.name,
                "unit": r.unit.code if r.unit else None,
                "attainment": r.main_attainment or Decimal(0),
            }
            for r in [*ranked, *unranked]
        ]
        return Response(LeaderboardEntry(data, many=True).data)


class PartitionSerializer(ModelSerializer):
    people = serializers.SerializerMethodField()

    class Meta:
        model = RunPartition
        fields = ["number", "people", "status", "worker", "heartbeat_at", "seconds", "problems"]
        read_only_fields = fields

    def get_people(self, partition: RunPartition) -> int:
        """How many people the partition calculates."""
        return len(partition.people)


class RunSerializer(ModelSerializer):
    partitions = PartitionSerializer(many=True, read_only=True)

    class Meta:
        model = CalculationRun
        fields = [
            "id",
            "kind",
            "fiscal_year",
            "status",
            "progress",
            "stage",
            "people",
            "rows",
            "problems",
            "warnings",
            "seconds",
            "created_at",
            "finished_at",
            "worker",
            "heartbeat_at",
            "partitions",
        ]
        read_only_fields = fields


class RunRequestSerializer(Serializer):
    fiscal_year = serializers.IntegerField(
        min_value=services.FIRST_RUN_YEAR, max_value=services.LAST_RUN_YEAR
    )


def _require_runs(request: Request) -> None:
    if not access.can_edit_plans(request.user):
        raise PermissionDenied(_("Only administrators and sales operations run calculations."))


class RunList(APIView):
    """Start a full recalculation of a fiscal year in the background (also how a failed
    run is run again): 202 with the queued run; follow it at its own address."""

    @extend_schema(request=RunRequestSerializer, responses={202: RunSerializer})
    def post(self, request: Request) -> Response:
        _require_runs(request)
        data = RunRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.start_calculation(request.user, data.validated_data["fiscal_year"])
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class RunDetail(APIView):
    """A calculation run's status and progress (one whose worker died shows failed)."""

    @extend_schema(responses=RunSerializer)
    def get(self, request: Request, pk: int) -> Response:
        _require_runs(request)
        services.fail_abandoned_runs()
        run = CalculationRun.objects.filter(pk=pk).first()
        if run is None:
            raise Http404
        return Response(RunSerializer(run).data)


urlpatterns: list[URLPattern | URLResolver] = [
    path("calculation-runs/", RunList.as_view(), name="api-runs"),
    path("calculation-runs/<int:pk>/", RunDetail.as_view(), name="api-run"),
    path("performance/results/", ResultList.as_view(), name="api-results"),
    path(
        "performance/results/<slug:code>/<str:period>/explanation/",
        ExplanationView.as_view(),
        name="api-explanation",
    ),
    path("performance/leaderboard/", LeaderboardView.as_view(), name="api-leaderboard"),
]

# Plan approval (docs/incentives.md, "Plan approval").
urlpatterns += governance_urls

# Plan effectiveness and what-ifs on history (docs/effectiveness.md).
urlpatterns += effectiveness_urls
