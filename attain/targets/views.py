"""Pages of the target planning workspace. Views validate input and call services;
people's data is read through ``visible_people`` (via the selectors)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attain.accounts.models import Role
from attain.audit.models import AuditEvent
from attain.calc.periods import (
    fiscal_year_of_day,
    period_bounds,
    year_bounds,
    year_month_ids,
    year_months,
)
from attain.measures.services import measure_names
from attain.org.models import Unit
from attain.org.selectors import person_of, role_of
from attain.web import charts
from attain.web.views import PAGE_SIZE, querystring

from . import access, excel, services
from .allocation import Grid, compute_allocation, settled_allocation
from .forecast import by_key, fan
from .forms import PlanForm, SettingsForm
from .guards import compound_ratio, fairness, gaps, level_ratios, overassignment
from .models import (
    EDITABLE,
    IN_FORCE,
    Acknowledgement,
    Commitment,
    Kind,
    Method,
    PlanStatus,
    Reallocation,
    TargetCell,
    TargetEdit,
    TargetPlan,
)
from .pace import behind_first, problem_message
from .reallocation import org_changes_since, visible_changes
from .selectors import (
    notifications_for,
    person_targets,
    plans_in_force,
    visible_codes,
    visible_plans,
)
from .snapshots import Stored, stored_forecast, stored_pace
from .stored import stored_grids

GRID_ROW_LIMIT = 800
CHOICES = 50  # rows offered in the fan chart's list
METHOD_CHOICES = [(m.value, m.label) for m in Method]


def _errors(request: HttpRequest, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, PermissionDenied):
        messages.error(request, str(error) or _("You may not do this."))
        return
    for message in error.messages:
        messages.error(request, message)


def _apply(request: HttpRequest, write: Callable[[], object], done: str) -> bool:
    """Call a service: its refusal or validation errors become messages, success ``done``."""
    try:
        write()
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
        return False
    messages.success(request, done)
    return True


def _plan(request: HttpRequest, pk: int) -> TargetPlan:
    plan = visible_plans(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


# Plan list and creation ---------------------------------------------------------------


@login_required
def plans(request: HttpRequest) -> HttpResponse:
    role = role_of(request.user)
    can_create = access.can_create_plan(request.user)
    form = PlanForm(
        request.POST or None, initial={"fiscal_year": fiscal_year_of_day(timezone.localdate())}
    )
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            measures: dict[str, Any] = {data["measure"]: data["total"]}
            if data["measure_2"]:
                measures[data["measure_2"]] = data["total_2"]
            try:
                plan = services.create_target_plan(
                    request.user,
                    name=data["name"],
                    fiscal_year=data["fiscal_year"],
                    root_unit=data["root_unit"],
                    measures=measures,
                )
            except (ValidationError, PermissionDenied) as error:
                _errors(request, error)
            else:
                messages.success(request, _("Plan created: choose the methods and preview it."))
                return redirect("targets:plan", pk=plan.pk)
    visible = visible_plans(request.user)
    if role == Role.MANAGER:
        led = access.led_unit_ids(request.user)
        visible = visible.filter(Q(status__in=IN_FORCE) | Q(root_unit_id__in=led))
    return render(
        request,
        "targets/plans.html",
        {"plans": visible, "form": form, "can_create": can_create},
    )


# One plan ------------------------------------------------------------------------------


def _numbers(text: str) -> list[str]:
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


def _level_from_post(post: Any, prefix: str) -> dict[str, Any]:
    method = post.get(f"{prefix}-method", "equal")
    spec: dict[str, Any] = {"method": method, "overassign": post.get(f"{prefix}-overassign") or "1"}
    if method == "blend":
        spec["blend"] = {
            name: post.get(f"{prefix}-{name}")
            for name in ("equal", "history", "potential", "capacity")
            if post.get(f"{prefix}-{name}") not in (None, "", "0")
        }
    return spec


def _levels_view(plan: TargetPlan, depth_names: list[str]) -> list[dict[str, Any]]:
    levels = plan.levels or {}
    units = levels.get("units") or [{}]
    rows = []
    for depth, label in enumerate(depth_names[:-1]):
        spec = units[min(depth, len(units) - 1)]
        rows.append({"prefix": f"u{depth}", "label": label, **_level_display(spec)})
    rows.append(
        {"prefix": "people", "label": depth_names[-1], **_level_display(levels.get("people") or {})}
    )
    return rows


def _level_display(spec: dict[str, Any]) -> dict[str, Any]:
    blend = spec.get("blend") or {}
    return {
        "method": spec.get("method", "equal"),
        "overassign": spec.get("overassign", "1"),
        "blend": [  # (method, its name in the reader's language, weight)
            (name, Method(name).label, blend.get(name, ""))
            for name in ("equal", "history", "potential", "capacity")
        ],
    }


def _depth_names(grid: Grid | None, plan: TargetPlan) -> list[str]:
    """Level labels: root → its children → … → people."""
    if grid is not None:
        depth = max((row.depth for row in grid.rows if row.kind == Kind.UNIT), default=0)
    else:  # the preview failed: the tree still has its levels, keep a row for each
        depth = services.unit_depth(plan)
    names = [
        _("%(unit)s → level %(n)s") % {"unit": plan.root_unit.name, "n": i + 1}
        for i in range(depth)
    ]
    return [*names, _("Units → people")]


def _filter_rows(request: HttpRequest, grid: Grid, unit: str | None) -> list[Any]:
    codes = visible_codes(request.user)
    rows = grid.rows
    if unit:
        keep: set[str] = {unit}
        for row in rows:
            if row.parent in keep:
                keep.add(row.who)
        rows = [row for row in rows if row.who in keep]
    if codes is not None:
        rows = [row for row in rows if row.kind == Kind.UNIT or row.who in codes]
    return rows


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    measures = list(plan.plan_measures.all())
    measure = request.GET.get("measure") or (measures[0].measure if measures else "")
    unit = request.GET.get("unit") or ""
    grid: Grid | None = None
    error: str | None = None
    seconds = None
    try:
        if plan.status in EDITABLE or not plan.computed:
            allocation = compute_allocation(plan)
            grid = allocation.grids.get(measure)
            seconds = sum(allocation.seconds.values())
        else:
            grid = stored_grids(plan).get(measure)
            if grid is not None:
                _add_history(plan, grid)
    except ValidationError as problem:
        error = "; ".join(problem.messages)
    rows = _filter_rows(request, grid, unit) if grid else []
    truncated = len(rows) > GRID_ROW_LIMIT
    owner = access.owns_plan(request.user, plan)
    me = person_of(request.user)
    editable_codes = access.editable_codes(request.user, plan)
    codes = visible_codes(request.user)
    proposals = list(Reallocation.objects.filter(plan=plan).order_by("-created"))
    for proposal in proposals:  # each with the cells of the people the reader may see
        proposal.shown = visible_changes(proposal.changes, codes)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "plan": plan,
        "settings_seen": services.settings_seen(plan),
        "measures": measures,
        "measure": measure,
        "grid": grid,
        "rows": rows[:GRID_ROW_LIMIT],
        "truncated": truncated,
        "unit": unit,
        "error": error,
        "seconds": seconds,
        "owner": owner,
        "editable": plan.status in EDITABLE and access.can_decompose(request.user, plan),
        "can_export": access.can_decompose(request.user, plan),  # export_grid's own check
        "editable_codes": editable_codes,
        "edit_all": editable_codes is None,
        "can_approve": plan.status == PlanStatus.SUBMITTED and access.can_approve(request.user),
        "can_return": plan.status in (PlanStatus.SUBMITTED, PlanStatus.APPROVED)
        and access.can_return(request.user, plan),
        "can_publish": plan.status == PlanStatus.APPROVED and owner,
        "can_lock": plan.status in (PlanStatus.PUBLISHED, PlanStatus.ACKNOWLEDGED)
        and access.is_planner(request.user),
        "can_revise": plan.status in IN_FORCE and owner,
        "can_submit": plan.status == PlanStatus.DRAFT and owner,
        "settings_form": SettingsForm(
            initial={
                "name": plan.name,
                "roles": plan.roles,
                "months": plan.months,
                "month_weights": ", ".join(str(w) for w in plan.month_weights or []),
                "history_year": plan.history_year,
                "ramp": ", ".join(str(r) for r in plan.ramp or []),
                "round_to": plan.round_to,
                "max_overassign": plan.max_overassign,
            }
        ),
        "levels": _levels_view(plan, _depth_names(grid, plan)),
        "methods": METHOD_CHOICES,
        "versions": TargetPlan.objects.filter(family=plan.family).order_by("-version"),
        "acknowledged": Acknowledgement.objects.filter(plan=plan).count(),
        "carriers": TargetCell.objects.filter(
            plan=plan, kind=Kind.PERSON, period=str(plan.fiscal_year)
        )
        .values("who")
        .distinct()
        .count(),
        "month_labels": month_labels(plan.fiscal_year),
        "me": me,
        "proposals": proposals,
        # the engine's warnings name people: for those who see everyone, and the owner
        "show_warnings": codes is None or owner,
        "fair_limited": codes is not None,  # the fairness report covers the visible only
        "org_changes": org_changes_since(plan, codes) if plan.status in IN_FORCE else [],
        "is_planner": access.is_planner(request.user),
    }
    if grid is not None:
        context["over"] = overassignment(grid, plan.max_overassign)
        context["levels_over"] = level_ratios(grid, plan.max_overassign)
        context["compound"] = compound_ratio(context["levels_over"])
        context["fair"] = fairness(grid, codes)  # over the people the reader sees
        commitments = dict(
            Commitment.objects.filter(plan=plan, measure=measure).values_list("who", "value")
        )
        context["gaps"] = [
            g
            for g in gaps(grid, commitments)
            if codes is None or g.kind == Kind.UNIT or g.who in codes
        ]
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "targets/grid.html", context)
    return render(request, "targets/plan.html", context)


def _add_history(plan: TargetPlan, grid: Grid) -> None:
    """Last year's actuals and potentials (for the fairness report) of a stored grid,
    from the engine's current data."""
    try:  # kept while the plan and the data stay the same: not rerun on every view
        live = settled_allocation(plan).grids.get(grid.measure)
    except ValidationError:
        return
    if live is None:
        return
    found = live.by_who()
    for row in grid.rows:
        source = found.get(row.who)
        if source is not None:
            row.history, row.potential = source.history, source.potential


@login_required
@require_POST
def plan_settings(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = SettingsForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for message in errors:
                label = form.fields[field].label if field in form.fields else ""
                # Translators: a form error: the field's name, then what is wrong with it
                text = _("%(field)s: %(problem)s") % {"field": label, "problem": message}
                messages.error(request, text if label else str(message))
        return redirect("targets:plan", pk=plan.pk)
    data = form.cleaned_data
    depth_count = int(request.POST.get("unit-levels") or 1)
    levels = {
        "units": [_level_from_post(request.POST, f"u{d}") for d in range(max(depth_count, 1))],
        "people": _level_from_post(request.POST, "people"),
    }
    totals = {
        pm.measure: request.POST.get(f"total-{pm.measure}", pm.total)
        for pm in plan.plan_measures.all()
    }
    _apply(
        request,
        lambda: services.update_plan(
            request.user,
            plan,
            measures=totals,
            name=data["name"],
            roles=data["roles"],
            months=data["months"],
            month_weights=_numbers(data["month_weights"] or ""),
            history_year=data["history_year"],
            ramp=_numbers(data["ramp"] or ""),
            round_to=data["round_to"],
            max_overassign=data["max_overassign"],
            levels=levels,
            seen=request.POST.get("seen") or None,
        ),
        _("Settings saved; the preview below uses them."),
    )
    return redirect("targets:plan", pk=plan.pk)


@login_required
@require_POST
def plan_cell(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        services.edit_cell(
            request.user,
            plan,
            measure=request.POST.get("measure", ""),
            who=request.POST.get("who", ""),
            period=request.POST.get("period", ""),
            value=request.POST.get("value", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
    url = f"{request.path.rsplit('/cell/', 1)[0]}/?measure={request.POST.get('measure', '')}"
    if request.POST.get("unit"):
        url += f"&unit={request.POST['unit']}"
    if request.htmx:  # type: ignore[attr-defined]
        return plan_detail_partial(request, plan)
    return redirect(url)


def plan_detail_partial(request: HttpRequest, plan: TargetPlan) -> HttpResponse:
    request.GET = request.POST  # the grid's own filters travel with the edit
    return plan_detail(request, plan.pk)


@login_required
@require_POST
def plan_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    plan = _plan(request, pk)
    user = request.user
    reason = request.POST.get("reason", "")
    done = {
        "save": _("Allocation computed and saved."),
        "submit": _("Plan submitted for approval."),
        "approve": _("Plan approved."),
        "return": _("Plan returned to draft."),
        "publish": _("Plan published: everyone with a target has been notified."),
        "lock": _("Plan locked."),
        "revise": _("A new draft version was created."),
    }
    try:
        if action == "save":
            services.save_allocation(user, plan)
        elif action == "submit":
            services.submit_plan(user, plan)
        elif action == "approve":
            services.approve_plan(user, plan)
        elif action == "return":
            services.return_plan(user, plan, reason)
        elif action == "publish":
            services.publish_plan(user, plan)
        elif action == "lock":
            services.lock_plan(user, plan)
        elif action == "revise":
            plan = services.revise_plan(user, plan, reason)
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
    else:
        messages.success(request, done[action])
    return redirect("targets:plan", pk=plan.pk)


@login_required
def plan_changes(request: HttpRequest, pk: int) -> HttpResponse:
    """The change log of every version of a plan: the plan's own events and those of its
    edits, acknowledgements and commitments."""
    plan = _plan(request, pk)
    if not access.can_read_changes(request.user, plan):
        raise PermissionDenied
    versions = list(TargetPlan.objects.filter(family=plan.family).order_by("version"))
    ids = [v.pk for v in versions]
    types = ContentType.objects.get_for_models(TargetPlan, TargetEdit, Acknowledgement, Commitment)
    related = {
        TargetEdit: TargetEdit.objects.filter(plan_id__in=ids),
        Acknowledgement: Acknowledgement.objects.filter(plan_id__in=ids),
        Commitment: Commitment.objects.filter(plan_id__in=ids),
    }
    condition = Q(content_type=types[TargetPlan], object_id__in=[str(i) for i in ids])
    for model, objects in related.items():
        condition |= Q(
            content_type=types[model],
            object_id__in=[str(i) for i in objects.values_list("pk", flat=True)],
        )
    events = AuditEvent.objects.filter(condition).select_related("content_type", "actor")
    page = Paginator(events.order_by("-at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "targets/changes.html",
        {"plan": plan, "versions": versions, "page": page, "querystring": querystring(request)},
    )


@login_required
@require_POST
def reallocate(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    _apply(
        request,
        lambda: services.propose_reallocation(
            request.user,
            plan,
            unit=request.POST.get("unit", ""),
            from_month=request.POST.get("from_month", ""),
            reason=request.POST.get("reason", ""),
        ),
        _("Reallocation proposed: it awaits approval."),
    )
    return redirect("targets:plan", pk=plan.pk)


@login_required
@require_POST
def decide_reallocation(
    request: HttpRequest, pk: int, proposal: int, decision: str
) -> HttpResponse:
    plan = _plan(request, pk)
    found = Reallocation.objects.filter(plan=plan, pk=proposal).first()
    if found is None:
        raise Http404
    try:
        if decision == "approve":
            new = services.approve_reallocation(request.user, found)
            messages.success(
                request, _("Reallocation applied: version %(v)s is published.") % {"v": new.version}
            )
            return redirect("targets:plan", pk=new.pk)
        services.reject_reallocation(request.user, found, request.POST.get("reason", ""))
        messages.success(request, _("Reallocation rejected."))
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
    return redirect("targets:plan", pk=plan.pk)


# My targets, team pace ------------------------------------------------------------------


def month_labels(fiscal_year: int) -> list[datetime.date]:
    """The first days of a fiscal year's months, in order (April first when the year
    starts in April): the grid's column headers."""
    return [month.first_day for month in year_months(fiscal_year)]


@login_required
def my_targets(request: HttpRequest) -> HttpResponse:
    me = person_of(request.user)
    today = timezone.localdate()
    entries = []
    if me is not None:
        for plan in plans_in_force():
            targets = person_targets(plan, me.code)
            if not targets:
                continue
            ack = Acknowledgement.objects.filter(plan=plan, person=me).first()
            pace_rows = _safe_pace(plan, today)
            rows = []
            for measure, periods in targets.items():
                year = periods.get(str(plan.fiscal_year), Decimal(0))
                months = [
                    periods.get(month, Decimal(0)) for month in year_month_ids(plan.fiscal_year)
                ]
                quarters = [sum(months[i : i + 3], Decimal(0)) for i in (0, 3, 6, 9)]
                commitment = Commitment.objects.filter(
                    plan=plan, measure=measure, who=me.code
                ).first()
                pace = [r for r in pace_rows.rows if r.who == me.code and r.measure == measure]
                rows.append(
                    {
                        "measure": measure,
                        "year": year,
                        "months": months,
                        "quarters": quarters,
                        "commitment": commitment,
                        "pace": pace,
                    }
                )
            forecasts = _safe_forecast(plan, today)
            entries.append(
                {
                    "plan": plan,
                    "ack": ack,
                    "rows": rows,
                    "forecasts": by_key(forecasts.rows),
                    "snapshot": _older(pace_rows, forecasts),
                }
            )
    context = {
        "me": me,
        "entries": entries,
        "notifications": notifications_for(request.user),
        "month_labels": month_labels(timezone.localdate().year),
        "today": today,
    }
    response = render(request, "targets/mine.html", context)
    services.mark_notifications_read(request.user)
    return response


def _safe_forecast(plan: TargetPlan, day: datetime.date) -> Stored[Any]:
    """The stored forecasts (none when the data cannot be calculated)."""
    try:
        return stored_forecast(plan, day)
    except (ValueError, ValidationError):
        return Stored([], day, timezone.now(), True)


def _safe_pace(plan: TargetPlan, day: datetime.date) -> Stored[Any]:
    try:
        return stored_pace(plan, day)
    except (ValueError, ValidationError):
        return Stored([], day, timezone.now(), True)


def _older(*shown: Stored[Any]) -> Stored[Any] | None:
    """The oldest of the snapshots a page shows, when it is out of date (a note says when
    it was calculated, and that newer figures are on their way)."""
    stale = [s for s in shown if not s.current]
    return min(stale, key=lambda s: (s.as_of, s.calculated)) if stale else None


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    _apply(
        request,
        lambda: services.acknowledge_target(request.user, plan, request.POST.get("comment", "")),
        _("Thank you: your targets are acknowledged."),
    )
    return redirect("targets:mine")


@login_required
@require_POST
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    me = person_of(request.user)
    who = request.POST.get("who") or (me.code if me else "")
    _apply(
        request,
        lambda: services.submit_commitment(
            request.user,
            plan,
            measure=request.POST.get("measure", ""),
            who=who,
            value=request.POST.get("value", ""),
            comment=request.POST.get("comment", ""),
        ),
        _("Your commitment is recorded."),
    )
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "targets:mine"  # only back to a page of this site
    return redirect(target)


def _pace_plan(in_force: list[TargetPlan], as_of: datetime.date) -> TargetPlan | None:
    """The plan pace opens on: the newest in force whose fiscal year has begun by
    ``as_of`` (the one running now, not next year's, where everyone is at zero)."""
    begun = [p for p in in_force if year_bounds(p.fiscal_year)[0] <= as_of]
    if begun:
        return max(begun, key=lambda p: (p.fiscal_year, p.version, p.pk))
    return in_force[-1] if in_force else None


@login_required
def team_pace(request: HttpRequest) -> HttpResponse:
    if not access.can_see_team_pace(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    try:
        as_of = (
            datetime.date.fromisoformat(request.GET.get("as_of", ""))
            if request.GET.get("as_of")
            else today
        )
    except ValueError:
        as_of = today
    in_force = plans_in_force()
    plan = next((p for p in in_force if str(p.pk) == request.GET.get("plan")), None)
    plan = plan or _pace_plan(in_force, as_of)
    rows: list[Any] = []
    periods: list[str] = []
    error = None
    period = request.GET.get("period") or ""
    shown: list[Stored[Any]] = []
    if plan is not None:
        try:
            shown.append(stored_pace(plan, as_of))  # calculated once per data change
            rows = shown[0].rows
        except (ValueError, ValidationError) as problem:
            error = problem_message(problem)
        periods = sorted({r.period for r in rows})
        codes = visible_codes(request.user)
        led = access.led_unit_ids(request.user)
        led_codes = set(Unit.objects.filter(pk__in=led).values_list("code", flat=True))
        rows = [
            r
            for r in rows
            if codes is None
            or (r.kind == "person" and r.who in codes)
            or (r.kind == "unit" and r.who in led_codes)
        ]
        if period not in periods:  # none asked, or one of another plan (switching plans)
            period = str(plan.fiscal_year)
        rows = [r for r in rows if r.period == period]
    # forecasts only for the rows shown (the same visibility filter applied above)
    forecasts: dict[str, Any] = {}
    if plan is not None and rows:
        shown.append(_safe_forecast(plan, as_of))
        forecasts = by_key(shown[-1].rows)
    day = shown[0].as_of if shown else as_of  # an earlier day's, while today's are calculated
    fan_rows, fan_row, fan_chart = _fan(rows, forecasts, period, day, request.GET.get("fan", ""))
    people = [r for r in rows if r.kind == "person"]
    behind = [r for r in behind_first(people) if r.status in ("behind", "missed", "at_risk")]
    return render(
        request,
        "targets/pace.html",
        {
            "plans": in_force,
            "plan": plan,
            "rows": behind_first(rows),
            "behind": behind,
            "period": period,
            "periods": periods,
            "as_of": as_of,
            "error": error,
            "forecasts": forecasts,
            "fan_rows": fan_rows,
            "fan_row": fan_row,
            "fan_chart": fan_chart,
            "snapshot": _older(*shown),
        },
    )


def _fan(
    rows: list[Any], forecasts: dict[str, Any], period: str, as_of: datetime.date, asked: str
) -> tuple[list[Any], Any, Any]:
    """The rows a fan chart can be drawn for (those with a forecast ahead: units first),
    the one chosen (``?fan=kind|who|measure``, else the first) and its chart."""
    bounds = period_bounds(period)
    if bounds is None or not forecasts:
        return [], None, None
    ahead: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for f in forecasts.values():
        ahead[(f.kind, f.who, f.measure)].append(f)
    drawn: dict[int, Any] = {}

    def drawn_for(row: Any) -> Any:  # each row's fan once, and only those needed
        if id(row) not in drawn:
            drawn[id(row)] = fan(
                bounds,
                as_of,
                row.actual or Decimal(0),
                row.target,
                ahead.get((row.kind, row.who, row.measure), []),
            )
        return drawn[id(row)]

    ordered = sorted(rows, key=lambda r: (r.kind != "unit", -(r.target or 0), r.name))
    chosen = next((r for r in ordered if _fan_key(r) == asked and drawn_for(r) is not None), None)
    choices: list[Any] = []  # the units that have a fan (the first 50), and the one chosen
    for row in ordered:
        if row.kind != "unit" and chosen is not None:
            break  # past the units: only looking for the first row with a fan
        if len(choices) >= CHOICES or drawn_for(row) is None:
            continue
        chosen = chosen or row
        if row.kind == "unit" or row is chosen:
            choices.append(row)
    if chosen is None:
        return [], None, None
    if all(c is not chosen for c in choices) and len(choices) < CHOICES:
        choices.append(chosen)
    row, points = chosen, drawn_for(chosen)
    last = max(i for i, value in enumerate(points.p50) if value is not None)  # the furthest
    chart = charts.fan(
        [date_format(d, "SHORT_DATE_FORMAT") for d in points.dates],  # the reader's days
        actual=(_("Actual to date"), points.actual),
        p10=points.p10,
        p50=(_("Forecast P50"), points.p50),
        p90=points.p90,
        band=_("P10–P90 range"),
        target=(_("Target, spread evenly"), points.target) if row.target else None,
        description=_(
            "%(name)s, %(measure)s: %(actual)s to date; by %(day)s most likely %(p50)s "
            "(P10 %(p10)s – P90 %(p90)s)."
        )
        % {
            "name": row.name,
            "measure": measure_names().get(row.measure, row.measure),
            "actual": _whole(row.actual),
            "day": date_format(points.dates[last], "SHORT_DATE_FORMAT"),
            "p50": _whole(points.p50[last]),
            "p10": _whole(points.p10[last]),
            "p90": _whole(points.p90[last]),
        },
    )
    return choices, {"row": row, "points": points, "key": _fan_key(row)}, chart


def _whole(value: Decimal | None) -> str:
    """A figure in a chart's description: whole, grouped in the reader's language."""
    return number_format(Decimal(value or 0).quantize(Decimal(1)), 0, force_grouping=True)


def _fan_key(row: Any) -> str:
    return f"{row.kind}|{row.who}|{row.measure}"


# Excel round trip -----------------------------------------------------------------------


@login_required
def export_grid(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not access.can_decompose(request.user, plan):
        raise PermissionDenied
    if plan.status in EDITABLE or not plan.computed:
        grids = compute_allocation(plan).grids
    else:
        grids = stored_grids(plan)
    codes = visible_codes(request.user)
    content = excel.export_workbook(plan, grids, codes)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="targets-{plan.pk}-v{plan.version}.xlsx"'
    )
    return response


@login_required
def import_grid(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if plan.status not in EDITABLE:
        messages.error(request, _("Only a draft plan takes an import."))
        return redirect("targets:plan", pk=plan.pk)
    context: dict[str, Any] = {"plan": plan}
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            changes = signing.loads(
                request.POST["confirm"], salt=f"targets-import-{plan.pk}", max_age=3600
            )
            count = services.apply_edits(
                request.user,
                plan,
                [(c["measure"], c["who"], c["period"], Decimal(c["after"])) for c in changes],
            )
        except signing.BadSignature:
            messages.error(request, _("The import expired; upload the file again."))
        except (ValidationError, PermissionDenied) as error:
            _errors(request, error)
        else:
            messages.success(request, _("%(n)s cells changed from the workbook.") % {"n": count})
            return redirect("targets:plan", pk=plan.pk)
    elif request.method == "POST" and request.FILES.get("file"):
        grids = compute_allocation(plan).grids
        upload: Any = request.FILES["file"]
        result = excel.read_workbook(upload, plan, grids)
        allowed = [c for c in result.changes if access.can_edit_cell(request.user, plan, c.who)]
        refused = [c for c in result.changes if c not in allowed]
        context.update(
            {
                "result": result,
                "changes": allowed,
                "refused": refused,
                "token": signing.dumps(
                    [c.as_dict() for c in allowed], salt=f"targets-import-{plan.pk}"
                )
                if allowed and not result.errors
                else "",
            }
        )
    return render(request, "targets/import.html", context)
