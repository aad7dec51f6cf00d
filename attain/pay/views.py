"""Pay governance pages: the review queue of records that wait for verification, and
the record tables' policies (docs/pay.md)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from attain.crm.models import Verification
from attain.crm.services import set_record_policy, verify_records
from attain.web.views import run_and_say

from . import access, selectors
from .forms import PolicyForm, VerifyForm

PAGE = 200


def _shown(text: str) -> dict[int, str] | None:
    """The records the review page showed (pk → digest), as it sent them in one JSON
    field; None when it sent none (a form of its own). A field that holds no such
    mapping (cut short or altered) maps nothing: every record counts as changed."""
    if not text:
        return None
    try:
        shown = json.loads(text)
        return {int(pk): str(digest) for pk, digest in shown.items()}
    except (ValueError, TypeError, AttributeError):
        return {}


@login_required
def review(request: HttpRequest) -> HttpResponse:
    """Records waiting for verification, per table; verify or reject them in bulk."""
    if not access.can_review_records(request.user):
        raise PermissionDenied
    name = request.GET.get("table") or request.POST.get("table") or "orders"
    table = selectors.BY_TABLE.get(name)
    if table is None:
        raise Http404
    state = request.GET.get("state", Verification.PENDING)
    if state not in Verification.values:
        state = Verification.PENDING
    rows = selectors.records_waiting(request.user, table, state)
    if request.method == "POST":
        pending = selectors.records_waiting(request.user, table)
        form = VerifyForm(request.POST, choices=list(pending.values_list("pk", flat=True)))
        if form.is_valid():
            data = form.cleaned_data
            try:
                count = verify_records(
                    request.user,
                    table.model,
                    data["ids"],
                    data["decision"],
                    reason=data["reason"],
                    shown=_shown(request.POST.get("shown", "")),
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            except PermissionDenied as error:  # records credited to the login's person
                messages.error(request, str(error))
            else:
                said = ngettext("%(count)s record changed.", "%(count)s records changed.", count)
                messages.success(
                    request, said % {"count": number_format(count, force_grouping=True)}
                )
                return redirect(f"{request.path}?table={table.table}")
        else:
            for errors in form.errors.values():
                messages.error(request, " ".join(str(e) for e in errors))
    shown_rows = [selectors.review_row(table, record) for record in rows[:PAGE]]
    return render(
        request,
        "pay/review.html",
        {
            "tables": selectors.waiting_counts(request.user),
            "table": table,
            "state": state,
            "states": Verification.choices,
            "rows": shown_rows,
            "shown": json.dumps({row.pk: row.digest for row in shown_rows}),
            "total": rows.count(),
            "can_decide": state == Verification.PENDING,
        },
    )


@login_required
def policies(request: HttpRequest) -> HttpResponse:
    """Each record table's rules: own entries wait, dates ahead, the amount ceiling."""
    if not access.can_review_records(request.user) and not access.can_set_record_policy(
        request.user
    ):
        raise PermissionDenied
    if request.method == "POST":
        access.check_set_record_policy(request.user)
        form = PolicyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if run_and_say(
                request,
                lambda: set_record_policy(
                    request.user,
                    data["table"],
                    review_own=data["review_own"],
                    max_future_days=data["max_future_days"],
                    amount_ceiling=data["amount_ceiling"],
                    reason=data["reason"],
                ),
                _("Record policy saved."),
            ):
                return redirect("pay:policies")
        else:
            for errors in form.errors.values():
                messages.error(request, " ".join(str(e) for e in errors))
    rows = [(selectors.BY_TABLE[p.table], p) for p in selectors.policies()]
    return render(
        request,
        "pay/policies.html",
        {"rows": rows, "can_edit": access.can_set_record_policy(request.user)},
    )
