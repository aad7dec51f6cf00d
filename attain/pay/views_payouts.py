"""Payout pages (docs/pay.md, "Payout register"): the register with its steps, holds and
exports; the payroll export with its columns; the accrual report."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from attain.intake.exporter import rows_csv, rows_xlsx
from attain.org.models import Unit
from attain.org.selectors import labelled_units, person_of
from attain.web.views import querystring

from . import payout_access as access
from . import selectors_payouts as selectors
from . import services_deficits
from . import services_payouts as services
from .close_access import can_see_periods
from .models import ZERO, PayoutState, PayrollSource

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(rows: list[list[Any]], fmt: str, name: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(rows_xlsx(rows, name), content_type=XLSX)
    else:
        fmt = "csv"
        response = HttpResponse(rows_csv(rows), content_type="text/csv; charset=utf-8")
    # The name holds the period as typed in the address: no control character (a
    # newline would be a broken header), quotes and Chinese encoded as RFC 6266 says.
    filename = re.sub(r"[\x00-\x1f\x7f]", "_", f"{name}.{fmt}")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _filters(request: HttpRequest) -> dict[str, Any]:
    periods = selectors.periods(request.user)
    period = request.GET.get("period") or selectors.period_under_way(periods)
    unit = Unit.objects.filter(code=request.GET.get("unit") or "").first()
    state = request.GET.get("state") or None
    if state not in PayoutState.values:
        state = None
    held = {"yes": True, "no": False}.get(request.GET.get("held") or "")
    return {"period": period or None, "unit": unit, "state": state, "held": held}


def _codes(text: str) -> list[str]:
    """The people codes the payroll page showed: one JSON list in one field (a field
    per payout would pass Django's limit of 1,000 form fields in a big company)."""
    try:
        codes = json.loads(text)
    except ValueError:
        return []
    return [str(c) for c in codes] if isinstance(codes, list) else []


def _amounts(text: str) -> dict[str, Decimal] | None:
    """The amounts the payroll page (or the register) showed (person code → amount), as it sent
    them in one JSON field; None when it sent none. A field that holds no amounts (cut
    short or altered) is refused: the check of what the bank was sent is never skipped."""
    if not text:
        return None
    try:
        shown = {str(code): Decimal(str(amount)) for code, amount in json.loads(text).items()}
    except (ValueError, AttributeError, ArithmeticError):
        shown = None
    if shown is None or not all(amount.is_finite() for amount in shown.values()):
        raise ValidationError(_("The amounts of the export did not come through: export again."))
    return shown


def _perform(request: HttpRequest, filters: dict[str, Any]) -> None:
    """One step on the chosen payouts of the register (all or nothing)."""
    action = request.POST.get("action", "")
    codes = request.POST.getlist("people")
    chosen = list(
        selectors.payouts(request.user, period=filters["period"]).filter(person__code__in=codes)
    )
    reason = request.POST.get("reason", "").strip()[:500]
    # the amounts the page showed: a payout recalculated since is refused by name
    amounts = _amounts(request.POST.get("amounts", ""))
    user = request.user
    if not chosen:
        raise ValidationError(_("Choose at least one payout."))
    if action == "review":
        count = services.review_payouts(user, chosen, reason=reason, amounts=amounts)
    elif action == "approve":
        count = services.approve_payouts(user, chosen, reason=reason, amounts=amounts)
    elif action == "pay":
        try:
            paid_on = datetime.date.fromisoformat(request.POST.get("paid_on", ""))
        except ValueError:
            paid_on = None
        count = services.mark_paid(
            user,
            chosen,
            reference=request.POST.get("reference", "")[:100],
            paid_on=paid_on,
            amounts=amounts,
            seen="page",
        )
    elif action == "carry":
        count = services_deficits.carry_deficits(user, chosen, reason=reason)
    elif action in {"hold", "release"}:
        step = services.hold_payout if action == "hold" else services.release_payout
        if access.can_hold_payouts(user):
            for payout in chosen:  # a refusal on one's own payout is audited: outside
                services.check_not_own(user, payout, action)  # the transaction below
        with transaction.atomic():  # all or nothing, as every step of the register
            for payout in chosen:
                try:
                    step(user, payout, reason=reason)
                except ValidationError as error:
                    raise ValidationError(
                        [
                            _("%(payout)s: %(problem)s")
                            % {"payout": services.payout_label(payout), "problem": m}
                            for m in error.messages
                        ]
                    ) from None
        count = len(chosen)
    else:
        raise ValidationError(_("Choose what to do."))
    messages.success(request, _("%(count)s payouts changed.") % {"count": count})


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Period × person × component with totals by unit; finance approves in bulk."""
    filters = _filters(request)
    if request.method == "POST":
        if request.POST.get("action") == "sync":
            access.check_sync_payouts(request.user)
            report = services.sync_payouts(request.user)
            messages.success(
                request,
                _("Payouts brought up to date: %(created)s new, %(changed)s changed.")
                % {"created": report.created, "changed": report.updated + report.returned},
            )
        else:
            # the period the page showed (the newest one, when the address names none,
            # may have changed since: a step never goes to a period not shown)
            filters["period"] = request.POST.get("period") or filters["period"]
            try:
                _perform(request, filters)
            except (ValidationError, PermissionDenied) as error:
                text = error.messages if isinstance(error, ValidationError) else [str(error)]
                messages.error(request, " ".join(str(t) for t in text))
                # the page again, with the step as the login left it: the chosen payouts,
                # the step, and the reason and reference typed (never lost to a refusal)
                refused = {
                    "action": request.POST.get("action", ""),
                    "people": request.POST.getlist("people"),
                    **{n: request.POST.get(n, "") for n in ("reason", "reference", "paid_on")},
                }
                return _register_page(request, filters, refused)
        return redirect(request.get_full_path())
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        rows = list(selectors.payouts(request.user, **filters))
        name = f"payouts-{filters['period'] or 'all'}"
        return _file(selectors.register_rows(rows), fmt, name)
    return _register_page(request, filters, {})


def _register_page(
    request: HttpRequest, filters: dict[str, Any], refused: dict[str, Any]
) -> HttpResponse:
    """The register page; ``refused``: what was sent with a refused step (status 400)."""
    data = selectors.register(request.user, page=request.GET.get("page") or 1, **filters)
    user = request.user
    actions = [
        (name, label)
        for name, label, allowed in [
            ("review", _("Review"), access.can_review_payouts(user)),
            ("approve", _("Approve"), access.can_approve_payouts(user)),
            ("pay", _("Mark paid"), access.can_pay_payouts(user)),
            ("hold", _("Hold"), access.can_hold_payouts(user)),
            ("release", _("Release hold"), access.can_hold_payouts(user)),
            ("carry", _("Carry the deficit forward"), access.can_carry_deficits(user)),
        ]
        if allowed
    ]
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("page", None)  # the exports hold every page
    return render(
        request,
        "pay/register.html",
        {
            "register": data,
            "filters": filters,
            "periods": selectors.periods(user),
            "units": labelled_units(Unit.objects.all()),
            "states": PayoutState.choices,
            "actions": actions,
            "can_sync": access.can_sync_payouts(user),
            "can_payroll": access.can_export_payroll(user),
            "can_accrual": access.can_read_accrual(user),
            "can_periods": can_see_periods(user),
            "query": query.urlencode(),
            "page": data.page,
            "querystring": querystring(request),
            "my_person_id": getattr(person_of(user), "pk", None),  # "Dispute this line"
            "shown_amounts": json.dumps({p.person.code: str(p.amount) for p in data.rows}),
            "refused": refused,
        },
        status=400 if refused else 200,
    )


@login_required
def payroll(request: HttpRequest) -> HttpResponse:
    """The payroll export of a period, its column mapping, and marking it paid."""
    access.check_export_payroll(request.user)
    periods = selectors.periods(request.user)
    period = request.GET.get("period") or selectors.period_under_way(periods)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "columns":
                columns = []
                for line in request.POST.get("columns", "").splitlines():
                    if line.strip():
                        header, _sep, source = line.rpartition("=")
                        columns.append({"header": header.strip(), "source": source.strip()})
                services.set_payroll_mapping(
                    request.user,
                    columns,
                    request.POST.get("pay_code", ""),
                    zero_lines=bool(request.POST.get("zero_lines")),  # a box: absent, off
                    reason=request.POST.get("reason", "")[:500],
                )
                messages.success(request, _("Payroll columns saved."))
            else:
                access.check(
                    access.can_pay_payouts(request.user), _("Only finance marks payouts paid.")
                )
                period = request.POST.get("period") or period  # the period exported
                # Exactly the payouts the page showed (and so exported): one approved
                # after the page was shown is not in the file sent to the bank.
                shown = _codes(request.POST.get("people", ""))
                chosen = list(
                    selectors.payouts(request.user, period=period).filter(person__code__in=shown)
                )
                missing = sorted(set(shown) - {p.person.code for p in chosen})
                if missing or not shown:
                    raise ValidationError(
                        _("No payout for %(people)s in this period.")
                        % {"people": ", ".join(missing[:20]) or "—"}
                    )
                try:
                    paid_on = datetime.date.fromisoformat(request.POST.get("paid_on", ""))
                except ValueError:
                    paid_on = None
                count = services.mark_paid(
                    request.user,
                    chosen,
                    reference=request.POST.get("reference", "")[:100],
                    paid_on=paid_on,
                    amounts=_amounts(request.POST.get("amounts", "")),
                )
                messages.success(request, _("%(count)s payouts changed.") % {"count": count})
        except (ValidationError, PermissionDenied) as error:
            text = error.messages if isinstance(error, ValidationError) else [str(error)]
            messages.error(request, " ".join(str(t) for t in text))
            # the page again, with the form as the login left it: the columns, pay code
            # and reason, or the payment reference and date (never lost to a refusal)
            refused = {
                n: request.POST.get(n, "")
                for n in (
                    "form",
                    "columns",
                    "pay_code",
                    "zero_lines",
                    "reason",
                    "reference",
                    "paid_on",
                )
            }
            refused["form"] = "columns" if refused["form"] == "columns" else "paid"
            return _payroll_page(request, period, refused)
        return redirect(request.get_full_path())
    data = selectors.payroll(request.user, period) if period else None
    fmt = request.GET.get("export")
    if data is not None and fmt in {"csv", "xlsx"}:
        return _file([data.header, *data.rows], fmt, f"payroll-{period}")
    return _payroll_page(request, period, {}, data)


def _payroll_page(
    request: HttpRequest, period: str, refused: dict[str, str], data: Any = None
) -> HttpResponse:
    """The payroll page; ``refused``: what was sent with a refused form (status 400)."""
    if data is None and period:
        data = selectors.payroll(request.user, period)
    periods = selectors.periods(request.user)
    mapping = selectors.payroll_mapping()
    me = person_of(request.user)
    # Marking paid leaves out the login's own payout: someone else marks it paid.
    payable = [p for p in (data.payouts if data else []) if me is None or p.person_id != me.pk]
    return render(
        request,
        "pay/payroll.html",
        {
            "period": period,
            "periods": periods,
            "payroll": data,
            "mapping": mapping,
            "columns_text": "\n".join(f"{c['header']}={c['source']}" for c in mapping.columns),
            "sources": PayrollSource.choices,
            "can_edit": access.can_edit_payroll_mapping(request.user),
            "can_pay": access.can_pay_payouts(request.user),
            "exported": json.dumps([p.person.code for p in payable]),
            "exported_amounts": json.dumps({p.person.code: str(p.amount) for p in payable}),
            "own_in_export": data is not None and len(payable) < len(data.payouts),
            "refused": refused,
        },
        status=400 if refused else 200,
    )


@login_required
def accrual(request: HttpRequest) -> HttpResponse:
    """Earned but not yet paid, by period and unit."""
    access.check_read_accrual(request.user)
    period = request.GET.get("period") or None
    rows = selectors.accrual(request.user, period)
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        table = selectors.accrual_table(rows)
        return _file(table, fmt, f"accrual-{period or 'all'}")
    return render(
        request,
        "pay/accrual.html",
        {
            "rows": rows,
            "period": period,
            "periods": selectors.periods(request.user),
            "total": sum((r.total for r in rows), ZERO),
        },
    )
