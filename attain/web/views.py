"""Generic views shared by every app's pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .forms import apply_service


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
    ``template`` gets ``form`` and ``context``.
    """
    if request.method == "POST":
        valid = [form.is_valid(), *(other.is_valid() for other in also_valid)]
        if all(valid):
            result = apply_service(form, service)
            if result is not None:
                messages.success(request, success(result) if callable(success) else success)
                return redirect(next_url(result) if callable(next_url) else next_url)
    return render(request, template, {**(context or {}), "form": form})
