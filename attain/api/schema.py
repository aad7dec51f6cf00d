"""The OpenAPI document's view of every operation: the error responses it can give.

Every API error has one body (:class:`attain.web.errors.ErrorSerializer`, built by
:mod:`attain.api.errors`). Rather than repeat the same error responses on each view, this
schema class adds the ones an operation can give by its shape; a view's own
``extend_schema(responses=...)`` (a specific description, or a code such as 409 or 429)
takes precedence:

- 400 on every operation: ``fields`` names each bad field, or a query parameter the
  operation does not list (:mod:`attain.api.parameters`);
- 401 when it needs a login (no or a wrong, expired or revoked token);
- 403 when it needs a login: the caller's role may not do it (or, signed in through a
  session, the CSRF check failed);
- 404 when it names a record in the path (unknown, or not visible to the caller) or
  returns a page of a list, or takes ``?page=`` (a page past the end);
- 415 when it takes a body (a content type it does not read);
- 422 on a POST or PATCH that needs a login: its ``Idempotency-Key`` header was used for
  another request (:mod:`attain.api.idempotency`), whose optional header it also lists.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from attain.web.errors import ErrorSerializer

DESCRIPTIONS = {
    "400": "invalid input: `error.fields` names each bad field",
    "401": "not signed in, or the token is wrong, expired or revoked",
    "403": "the caller may not do this",
    "404": "no such record visible to the caller, or no such page",
    "415": "the request body's content type is not accepted",
    "422": "the Idempotency-Key was already used for a different request",
}

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    pattern=r"^[\x21-\x7e]{1,255}$",
    description=(
        "Any unique string (a UUID): a retry with the same key and the same request gets "
        "the first answer (with `Idempotent-Replayed: true`) instead of running again; "
        "the same key with a different request is 422. Keys are kept 24 hours."
    ),
)


class AutoSchema(SpectacularAutoSchema):
    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self.takes_idempotency_key():
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def takes_idempotency_key(self) -> bool:
        return self.method in ("POST", "PATCH") and self.needs_login()

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for code in self.error_codes(operation):
            if code not in responses:
                error = OpenApiResponse(ErrorSerializer, description=DESCRIPTIONS[code])
                responses[code] = self._get_response_for_code(error, code)  # type: ignore[no-untyped-call]
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def error_codes(self, operation: dict[str, Any]) -> list[str]:
        codes = ["400"]  # at least: a query parameter the operation does not list
        if self.needs_login():
            codes.extend(["401", "403"])
        parameters = operation.get("parameters", [])
        in_path = any(p.get("in") == "path" for p in parameters)
        # a list of the common pager, or an object with a page of rows (the payout register)
        paged = self.method == "GET" and (
            (self._is_list_view() and self._get_paginator())  # type: ignore[no-untyped-call]
            or any(p.get("in") == "query" and p.get("name") == "page" for p in parameters)
        )
        if in_path or paged:
            codes.append("404")
        if "requestBody" in operation:
            codes.append("415")
        if self.takes_idempotency_key():
            codes.append("422")
        return codes

    def needs_login(self) -> bool:
        from rest_framework.permissions import AllowAny

        permissions = self.view.get_permissions()
        return not any(isinstance(p, AllowAny) for p in permissions)
