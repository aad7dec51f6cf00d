"""Review pages (docs/reviews.md): the list and opening a review, a review with its
team's summary, one person's pack with comments and actions, and a person's history.
Reads go through :mod:`.selectors`; writes through :mod:`.services`."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attain.calc.periods import period_bounds, periods_of_day
from attain.integrity.selectors import holds_for
from attain.org.selectors import person_of, role_of
from attain.web import charts
from attain.web.once import run_once

from . import access, selectors, services
from .display import pack_view, pack_views
from .models import Review, ReviewPack


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _apply(request: HttpRequest, action: Callable[[], Any], done: str) -> Any:
    """Run a service; its ValidationError becomes an error message naming the field."""
    try:
        result = action()
    except ValidationError as error:
        for field, problems in getattr(error, "message_dict", {"": error.messages}).items():
            for problem in problems:
                messages.error(request, _with_field(field, problem))
        return None
    messages.success(request, done)
    return result


def _once(request: HttpRequest, url: str, action: Callable[[], Any], done: str) -> None:
    """:func:`_apply` for a form that adds something: sent twice (a double click), it
    adds once (attain.web.once)."""
    run_once(request, lambda: url if _apply(request, action, done) is not None else None)


def _field_label(field: str) -> str:
    labels = {
        "period": _("Period"),
        "manager": _("Manager"),
        "text": _("Text"),
        "owner": _("Owner"),
        "due_on": _("Due on"),
        "review": _("The review"),
        "done": _("Done"),
    }
    return str(labels.get(field, ""))


def _with_field(field: str, problem: str) -> str:
    """The problem, after the name of the field it is about (in the reader's punctuation)."""
    label = _field_label(field)
    if not label:
        return problem
    # Translators: a form error: the field's name, then what is wrong with it
    return _("%(field)s: %(problem)s") % {"field": label, "problem": problem}


def period_choices(today: datetime.date) -> list[str]:
    """The current and the three previous quarters, then the current and two previous
    months: the periods a review is usually opened for."""
    found: list[str] = []
    day = today
    for _i in range(4):
        quarter = periods_of_day(day)[2]
        found.append(quarter)
        bounds = period_bounds(quarter)
        assert bounds is not None
        day = bounds[0] - datetime.timedelta(days=1)
    day = today
    for _i in range(3):
        month = periods_of_day(day)[3]
        found.append(month)
        day = day.replace(day=1) - datetime.timedelta(days=1)
    return found


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require(access.can_read_reviews(request.user))
    reviews = list(selectors.reviews_for(request.user)[:200])
    me = person_of(request.user)
    today = timezone.localdate()
    context = {
        "reviews": reviews,
        "can_open": access.can_open_reviews(request.user),
        "is_admin": role_of(request.user) == "admin",
        "periods": period_choices(today),
        "team": selectors.team_of(me, today) if me is not None else [],
        "me": me,
    }
    return render(request, "reviews/index.html", context)


@login_required
@require_POST
def open_review(request: HttpRequest) -> HttpResponse:
    _require(access.can_open_reviews(request.user))
    review = _apply(
        request,
        lambda: services.open_review(
            request.user,
            services.manager_of_request(request.user, request.POST.get("manager")),
            request.POST.get("period", ""),
        ),
        _("The review is open: a pack is prepared for each person."),
    )
    if review is None:
        return redirect("reviews:index")
    return redirect("reviews:review", pk=review.pk)


def _main(pack: ReviewPack) -> dict[str, Any] | None:
    measures = pack.data.get("measures") or []
    return measures[0] if measures else None


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.review_for(request.user, pk)
    packs = list(selectors.packs_of(request.user, found))
    rows = pack_views(packs)
    context: dict[str, Any] = {
        "review": found,
        "rows": rows,
        "may_lead": access.may_lead(request.user, found),
        # the link to the last review only for a reader who may open it (someone who
        # joined the team since was not in it: the link led to a 404)
        "previous": (
            selectors.reviews_for(request.user).filter(pk=found.previous_id).first()
            if found.previous_id
            else None
        ),
    }
    charted = [r for r in rows if r["main"] and r["main"].get("attainment_p50") is not None]
    if charted:
        context["range_chart"] = charts.bars(
            [r["pack"].person.name for r in charted],
            [
                ("P10", [_d(r["main"]["attainment_p10"]) for r in charted]),
                ("P50", [_d(r["main"]["attainment_p50"]) for r in charted]),
                ("P90", [_d(r["main"]["attainment_p90"]) for r in charted]),
            ],
            horizontal=True,
            percent=True,
            mark_at=1.0,
        )
    return render(request, "reviews/review.html", context)


def _d(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@login_required
def pack(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    found = selectors.review_for(request.user, pk)
    the_pack = selectors.pack_for(request.user, found, code)
    view = pack_view(the_pack)
    carried = selectors.carried_actions(the_pack)
    context: dict[str, Any] = {
        "review": found,
        "p": view,
        "pack": the_pack,
        "carried": [(a, access.may_tick(request.user, a)) for a in carried],
        "actions": [(a, access.may_tick(request.user, a)) for a in the_pack.actions.all()],
        "may_write": access.may_write(request.user, the_pack) and found.is_open,
        "owners": [the_pack.person, found.manager],
        "holds": [
            (h, h.reason(_language(request))) for h in holds_for(request.user, the_pack.person)
        ],
        "today": timezone.localdate(),
    }
    payouts = view["payouts"]
    if payouts:
        context["payout_chart"] = charts.bars(
            [p["period"] for p in payouts], [(_("Payout"), [_d(p["amount"]) for p in payouts])]
        )
    # the steps with a rate on both sides (a chart's description reads a gap as "NaN";
    # the figures table below it lists every step)
    steps = [s for s in view["funnel"]["rows"] if s["rate"] is not None and s["median"] is not None]
    if steps:
        context["funnel_chart"] = charts.bars(
            [s["step"] for s in steps],
            [
                (the_pack.person.name, [s["rate"] for s in steps]),
                (_("Team median"), [s["median"] for s in steps]),
            ],
            horizontal=True,
            percent=True,
        )
    return render(request, "reviews/pack.html", context)


def _language(request: HttpRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", "en") or "en"


def _pack_url(pack: ReviewPack) -> str:
    return reverse("reviews:pack", args=[pack.review_id, pack.person.code])


@login_required
@require_POST
def comment(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    the_pack = selectors.pack_for(request.user, selectors.review_for(request.user, pk), code)
    url = _pack_url(the_pack) + "#comments"
    _once(
        request,
        url,
        lambda: services.add_comment(request.user, the_pack, request.POST.get("text")),
        _("Your comment is recorded."),
    )
    return redirect(url)


@login_required
@require_POST
def action(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    the_pack = selectors.pack_for(request.user, selectors.review_for(request.user, pk), code)
    url = _pack_url(the_pack) + "#actions"
    _once(
        request,
        url,
        lambda: services.add_action(
            request.user,
            the_pack,
            text=request.POST.get("text"),
            owner=request.POST.get("owner"),
            due_on=request.POST.get("due_on"),
        ),
        _("The action is agreed."),
    )
    return redirect(url)


@login_required
@require_POST
def tick(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.action_for(request.user, pk)
    done = request.POST.get("done") == "1"
    _apply(
        request,
        lambda: services.tick_action(request.user, found, done),
        _("Marked done.") if done else _("Marked not done."),
    )
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = _pack_url(found.pack)
    return redirect(target)


@login_required
@require_POST
def prepare(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.review_for(request.user, pk)
    _require(access.may_lead(request.user, found))
    _apply(
        request,
        lambda: services.prepare_again(request.user, found),
        _("The packs are prepared again from today's data."),
    )
    return redirect("reviews:review", pk=found.pk)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    found: Review = selectors.review_for(request.user, pk)
    _require(access.may_lead(request.user, found))
    _apply(request, lambda: services.close_review(request.user, found), _("The review is closed."))
    return redirect("reviews:review", pk=found.pk)


@login_required
def history(request: HttpRequest, code: str) -> HttpResponse:
    person, packs = selectors.history_of(request.user, code)
    rows = pack_views(packs)
    return render(request, "reviews/history.html", {"person": person, "rows": rows})
