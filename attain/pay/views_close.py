"""Pay period pages (docs/pay.md, "Period close"): the periods with their state, closing
(a background task with progress) and reopening with a reason; a closed period's
snapshot and the adjustments made for it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from attain.org.selectors import person_of

from . import adjustments, selectors_payouts, services_deficits, services_disputes
from . import close_access as access
from . import selectors_close as selectors
from . import services_close as services
from .models import Payout
from .models_close import PeriodState
from .models_deficits import CarriedDeficit
from .models_disputes import DisputeAdjustment
from .payout_access import can_carry_deficits, can_pay_payouts


def _pk(value: str | None) -> int:
    return int(value) if value and value.isdecimal() and len(value) < 12 else 0


def _errors(error: ValidationError | PermissionDenied) -> str:
    text = error.messages if isinstance(error, ValidationError) else [str(error)]
    return " ".join(str(t) for t in text)


@login_required
def periods(request: HttpRequest) -> HttpResponse:
    """Every pay period: open or closed; close one, reopen one (with a reason)."""
    access.check_see_periods(request.user)
    if request.method == "POST":
        action = request.POST.get("action", "")
        period = request.POST.get("period", "")
        try:
            if action == "close":
                services.close_period(
                    request.user, period, reason=request.POST.get("reason", "")[:500]
                )
                messages.success(
                    request,
                    _("Closing %(period)s: its results are being frozen.") % {"period": period},
                )
            elif action == "settle":
                messages.success(request, _settle(request))
            elif action == "carry":
                messages.success(request, _carry(request, period))
            elif action == "reopen":
                services.reopen_period(
                    request.user, period, reason=request.POST.get("reason", "")[:500]
                )
                messages.success(request, _("%(period)s is open again.") % {"period": period})
            else:
                messages.error(request, _("Choose what to do."))
        except (ValidationError, PermissionDenied) as error:
            text = _errors(error)
            if isinstance(error, services.DeficitsLeft):  # the way out is on this page
                text += " " + _(
                    "They are listed below under “Payouts below zero”: carry their "
                    "deficits forward there (finance, with the reason), then close the period."
                )
            messages.error(request, text)
            # the page again, with the reason typed in the refused form (never lost)
            refused: dict[str, Any] = {"action": action, "period": period}
            refused["reason"] = request.POST.get("reason", "")
            refused["adjustment"] = request.POST.get("adjustment", "")
            refused["deficit"] = request.POST.get("deficit", "")
            refused["people"] = request.POST.getlist("people")
            return _periods_page(request, refused)
        return redirect(request.path)
    return _periods_page(request, {})


def _carry(request: HttpRequest, period: str) -> str:
    """Carry forward the deficits of the payouts below zero the form chose (field
    ``people``) in ``period``, with the reason (the register's action, offered where a
    close is refused for them); the message saying so."""
    codes = request.POST.getlist("people")
    chosen = list(
        selectors_payouts.payouts(request.user, period=period or None).filter(
            person__code__in=codes
        )
    )
    if codes and not chosen:
        raise ValidationError(_("Choose at least one payout."))
    count = services_deficits.carry_deficits(
        request.user, chosen, reason=request.POST.get("reason", "")
    )
    return ngettext(
        "The deficit of %(count)s payout of %(period)s is carried forward.",
        "The deficits of %(count)s payouts of %(period)s are carried forward.",
        count,
    ) % {"count": count, "period": period}


def _settle(request: HttpRequest) -> str:
    """Settle the stranded dispute adjustment (field ``adjustment``) or carried deficit
    (field ``deficit``) the form names; the message saying so."""
    deficit = "deficit" in request.POST
    model = CarriedDeficit if deficit else DisputeAdjustment
    field = "deficit" if deficit else "adjustment"
    row = adjustments.stranded(model).filter(pk=_pk(request.POST.get(field))).first()
    if row is None:
        raise ValidationError(_("This adjustment is not waiting for someone who has left."))
    services_disputes.settle_adjustment(request.user, row, reason=request.POST.get("reason", ""))
    if isinstance(row, CarriedDeficit):
        return _("The deficit carried from %(period)s is settled.") % {"period": row.source_period}
    return _("The adjustment of dispute #%(number)s is settled.") % {"number": row.dispute_id}


def _periods_page(request: HttpRequest, refused: dict[str, Any]) -> HttpResponse:
    """The periods page; ``refused``: what was sent with a refused step (status 400)."""
    services.fail_abandoned_closes()
    rows = selectors.periods()
    context = {
        "rows": rows,
        "closing": any(r.state == PeriodState.CLOSING for r in rows),
        "can_close": access.can_close_periods(request.user),
        "can_reopen": access.can_reopen_periods(request.user),
        "refused": refused,
    }
    status = 400 if refused else 200
    if getattr(request, "htmx", False):
        return render(request, "pay/_periods_table.html", context, status=status)
    # resolved disputes' adjustments that wait for people who have left: finance settle
    context["stranded"] = list(adjustments.stranded())
    context["stranded_deficits"] = list(adjustments.stranded(CarriedDeficit))
    context["can_settle"] = can_pay_payouts(request.user)
    # payouts below zero stop a close: carried forward from here (the register's action)
    context["below_zero"] = selectors.below_zero(request.user)
    context["can_carry"] = can_carry_deficits(request.user)
    context["my_person_id"] = getattr(person_of(request.user), "pk", None)
    return render(request, "pay/periods.html", context, status=status)


@login_required
def period(request: HttpRequest, period: str) -> HttpResponse:
    """A period's close: provenance, the frozen results and the adjustments made for it."""
    access.check_see_periods(request.user)
    row = selectors.pay_period(period)
    adjustments = list(selectors.adjustments(request.user, source_period=period))
    if row is None and not adjustments and not Payout.objects.filter(period=period).exists():
        raise Http404(_("No such pay period."))
    return render(
        request,
        "pay/period.html",
        {
            "period": period,
            "close": row,
            "results": list(selectors.snapshot(row)) if row is not None else [],
            "adjustments": adjustments,
        },
    )
