"""The plan effectiveness page and its what-if on history (docs/effectiveness.md).

Thin: the figures come from :mod:`.effectiveness` (stored results through the engine's
effectiveness functions), what-ifs are started by :mod:`.services_what_if` and computed
by :mod:`.what_if`; this module checks access, builds the charts and renders.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attain.calc.periods import fiscal_year_of_day, period_bounds
from attain.engine import EVERYONE_MAX, NOBODY_PAID, parse_period
from attain.web import charts
from attain.web.forms import record_pk

from . import access, effectiveness, selectors, services, services_what_if, what_if
from .models import CalculationRun, PlanVersion, RunKind

TOP_CHANGES = 20  # the what-if's chart of people: the largest changes
WHAT_IF_ROWS = 500  # people listed on the page (the API gives everyone)


def _require(request: HttpRequest) -> None:
    if not access.can_see_effectiveness(request.user):
        raise PermissionDenied


def _period(request: HttpRequest) -> str:
    asked = request.GET.get("period", "").strip()
    if asked:
        parsed = parse_period(asked)
        if parsed is not None:
            return parsed.id
        messages.warning(
            request,
            _("“%(period)s” is not a period (e.g. 2026, 2026-Q1, 2026-03): showing %(shown)s.")
            % {
                "period": asked,
                "shown": effectiveness.latest_period() or selectors.current_period("year"),
            },
        )
    return effectiveness.latest_period() or selectors.current_period("year")


def band_sentence(share: float | None, band: tuple[float, float]) -> str:
    """What the share at or above 100% says against the healthy band."""
    if share is None:
        return _("No one has a target in this period.")
    values = {
        "share": f"{share * 100:.0f}%",
        "low": f"{band[0] * 100:.0f}%",
        "high": f"{band[1] * 100:.0f}%",
    }
    if share < band[0]:
        return (
            _(
                "%(share)s made 100%%, below the healthy %(low)s–%(high)s: targets may be "
                "too hard, or the plan does not move people."
            )
            % values
        )
    if share > band[1]:
        return (
            _(
                "%(share)s made 100%%, above the healthy %(low)s–%(high)s: targets may be "
                "too easy, and pay goes to results that would have come anyway."
            )
            % values
        )
    return _("%(share)s made 100%%, within the healthy %(low)s–%(high)s.") % values


def pay_sentence(pay: Any) -> str:
    if pay.follows is None:
        return _("Too few people with a target to judge pay for performance.")
    values = {
        "top": f"{(pay.top_share or 0) * 100:.0f}%",
        "bottom": f"{(pay.bottom_share or 0) * 100:.0f}%",
        "rho": f"{pay.correlation:.2f}",
    }
    if pay.follows:
        return (
            _(
                "Pay follows performance: the top fifth by attainment got %(top)s of the "
                "pay, the bottom fifth %(bottom)s (rank correlation %(rho)s)."
            )
            % values
        )
    return (
        _(
            "Pay does not follow performance closely: the top fifth by attainment got "
            "%(top)s of the pay, the bottom fifth %(bottom)s (rank correlation %(rho)s)."
        )
        % values
    )


def component_sentence(finding: Any) -> str:
    values = {
        "component": finding.component,
        "plan": finding.plan,
        "max": f"{finding.max_share * 100:.0f}%",
        "paid": f"{finding.paid_share * 100:.0f}%",
    }
    if finding.flag == EVERYONE_MAX:
        return (
            _(
                "“%(component)s” of %(plan)s pays almost everyone its maximum (%(max)s of "
                "payouts): it rewards nothing in particular; raise the bar or cut it."
            )
            % values
        )
    if finding.flag == NOBODY_PAID:
        return (
            _(
                "“%(component)s” of %(plan)s pays almost nobody anything (%(paid)s of "
                "payouts above zero): out of reach, so it motivates no one."
            )
            % values
        )
    return ""


def fairness_sentence(fair: Any) -> str:
    if fair.people == 0:
        return _(
            "No market potential is recorded for these people, so quota fairness against "
            "potential cannot be judged. Record it on each person (market potential)."
        )
    if fair.follows is None:
        return _("Too few people with a market potential (%(n)s) to judge quota fairness.") % {
            "n": fair.people
        }
    values = {"rho": f"{fair.correlation:.2f}", "n": fair.people}
    if fair.follows:
        return (
            _(
                "Attainment rises with market potential (rank correlation %(rho)s over "
                "%(n)s people): quotas did not reflect the territories; those with rich "
                "ones made their number more easily."
            )
            % values
        )
    return (
        _(
            "Attainment does not follow market potential (rank correlation %(rho)s over "
            "%(n)s people): the quotas took the territories into account."
        )
        % values
    )


def _period_choices(period: str) -> list[str]:
    bounds = period_bounds(period)
    year = fiscal_year_of_day(bounds[1]) if bounds is not None else int(period[:4])
    choices = []
    for y in (year - 1, year):
        choices += [str(y), f"{y}-H1", f"{y}-H2"] + [f"{y}-Q{q}" for q in range(1, 5)]
    return choices


@login_required
def page(request: HttpRequest) -> HttpResponse:
    _require(request)
    period = _period(request)
    found = effectiveness.figures(period)
    plan_sections = []
    for index, dist in enumerate(found.by_plan):
        plan_sections.append(
            {
                "dist": dist,
                "chart_id": f"dist-{index}",
                "sentence": band_sentence(dist.share, found.band)
                if dist.band is not None
                else _("Only %(n)s people with a target: too few to judge against the band.")
                % {"n": dist.people},
                "chart": charts.histogram(
                    found.buckets, dist.counts, _("People"), mark="100%–120%"
                ),
            }
        )
    pay_sections = []
    for index, (name, pay) in enumerate(found.pay):
        points = found.scatter.get(name, [])
        pay_sections.append(
            {
                "name": name,
                "chart_id": f"pay-{index}",
                "pay": pay,
                "sentence": pay_sentence(pay),
                "chart": charts.scatter(
                    [(name, points)],
                    x_name=_("Attainment"),
                    y_name=_("Payout"),
                    x_percent=True,
                    mark_x=1.0,
                )
                if points
                else None,
            }
        )
    findings = [{"finding": f, "sentence": component_sentence(f)} for f in found.components]
    context: dict[str, Any] = {
        "period": period,
        "periods": _period_choices(period),
        "found": found,
        "band_low": found.band[0],
        "band_high": found.band[1],
        "plan_sections": plan_sections,
        "pay_sections": pay_sections,
        "findings": findings,
        "flagged": [f for f in findings if f["sentence"]],
        "fairness_sentence": fairness_sentence(found.fairness) if found.fairness else "",
        "unit_chart": charts.bars(
            [d.group for d in found.by_unit],
            [(_("At or above 100%%") % {}, [d.share for d in found.by_unit])],
            horizontal=True,
            percent=True,
            mark_at=found.band[0],
        )
        if found.by_unit
        else None,
        "cost_chart": charts.lines(
            [c.period for c in found.costs],
            [(_("Cost of sales"), [c.ratio for c in found.costs])],
            percent=True,
            area=True,
        )
        if found.costs
        else None,
        **_what_if_form(request),
    }
    return render(request, "incentives/effectiveness.html", context)


def _what_if_form(request: HttpRequest, **values: Any) -> dict[str, Any]:
    first, last = what_if.default_range()
    return {
        "drafts": what_if.drafts(),
        "can_run_what_if": access.can_run_what_if(request.user),
        "what_if_from": values.get("first") or first,
        "what_if_to": values.get("last") or last,
        "what_if_version": values.get("version"),
        "what_if_runs": CalculationRun.objects.filter(kind=RunKind.PREVIEW).select_related(
            "created_by"
        )[:5],
    }


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    if not access.can_run_what_if(request.user):
        raise PermissionDenied
    pk = record_pk(request.POST.get("version"))
    version = (
        None if pk is None else PlanVersion.objects.select_related("plan").filter(pk=pk).first()
    )
    first, last = request.POST.get("from", ""), request.POST.get("to", "")
    errors: list[str] = []
    if version is None:
        errors = [_("Choose a draft plan version.")]
    else:
        try:
            run = services_what_if.start_what_if(request.user, version, first, last)
        except ValidationError as error:
            errors = [
                # Translators: a form error: the field's name, then what is wrong with it
                _("%(field)s: %(problem)s") % {"field": _field_label(name), "problem": message}
                for name, messages_ in error.message_dict.items()
                for message in messages_
            ]
        else:
            return redirect("incentives:what_if", pk=run.pk)
    for error in errors:
        messages.error(request, error)
    return redirect(reverse("incentives:effectiveness") + "#what-if")


def _field_label(name: str) -> str:
    return {"from": _("From"), "to": _("To"), "version": _("Draft")}.get(name, name)


@login_required
def run_page(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    services.fail_abandoned_runs()
    run = CalculationRun.objects.filter(pk=pk, kind=RunKind.PREVIEW).first()
    if run is None:
        raise Http404
    context = what_if_context(run)
    template = (
        "incentives/what_if_status.html"
        if getattr(request, "htmx", False)
        else "incentives/what_if.html"
    )
    return render(request, template, context)


def what_if_context(run: CalculationRun) -> dict[str, Any]:
    document = services_what_if.what_if_of(run)
    result = document.get("result")
    context: dict[str, Any] = {
        "run": run,
        "request_": document.get("request", {}),
        "result": result,
    }
    if not result:
        return context
    people = result["people"]
    for row in people:
        row["change_value"] = Decimal(row["change"])
    context["people"] = people[:WHAT_IF_ROWS]
    context["periods_chart_id"] = f"what-if-periods-{run.pk}"
    context["people_chart_id"] = f"what-if-people-{run.pk}"
    context["more"] = max(0, len(people) - WHAT_IF_ROWS)
    context["change_value"] = Decimal(result["change"])
    top = people[:TOP_CHANGES]
    context["periods_chart"] = charts.bars(
        [p["period"] for p in result["periods"]],
        [
            (_("In force"), [Decimal(p["in_force"]) for p in result["periods"]]),
            (_("Draft"), [Decimal(p["draft"]) for p in result["periods"]]),
        ],
    )
    context["people_chart"] = (
        charts.bars(
            [p["name"] for p in top],
            [(_("Change"), [Decimal(p["change"]) for p in top])],
            horizontal=True,
        )
        if top
        else None
    )
    return context
