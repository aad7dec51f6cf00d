"""Web pages. Each view reads through the selectors (people's data only through
``visible_people``) and writes only through the services."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.accounts.models import Role
from attain.audit.filters import filter_events
from attain.audit.models import Action, AuditEvent
from attain.org import services
from attain.org.models import Assignment, Person, Unit
from attain.org.selectors import (
    can_edit_organisation,
    can_read_audit,
    person_of,
    role_of,
    visible_people,
    with_assignment_on,
)

from .forms import EndEmploymentForm, PersonForm, TransferForm, UnitForm, apply_service

PAGE_SIZE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    role = role_of(request.user)
    me = person_of(request.user)
    context: dict[str, Any] = {"today": today, "role": role, "me": None}
    if me is not None:
        context["me"] = with_assignment_on(Person.objects.filter(pk=me.pk), today).get()
        context["history"] = me.assignments.select_related("unit", "manager").order_by(
            "-valid_from"
        )
    if role == Role.MANAGER and me is not None:
        team = with_assignment_on(visible_people(request.user, today).exclude(pk=me.pk), today)
        context["team_size"] = team.count()
        context["direct_reports"] = team.filter(manager_id_on=me.pk).order_by("name")
        context["team_changes"] = (
            Assignment.objects.filter(
                person__in=team, valid_from__gt=today - datetime.timedelta(days=180)
            )
            .select_related("person", "unit", "manager")
            .order_by("-valid_from")[:10]
        )
    if role in {Role.ADMIN, Role.SALES_OPS, Role.FINANCE, Role.EXECUTIVE}:
        context.update(_organisation_summary(today))
    if can_read_audit(request.user):
        context["recent_events"] = AuditEvent.objects.select_related("content_type")[:8]
    return render(request, "core/home.html", context)


def _organisation_summary(today: datetime.date) -> dict[str, Any]:
    year_start = today.replace(month=1, day=1)
    employed = Person.objects.employed_on(today)
    current = Assignment.objects.on(today).filter(person__in=employed)
    by_unit = Counter(
        dict(current.values_list("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))
    )
    units = list(Unit.objects.filter(closed__isnull=True).order_by("code"))
    parents = {u.pk: u.parent_id for u in units}
    headcount: Counter[int] = Counter()
    for unit_id, n in by_unit.items():
        node: int | None = unit_id
        while node is not None:
            headcount[node] += n
            node = parents.get(node)
    roots = [u for u in units if u.parent_id is None]
    regions = [u for u in units if u.parent_id in {r.pk for r in roots}]
    return {
        "stats": {
            "people": employed.count(),
            "units": len(units),
            "hires": Person.objects.filter(start__gte=year_start, start__lte=today).count(),
            "leavers": Person.objects.filter(end__gte=year_start, end__lte=today).count(),
            "transfers": Assignment.objects.filter(
                valid_from__gte=year_start, valid_from__lte=today
            )
            .exclude(valid_from=F("person__start"))  # a hire, not a transfer
            .count(),
        },
        "regions": [(region, headcount[region.pk]) for region in regions],
        "max_headcount": max([headcount[r.pk] for r in regions] or [1]),
    }


@login_required
def people(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    visible = with_assignment_on(visible_people(request.user, today), today)
    query = request.GET.get("q", "").strip()
    if query:
        visible = visible.filter(Q(name__icontains=query) | Q(code__icontains=query))
    unit_code = request.GET.get("unit", "")
    if unit_code:
        visible = visible.filter(unit_code_on=unit_code)
    status = request.GET.get("status", "active")
    if status == "active":
        visible = visible.filter(Q(end__isnull=True) | Q(end__gte=today), start__lte=today)
    page = Paginator(visible.order_by("name", "code"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "unit_code": unit_code,
        "status": status,
        "units": Unit.objects.order_by("code").only("code", "name"),
        "today": today,
    }
    template = "core/people_table.html" if request.htmx else "core/people.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _visible_person(request: HttpRequest, code: str) -> Person:
    person = visible_people(request.user).filter(code=code).first()
    if person is None:
        raise Http404(_("No such person, or not one you may see."))
    return person


@login_required
def person_detail(request: HttpRequest, code: str) -> HttpResponse:
    person = _visible_person(request, code)
    today = timezone.localdate()
    editor = can_edit_organisation(request.user)
    transfer_form = TransferForm(prefix="transfer")
    end_form = EndEmploymentForm(prefix="end")
    if request.method == "POST":
        if not editor:
            raise PermissionDenied
        if "transfer-on" in request.POST:
            transfer_form = TransferForm(request.POST, prefix="transfer")
            if transfer_form.is_valid():
                done = apply_service(
                    transfer_form,
                    lambda data: services.transfer_person(
                        request.user,
                        person,
                        on=data["on"],
                        **{
                            k: data[k]
                            for k in ("unit", "manager", "title")
                            if data[k] not in (None, "")
                        },
                        reason=data["reason"],
                    ),
                )
                if done is not None:
                    messages.success(
                        request,
                        _("The change is recorded from %(on)s.")
                        % {"on": transfer_form.cleaned_data["on"]},
                    )
                    return redirect("person", code=person.code)
        else:
            end_form = EndEmploymentForm(request.POST, prefix="end")
            if end_form.is_valid():
                done = apply_service(
                    end_form,
                    lambda data: services.end_employment(
                        request.user, person, on=data["on"], reason=data["reason"]
                    ),
                )
                if done is not None:
                    messages.success(
                        request,
                        _("Employment ends on %(on)s.") % {"on": end_form.cleaned_data["on"]},
                    )
                    return redirect("person", code=person.code)
    annotated = (
        with_assignment_on(Person.objects.filter(pk=person.pk), today).select_related("user").get()
    )
    reports = (
        with_assignment_on(visible_people(request.user, today), today)
        .filter(manager_id_on=person.pk)
        .order_by("name")
    )
    history = person.assignments.select_related("unit", "manager").order_by("-valid_from")
    events: Any = []
    if can_read_audit(request.user):
        events = AuditEvent.objects.filter(
            Q(content_type__model="person", object_id=str(person.pk))
            | Q(content_type__model="assignment", object_id__in=[str(a.pk) for a in history])
        ).select_related("content_type")[:20]
    return render(
        request,
        "core/person.html",
        {
            "person": annotated,
            "history": history,
            "reports": reports,
            "editor": editor,
            "transfer_form": transfer_form,
            "end_form": end_form,
            "events": events,
            "today": today,
        },
    )


@login_required
def person_new(request: HttpRequest) -> HttpResponse:
    if not can_edit_organisation(request.user):
        raise PermissionDenied
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = apply_service(form, lambda data: services.create_person(request.user, **data))
        if person is not None:
            messages.success(request, _("%(name)s is added.") % {"name": person.name})
            return redirect("person", code=person.code)
    return render(
        request, "core/form.html", {"form": form, "title": _("Add a person"), "back": "people"}
    )


@login_required
def units(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    employed = Person.objects.employed_on(today)
    direct = dict(
        Assignment.objects.on(today)
        .filter(person__in=employed)
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    all_units = list(Unit.objects.select_related("parent").order_by("code"))
    children: dict[int | None, list[Unit]] = {}
    for unit in all_units:
        children.setdefault(unit.parent_id, []).append(unit)

    def total(unit: Unit) -> int:
        return direct.get(unit.pk, 0) + sum(total(c) for c in children.get(unit.pk, []))

    rows: list[tuple[int, Unit, int, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in children.get(parent_id, []):
            rows.append((depth, unit, direct.get(unit.pk, 0), total(unit)))
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return render(
        request, "core/units.html", {"rows": rows, "editor": can_edit_organisation(request.user)}
    )


@login_required
def unit_new(request: HttpRequest) -> HttpResponse:
    if not can_edit_organisation(request.user):
        raise PermissionDenied
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unit = apply_service(form, lambda data: services.create_unit(request.user, **data))
        if unit is not None:
            messages.success(request, _("The unit %(name)s is added.") % {"name": unit.name})
            return redirect("units")
    return render(
        request, "core/form.html", {"form": form, "title": _("Add a unit"), "back": "units"}
    )


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    if not can_read_audit(request.user):
        raise PermissionDenied
    events = filter_events(AuditEvent.objects.select_related("content_type"), request.GET)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    types = (
        AuditEvent.objects.values_list("content_type__app_label", "content_type__model")
        .distinct()
        .order_by("content_type__app_label", "content_type__model")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "core/audit.html",
        {
            "page": page,
            "filters": request.GET,
            "querystring": params.urlencode(),
            "types": [f"{a}.{m}" for a, m in types],
            "actions": Action.choices,
        },
    )
