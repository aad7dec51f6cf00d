"""A database that is busy is a 503 with Retry-After, never a 500.

Under SQLite one writer works at a time: a web write that arrives while an import
merges a chunk or a calculation stores its results waits for the busy timeout
(``ATTAIN_SQLITE_BUSY_SECONDS``); if the database is still locked then (or a
connection to PostgreSQL was lost), the request answers 503 with ``Retry-After``:
the API with its usual error body, pages with a short translated page. Nothing was
written: the request's transaction rolled back.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound

BUSY_WORDS = ("database is locked", "database table is locked", "database is busy")
LOST_WORDS = ("server closed the connection", "connection already closed", "terminating connection")


def is_busy(error: BaseException) -> bool:
    """A locked (SQLite) or lost (PostgreSQL) database: worth trying again later."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    text = str(error).lower()
    return any(word in text for word in (*BUSY_WORDS, *LOST_WORDS))


def busy_response(request: HttpRequest) -> HttpResponse:
    seconds = settings.ATTAIN_BUSY_RETRY_AFTER_SECONDS
    message = _(
        "The database is busy (an import or a calculation is writing). Nothing was "
        "saved; try again in %(seconds)s seconds."
    ) % {"seconds": seconds}
    response: HttpResponse
    if request.path.startswith("/api/"):
        body = {"error": {"status": 503, "code": "database_busy", "message": message}}
        response = JsonResponse(body, status=503)
    else:
        # A page of its own: rendering the site's layout would need the database.
        html = format_html(
            '<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>{}</title>'
            "</head><body><h1>{}</h1><p>{}</p></body></html>",
            get_language() or "en",
            _("Busy"),
            _("The database is busy"),
            message,
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(seconds)
    return response


class DatabaseBusyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_busy(exception):
            return busy_response(request)
        return None


class NulCharacterMiddleware:
    """A NUL character in the address (a query parameter's name or value, or the path)
    or in a posted form's fields is refused before any view reads it: PostgreSQL cannot
    hold NUL in text, so a list filter, a search box, a record id or a view reading
    ``request.POST`` itself with one failed with a server error (SQLite silently
    matched nothing). The API answers 400 naming the parameters (a path: its 404, the
    record cannot exist; a body is DRF's, whose fields refuse NUL); pages answer 400 (a
    path: 404). An uploaded file's bytes are not read here: they are the importer's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path.startswith("/api/")
        if "\x00" in request.path:
            if api:
                message = str(NotFound.default_detail)
                body = {"error": {"status": 404, "code": "not_found", "message": message}}
                return JsonResponse(body, status=404)
            raise Http404
        names = _with_nul(request.GET)
        if not names and not api and request.method == "POST" and _is_form(request):
            # a page's form (the API's bodies are DRF's to parse: its fields refuse NUL,
            # and its errors keep the API's error document)
            names = _with_nul(request.POST)
        if names:
            if not api:
                raise BadRequest("NUL character in a query parameter or form field")
            message = _("May not contain a NUL character.")
            fields = {name.replace("\x00", "\ufffd"): [message] for name in names}
            body = {
                "error": {
                    "status": 400,
                    "code": "invalid",
                    "message": _("The request has invalid fields."),
                    "fields": fields,
                }
            }
            return JsonResponse(body, status=400)
        return self.get_response(request)


def _with_nul(data: QueryDict) -> list[str]:
    """The names of the fields whose name or a value holds a NUL."""
    return [
        name
        for name, values in data.lists()
        if "\x00" in name or any("\x00" in value for value in values)
    ]


def _is_form(request: HttpRequest) -> bool:
    """A body Django parses into ``request.POST`` (DRF reuses what it parsed)."""
    return request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
