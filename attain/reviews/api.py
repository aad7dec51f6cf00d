# mypy: disable-error-code="type-arg"
"""Reviews over the API (docs/reviews.md): the reviews one may see, opening one, a
review with the packs one may see, comments, actions, ticking an action, a person's
history. Reads follow the one visibility rule; writes go through :mod:`.services`."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from attain.web.api import Serializer
from attain.web.parsers import JSONParser

from . import access, selectors, services
from .display import pack_views
from .models import Cadence, Review, ReviewAction, ReviewComment, ReviewPack, ReviewStatus, Side

CODE_RE = re.compile(r"^[-a-zA-Z0-9_]{1,64}$")


def _check_code(value: str) -> None:
    if not CODE_RE.fullmatch(value):
        raise serializers.ValidationError(_("Give an employee id such as r1."))


def code_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=64, validators=[_check_code], **kwargs)


class ReviewSerializer(Serializer):
    id = serializers.IntegerField()
    manager = serializers.CharField(source="manager.code")
    manager_name = serializers.CharField(source="manager.name")
    unit = serializers.CharField(source="unit.code", allow_null=True, default=None)
    cadence = serializers.ChoiceField(choices=Cadence.choices)
    period = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=ReviewStatus.choices)
    previous = serializers.IntegerField(source="previous_id", allow_null=True)


class CommentSerializer(Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author_name")
    side = serializers.ChoiceField(choices=Side.choices)
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class ActionSerializer(Serializer):
    id = serializers.IntegerField()
    review = serializers.IntegerField(source="pack.review_id")
    person = serializers.CharField(source="pack.person.code")
    text = serializers.CharField()
    owner = serializers.CharField(source="owner.code")
    due_on = serializers.DateField()
    done = serializers.BooleanField()
    done_at = serializers.DateTimeField(allow_null=True)


class ReasonSerializer(Serializer):
    code = serializers.CharField()
    title = serializers.CharField(source="label")
    text = serializers.CharField()


class PackSerializer(Serializer):
    person = serializers.CharField(source="pack.person.code")
    name = serializers.CharField(source="pack.person.name")
    prepared_at = serializers.DateTimeField(source="pack.prepared_at")
    figures = serializers.SerializerMethodField(help_text="the figures Attain prepared")
    weak_stage = serializers.CharField(source="funnel.weak_step", allow_null=True)
    reasons = ReasonSerializer(many=True)
    comments = CommentSerializer(source="pack.comments.all", many=True)
    actions = ActionSerializer(source="pack.actions.all", many=True)
    last_actions = serializers.SerializerMethodField(
        help_text="last time's actions (and older ones not done), tickable"
    )

    @extend_schema_field(serializers.DictField())
    def get_figures(self, view: dict[str, Any]) -> dict[str, Any]:
        return dict(view["pack"].data or {})

    @extend_schema_field(ActionSerializer(many=True))
    def get_last_actions(self, view: dict[str, Any]) -> Any:
        carried = self.context.get("carried")  # read once for all the packs shown
        pack = view["pack"]
        found = carried[pack.pk] if carried is not None else selectors.carried_actions(pack)
        return ActionSerializer(found, many=True).data


class ReviewDetailSerializer(ReviewSerializer):
    packs = serializers.SerializerMethodField()

    @extend_schema_field(PackSerializer(many=True))
    def get_packs(self, review: Review) -> Any:
        packs = list(selectors.packs_of(self.context["request"].user, review))
        carried = selectors.carried_actions_of(packs)
        return PackSerializer(pack_views(packs), many=True, context={"carried": carried}).data


class OpenSerializer(Serializer):
    period = serializers.CharField(
        max_length=16, help_text="a month or a quarter: 2026-03, 2026-Q1"
    )
    manager = code_field(required=False, help_text="the manager whose team; left out: oneself")


class CommentRequestSerializer(Serializer):
    person = code_field(help_text="whose pack")
    text = serializers.CharField(max_length=services.MAX_TEXT)


class ActionRequestSerializer(Serializer):
    person = code_field(help_text="whose pack")
    text = serializers.CharField(max_length=500)
    owner = code_field(help_text="the person reviewed or the manager")
    due_on = serializers.DateField()


class TickSerializer(Serializer):
    done = serializers.BooleanField()


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    from collections.abc import Mapping

    if not isinstance(request.data, Mapping):
        raise serializers.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ReviewList(GenericAPIView):
    """The reviews one may see, newest first, a page at a time (the common pager:
    ``?page=``, ``?page_size=``); POST opens one (the team's manager)."""

    parser_classes = [JSONParser]

    @extend_schema(responses=ReviewSerializer(many=True))
    def get(self, request: Request) -> Response:
        _require(access.can_read_reviews(request.user))
        page = self.paginate_queryset(selectors.reviews_for(request.user))
        return self.get_paginated_response(ReviewSerializer(page, many=True).data)

    @extend_schema(request=OpenSerializer, responses={201: ReviewDetailSerializer})
    def post(self, request: Request) -> Response:
        _require(access.can_open_reviews(request.user))
        data = _valid(OpenSerializer, request)
        manager = services.manager_of_request(request.user, data.get("manager"))
        review = services.open_review(request.user, manager, data["period"])
        body = ReviewDetailSerializer(review, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class ReviewDetail(APIView):
    """A review with the packs one may see: figures, forecast, weak stage, reasons,
    comments, actions and last time's actions."""

    @extend_schema(responses=ReviewDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        _require(access.can_read_reviews(request.user))
        review = selectors.review_for(request.user, pk)
        return Response(ReviewDetailSerializer(review, context={"request": request}).data)


def _pack(request: Request, pk: int, code: str) -> ReviewPack:
    _require(access.can_read_reviews(request.user))
    return selectors.pack_for(request.user, selectors.review_for(request.user, pk), code)


class CommentCreate(APIView):
    """Add a comment to a person's pack (the manager, the person reviewed)."""

    parser_classes = [JSONParser]

    @extend_schema(request=CommentRequestSerializer, responses={201: CommentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        _require(access.can_read_reviews(request.user))
        data = _valid(CommentRequestSerializer, request)
        pack = _pack(request, pk, data["person"])
        comment: ReviewComment = services.add_comment(request.user, pack, data["text"])
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class ActionCreate(APIView):
    """Agree an action on a person's pack: text, owner, due date."""

    parser_classes = [JSONParser]

    @extend_schema(request=ActionRequestSerializer, responses={201: ActionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        _require(access.can_read_reviews(request.user))
        data = _valid(ActionRequestSerializer, request)
        pack = _pack(request, pk, data["person"])
        action: ReviewAction = services.add_action(
            request.user, pack, text=data["text"], owner=data["owner"], due_on=data["due_on"]
        )
        return Response(ActionSerializer(action).data, status=status.HTTP_201_CREATED)


class ActionTick(APIView):
    """Tick an action done (or not done)."""

    parser_classes = [JSONParser]

    @extend_schema(request=TickSerializer, responses=ActionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _require(access.can_write_reviews(request.user))
        data = _valid(TickSerializer, request)
        action = selectors.action_for(request.user, pk)
        action = services.tick_action(request.user, action, data["done"])
        return Response(ActionSerializer(action).data)


class PersonHistory(APIView):
    """A person's review packs, newest first."""

    @extend_schema(responses=PackSerializer(many=True))
    def get(self, request: Request, code: str) -> Response:
        _require(access.can_read_reviews(request.user))
        _person, packs = selectors.history_of(request.user, code)
        carried = selectors.carried_actions_of(packs)
        return Response(
            PackSerializer(pack_views(packs), many=True, context={"carried": carried}).data
        )


urlpatterns: list[URLPattern] = [
    path("reviews/", ReviewList.as_view(), name="api-reviews"),
    path("reviews/<int:pk>/", ReviewDetail.as_view(), name="api-review"),
    path("reviews/<int:pk>/comments/", CommentCreate.as_view(), name="api-review-comments"),
    path("reviews/<int:pk>/actions/", ActionCreate.as_view(), name="api-review-actions"),
    path("reviews/actions/<int:pk>/tick/", ActionTick.as_view(), name="api-review-action-tick"),
    path("reviews/people/<slug:code>/", PersonHistory.as_view(), name="api-review-history"),
]
