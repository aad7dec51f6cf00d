# mypy: disable-error-code="type-arg"
"""Plan approval over the API (docs/incentives.md, "Plan approval"): the plans' versions
with their states and the warnings about plans that would pay someone twice, and one
endpoint per step (submit, approve, return, activate). The rules are the pages'
(:mod:`.access`, :mod:`.governance`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from attain.web.api import Serializer

from . import access, governance, services
from .models import PlanVersion, VersionStatus


class PlanVersionSerializer(Serializer):
    plan = serializers.CharField(source="plan.code")
    name = serializers.CharField(source="plan.name")
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=VersionStatus.choices)
    effective_from = serializers.DateField(allow_null=True)
    effective_to = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    activated_at = serializers.DateTimeField(allow_null=True)
    submitted_by = serializers.CharField(
        source="submitted_by.username",
        allow_null=True,
        help_text="The login that submitted it for approval (it may not approve it: four "
        "eyes); null for a draft or when the system submitted it.",
    )


class PlanVersionsSerializer(Serializer):
    versions = PlanVersionSerializer(many=True)
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="Plans that would pay the same person for the same measure and days.",
    )


class PlanStepSerializer(Serializer):
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class PlanStepResultSerializer(Serializer):
    version = PlanVersionSerializer()
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="Plans that would pay someone twice together with this version.",
    )


class PlanVersionList(APIView):
    """Every plan version (newest first per plan), with the overlap warnings."""

    @extend_schema(responses=PlanVersionsSerializer)
    def get(self, request: Request) -> Response:
        if not access.can_see_plans(request.user):
            raise access_denied()
        versions = PlanVersion.objects.select_related("plan", "submitted_by").order_by(
            "plan__code", "-number"
        )
        return Response(
            PlanVersionsSerializer(
                {"versions": list(versions), "warnings": governance.overlap_warnings()}
            ).data
        )


def access_denied() -> Exception:
    return PermissionDenied(_("Only those who propose or approve plans see them."))


Step = Callable[[Any, PlanVersion, str], PlanVersion]

STEPS: dict[str, Step] = {
    "submit": lambda user, v, reason: governance.submit_plan_version(user, v, reason=reason),
    "approve": lambda user, v, reason: governance.approve_plan_version(user, v, reason=reason),
    "return": lambda user, v, reason: governance.return_plan_version(user, v, reason=reason),
    "activate": lambda user, v, reason: services.activate_plan(user, v, reason=reason),
}


def _step_view(action: str, doc: str) -> type[APIView]:
    class StepView(APIView):
        @extend_schema(
            request=PlanStepSerializer,
            responses=PlanStepResultSerializer,
            operation_id=f"plan_version_{action}",
            description=doc,
        )
        def post(self, request: Request, code: str, number: int) -> Response:
            if not access.can_see_plans(request.user):
                raise access_denied()
            version = (
                PlanVersion.objects.select_related("plan")
                .filter(plan__code=code, number=number)
                .first()
            )
            if version is None:
                raise Http404
            body = PlanStepSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            covered = governance.covered_days(version.plan) if action == "activate" else []
            version = STEPS[action](request.user, version, body.validated_data["reason"])
            warnings = governance.overlap_warnings(version)
            if action == "activate":
                warnings += governance.activation_warnings(version, covered)
            return Response(
                PlanStepResultSerializer({"version": version, "warnings": warnings}).data
            )

    StepView.__name__ = f"PlanVersion{action.capitalize()}"
    StepView.__doc__ = doc
    return StepView


urlpatterns: list[URLPattern] = [
    path("plans/", PlanVersionList.as_view(), name="api-plan-versions"),
    path(
        "plans/<slug:code>/versions/<int:number>/submit/",
        _step_view("submit", "Draft → submitted (sales operations, administrators).").as_view(),
        name="api-plan-submit",
    ),
    path(
        "plans/<slug:code>/versions/<int:number>/approve/",
        _step_view("approve", "Submitted → approved (executives, administrators).").as_view(),
        name="api-plan-approve",
    ),
    path(
        "plans/<slug:code>/versions/<int:number>/return/",
        _step_view(
            "return", "Submitted or approved → draft, with a reason (proposers, approvers)."
        ).as_view(),
        name="api-plan-return",
    ),
    path(
        "plans/<slug:code>/versions/<int:number>/activate/",
        _step_view("activate", "Approved → active (sales operations, administrators).").as_view(),
        name="api-plan-activate",
    ),
]
