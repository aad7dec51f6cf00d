"""Generic views shared by every app's pages: a form that runs a service, a filtered
list."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url

from .forms import apply_service
from .once import run_once

PAGE_SIZE = 50


def service_form_view(
    request: HttpRequest,
    form: forms.Form,
    service: Callable[[dict[str, Any]], Any],
    *,
    success: str | Callable[[Any], str],
    next_url: str | Callable[[Any], str],
    template: str,
    context: Mapping[str, Any] | None = None,
    also_valid: Iterable[Any] = (),
) -> HttpResponse:
    """The form → service → message → redirect page.

    GET shows ``form``. POST validates it (and every form or formset in ``also_valid``),
    calls ``service`` with the cleaned data through :func:`apply_service`, then shows the
    (translated) ``success`` message and redirects to ``next_url`` (a URL or URL name);
    either may be a function of the service's result. When the form or the service
    refuses, the page is shown again with the errors and what the user typed.
    ``template`` gets ``form`` and ``context``. A form with ``{% once_field %}`` sent
    twice saves once (attain.web.once).
    """
    if request.method == "POST":
        valid = [form.is_valid(), *(other.is_valid() for other in also_valid)]
        if all(valid):

            def work() -> str | None:
                result = apply_service(form, service)
                if result is None:
                    return None
                messages.success(request, success(result) if callable(success) else success)
                return resolve_url(next_url(result) if callable(next_url) else next_url)

            url = run_once(request, work)
            if url is not None:
                return redirect(url)
    return render(request, template, {**(context or {}), "form": form})


def run_and_say(
    request: HttpRequest,
    action: Callable[[], Any],
    success: str,
    *,
    refusals: tuple[type[Exception], ...] = (),
) -> bool:
    """Run ``action`` (a service call) for a page that redirects after it: its
    ``ValidationError`` (or one of ``refusals``) is shown as an error message, else
    ``success``. Whether it ran."""
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    except refusals as refusal:
        messages.error(request, str(refusal))
        return False
    messages.success(request, success)
    return True


def querystring(request: HttpRequest) -> str:
    """The page's query parameters without ``page``, for pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def list_view(
    request: HttpRequest,
    template: str,
    rows: QuerySet[Any],
    *,
    order: Sequence[str],
    filters: Mapping[str, Callable[[str], Q]] | None = None,
    context: Mapping[str, Any] | None = None,
    page_size: int = PAGE_SIZE,
) -> HttpResponse:
    """A paginated, filtered list page.

    Each of ``filters`` is a query parameter and the condition its (stripped) value
    puts on ``rows`` when given; the template gets each value back under the
    parameter's name (``q`` as ``query``), with ``page``, ``querystring`` and
    ``context``.
    """
    values: dict[str, str] = {}
    for param, condition in (filters or {}).items():
        value = request.GET.get(param, "").strip()
        values["query" if param == "q" else param] = value
        if value:
            rows = rows.filter(condition(value))
    page = Paginator(rows.order_by(*order), page_size).get_page(request.GET.get("page"))
    return render(
        request,
        template,
        {"page": page, "querystring": querystring(request), **values, **(context or {})},
    )
