"""Pages of every API list: ``?page=`` (from 1) and ``?page_size=`` (from 1; more than
1000 gives 1000), both read strictly (a value that is not a whole number, or given twice,
is a 400). The API's default pager (``REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]``);
here, below every app, so that an app's list can add a field to its pages
(:class:`WithCurrency`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from .query import query_int


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        query_int(request, self.page_query_param, minimum=1)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Request) -> int:
        size = query_int(request, self.page_size_query_param, minimum=1)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


class WithCurrency(Pagination):
    """Pages of a list of amounts that name the currency they are in, beside ``count``:
    ``{"currency": "JPY", "count", "next", "previous", "results"}``. A subclass sets
    :attr:`currency` (this layer knows no company)."""

    currency: Callable[[], str]

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data = {"currency": type(self).currency(), **response.data}
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paged = super().get_paginated_response_schema(schema)
        currency = {
            "type": "string",
            "description": "the company's currency (ISO 4217) every amount is in: JPY, USD, CNY…",
            "example": "CNY",
        }
        paged["properties"] = {"currency": currency, **paged["properties"]}
        paged["required"] = ["currency", *paged.get("required", [])]
        return paged
