"""Statement pages (docs/pay.md, "Statements"): a period's statements with *Generate
all* and its progress (finance, sales operations), the statements a login may see, "My
statements" with download and acknowledge, and the PDF itself."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors_payouts
from . import selectors_statements as selectors
from . import services_statements as services
from . import statement_access as access
from .models_statements import Statement, StatementSet


def _errors(request: HttpRequest, error: ValidationError | PermissionDenied) -> None:
    text = error.messages if isinstance(error, ValidationError) else [str(error)]
    messages.error(request, " ".join(str(t) for t in text))


@login_required
def statements(request: HttpRequest) -> HttpResponse:
    """A period's statements the login may see; finance and sales operations generate."""
    user = request.user
    can_generate = access.can_generate_statements(user)
    if can_generate:
        services.fail_abandoned_sets()
    periods = selectors_payouts.periods(user)
    period = request.GET.get("period") or selectors_payouts.period_under_way(periods)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "company":
                services.set_company_name(user, request.POST.get("company_name", "")[:300])
                messages.success(request, _("Company name saved."))
            else:
                period = request.POST.get("period", "")[:16]
                services.start_statements(user, period)
                messages.success(
                    request, _("Generating the statements of %(period)s.") % {"period": period}
                )
        except (ValidationError, PermissionDenied) as error:
            _errors(request, error)
        return redirect(f"{request.path}?period={period}")
    rows = list(selectors.statements(user, period=period or None)) if period else []
    context: dict[str, Any] = {
        "period": period,
        "periods": periods,
        "rows": rows,
        "acknowledged": sum(1 for r in rows if r.acknowledged_at),
        "can_generate": can_generate,
    }
    if can_generate:
        context["set"] = selectors.latest_set(period) if period else None
        context["company_name"] = services.company_name()
    return render(request, "pay/statements.html", context)


@login_required
def statement_set(request: HttpRequest, pk: int) -> HttpResponse:
    """A set's progress (polled by the statements page while it runs)."""
    access.check_generate_statements(request.user)
    services.fail_abandoned_sets()
    row = get_object_or_404(StatementSet, pk=pk)
    return render(request, "pay/statement_set.html", {"set": row})


@login_required
def my_statements(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.my_statements(request.user))
    return render(request, "pay/my_statements.html", {"rows": rows})


@login_required
def statement_pdf(request: HttpRequest, pk: int) -> FileResponse:
    try:
        statement = selectors.statement_for(request.user, pk)
    except Statement.DoesNotExist as error:
        raise Http404 from error
    path = services.file_of(statement)
    if not path.is_file():
        raise Http404
    name = f"statement-{statement.person.code}-{statement.period}.pdf"
    return FileResponse(path.open("rb"), content_type="application/pdf", filename=name)


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        statement = selectors.statement_for(request.user, pk)
    except Statement.DoesNotExist as error:
        raise Http404 from error
    try:
        services.acknowledge_statement(request.user, statement)
        messages.success(request, _("Statement acknowledged."))
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
    return redirect("pay:my_statements")
