"""API writes that a client may safely send again: the ``Idempotency-Key`` header.

An integration (an ERP posting orders, a CRM posting payments) that times out does not
know whether its POST was done, so it sends it again. With a header
``Idempotency-Key: <1 to 255 visible ASCII characters>`` on a POST or PATCH under
``/api/``, the first request runs and its answer (status, body) is stored with the key,
the caller and a fingerprint of the request (method, path with its query, body). Then:

- the same key with the same request: the stored answer (same status and body, with
  ``Idempotent-Replayed: true``), without running again;
- the same key with another request: 422, ``code`` ``idempotency_key_reused``;
- the same key while the first request still runs: the second waits for the first (the
  key is claimed in the first request's transaction) and then gets its answer.

Only a success (2xx) spends the key: a refused request (4xx) keeps what the view did, as
without the key, and its key may be sent again with the corrected request; a server
error (5xx) rolls back the whole request. Keys are kept for :data:`KEPT` (24 hours);
after that the same key runs again. A request without the header, of a caller not signed
in, or of another method is untouched. The key is the caller's: two users' keys never
meet.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.views import APIView

from attain.web.models import SentRequest

HEADER = "Idempotency-Key"
METHODS = ("POST", "PATCH")
KEY_RE = re.compile(r"[\x21-\x7e]{1,255}")
KEPT = datetime.timedelta(hours=24)
REPLAYED = "Idempotent-Replayed"


def _error(status: int, code: str, message: str) -> JsonResponse:
    body = {"error": {"status": status, "code": code, "message": message}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _caller_id(request: HttpRequest) -> int | None:
    """Who the API's authentication (a token, then a session) will find, to keep the key
    under; ``None`` when nobody or refused. Only identifies: the view itself still
    authenticates (a wrong token is its 401, a session's failed CSRF check its 403)."""
    forced = getattr(request, "_force_auth_user", None)  # DRF's test client
    if forced is not None:
        return int(forced.pk)
    for authenticator in APIView().get_authenticators():  # the settings' classes
        if isinstance(authenticator, SessionAuthentication):
            user = getattr(request, "user", None)
        else:
            try:
                found = authenticator.authenticate(Request(request))
            except exceptions.APIException:
                return None
            user = found[0] if found else None
        if user is not None and user.is_authenticated:
            return int(user.pk)
    return None


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path()):
        digest.update(part.encode())
        digest.update(b"\n")
    body = request.body
    boundary = request.content_params.get("boundary", "") if request.content_params else ""
    if request.content_type == "multipart/form-data" and boundary:
        # an HTTP library writes a new boundary each time it encodes a form: a retried
        # upload is the same request with another one
        body = body.replace(boundary.encode("latin-1", "replace"), b"\x00boundary\x00")
    digest.update(body)
    return digest.hexdigest()


def _replay(sent: SentRequest) -> HttpResponse:
    response = HttpResponse(bytes(sent.body), status=sent.status or 200)
    if sent.content_type:
        response["Content-Type"] = sent.content_type
    if sent.location:
        response["Location"] = sent.location
    response[REPLAYED] = "true"
    return response


class IdempotencyKeyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.headers.get(HEADER)
        if raw is None or request.method not in METHODS or not request.path.startswith("/api/"):
            return self.get_response(request)
        key = raw.strip()
        if len(key) >= 2 and key[0] == key[-1] == '"':  # the IETF draft's quoted form
            key = key[1:-1]
        if not KEY_RE.fullmatch(key):
            return _error(
                400,
                "invalid_idempotency_key",
                _("The Idempotency-Key header must be 1 to 255 visible ASCII characters."),
            )
        try:
            print_: str | None = fingerprint(request)
        except (RequestDataTooBig, RawPostDataException):
            print_ = None
        user_id = _caller_id(request)
        if user_id is None:
            return self.get_response(request)
        if print_ is None:
            return _error(
                413,
                "idempotency_body_too_large",
                _("A request this large cannot be sent with an Idempotency-Key."),
            )
        # forgotten in a statement of its own: in the request's transaction the rows it
        # deletes stay locked until the request ends, and every other caller's request
        # (deleting the same rows) would wait for it
        SentRequest.objects.filter(sent_at__lt=timezone.now() - KEPT).delete()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    # unique per user: a second request with this key waits here until
                    # the first one's transaction ends, then finds it
                    sent = SentRequest.objects.create(key=key, user_id=user_id, fingerprint=print_)
            except IntegrityError:
                earlier = SentRequest.objects.filter(user_id=user_id, key=key).first()
                if earlier is None:  # the first request was refused meanwhile: run
                    return self.get_response(request)
                if earlier.fingerprint != print_:
                    return _error(
                        422,
                        "idempotency_key_reused",
                        _(
                            "This Idempotency-Key was already used for a different "
                            "request (method, path or body). Use a new key for a new request."
                        ),
                    )
                return _replay(earlier)
            response = self.get_response(request)
            if response.status_code >= 500 or transaction.get_connection().needs_rollback:
                transaction.set_rollback(True)  # nothing half done; the key is not spent
            elif response.status_code >= 300 or response.streaming:
                sent.delete()  # refused: the key may be sent again, corrected
            else:
                sent.status = response.status_code
                sent.content_type = response.get("Content-Type", "")
                sent.location = response.get("Location", "")
                sent.body = response.content
                sent.save(update_fields=["status", "content_type", "location", "body"])
        return response
