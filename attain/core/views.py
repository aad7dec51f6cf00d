"""The home page and the audit trail (the organisation pages are in :mod:`attain.org.views`).
People's data is read only through ``visible_people``."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from attain.accounts.models import Role
from attain.audit.filters import filter_events
from attain.audit.models import Action, AuditEvent
from attain.org.access import can_see_organisation_summary
from attain.org.models import Assignment, Person, Unit
from attain.org.selectors import (
    can_read_audit,
    person_of,
    role_of,
    visible_people,
    with_assignment_on,
)
from attain.web.pickers import KINDS as PICK_KINDS

from . import search

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
        # the reporting line of today: not the leavers a manager still sees (final pay)
        team = with_assignment_on(
            visible_people(request.user, today).exclude(pk=me.pk).employed_on(today), today
        )
        context["team_size"] = team.count()
        context["direct_reports"] = team.filter(manager_id_on=me.pk).order_by("name")
        context["team_changes"] = (
            Assignment.objects.filter(
                person__in=team, valid_from__gt=today - datetime.timedelta(days=180)
            )
            .select_related("person", "unit", "manager")
            .order_by("-valid_from")[:10]
        )
    if can_see_organisation_summary(request.user):
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


def _model_label(app_label: str, model: str) -> str:
    """The object type as its reader names it (the model's verbose name, translated)."""
    from django.apps import apps

    try:
        return str(apps.get_model(app_label, model)._meta.verbose_name)
    except LookupError:
        return f"{app_label}.{model}"


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
            "types": [(f"{a}.{m}", _model_label(a, m)) for a, m in types],
            "actions": Action.choices,
        },
    )


@login_required
def pick(request: HttpRequest, kind: str) -> HttpResponse:
    """The ``<option>``s of a picker's ``<datalist>`` for the text typed in it (htmx sends
    the input under its own name, which ``field`` gives; ``q`` works too)."""
    if kind not in PICK_KINDS:
        raise Http404
    field = request.GET.get("field") or "q"
    q = request.GET.get(field, "") or request.GET.get("q", "")
    options = search.pick_options(request.user, kind, q)
    return render(request, "core/pick_options.html", {"options": options})


@login_required
def global_search(request: HttpRequest) -> HttpResponse:
    """Search people, units, customers, opportunities and orders by name, code or
    external id, grouped by kind, under the visibility rule."""
    q = request.GET.get("q", "").strip()[: search.MAX_QUERY]
    groups = search.search_all(request.user, q)
    return render(request, "core/search.html", {"q": q, "groups": groups})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's refusal of a form sent with a stale token (``403_csrf.html``). htmx shows
    no 403: a value typed into the target grid after signing in again in another tab
    looked saved and was not. For htmx the page reloads instead (what is stored shows,
    with a fresh token) and says that the change was not saved."""
    from django.contrib import messages
    from django.utils.translation import gettext
    from django.views.csrf import csrf_failure as django_csrf_failure

    response = django_csrf_failure(request, reason)
    if request.headers.get("HX-Request") == "true":
        messages.warning(
            request,
            gettext(
                "This page had expired, so your last change was not saved. The page is "
                "reloaded: make the change again."
            ),
        )
        response["HX-Refresh"] = "true"
    return response
