"""Organisation pages: people, a person (transfers, end of employment), units. People's
data is read only through ``visible_people``; writes go through :mod:`.services`, which
checks the writer's role again (:mod:`.access`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from attain.audit.models import Action, AuditEvent
from attain.web.forms import apply_service
from attain.web.views import service_form_view

from . import services, services_company
from .access import can_change_company_settings, can_edit_organisation
from .forms import (
    CorrectStartForm,
    EndEmploymentForm,
    PersonForm,
    TransferForm,
    UndoChangeForm,
    UnitForm,
)
from .forms_company import CompanySettingsForm
from .models import Assignment, CompanySettings, Person, Unit
from .selectors import can_read_audit, labelled_units, visible_people, with_assignment_on

PAGE_SIZE = 50


def _require_editor(request: HttpRequest) -> None:
    if not can_edit_organisation(request.user):
        raise PermissionDenied


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
        "units": labelled_units(Unit.objects.only("code", "name")),
        "today": today,
    }
    template = "org/people_table.html" if request.htmx else "org/people.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _day(day: Any) -> str:
    return date_format(day, "DATE_FORMAT")


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
    forms: dict[str, Any] = {
        "transfer": TransferForm(prefix="transfer"),
        "end": EndEmploymentForm(prefix="end"),
        "undo": UndoChangeForm(prefix="undo"),
        "start": CorrectStartForm(prefix="start", initial={"start": person.start}),
    }
    if request.method == "POST":
        if not editor:
            raise PermissionDenied
        # the form sent (its prefix), the service that applies it, and what is then said
        actions: dict[str, tuple[Any, Callable[[dict[str, Any]], Any], Callable[[Any], str]]] = {
            "transfer": (
                TransferForm,
                lambda data: _transfer(request, person, data),
                lambda data: _("The change is recorded from %(on)s.") % {"on": _day(data["on"])},
            ),
            "start": (
                CorrectStartForm,
                lambda data: services.correct_start(
                    request.user, person, start=data["start"], reason=data["reason"]
                ),
                lambda data: (
                    _("The employment start is now %(start)s.") % {"start": _day(data["start"])}
                ),
            ),
            "undo": (
                UndoChangeForm,
                lambda data: services.undo_change(
                    request.user, person, on=data["on"], reason=data["reason"]
                ),
                lambda data: _("The change from %(on)s is undone.") % {"on": _day(data["on"])},
            ),
            "end": (
                EndEmploymentForm,
                lambda data: services.end_employment(
                    request.user, person, on=data["on"], reason=data["reason"]
                ),
                lambda data: _("Employment ends on %(on)s.") % {"on": _day(data["on"])},
            ),
        }
        sent = {"transfer": "transfer-on", "start": "start-start", "undo": "undo-on"}
        prefix = next((name for name, field in sent.items() if field in request.POST), "end")
        form_class, service, said = actions[prefix]
        form = forms[prefix] = form_class(request.POST, prefix=prefix)
        if form.is_valid() and apply_service(form, service) is not None:
            messages.success(request, said(form.cleaned_data))
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
            # the changes undone: their assignment is gone, its last values name the person
            | Q(content_type__model="assignment", action=Action.DELETE, before__person=person.pk)
        ).select_related("content_type")[:20]
    return render(
        request,
        "org/person.html",
        {
            "person": annotated,
            "history": history,
            "reports": reports,
            "editor": editor,
            "transfer_form": forms["transfer"],
            "end_form": forms["end"],
            "undo_form": forms["undo"],
            "start_form": forms["start"],
            "events": events,
            "today": today,
        },
    )


def _transfer(request: HttpRequest, person: Person, data: dict[str, Any]) -> Any:
    """The transfer form's change: an empty unit, manager or job role keeps the current
    one; "No manager from this date" gives none."""
    changes: dict[str, Any] = {
        k: data[k] for k in ("unit", "manager", "title") if data[k] not in (None, "")
    }
    if data["no_manager"]:
        changes["manager"] = None
    return services.transfer_person(
        request.user, person, on=data["on"], reason=data["reason"], **changes
    )


@login_required
def person_new(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    return service_form_view(
        request,
        PersonForm(request.POST or None),
        lambda data: services.create_person(request.user, **data),
        success=lambda person: _("%(name)s is added.") % {"name": person.name},
        next_url=lambda person: reverse("person", args=[person.code]),
        template="org/form.html",
        context={"title": _("Add a person"), "back": "people"},
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
        request, "org/units.html", {"rows": rows, "editor": can_edit_organisation(request.user)}
    )


@login_required
def unit_new(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    return service_form_view(
        request,
        UnitForm(request.POST or None),
        lambda data: services.create_unit(request.user, **data),
        success=lambda unit: _("The unit %(name)s is added.") % {"name": unit.name},
        next_url="units",
        template="org/form.html",
        context={"title": _("Add a unit"), "back": "units"},
    )


@login_required
def company_settings(request: HttpRequest) -> HttpResponse:
    """The company's settings, for whoever may change them. The fiscal year start and
    the currency are shown, not offered, once something is stored counted in them; a
    refused change is shown again as typed (400)."""
    if not can_change_company_settings(request.user):
        raise PermissionDenied
    current = services_company.settings_of(CompanySettings.objects.first())
    fixed = services_company.fixed_settings(current["currency"])
    shown = {**current, "seen": json.dumps(current)}
    form = CompanySettingsForm(request.POST or None, initial=shown, fixed=fixed)
    if request.method == "POST" and form.is_valid():
        changes, seen = form.edits(), form.seen_values()
        reason = form.cleaned_data.get("reason", "")
        saved = apply_service(
            form,
            lambda data: services_company.change_company(
                request.user, changes, reason=reason, seen=seen
            ),
        )
        if saved is None and seen is not None:
            # shown again as typed; a setting refused as changed by someone else is
            # now seen as it is, so saving again replaces it (and only it)
            seen |= {name: current[name] for name in form.errors if name in current}
            data = request.POST.copy()
            data["seen"] = json.dumps(seen)
            form.data = data
        if saved is not None:
            row, before = saved
            messages.success(request, _("The company settings are saved."))
            if row.time_zone != before["time_zone"]:
                note = services_company.time_zone_note(before["time_zone"], row.time_zone)
                messages.warning(request, note)
            return redirect("company-settings")
    return render(
        request,
        "org/company_settings.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
