"""One rule for every API endpoint's query parameters: a parameter the OpenAPI document
does not list for the operation is a 400 naming it (``error.fields``), before the view
runs. Without it a mistyped or unsupported filter (``/api/payments/?customer=HX``,
``?custmer=``) was silently ignored and answered the whole list, which an integrator
takes for the filtered one; a mistyped ``?allow_duplicat=true`` created nothing else.

The names come from the document itself (drf-spectacular's view of the operation), so
documenting a parameter is what makes it accepted. Each operation is looked at once per
process, when first called."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

_lock = threading.Lock()
_endpoints: list[tuple[str, str, str, Any]] | None = None
_documented: dict[tuple[Any, str], frozenset[str] | None] = {}


def _all_endpoints() -> list[tuple[str, str, str, Any]]:
    global _endpoints
    if _endpoints is None:
        from drf_spectacular.generators import SchemaGenerator

        generator = SchemaGenerator()  # type: ignore[no-untyped-call]
        generator._initialise_endpoints()  # type: ignore[no-untyped-call]
        _endpoints = [tuple(endpoint) for endpoint in generator.endpoints or []]
    return _endpoints


def documented_parameters(callback: Any, method: str) -> frozenset[str] | None:
    """The query parameters the document lists for the view ``callback`` answering
    ``method``; ``None`` when the document has no such operation (left out of it)."""
    key = (callback, method)
    with _lock:
        if key in _documented:
            return _documented[key]
        from drf_spectacular.generators import SchemaGenerator
        from drf_spectacular.plumbing import ComponentRegistry
        from drf_spectacular.settings import spectacular_settings

        found: frozenset[str] | None = None
        generator = SchemaGenerator()  # type: ignore[no-untyped-call]
        for path, path_regex, endpoint_method, endpoint_callback in _all_endpoints():
            if endpoint_callback is not callback or endpoint_method != method:
                continue
            view = generator.create_view(endpoint_callback, method)  # type: ignore[no-untyped-call]
            view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
            operation = view.schema.get_operation(
                path, path_regex, "^/api", method, ComponentRegistry()
            )
            if operation is not None:
                found = frozenset(
                    p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"
                )
            break
        _documented[key] = found
        return found


class UnknownQueryParameterMiddleware:
    """The API's 400 for a query parameter its operation does not document."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not request.path.startswith("/api/") or not request.GET:
            return None
        if not hasattr(view_func, "cls"):  # not a DRF view
            return None
        if _anonymous(request) and _needs_login(view_func.cls):
            return None  # DRF's 401 comes first: a caller without a login learns nothing else
        method = "GET" if request.method == "HEAD" else (request.method or "")
        known = documented_parameters(view_func, method)
        if known is None:
            return None
        unknown = [name for name in request.GET if name not in known]
        if not unknown:
            return None
        message = _("Unknown parameter.")
        body = {
            "error": {
                "status": 400,
                "code": "invalid",
                "message": _("The request has invalid fields."),
                "fields": {name: [message] for name in unknown},
            }
        }
        # written as DRF writes the API's other bodies: UTF-8, not \u escapes
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})


def _anonymous(request: HttpRequest) -> bool:
    """No session login and no credentials in the request (a token is checked by DRF;
    ``_force_auth_user`` is the login of DRF's test client)."""
    user = getattr(request, "_force_auth_user", None) or getattr(request, "user", None)
    return not (user is not None and user.is_authenticated) and not request.headers.get(
        "Authorization"
    )


def _needs_login(view_class: Any) -> bool:
    from rest_framework.permissions import AllowAny

    return any(permission is not AllowAny for permission in view_class.permission_classes)
