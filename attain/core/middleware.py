"""The first-run setup and the company's time zone and languages, on every request.

:class:`FirstRunMiddleware` sends every page of an empty install (no company settings,
no login) to the setup wizard. The question is cached (:func:`attain.org.company.is_set_up`:
once set up, no query at all).

:class:`CompanyMiddleware` renders dates in the company's time zone and keeps the page
in one of the languages the company offers (the browser's or the chosen language when
offered, else the company's default language).

:class:`LeaverMiddleware` keeps the login of someone who has left to their own pay.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from attain.org.access import leaver_may_reach
from attain.org.company import company, is_set_up

# Paths that work before the setup: the wizard itself, static files, the language
# switch, the API (it answers 401 without a login), the service worker, and signing in
# (the sign-in page says that Attain is not set up yet and links to the wizard; single
# sign-on and password resets answer as they always do).
OPEN_BEFORE_SETUP = (
    "/setup/",
    "/static/",
    "/media/",
    "/i18n/",
    "/api/",
    "/sw.js",
    "/favicon",
    "/login/",
    "/sso/",
    "/accounts/",
)


class FirstRunMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(OPEN_BEFORE_SETUP) and not is_set_up():
            return HttpResponseRedirect(reverse("setup"))
        return self.get_response(request)


class CompanyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        settings = company()
        timezone.activate(settings.zone)
        if not request.path.startswith("/setup/"):
            language = translation.get_language()
            if language not in settings.languages:
                translation.activate(settings.language)
                request.LANGUAGE_CODE = settings.language
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class HtmxSignInMiddleware:
    """An htmx request whose session has ended (a target typed into the grid after
    signing out in another tab, or after the session expired) is sent to the sign-in
    page as a whole page: the browser followed the redirect itself, htmx put the
    sign-in page inside the page, and signing in there returned to the fragment's
    address. Now htmx takes the window to the sign-in page (``HX-Redirect``), which
    comes back to the page the person was on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") != "true" or not 300 <= response.status_code < 400:
            return response
        login = resolve_url(django_settings.LOGIN_URL)
        if urlsplit(response.get("Location", "")).path != login:
            return response
        current = request.headers.get("HX-Current-URL", "")
        page = "/"
        if current and url_has_allowed_host_and_scheme(
            current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            parts = urlsplit(current)
            page = parts.path + (f"?{parts.query}" if parts.query else "")
        return HttpResponseClientRedirect(f"{login}?{urlencode({'next': page})}")


class LeaverMiddleware:
    """The login of someone who has left reaches only the pages of
    :data:`attain.org.access.LEAVER_REACHES` (their own pay, notifications and login):
    any other page is a 403. The API asks the same rule in its permission class
    (:class:`attain.api.permissions.SignedInAndReachable`), after a token signed it in;
    Django admin keeps its own (:mod:`attain.core.admin_site`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        from rest_framework.views import APIView

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        if isinstance(getattr(view, "cls", None), type) and issubclass(view.cls, APIView):  # type: ignore[attr-defined]
            return  # the API's permission class answers, with the API's error body
        match = request.resolver_match
        if match is None or "admin" in match.namespaces:
            return
        if not leaver_may_reach(user, match.view_name):
            raise PermissionDenied(_("Someone who has left reaches only their own pay."))
