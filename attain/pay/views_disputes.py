"""Dispute pages (docs/pay.md, "Disputes"): the list with the settings, opening a
dispute on a payout line or a record, and one dispute with its thread and steps."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from attain.org.selectors import person_of
from attain.web import files
from attain.web.once import run_once

from . import dispute_access as access
from . import selectors_disputes as selectors
from . import services_disputes as services
from .models import Payout
from .models_disputes import DisputeStatus, DisputeSubject
from .selectors import REVIEW_TABLES


def _errors(request: HttpRequest, error: ValidationError | PermissionDenied) -> dict[str, Any]:
    if isinstance(error, PermissionDenied):
        messages.error(request, str(error) or _("You may not do this."))
        return {}
    found = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    messages.error(request, " ".join(m for ms in found.values() for m in ms))
    return found


@login_required
def disputes(request: HttpRequest) -> HttpResponse:
    """The disputes the login may see, with filters; the settings for sales operations."""
    user = request.user
    if not access.can_list_disputes(user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            hours = request.POST.get("response_hours", "")
            code = request.POST.get("assignee", "")
            assignee = get_user_model().objects.filter(username=code).first() if code else None
            if code and assignee is None:
                raise ValidationError({"assignee": _("No such login.")})
            services.set_policy(
                user,
                # "²" is a digit to str.isdigit() but no number to int()
                response_hours=int(hours) if hours.strip().isdecimal() else -1,
                assignee=assignee,
                reason=request.POST.get("reason", "")[:500],
            )
            messages.success(request, _("Dispute settings saved."))
        except (ValidationError, PermissionDenied) as error:
            _errors(request, error)
        return redirect("pay:disputes")
    status = request.GET.get("status") or None
    if status not in DisputeStatus.values:
        status = None
    # the check box sends "yes"; the address the docs (and the API) give says "true"
    overdue = True if request.GET.get("overdue") in {"yes", "true", "1"} else None
    period = request.GET.get("period") or None
    rows = selectors.disputes(
        user, status=status, period=period, overdue=overdue, mine=request.GET.get("mine") == "yes"
    )
    return render(
        request,
        "pay/disputes.html",
        {
            "rows": rows[:500],
            "statuses": DisputeStatus.choices,
            "status": status,
            "period": period,
            "overdue": overdue,
            "periods": selectors.periods(user),
            "counts": selectors.open_counts(user),
            "can_open": access.can_open_dispute(user),
            "can_handle": access.can_handle_disputes(user),
            "policy": services.policy(),
            "assignees": selectors.assignees(),
        },
    )


@login_required
def new_dispute(request: HttpRequest) -> HttpResponse:
    """Open a dispute: on a line of one's payout (``?period=&line=plan.component``) or a
    record (``?subject=record``)."""
    user = request.user
    if not access.can_open_dispute(user):
        raise PermissionDenied
    me = person_of(user)
    source = request.POST if request.method == "POST" else request.GET
    line = source.get("line", "")
    plan, _sep, component = line.partition(".")
    subject: str = DisputeSubject.LINE if line else DisputeSubject.RECORD
    if source.get("subject") in DisputeSubject.values:
        subject = source["subject"]
    payouts = list(
        Payout.objects.filter(person=me).prefetch_related("lines").order_by("-period")[:12]
    )
    values = {
        "period": source.get("period") or (payouts[0].period if payouts else ""),
        "title": source.get("title", ""),
        "text": source.get("text", ""),
        "record_table": source.get("record_table", "orders"),
        "record_ref": source.get("record_ref", ""),
    }
    errors: dict[str, Any] = {}
    if request.method == "POST":
        try:
            dispute = services.open_dispute(
                user,
                subject=subject,
                period=values["period"],
                title=values["title"],
                text=values["text"],
                plan=plan,
                component=component,
                record_table=values["record_table"],
                record_ref=values["record_ref"],
                files=request.FILES.getlist("files"),
            )
        except (ValidationError, PermissionDenied) as error:
            errors = _errors(request, error)
        else:
            messages.success(request, _("Dispute #%(number)s opened.") % {"number": dispute.pk})
            return redirect("pay:dispute", pk=dispute.pk)
    chosen = next((p for p in payouts if p.period == values["period"]), None)
    current = None
    if chosen is not None and subject == DisputeSubject.LINE:
        current = next(
            (x for x in chosen.lines.all() if (x.plan, x.component) == (plan, component)), None
        )
    return render(
        request,
        "pay/disputes_new.html",
        {
            "subject": subject,
            "line": line,
            "current": current,
            "payout": chosen,
            "payouts": payouts,
            "values": values,
            "errors": errors,
            "tables": [(t.table, t.label) for t in REVIEW_TABLES],
        },
        status=400 if errors else 200,
    )


@login_required
def dispute(request: HttpRequest, pk: int) -> HttpResponse:
    """One dispute: its thread, a reply with files, and the steps the login may take."""
    user = request.user
    found = selectors.dispute_for(user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "message":
                here = reverse("pay:dispute", kwargs={"pk": found.pk})

                def send() -> str:
                    services.add_message(
                        user,
                        found,
                        text=request.POST.get("text", ""),
                        files=request.FILES.getlist("files"),
                    )
                    messages.success(
                        request, _("Dispute #%(number)s updated.") % {"number": found.pk}
                    )
                    return here

                # a reply sent twice (a double click) is added once
                return redirect(run_once(request, send) or here)
            elif action == "start":
                services.start(user, found, note=request.POST.get("note", ""))
            elif action == "assign":
                who = (
                    get_user_model()
                    .objects.filter(username=request.POST.get("assignee", ""))
                    .first()
                )
                services.assign(user, found, who, note=request.POST.get("note", ""))
            elif action == "resolve":
                services.resolve(
                    user,
                    found,
                    amount=request.POST.get("amount", ""),
                    reason=request.POST.get("reason", ""),
                )
            elif action == "reject":
                services.reject(user, found, explanation=request.POST.get("reason", ""))
            elif action == "withdraw":
                services.withdraw(user, found, note=request.POST.get("note", ""))
            else:
                raise ValidationError({"action": _("Choose what to do.")})
        except (ValidationError, PermissionDenied) as error:
            _errors(request, error)
            # the page again, as it stands now, with what was typed in the refused form
            # (a reason or a message written at length is never lost; files are sent again)
            typed = {
                name: request.POST.get(name, "") for name in ("amount", "reason", "text", "note")
            }
            refused = {"action": action, **typed}
            found = selectors.dispute_for(user, pk)
        else:
            messages.success(request, _("Dispute #%(number)s updated.") % {"number": found.pk})
            return redirect("pay:dispute", pk=found.pk)
    else:
        refused = {}
    adjustment = getattr(found, "adjustment", None)  # none until resolved with an amount
    return render(
        request,
        "pay/disputes_detail.html",
        {
            "dispute": found,
            "adjustment": adjustment,
            "can_write": found.active and access.may_write(user, found),
            "can_handle": found.active and access.can_handle_disputes(user),
            "can_answer": found.active and access.may_handle(user, found),
            "can_withdraw": found.active and access.may_withdraw(user, found),
            "assignees": selectors.assignees(found),
            "open": found.status == DisputeStatus.OPEN,
            "refused": refused,
        },
        status=400 if refused else 200,
    )


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A file of a dispute's thread, always as an attachment (never shown inline)."""
    found = selectors.attachment_for(request.user, pk)
    return files.attachment_response(found.file.open("rb"), found.name)
