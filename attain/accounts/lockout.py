"""What a locked-out login sees: a translated page, or the API's error body."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from .models import folded_username

LOCKED_STATUS = 429


def username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The username failed logins are counted against, as sign-in compares it (Zhang and
    zhang, ｚｈａｎｇ are one login: one count, not five tries each)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        typed = credentials.get(field)
    else:
        typed = getattr(request, "data", request.POST).get(field)
    return folded_username(typed) if isinstance(typed, str) else typed


def client_ip(request: HttpRequest) -> str | None:
    header = getattr(settings, "ATTAIN_LOGIN_IP_HEADER", "")
    if header:
        key = "HTTP_" + header.upper().replace("-", "_")
        forwarded = request.META.get(key, "")
        if forwarded:
            return str(forwarded).split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    count = minutes()
    return ngettext(
        "Too many failed logins for this user from this address. "
        "Try again in %(minutes)d minute, or reset your password.",
        "Too many failed logins for this user from this address. "
        "Try again in %(minutes)d minutes, or reset your password.",
        count,
    ) % {"minutes": count}


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "error": {
                    "status": LOCKED_STATUS,
                    "code": "locked_out",
                    "message": lockout_message(),
                }
            },
            status=LOCKED_STATUS,
        )
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"message": lockout_message(), "minutes": minutes()},
            status=LOCKED_STATUS,
        )
    response["Retry-After"] = retry_after
    return response
