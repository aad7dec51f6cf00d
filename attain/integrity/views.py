"""The review queue, one alert with its evidence, and the integrity page over time."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from attain.crm import models as crm
from attain.crm.records import PLACEMENTS
from attain.org.models import Unit
from attain.org.selectors import labelled_units
from attain.web.forms import apply_service
from attain.web.views import PAGE_SIZE, querystring

from . import access, selectors, services
from .forms import AssignForm, DecideForm, ReleaseForm, ReopenForm
from .models import Detector, Status


def _table_label(table: str) -> str:
    """A record table as its readers know it (订单, not ``orders``)."""
    for name, placement in PLACEMENTS.items():
        if placement.table == table:
            return str(getattr(crm, name)._meta.verbose_name_plural)
    return table


def _evidence(records: list[dict[str, object]]) -> list[dict[str, object]]:
    """The alert's records as a reviewer checks them: what each is (date, person,
    customer, amount, status), read from the records themselves by external id (a
    record no longer there shows its id only)."""
    wanted: dict[str, list[str]] = {}
    for record in records:
        wanted.setdefault(str(record.get("table", "")), []).append(str(record.get("external_id")))
    found: dict[tuple[str, str], Any] = {}
    placed: dict[str, Any] = {}
    for name, placement in PLACEMENTS.items():
        if placement.table not in wanted:
            continue
        placed[placement.table] = placement
        model = getattr(crm, name)
        related = [
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation
            and f.name in ("customer", "rater", *(p[:-3] for p in placement.people))
        ]
        rows = model._default_manager.filter(external_id__in=wanted[placement.table])
        for row in rows.select_related(*related):
            found[(placement.table, row.external_id)] = row
    shown = []
    for record in records:
        table, external_id = str(record.get("table", "")), str(record.get("external_id"))
        row = found.get((table, external_id))
        where = placed.get(table)
        day = getattr(row, where.date, None) if row is not None and where else None
        if isinstance(day, datetime.datetime):
            day = timezone.localtime(day)
        person = getattr(row, where.people[0][:-3], None) if row and where else None
        customer = row if isinstance(row, crm.Customer) else getattr(row, "customer", None)
        status = getattr(row, "get_status_display", None)
        shown.append(
            {
                "table": _table_label(table),
                "external_id": external_id,
                "found": row is not None,
                "date": day,
                "timed": isinstance(day, datetime.datetime),
                "person": person,
                "customer": customer,
                "amount": getattr(row, "amount", None),
                "rater": getattr(row, "rater", None),  # a peer rating: who gave it
                "score": getattr(row, "score", None),
                "status": status() if callable(status) else "",
                # an order opens in the orders list, with its credit split and history
                "link": (
                    reverse("crm:orders") + "?" + urlencode({"order": external_id})
                    if row is not None and table == "orders"
                    else ""
                ),
            }
        )
    return shown


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
    context = {
        # the latest periods and highest scores first, a page at a time
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "querystring": querystring(request),
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
    reopen_form = ReopenForm()
    if request.method == "POST":
        if "reopen" in request.POST:
            reopen_form = ReopenForm(request.POST)
            if reopen_form.is_valid() and apply_service(
                reopen_form,
                lambda data: services.reopen(request.user, alert, reason=data["reopen_reason"]),
            ):
                return redirect("integrity:alert", pk=alert.pk)
        elif "release" in request.POST:
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
            warnings = (
                apply_service(
                    decide_form,
                    lambda data: services.decide(
                        request.user,
                        alert,
                        confirm=data["decision"] == "confirm",
                        reason=data["reason"],
                        hold=data["hold"],
                        reject_records=data["reject_records"],
                    ),
                )
                if decide_form.is_valid()
                else None
            )
            if warnings is not None:  # decided; what the hold could not do, said
                for warning in warnings:
                    messages.warning(request, warning)
                return redirect("integrity:alert", pk=alert.pk)
    named = {p.code: p for p in alert.people.all()}
    context = {
        "alert": alert,
        # who it is about, by name (an id no longer among the people shows as the id)
        "people": [named.get(code, code) for code in alert.people_codes],
        "reason": alert.reason(get_language() or "en"),
        "evidence": _evidence(alert.records),
        "assign_form": assign_form,
        "decide_form": decide_form,
        "release_form": release_form,
        "reopen_form": reopen_form,
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
        "units": labelled_units(Unit.objects.all()),
    }
    return render(request, "integrity/over_time.html", context)
