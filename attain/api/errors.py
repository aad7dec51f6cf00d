"""One error body for every API failure:

``{"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"unit": ["..."]}}}``

``fields`` appears for bad input (400) and names each field with its messages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler


def _field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's error detail as ``field → messages``; a nested field (a credit split's row,
    an order line) is named by its path, ``credits.0.person``."""
    found: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            found.update(_field_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            if detail:
                found[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                found.update(_field_errors(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        found[prefix or "non_field_errors"] = [str(detail)]
    return found


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, SuspiciousOperation):
        # Django's own refusals of a request body (more form fields or files than
        # DATA_UPLOAD_MAX_NUMBER_FIELDS / _FILES allow, a body over
        # DATA_UPLOAD_MAX_MEMORY_SIZE) raised while DRF parses it: a 400 in the error
        # document, not Django's HTML page.
        exc = exceptions.ParseError(
            _("The request body could not be read: too many fields, files or bytes.")
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body: dict[str, Any] = {"status": response.status_code}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        body["message"] = _("The request has invalid fields.")
        detail = exc.detail
        body["fields"] = _field_errors(
            detail if isinstance(detail, dict) else {"non_field_errors": detail}
        )
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        body["code"] = codes if isinstance(codes, str) else "error"
        body["message"] = str(exc.detail)
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        body["code"] = "not_authenticated"
    response.data = {"error": body}
    return response


@extend_schema(exclude=True)
class NoSuchEndpoint(APIView):
    """Any other URL under /api/: the API's 404 body (JSON), not the site's HTML page."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def handle(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.NotFound()

    get = post = put = patch = delete = head = options = handle
