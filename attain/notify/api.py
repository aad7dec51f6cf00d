"""REST endpoints: my notifications (only the caller's, newest first) and marking them
read. Writes go through :mod:`.services`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from attain.web.api import ModelSerializer, Serializer
from attain.web.parsers import JSONParser

from . import services
from .kinds import link, render
from .models import Notification
from .selectors import notifications_of, reader_code

BIGGEST_ID = 2**63 - 1


class NotificationSerializer(ModelSerializer):
    title = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "text", "link", "params", "created", "read"]

    @extend_schema_field(serializers.CharField())
    def get_title(self, note: Notification) -> str:
        return render(note.kind, note.params)[0]

    @extend_schema_field(serializers.CharField())
    def get_text(self, note: Notification) -> str:
        return render(note.kind, note.params)[1]

    @extend_schema_field(serializers.CharField())
    def get_link(self, note: Notification) -> str:
        request = self.context.get("request")
        return link(note.kind, note.params, reader_code(getattr(request, "user", None)))


class NotificationList(generics.ListAPIView):
    """The caller's notifications, newest first, in the caller's language."""

    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        return notifications_of(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().list(request, *args, **kwargs)


class ReadRequestSerializer(Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=BIGGEST_ID),
        required=False,
        max_length=1000,
        help_text="the notifications to mark read; left out: all of the caller's",
    )


class ReadResponseSerializer(Serializer):
    marked = serializers.IntegerField(help_text="notifications marked read now")


class NotificationRead(APIView):
    """Mark the caller's notifications read (the given ``ids``, or all). Ids of other
    people's notifications are ignored. The body is JSON (an object)."""

    parser_classes = [JSONParser]

    @extend_schema(request=ReadRequestSerializer, responses=ReadResponseSerializer)
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, Mapping):
            raise serializers.ValidationError(
                {"non_field_errors": [_('Send an object, e.g. {"ids": [1, 2]}.')]}
            )
        serializer = ReadRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data.get("ids")
        return Response({"marked": services.mark_read(request.user, ids)})


urlpatterns = [
    path("notifications/", NotificationList.as_view(), name="api-notifications"),
    path("notifications/read/", NotificationRead.as_view(), name="api-notifications-read"),
]
