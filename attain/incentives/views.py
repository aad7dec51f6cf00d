"""Web pages: my performance, explanations, estimator, my team, dashboard, leaderboards,
plans (designer, versions, YAML), measures and calculation runs. Reads go through
:mod:`.selectors` (people only through ``visible_people``); writes through
:mod:`.services`."""

from __future__ import annotations

import datetime
import functools
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attain.calc.periods import fiscal_year_of_day, period_bounds, year_bounds, year_month_ids
from attain.crm.stages import stored_step
from attain.engine import parse_period
from attain.measures import direction
from attain.measures.forms import table_choices
from attain.measures.models import Measure
from attain.measures.services import measure_names
from attain.org.company import company
from attain.org.models import Unit
from attain.org.selectors import labelled_units, person_of, visible_people
from attain.web import charts
from attain.web.forms import record_pk, ungrouped
from attain.web.views import run_and_say

from . import access, explain_text, governance, reasons, selectors, services
from .calculation import MAIN_MEASURE
from .documents import (
    KINDS,
    PERIODS,
    SCOPES,
    apply_action,
    document_from_form,
    form_from_document,
)
from .models import CalculationRun, Plan, PlanVersion, RunKind
from .run_report import run_report


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _period(request: HttpRequest, default_kind: str = "quarter") -> str:
    """The period asked for; a period that is not one (``?period=garbage``) falls back to
    the current one with a message rather than failing."""
    asked = request.GET.get("period", "").strip()
    if not asked:
        return selectors.current_period(default_kind)
    parsed = parse_period(asked)
    if parsed is None:
        messages.warning(
            request,
            _("“%(period)s” is not a period (e.g. 2026, 2026-Q1, 2026-03): showing %(shown)s.")
            % {"period": asked, "shown": selectors.current_period(default_kind)},
        )
        return selectors.current_period(default_kind)
    return parsed.id


def _period_choices(year: int) -> list[str]:
    """The fiscal year's periods, between the year before and the year after (choosing
    one of those lists its own periods: earlier years need no typed address)."""
    periods = (
        [f"{year:04d}", f"{year:04d}-H1", f"{year:04d}-H2"]
        + [f"{year:04d}-Q{q}" for q in range(1, 5)]
        + year_month_ids(year)
    )
    return [f"{year - 1:04d}", *periods, f"{year + 1:04d}"]


def _fiscal_year(period: str) -> int:
    """The fiscal year a period id lies in: ``2027-01`` is in FY2026 when the year
    starts in April."""
    bounds = period_bounds(period)
    return fiscal_year_of_day(bounds[0]) if bounds is not None else int(period[:4])


def _measures() -> dict[str, Measure]:
    return {m.code: m for m in Measure.objects.all()}


def _measure_names() -> dict[str, str]:
    key = f"incentives:measure-names:{get_language()}"  # a default measure's, per language
    names: dict[str, str] | None = cache.get(key)
    if names is None:
        names = measure_names()
        cache.set(key, names, 60)
    return names


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# My performance -----------------------------------------------------------------------


def server_timing(view: Any) -> Any:
    """Adds ``Server-Timing: view;dur=MS`` (the view's own time) for ``attain bench_web``."""

    @functools.wraps(view)
    def timed(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        began = time.perf_counter()
        response: HttpResponse = view(request, *args, **kwargs)
        response["Server-Timing"] = f"view;dur={(time.perf_counter() - began) * 1000:.1f}"
        return response

    return timed


@server_timing
@login_required
def my_performance(request: HttpRequest) -> HttpResponse:
    if not request.GET.get("person") and person_of(request.user) is None:
        # A login with no person: the teams' view instead (admin, sales operations), or
        # the dashboard for finance, who may not open the teams' page.
        if access.can_see_team(request.user):
            return redirect("incentives:team")
        if access.can_see_dashboard(request.user):
            return redirect("incentives:dashboard")
        return redirect("incentives:leaderboard")
    person = selectors.person_for(request.user, request.GET.get("person"))
    period = _period(request)
    row = (
        selectors.results(request.user, period).filter(person=person).select_related("unit").first()
    )
    names = _measure_names()
    lines = []
    if row is not None:
        lower = direction.lower_is_better()
        # by code, not in the stored JSON's order (PostgreSQL's jsonb keeps its own)
        for code, actual in sorted(row.measures.items()):
            lines.append(
                {
                    "code": code,
                    "name": names.get(code, code),
                    "actual": actual,
                    "target": row.targets.get(code),
                    "attainment": row.attainment.get(code),
                    "pace": direction.judged_pace(
                        (row.pace or {}).get(code), actual, row.targets.get(code), code in lower
                    ),
                }
            )
        lines.sort(key=lambda line: (line["target"] is None, line["code"] != MAIN_MEASURE))
    context = {
        "person": person,
        "period": period,
        "periods": _period_choices(_fiscal_year(period)),
        "row": row,
        "lines": lines,
        "components": selectors.components_for(row) if row else [],
        # read once, and only when the page is rendered (not from its cache)
        "labels": functools.cache(functools.partial(selectors.plan_labels, period)),
        "scores": {
            (plan, cid): score
            for plan, entry in (row.plans if row else {}).items()
            for cid, score in (entry.get("scores") or {}).items()
        },
        "honours": selectors.honours_of(person),
        "is_me": person_of(request.user) == person,
        "explain_url": reverse("incentives:explain", args=[person.code, period]),
    }
    pace = selectors.pace_over_year(person, _fiscal_year(period))
    if any(p["target_to_date"] for p in pace):
        name = names.get(MAIN_MEASURE, MAIN_MEASURE)
        context["pace"] = pace
        main = Measure.objects.filter(code=MAIN_MEASURE).first()
        context["pace_money"] = main is not None and main.is_money  # revenue: an amount
        context["pace_chart"] = charts.lines(
            [p["period"] for p in pace],
            [
                (_("%(measure)s to date") % {"measure": name}, [p["actual_to_date"] for p in pace]),
                (_("Target to date"), [p["target_to_date"] for p in pace]),
            ],
        )
    return render(request, "incentives/my_performance.html", context)


@login_required
def explanation(request: HttpRequest, code: str, period: str) -> HttpResponse:
    row = selectors.result_for(request.user, code, period)
    document = services.explanation_of(row)
    measure = request.GET.get("measure")
    component = request.GET.get("component")
    context: dict[str, Any] = {
        "row": row,
        "doc": document,
        "period": period,
        "labels": functools.cache(functools.partial(selectors.plan_labels, period)),
    }
    if measure:
        entry = document.get("measures", {}).get(measure)
        if entry is None:
            raise Http404
        pace = direction.judged_pace(
            entry.get("pace"),
            entry.get("actual"),
            (entry.get("target") or {}).get("value"),
            measure in direction.lower_is_better(),
        )
        context.update(measure=measure, entry={**entry, "pace": pace})
    elif component:
        plan_id, _sep, component_id = component.partition(".")
        plan = document.get("plans", {}).get(plan_id)
        entry = plan and plan["components"].get(component_id)
        if entry is None:
            raise Http404
        context.update(plan_id=plan_id, plan=plan, component_id=component_id, entry=entry)
        # the steps name each measure as the page does (one query for all of them)
        names = measure_names()
        context["steps"] = [explain_text.step_text(step, names) for step in entry["steps"]]
    template = (
        "incentives/explanation_partial.html" if _htmx(request) else "incentives/explanation.html"
    )
    return render(request, template, context)


class EstimateForm(forms.Form):
    """The amount of the earnings estimator: money a rep might still close (more than
    nothing, at most what an order may hold)."""

    amount = forms.DecimalField(max_digits=18, decimal_places=2, min_value=Decimal("0.01"))


@login_required
@require_POST
def estimate(request: HttpRequest, code: str, period: str) -> HttpResponse:
    row = selectors.result_for(request.user, code, period)
    form = EstimateForm({"amount": ungrouped(request.POST.get("amount", ""))})
    if not form.is_valid():
        example = number_format(50000, 0, force_grouping=True)  # as the page's amounts
        error = _("Enter an amount, e.g. %(example)s.") % {"example": example}
        return render(request, "incentives/estimate.html", {"error": error})
    try:
        estimate = services.estimate_earnings(row.person, period, form.cleaned_data["amount"])
    except ValidationError as error:
        return render(request, "incentives/estimate.html", {"error": "; ".join(error.messages)})
    return render(request, "incentives/estimate.html", {"estimate": estimate, "period": period})


# My team ------------------------------------------------------------------------------

TEAM_ROWS = 200  # each part of the team page lists this many people; a unit narrows it


@login_required
def my_team(request: HttpRequest) -> HttpResponse:
    _require(access.can_see_team(request.user))
    period = _period(request)
    measures = _measures()
    start, end = _bounds(period)
    units = labelled_units(selectors.team_units(request.user, period))
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit")), None)
    heatmap = selectors.heatmap(request.user, period, unit=unit, limit=TEAM_ROWS)
    # the furthest behind, and their reasons only
    behind, behind_total = selectors.behind_pace_first(request.user, period, unit, TEAM_ROWS)
    as_of = min(timezone.localdate(), end)
    people = selectors.team_people(request.user, period, unit)
    funnel = selectors.funnel(request.user, start, end, people)
    found = reasons.reasons_for(
        people,
        [row.person for row in behind],
        start,
        end,
        as_of,
        {row.person_id: selectors.main_target_and_actual(row) for row in behind},
        funnel,
    )
    context = {
        "period": period,
        "periods": _period_choices(_fiscal_year(period)),
        "units": units,
        "unit": unit,
        "shown": TEAM_ROWS,
        "measures": [measures[c] for c in heatmap["measures"] if c in measures],
        "untargeted": [
            m for code, m in sorted(measures.items()) if code not in heatmap["measures"]
        ],
        "heatmap": heatmap["rows"],
        "heatmap_total": heatmap["total"],
        "behind_total": behind_total,
        "funnel_people": funnel["people"][:TEAM_ROWS],
        "funnel_total": len(funnel["people"]),
        "behind": [
            {
                "row": row,
                "reasons": [
                    {"code": r["code"], "label": reasons.label(r["code"]), "text": reasons.text(r)}
                    for r in found.get(row.person_id, [])
                ],
            }
            for row in behind
        ],
        "funnel": {**funnel, "steps": [stored_step(step) for step in funnel["steps"]]},
    }
    return render(request, "incentives/my_team.html", context)


def _bounds(period: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day of ``period`` in the company's fiscal year."""
    bounds = period_bounds(period)
    if bounds is None:
        raise Http404
    return bounds


# Dashboard and leaderboards -----------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require(access.can_see_dashboard(request.user))
    period = _period(request)
    dist = selectors.distribution(period)
    series = selectors.over_time(_fiscal_year(period))
    costs = selectors.cost_over_quarters(period, 8)
    context = {
        "period": period,
        "periods": _period_choices(_fiscal_year(period)),
        "dist": dist,
        "series": series,
        "costs": costs,
        "can_see_effectiveness": access.can_see_effectiveness(request.user),
        "charts": {
            "distribution": charts.bars(
                [b["label"] for b in dist["buckets"]],
                [(_("Reps"), [b["count"] for b in dist["buckets"]])],
            ),
            "units": charts.bars(
                [u["unit"] for u in dist["by_unit"]],
                [(_("At or above 100%%") % {}, [u["share"] for u in dist["by_unit"]])],
                horizontal=True,
                percent=True,
            ),
            "over_time": charts.bars(
                [s["period"] for s in series],
                [(_("At or above 100%%") % {}, [s["share"] for s in series])],
                percent=True,
                mark_at=None,
            ),
            "cost": charts.lines(
                [c["period"] for c in costs],
                [(_("Cost of sales"), [c["cost_of_sales"] for c in costs])],
                percent=True,
                area=True,
            ),
        },
    }
    return render(request, "incentives/dashboard.html", context)


TOP_CHARTED = 10  # the leaderboard's chart: its first ten
BOARD_ROWS = 200  # the leaderboard page lists this many of each part, and the reader's row


@login_required
def leaderboard(request: HttpRequest) -> HttpResponse:
    if request.GET.get("period", "").strip():
        period = _period(request, "month")
    else:  # open on the latest month with results, not an empty current month
        period = selectors.latest_period_with_data("month")
    unit_id = record_pk(request.GET.get("unit"))
    rows = selectors.leaderboard(request.user, period, unit_id)
    # Nobody is ranked on no result: people at 0% are listed after the ranking, unranked.
    ranked, unranked = selectors.ranked_board(rows)
    # the first rows of each part, and the reader's own row wherever it is
    me = person_of(request.user)
    mine = {me.pk} if me is not None else set()
    shown = ranked[:BOARD_ROWS] + [r for r in ranked[BOARD_ROWS:] if r.person_id in mine]
    shown_unranked = unranked[:BOARD_ROWS] + [
        r for r in unranked[BOARD_ROWS:] if r.person_id in mine
    ]
    from .models import Honour

    year = _fiscal_year(period)
    honours = Honour.objects.filter(
        period__in=[str(year), *(f"{year}-Q{q}" for q in range(1, 5)), *year_month_ids(year)]
    )
    if access.ranks_own_unit(request.user):
        honours = honours.filter(person__in=[r.person_id for r in rows])
    else:
        honours = honours.filter(person__in=visible_people(request.user))
    honours = honours.select_related("person", "unit").order_by(*selectors.HONOURS_ORDER)[:30]
    context: dict[str, Any] = {
        "period": period,
        "periods": _period_choices(year),
        "rows": shown,
        "unranked": shown_unranked,
        "ranked_count": len(ranked),
        "unranked_count": len(unranked),
        "board_rows": BOARD_ROWS,
        "units": _board_units(period, unit_id),
        "unit": unit_id,
        "honours": honours,
        # a rep's board is their unit's: none for a period they did not work in
        "outside": not rows
        and access.ranks_own_unit(request.user)
        and selectors.own_board_unit(request.user, period) is None,
    }
    if ranked:
        top = ranked[:TOP_CHARTED]
        context["top_chart"] = charts.bars(
            [r.person.name for r in top],
            [(_("Attainment"), [r.main_attainment for r in top])],
            horizontal=True,
            percent=True,
            mark_at=1.0,
        )
    return render(request, "incentives/leaderboard.html", context)


def _board_units(period: str, chosen: int | None) -> list[Unit]:
    """The units to rank within: those open at some time in the period (and the one
    chosen, whatever its dates), labelled apart where names repeat."""
    units = Unit.objects.filter(parent__isnull=False)
    bounds = period_bounds(period)
    if bounds is not None:
        start, end = bounds
        units = units.filter(
            (Q(opened__isnull=True) | Q(opened__lte=end))
            & (Q(closed__isnull=True) | Q(closed__gte=start))
            | Q(pk=chosen)
        )
    return labelled_units(units)


# Plans --------------------------------------------------------------------------------


def _require_editor(request: HttpRequest) -> None:
    _require(access.can_edit_plans(request.user))


@login_required
def plans(request: HttpRequest) -> HttpResponse:
    _require(access.can_see_plans(request.user))
    rows = []
    for plan in Plan.objects.prefetch_related("versions"):
        versions = sorted(plan.versions.all(), key=lambda v: -v.number)
        rows.append({"plan": plan, "versions": versions})
    services.fail_abandoned_runs()
    runs = CalculationRun.objects.filter(kind=RunKind.FULL)[:5]
    context = {
        "rows": rows,
        "runs": runs,
        "year": fiscal_year_of_day(timezone.localdate()),
        "last_incremental": CalculationRun.objects.filter(kind=RunKind.INCREMENTAL).first(),
        "overlaps": governance.overlap_warnings(),
        **_governance_context(request),
    }
    return render(request, "incentives/plans.html", context)


def _designer_context(
    document: dict[str, Any], problems: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "form": form_from_document(document),
        "problems": problems or {"plan": {}, "components": {}},
        "warnings": services.plan_warnings(document),
        "kinds": [(kind, explain_text.COMPONENT_KINDS[kind]) for kind in KINDS],
        "periods": [(period, explain_text.PERIOD_KINDS[period]) for period in PERIODS],
        "scopes": [(scope, explain_text.SCOPES[scope]) for scope in SCOPES],
        "measures": Measure.objects.order_by("code"),
        "tables": table_choices(),
        **extra,
    }


@login_required
def designer(request: HttpRequest, code: str | None = None) -> HttpResponse:
    _require_editor(request)
    plan = get_object_or_404(Plan, code=code) if code else None
    if request.method == "POST":
        action = request.POST.get("action", "save")
        # saved or previewed, a row added and left empty is none; while editing it stays
        document = document_from_form(request.POST, drop_empty_rows=action in ("save", "preview"))
        if action not in ("save", "preview"):
            document = apply_action(document, action)
            template = (
                "incentives/designer_form.html" if _htmx(request) else "incentives/designer.html"
            )
            return render(request, template, _designer_context(document, plan=plan))
        if action == "preview":
            # the last complete payout period of the plan's own kind (a half for a
            # half-yearly plan: a quarter showed none of its payouts)
            last = selectors.previous_period(
                selectors.current_period(document.get("period") or "quarter")
            )
            try:
                preview = services.preview_plan(document, last)
            except ValidationError as error:
                problems = services.problems_by_field(services.plan_problems(document))
                return render(
                    request,
                    "incentives/designer_form.html"
                    if _htmx(request)
                    else "incentives/designer.html",
                    _designer_context(document, problems, plan=plan, preview_error=error.messages),
                )
            return render(
                request,
                "incentives/designer_form.html" if _htmx(request) else "incentives/designer.html",
                _designer_context(document, plan=plan, preview=preview),
            )
        problems_list = services.plan_problems(document)
        if problems_list:
            return render(
                request,
                "incentives/designer.html",
                _designer_context(document, services.problems_by_field(problems_list), plan=plan),
                status=400,
            )
        seen = request.POST.get("based_on", "")
        try:
            version = services.save_plan_version(
                request.user,
                document,
                note=request.POST.get("note", ""),
                based_on=int(seen) if seen.isdigit() else None,
            )
        except ValidationError as error:  # saved by someone else since the page was shown
            messages.error(request, " ".join(error.messages))
            latest = Plan.objects.get(code=document["id"]).latest()
            now_on = str(latest.number) if latest is not None else seen
            context = _designer_context(document, plan=plan, based_on=now_on)
            return render(request, "incentives/designer.html", context, status=409)
        messages.success(
            request,
            _("Saved %(plan)s version %(n)s.") % {"plan": version.plan.code, "n": version.number},
        )
        return redirect("incentives:designer", code=version.plan.code)
    if plan is not None:
        latest = plan.latest()
        document = latest.document() if latest else {"id": plan.code, "name": plan.name}
    else:
        document = {
            "id": "",
            "name": "",
            "applies_to": {"role": "rep"},
            "effective": {
                "from": year_bounds(fiscal_year_of_day(timezone.localdate()))[0].isoformat()
            },
            "period": "quarter",
            "components": [],
        }
    versions = plan.versions.order_by("-number") if plan else []
    shown = plan.latest() if plan is not None else None
    return render(
        request,
        "incentives/designer.html",
        _designer_context(
            document,
            plan=plan,
            versions=versions,
            based_on=str(shown.number if shown else 0),
            **_governance_context(request),
        ),
    )


def _governance_context(request: HttpRequest) -> dict[str, Any]:
    """What the plan pages offer the reader for each version (docs/incentives.md, "Plan
    approval")."""
    return {
        "can_propose": access.can_edit_plans(request.user),
        "can_approve": access.can_approve_plans(request.user),
        "can_return": access.can_return_plans(request.user),
        # four eyes: the reader approves no version they submitted (the company's rule)
        "my_user_id": request.user.pk if company().plan_four_eyes else None,
    }


@login_required
@require_POST
def activate(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """Approved → active."""
    return plan_step(request, code, number, "activate")


# action → (the service taking the step, what the reader is told once it is taken)
PLAN_STEPS: dict[str, tuple[Callable[..., PlanVersion], Any]] = {
    "submit": (
        governance.submit_plan_version,
        gettext_lazy("Version %(n)s of %(plan)s is submitted for approval."),
    ),
    "approve": (
        governance.approve_plan_version,
        gettext_lazy("Version %(n)s of %(plan)s is approved."),
    ),
    "return": (
        governance.return_plan_version,
        gettext_lazy("Version %(n)s of %(plan)s is back in draft."),
    ),
    "activate": (services.activate_plan, gettext_lazy("Version %(n)s of %(plan)s is active.")),
}


@login_required
@require_POST
def plan_step(request: HttpRequest, code: str, number: int, action: str) -> HttpResponse:
    """One step of a plan version's approval: submit, approve, return, activate."""
    _require(access.can_see_plans(request.user))
    if action not in PLAN_STEPS:
        raise Http404
    version = get_object_or_404(PlanVersion, plan__code=code, number=number)
    run, done = PLAN_STEPS[action]
    covered = governance.covered_days(version.plan) if action == "activate" else []
    if run_and_say(
        request,
        lambda: run(request.user, version, reason=request.POST.get("reason", "")),
        str(done) % {"n": number, "plan": code},
        refusals=(governance.OwnSubmission,),  # four eyes: said on the page, as a refusal
    ):
        warnings = governance.overlap_warnings(version)
        if action == "activate":
            warnings += governance.activation_warnings(version, covered)
        for warning in warnings:
            messages.warning(request, warning)
    return redirect("incentives:plans")


@login_required
def export_yaml(request: HttpRequest, code: str, number: int) -> HttpResponse:
    _require(access.can_see_plans(request.user))
    version = get_object_or_404(PlanVersion, plan__code=code, number=number)
    response = HttpResponse(version.source, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{code}-v{number}.yaml"'
    return response


class ImportForm(forms.Form):
    # lazy: the labels are read when the form is drawn, in the reader's language
    file = forms.FileField(label=gettext_lazy("YAML file"), required=False)
    text = forms.CharField(
        label=gettext_lazy("or paste YAML"), widget=forms.Textarea, required=False
    )
    activate = forms.BooleanField(
        label=gettext_lazy("Submit the imported versions for approval"), required=False
    )


@login_required
def import_plans(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig") if upload else form.cleaned_data["text"]
            versions = services.import_plans(
                request.user, text, activate=form.cleaned_data["activate"]
            )
        except UnicodeDecodeError:
            errors = [_("The file is not UTF-8 text: save it again as UTF-8 and upload it.")]
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Imported %(n)s plan versions.") % {"n": len(versions)})
            return redirect("incentives:plans")
    return render(request, "incentives/import.html", {"form": form, "errors": errors})


# Calculation runs ---------------------------------------------------------------------


class RunForm(forms.Form):
    """The fiscal year a full recalculation is asked for (this year when not given), in
    the range the API takes."""

    year = forms.IntegerField(
        min_value=services.FIRST_RUN_YEAR, max_value=services.LAST_RUN_YEAR, required=False
    )


@login_required
@require_POST
def start_run(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    form = RunForm(request.POST)
    problem = "" if form.is_valid() else _("Enter a fiscal year from 1900 to 9998.")
    if not problem:
        try:
            run, queued = services.request_calculation(
                request.user,
                form.cleaned_data["year"] or fiscal_year_of_day(timezone.localdate()),
            )
        except ValidationError as error:  # a year with no data, far from today
            problem = " ".join(error.messages)
    if problem:
        if _htmx(request):
            return HttpResponse(format_html('<p class="error" role="alert">{}</p>', problem))
        messages.error(request, problem)
        return redirect("incentives:plans")
    if not queued:  # a double click, or a run asked for by someone else
        messages.info(
            request,
            _(
                "A calculation of %(year)s is already queued: it will include "
                "everything saved until it starts."
            )
            % {"year": run.fiscal_year},
        )
    if _htmx(request):
        return render(request, "incentives/run_status.html", {"run": run})
    return redirect("incentives:run", pk=run.pk)


@login_required
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    services.fail_abandoned_runs()
    run = get_object_or_404(CalculationRun, pk=pk)
    template = "incentives/run_status.html" if _htmx(request) else "incentives/run.html"
    return render(request, template, {"run": run, **run_report(run)})
