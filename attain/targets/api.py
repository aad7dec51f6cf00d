"""REST endpoints of target planning. People's targets go through ``visible_people``
(via :func:`attain.targets.selectors.visible_codes`); writes through the services."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import Http404
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from attain.org.models import Person
from attain.web.api import (
    PERIOD_PATTERN,
    ModelSerializer,
    Serializer,
    SlugRelatedField,
    query_date,
    query_int,
    query_one,
    query_period,
)
from attain.web.errors import ErrorSerializer

from . import services
from .allocation import compute_allocation
from .forecast import BASIS_TEXT
from .models import EDITABLE, Kind, TargetPlan
from .pace import problem_message
from .selectors import plans_in_force, published_targets, visible_codes, visible_plans
from .snapshots import Stored, stored_forecast, stored_pace
from .stored import stored_grids


class PlanSerializer(ModelSerializer):
    root_unit: Any = SlugRelatedField(slug_field="code", read_only=True)
    measures = serializers.SerializerMethodField()

    class Meta:
        model = TargetPlan
        fields = [
            "id",
            "family",
            "version",
            "fiscal_year",
            "root_unit",
            "status",
            "measures",
            *services.SETTINGS,
            "reason",
            "published",
        ]

    def get_measures(self, plan: TargetPlan) -> dict[str, str]:
        return {pm.measure: str(pm.total) for pm in plan.plan_measures.all()}


class TargetSerializer(Serializer):
    measure = serializers.CharField()
    who = serializers.CharField()
    period = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=2)


class GridRowSerializer(Serializer):
    who = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    name = serializers.CharField()
    parent: Any = serializers.CharField()
    year = serializers.DecimalField(max_digits=20, decimal_places=2)
    months = serializers.ListField(child=serializers.DecimalField(max_digits=20, decimal_places=2))
    difference = serializers.DecimalField(max_digits=20, decimal_places=2)


class AcknowledgeSerializer(Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AcknowledgementSerializer(Serializer):
    person = serializers.CharField()
    comment = serializers.CharField()
    at = serializers.DateTimeField()


class PaceRowSerializer(Serializer):
    who = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    measure = serializers.CharField()
    period = serializers.CharField()
    actual = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)
    target = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)
    attainment = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)
    elapsed = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)
    projected = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)
    status = serializers.CharField(allow_null=True)


class ForecastRowSerializer(Serializer):
    who = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["person", "unit"])
    measure = serializers.CharField()
    period = serializers.CharField()
    actual = serializers.DecimalField(max_digits=30, decimal_places=2)
    target = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)
    p10 = serializers.DecimalField(max_digits=30, decimal_places=2)
    p50 = serializers.DecimalField(max_digits=30, decimal_places=2)
    p90 = serializers.DecimalField(max_digits=30, decimal_places=2)
    attainment_p10 = serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True)
    attainment_p50 = serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True)
    attainment_p90 = serializers.DecimalField(max_digits=30, decimal_places=4, allow_null=True)
    run_rate = serializers.DecimalField(max_digits=30, decimal_places=2, allow_null=True)
    pipeline = serializers.DecimalField(max_digits=30, decimal_places=2, allow_null=True)
    basis = serializers.ChoiceField(choices=list(BASIS_TEXT))  # every basis, "left" too
    basis_text = serializers.CharField()


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Target plans (every version). Reps see the plans in force only."""

    serializer_class = PlanSerializer

    def get_queryset(self) -> Any:
        return visible_plans(self.request.user).prefetch_related("plan_measures")

    @extend_schema(
        parameters=[OpenApiParameter("measure", str, description="measure code")],
        responses=GridRowSerializer(many=True),
    )
    @action(detail=True, pagination_class=None)
    def grid(self, request: Request, pk: str | None = None) -> Response:
        """The allocation grid of one measure (a draft is computed by the engine now)."""
        plan = self.get_object()
        if plan.status in EDITABLE or not plan.computed:
            grids = compute_allocation(plan).grids
        else:
            grids = stored_grids(plan)
        measure = query_one(request, "measure")
        if measure is not None and measure not in grids:
            choices = ", ".join(grids)
            raise serializers.ValidationError(
                {"measure": [_("Give one of: %(choices)s.") % {"choices": choices}]}
            )
        grid = grids.get(measure or next(iter(grids), ""))
        if grid is None:
            raise Http404
        codes = visible_codes(request.user)
        rows = [r for r in grid.rows if codes is None or r.kind == Kind.UNIT or r.who in codes]
        return Response(GridRowSerializer(rows, many=True).data)

    @extend_schema(request=AcknowledgeSerializer, responses=AcknowledgementSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        """Accept one's own targets in this plan, with an optional comment."""
        plan = self.get_object()
        data = AcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ack = services.acknowledge_target(request.user, plan, data.validated_data["comment"])
        return Response({"person": ack.person.code, "comment": ack.comment, "at": ack.at})


class PublishedTargets(generics.GenericAPIView):
    """Targets in force in the engine's format (spec section 5), as people may see them,
    a page at a time (the common pager: ``?page=``, ``?page_size=``)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("measure", str, many=True, description="measure codes"),
            OpenApiParameter("fiscal_year", int),
        ],
        responses=TargetSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        measures = request.query_params.getlist("measure") or None
        targets = published_targets(
            measures=measures, fiscal_year=query_int(request, "fiscal_year")
        )
        codes = visible_codes(request.user)
        if codes is not None:
            whos = {str(t["who"]) for t in targets}
            people = set(Person.objects.filter(code__in=whos).values_list("code", flat=True))
            targets = [t for t in targets if t["who"] in codes or t["who"] not in people]
        page = self.paginate_queryset(targets)
        return self.get_paginated_response(TargetSerializer(page, many=True).data)


class PaceUnavailable(APIException):
    status_code = 409
    default_code = "calculation_problem"
    default_detail = _("Pace cannot be calculated from the current data.")


def _plan_and_day(request: Request) -> tuple[Any, datetime.date]:
    """The plan asked for (``?plan=``; by default the latest in force) and the day
    (``?as_of=``; today): a 404 without a plan in force."""
    in_force = plans_in_force()
    wanted = query_int(request, "plan")
    plan = next((p for p in in_force if p.pk == wanted), None)
    if plan is None and in_force and wanted is None:
        plan = in_force[-1]
    if plan is None:
        raise Http404
    return plan, query_date(request, "as_of") or timezone.localdate()


def _visible(request: Request, rows: list[Any]) -> list[Any]:
    """The people's rows the reader may see (every row, units too, for those who see all)."""
    codes = visible_codes(request.user)
    if codes is None:
        return rows
    return [r for r in rows if r.kind == "person" and r.who in codes]


View = TypeVar("View", bound=Callable[..., Response])


def _report_schema(
    serializer: type[serializers.Serializer], *filters: str
) -> Callable[[View], View]:
    """The schema of a report read for a plan (``?plan=``) on a day (``?as_of=``),
    narrowed by ``filters`` (query parameters)."""
    return extend_schema(
        parameters=[
            OpenApiParameter("plan", int),
            *(
                OpenApiParameter(name, str, pattern=PERIOD_PATTERN if name == "period" else None)
                for name in filters
            ),
            OpenApiParameter("as_of", datetime.date),
        ],
        responses={
            200: serializer(many=True),
            404: OpenApiResponse(ErrorSerializer, description="no plan in force, or no such page"),
            409: OpenApiResponse(ErrorSerializer, description="the data cannot be calculated"),
        },
    )


def _report(
    view: generics.GenericAPIView, report: Callable[..., Stored[Any]], *filters: str
) -> Response:
    """The rows of ``report`` (for the plan and day asked for) the reader may see, narrowed
    by ``filters``: query parameters that a row's attribute of the same name must equal,
    a page at a time (the common pager). ``Last-Modified`` says when they were calculated
    (docs/targets.md, "Pace")."""
    request = view.request
    plan, as_of = _plan_and_day(request)
    wanted = {
        name: query_period(request) if name == "period" else query_one(request, name)
        for name in filters
    }
    try:
        stored = report(plan, as_of, earlier_day=False)  # rows of the day asked for
    except ValueError as problem:  # the data cannot be calculated (engine problems)
        raise PaceUnavailable(problem_message(problem)) from None
    rows = _visible(request, stored.rows)
    for name, value in wanted.items():
        if value:
            rows = [r for r in rows if getattr(r, name) == value]
    serializer = PaceRowSerializer if report is stored_pace else ForecastRowSerializer
    page = view.paginate_queryset(rows)
    response = view.get_paginated_response(serializer(page, many=True).data)
    response["Last-Modified"] = http_date(stored.calculated.timestamp())
    return response


class PaceView(generics.GenericAPIView):
    """Attainment, elapsed share, projection and status of everyone one may see."""

    @_report_schema(PaceRowSerializer, "period")
    def get(self, request: Request) -> Response:
        return _report(self, stored_pace, "period")


class ForecastView(generics.GenericAPIView):
    """The forecast of each period-end value (quarter and month of ``as_of``) with its
    P10–P90 range and what it is based on, for everyone one may see (docs/forecast.md)."""

    @_report_schema(ForecastRowSerializer, "period", "measure")
    def get(self, request: Request) -> Response:
        return _report(self, stored_forecast, "period", "measure")


router = DefaultRouter()
router.register("targets/plans", PlanViewSet, basename="target-plan")

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path("targets/published/", PublishedTargets.as_view(), name="targets-published"),
    path("targets/pace/", PaceView.as_view(), name="targets-pace"),
    path("targets/forecast/", ForecastView.as_view(), name="targets-forecast"),
]
