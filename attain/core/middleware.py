"""The first-run setup and the company's time zone and languages, on every request.

:class:`FirstRunMiddleware` sends every page of an empty install (no company settings,
no login) to the setup wizard. The question is cached (:func:`attain.org.company.is_set_up`:
once set up, no query at all).

:class:`CompanyMiddleware` renders dates in the company's time zone and keeps the page
in one of the languages the company offers (the browser's or the chosen language when
offered, else the company's default language).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation

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
