"""API helpers shared by every app's endpoints."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from .errors import integrity_error_fields, validation_error_fields
from .query import PERIOD_PATTERN, query_bool, query_date, query_int, query_one, query_period

__all__ = [
    "PERIOD_PATTERN",
    "DateTimeField",
    "ModelSerializer",
    "Serializer",
    "ServiceCreateMixin",
    "SlugRelatedField",
    "SortedDictField",
    "choice_parameter",
    "create_schema",
    "query_bool",
    "query_date",
    "query_int",
    "query_one",
    "query_period",
]

View = TypeVar("View", bound=type)

UNKNOWN_FIELD = _("Unknown field.")


def refuse_unknown_fields(serializer: serializers.Serializer, data: Any) -> None:
    """A 400 naming each field of the request body ``serializer`` has no field of that
    name: without it ``PATCH /api/units/east/ {"nmae": "…"}`` answered 200 and changed
    nothing, and a mistyped optional field was dropped unseen. A field the serializer
    only shows (``id``, ``created``) is known: a client may send back what it read."""
    if isinstance(data, Mapping):
        unknown = sorted(str(name) for name in data if name not in serializer.fields)
        if unknown:
            raise serializers.ValidationError({name: [UNKNOWN_FIELD] for name in unknown})


class Serializer(serializers.Serializer):
    """The API's serializer: DRF's, refusing fields it does not have (every API
    serializer derives from this one or :class:`ModelSerializer`; a test checks it)."""

    def to_internal_value(self, data: Any) -> Any:
        refuse_unknown_fields(self, data)
        return super().to_internal_value(data)


class ModelSerializer(serializers.ModelSerializer):
    """DRF's model serializer, refusing fields it does not have (as :class:`Serializer`)."""

    def to_internal_value(self, data: Any) -> Any:
        refuse_unknown_fields(self, data)
        return super().to_internal_value(data)


class SortedDictField(serializers.DictField):
    """A mapping given by key: a stored JSON object's own order is SQLite's alone
    (PostgreSQL's jsonb keeps the shortest key first), so the API gives one order."""

    def to_representation(self, value: Any) -> dict[str, Any]:
        return dict(sorted(super().to_representation(value).items()))


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's slug lookup that refuses a NUL character before querying: PostgreSQL cannot
    compare text with NUL and would fail the request with a server error."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class DateTimeField(serializers.DateTimeField):
    """DRF's date and time that refuses one it cannot place on the time line (400 "out of
    range") instead of failing with a server error: DRF catches the overflow only for a
    time written with its offset, not for one read in the server's time zone
    (``0001-01-01T00:00`` at +08:00 is before the first moment UTC can hold)."""

    def enforce_timezone(self, value: Any) -> Any:
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


# ``POST`` to a collection: validate the request with ``create_serializer_class``, call
# ``create_record`` (which calls the service), answer 201 with the record as
# ``serializer_class`` shows it. The service's ``ValidationError`` (and, as a last line, a
# database constraint failure) is a 400 with the field errors in the API's one error
# body (attain.api.errors). (A comment, not a docstring: the OpenAPI document would show
# a docstring as the description of every operation of the views that use it.)
class ServiceCreateMixin(generics.GenericAPIView):
    create_serializer_class: type[serializers.Serializer]

    def create_record(self, data: dict[str, Any]) -> Any:
        """Write the record from the validated request ``data``; return it."""
        raise NotImplementedError

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.create_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            record = self.create_record(dict(serializer.validated_data))
        except ValidationError as error:
            raise serializers.ValidationError(validation_error_fields(error)) from error
        except IntegrityError as error:
            fields = integrity_error_fields(error, serializer.fields)
            raise serializers.ValidationError(fields) from error
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)


def create_schema(description: str | None = None, **extra: Any) -> Callable[[View], View]:
    """Document a :class:`ServiceCreateMixin` view's ``create``: its request is the
    view's ``create_serializer_class``, its 201 response the ``serializer_class``."""

    def decorate(view: View) -> View:
        schema = extend_schema(
            request=view.create_serializer_class,  # type: ignore[attr-defined]
            responses={201: view.serializer_class},  # type: ignore[attr-defined]
            description=description,
            **extra,
        )
        return extend_schema_view(create=schema)(view)

    return decorate


def choice_parameter(name: str, choices: list[str], **more: Any) -> OpenApiParameter:
    """A query parameter that takes one of ``choices``, as the document gives it: with
    the empty value too, since the API reads ``?state=`` as not given (as a page's form
    sends an empty select) rather than refusing it (:func:`query_one`)."""
    return OpenApiParameter(name, str, enum=[*choices, ""], **more)
