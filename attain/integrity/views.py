"""The review queue, one alert with its evidence, and the integrity page over time."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from attain.crm import models as crm
from attain.crm.records import PLACEMENTS
from attain.org.models import Unit
from attain.web.forms import apply_service

from . import access, selectors, services
from .forms import AssignForm, DecideForm, ReleaseForm
from .models import Detector, Status

SHOWN = 500  # alerts on the queue page at most (the highest periods and scores first)


def _table_label(table: str) -> str:
    """A record table as its readers know it (订单, not ``orders``)."""
    for name, placement in PLACEMENTS.items():
        if placement.table == table:
            return str(getattr(crm, name)._meta.verbose_name_plural)
    return table


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not access.can_review(request.user):
        raise PermissionDenied
    status = request.GET.get("status", Status.OPEN)
    detector = request.GET.get("detector", "")
    rows = selectors.alerts(request.user)
    if status in Status.values:
        rows = rows.filter(status=status)
    if detector in Detector.values:
        rows = rows.filter(detector=detector)
    total = rows.count()
    context = {
        "alerts": rows[:SHOWN],
        "total": total,
        "shown": min(total, SHOWN),
        "status": status,
        "detector": detector,
        "statuses": Status.choices,
        "detectors": Detector.choices,
        "language": get_language() or "en",
        "can_scan": access.can_scan(request.user),
    }
    return render(request, "integrity/queue.html", context)


@login_required
def scan(request: HttpRequest) -> HttpResponse:
    if request.method != "POST" or not access.can_scan(request.user):
        raise PermissionDenied
    services.scan(request.user)
    return redirect("integrity:queue")


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.can_review(request.user):
        raise PermissionDenied
    alert = selectors.alert(request.user, pk)
    if alert is None:
        raise Http404
    assign_form = AssignForm(initial={"assignee": alert.assignee})
    decide_form = DecideForm()
    release_form = ReleaseForm()
    if request.method == "POST":
        if "release" in request.POST:
            release_form = ReleaseForm(request.POST)
            if release_form.is_valid() and apply_service(
                release_form,
                lambda data: services.release_hold(
                    request.user, alert, reason=data["release_reason"]
                ),
            ):
                return redirect("integrity:alert", pk=alert.pk)
        elif "assign" in request.POST:
            assign_form = AssignForm(request.POST)
            if assign_form.is_valid() and apply_service(
                assign_form, lambda data: services.assign(request.user, alert, data["assignee"])
            ):
                return redirect("integrity:alert", pk=alert.pk)
        else:
            decide_form = DecideForm(request.POST)
            if decide_form.is_valid() and apply_service(
                decide_form,
                lambda data: services.decide(
                    request.user,
                    alert,
                    confirm=data["decision"] == "confirm",
                    reason=data["reason"],
                    hold=data["hold"],
                    reject_records=data["reject_records"],
                ),
            ):
                return redirect("integrity:alert", pk=alert.pk)
    context = {
        "alert": alert,
        "reason": alert.reason(get_language() or "en"),
        "evidence": [
            (_table_label(str(r.get("table", ""))), r.get("external_id")) for r in alert.records
        ],
        "assign_form": assign_form,
        "decide_form": decide_form,
        "release_form": release_form,
    }
    return render(request, "integrity/alert.html", context)


@login_required
def over_time(request: HttpRequest) -> HttpResponse:
    if not access.can_review(request.user):
        raise PermissionDenied
    unit = Unit.objects.filter(code=request.GET.get("unit", "")).first()
    periods, rows = selectors.over_time(request.user, unit)
    context = {
        "periods": periods,
        "rows": rows,
        "unit": unit,
        "units": Unit.objects.order_by("code"),
    }
    return render(request, "integrity/over_time.html", context)
