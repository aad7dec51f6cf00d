"""CRM pages. Reads go through :mod:`attain.crm.selectors` (so through the visibility
rule); writes only through :mod:`attain.crm.services`, whose ``ValidationError`` is
shown on the form and whose ``PermissionDenied`` becomes 403. A customer the user may
not see is a 404, as if it did not exist."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attain.org.fields import PersonCodeField
from attain.org.models import Person
from attain.org.selectors import person_of
from attain.web import charts, files
from attain.web.forms import apply_service
from attain.web.once import run_once
from attain.web.views import PAGE_SIZE, list_view, querystring, run_and_say, service_form_view

from . import access, selectors
from .forms import (
    ActivityForm,
    ContactForm,
    CustomerForm,
    MoveForm,
    OpportunityForm,
    OrderForm,
    OrderLineFormSet,
    OrderStatusForm,
    PaymentForm,
    PeerRatingForm,
    ProductForm,
    ProductLineForm,
    SurveyForm,
    TicketForm,
    TicketNewForm,
    TrainingScoreForm,
)
from .models import (
    Customer,
    CustomerSource,
    Evidence,
    EvidenceKind,
    OrderStatus,
    Product,
    ProductLine,
    Reminder,
    StageKind,
    TicketStatus,
)
from .services.activities import log_activity
from .services.contacts import create_contact
from .services.customers import create_customer, find_duplicates, merge_customers
from .services.opportunities import create_opportunity, move_opportunity
from .services.orders import change_order_status, record_order
from .services.payments import record_payment
from .services.products import (
    create_product,
    create_product_line,
    update_product,
    update_product_line,
)
from .services.ratings import record_peer_rating, record_survey, record_training_score
from .services.reminders import check_follow_ups_once_a_day, complete_reminder
from .services.tickets import open_ticket, update_ticket


def _by_person(code: str) -> Q:
    return Q(person__code=code)


def _by_code_or_name(text: str) -> Q:
    return Q(code__icontains=text) | Q(name__icontains=text)


EVIDENCE_FIELDS = (
    ("photo", EvidenceKind.PHOTO),
    ("file", EvidenceKind.FILE),
    ("recording", EvidenceKind.RECORDING),
)


def _person_or_me(request: HttpRequest, data: dict[str, Any], field: str) -> Person:
    """The person named in ``field``, else the signed-in person; an error at ``field``
    if neither."""
    person = data.get(field) or person_of(request.user)
    if person is None:
        raise ValidationError({field: _("Give an employee id.")})
    return person


def _form_page(
    request: HttpRequest,
    form: Form,
    service: Callable[[dict[str, Any]], Any],
    *,
    title: str,
    back: str,
    success: str | Callable[[Any], str],
    next_url: str | Callable[[Any], str] | None = None,
    also_valid: tuple[Any, ...] = (),
    **extra: Any,
) -> HttpResponse:
    """A CRM form page (crm/form.html) that runs ``service``; it returns to ``back``
    unless ``next_url`` says otherwise."""
    return service_form_view(
        request,
        form,
        service,
        success=success,
        next_url=back if next_url is None else next_url,
        template="crm/form.html",
        context={"title": title, "back_url": back, **extra},
        also_valid=also_valid,
    )


def _customer_to_write(request: HttpRequest, external_id: str) -> Customer:
    """The customer a record form is for: 404 unless the reader sees it, 403 unless they
    may add to it (the form is offered only to who may save it)."""
    customer = selectors.access_customer(request.user, external_id)
    access.check_write_customer(request.user, customer)
    return customer


def _back(customer: Customer) -> str:
    return reverse("crm:customer", args=[customer.external_id])


# Customers -----------------------------------------------------------------------


@login_required
def customers(request: HttpRequest) -> HttpResponse:
    return list_view(
        request,
        "crm/customers_table.html" if request.htmx else "crm/customers.html",  # type: ignore[attr-defined]
        selectors.visible_customers(request.user).select_related("owner"),
        order=("name", "pk"),
        filters={
            "q": selectors.customer_search,
            "owner": lambda owner: Q(owner__code=owner),
            "source": lambda source: Q(source=source),
        },
        context={
            "sources": CustomerSource.choices,
            "can_merge": access.can_merge_customers(request.user),
            "can_record": access.can_record(request.user),
        },
    )


@login_required
def customer_new(request: HttpRequest) -> HttpResponse:
    access.check_record(request.user)
    form = CustomerForm(request.POST or None)
    duplicates: list[tuple[Customer, list[str], bool]] = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = data.pop("owner") or person_of(request.user)
        allow_duplicate = request.POST.get("allow_duplicate") == "on"
        if not allow_duplicate:
            found = find_duplicates(Customer(**data))
            visible = set(
                selectors.visible_customers(request.user)
                .filter(pk__in=[c.pk for c, _r in found])
                .values_list("pk", flat=True)
            )
            duplicates = [(c, reasons, c.pk in visible) for c, reasons in found]
        if not duplicates:

            def add() -> str | None:
                customer = apply_service(
                    form,
                    lambda _data: create_customer(
                        request.user, owner=owner, allow_duplicate=allow_duplicate, **data
                    ),
                )
                if customer is None:
                    return None
                messages.success(request, _("%(name)s is added.") % {"name": customer.name})
                return reverse("crm:customer", kwargs={"external_id": customer.external_id})

            url = run_once(request, add)  # "add anyway" clicked twice: one customer
            if url is not None:
                return redirect(url)
    return render(request, "crm/customer_new.html", {"form": form, "duplicates": duplicates})


@login_required
def customer_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    customer = selectors.access_customer(request.user, external_id)
    if customer.external_id != external_id:
        messages.info(request, _("That customer was merged into this one."))
        return redirect("crm:customer", external_id=customer.external_id)
    context = selectors.customer_360(customer)
    # The sections show the latest records; the figures count them all.
    figures = selectors.customer_figures(customer)
    context.update(
        {
            "customer": customer,
            "order_total": figures["totals"]["confirmed_orders"],
            "paid_total": figures["totals"]["collected"],
            "merged_from": list(customer.merged_from.values_list("name", "external_id")),
            "counts": figures["counts"],
            "can_merge": access.can_merge_customers(request.user),
            # executives read only: no buttons to log, record or open anything
            "can_write": access.can_write_customer(request.user, customer),
            # the opportunities whose own page the reader may open (the others are
            # shown here, on the shared customer, but their page is 404 for them)
            "openable": set(
                selectors.visible_opportunities(request.user)
                .filter(pk__in=[o.pk for o in context["opportunities"]])
                .values_list("pk", flat=True)
            )
            if context["opportunities"]
            else set(),
        }
    )
    return render(request, "crm/customer.html", context)


@login_required
def contact_new(request: HttpRequest, external_id: str) -> HttpResponse:
    customer = _customer_to_write(request, external_id)
    return _form_page(
        request,
        ContactForm(request.POST or None),
        lambda data: create_contact(request.user, customer=customer, **data),
        title=_("Add a contact · %(name)s") % {"name": customer.name},
        back=_back(customer),
        success=_("The contact is added."),
    )


@login_required
def activity_new(request: HttpRequest, external_id: str) -> HttpResponse:
    customer = _customer_to_write(request, external_id)

    def log(data: dict[str, Any]) -> Any:
        return log_activity(
            request.user,
            kind=data["kind"],
            customer=customer,
            owner=_person_or_me(request, data, "owner"),
            occurred_at=data["occurred_at"],
            opportunity=data["opportunity"],
            evidence=[(kind, data[field]) for field, kind in EVIDENCE_FIELDS if data.get(field)],
            summary=data["summary"],
            duration_minutes=data["duration_minutes"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            place=data["place"],
        )

    return _form_page(
        request,
        ActivityForm(request.POST or None, request.FILES or None, customer=customer),
        log,
        title=_("Log an activity · %(name)s") % {"name": customer.name},
        back=_back(customer),
        success=_("The activity is logged."),
        multipart=True,
    )


@login_required
def opportunity_new(request: HttpRequest, external_id: str) -> HttpResponse:
    customer = _customer_to_write(request, external_id)
    return _form_page(
        request,
        OpportunityForm(request.POST or None),
        lambda data: create_opportunity(
            request.user,
            customer=customer,
            owner=_person_or_me(request, data, "owner"),
            **{k: v for k, v in data.items() if k != "owner"},
        ),
        title=_("Add an opportunity · %(name)s") % {"name": customer.name},
        back=_back(customer),
        success=_("The opportunity is added."),
        next_url=lambda opportunity: reverse("crm:opportunity", args=[opportunity.external_id]),
    )


@login_required
def order_new(request: HttpRequest, external_id: str) -> HttpResponse:
    customer = _customer_to_write(request, external_id)
    lines = OrderLineFormSet(request.POST or None, prefix="lines")
    return _form_page(
        request,
        OrderForm(request.POST or None, customer=customer),
        lambda data: record_order(
            request.user,
            customer=customer,
            owner=_person_or_me(request, data, "owner"),
            date=data["date"],
            amount=data["amount"],
            lines=[
                (line["product"], line["quantity"], line["unit_price"])
                for line in lines.cleaned_data
                if line.get("product")
            ],
            credits=data["credits"],
            opportunity=data["opportunity"],
        ),
        title=_("Record an order · %(name)s") % {"name": customer.name},
        back=_back(customer),
        success=lambda order: _("Order %(id)s is recorded.") % {"id": order.external_id},
        also_valid=(lines,),
        formset=lines,
    )


@login_required
def payment_new(request: HttpRequest, external_id: str) -> HttpResponse:
    customer = _customer_to_write(request, external_id)
    return _form_page(
        request,
        PaymentForm(request.POST or None, customer=customer),
        lambda data: record_payment(
            request.user,
            customer=customer,
            collector=_person_or_me(request, data, "collector"),
            date=data["date"],
            amount=data["amount"],
            order=data["order"],
            credits=data["credits"],
        ),
        title=_("Record a payment · %(name)s") % {"name": customer.name},
        back=_back(customer),
        success=_("The payment is recorded."),
    )


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    access.check_merge_customers(request.user)
    if request.method == "POST":
        keep = get_object_or_404(Customer, external_id=request.POST.get("keep", ""))
        duplicate = get_object_or_404(Customer, external_id=request.POST.get("duplicate", ""))
        run_and_say(
            request,
            lambda: merge_customers(
                request.user, keep, duplicate, reason=request.POST.get("reason", "")[:1000]
            ),
            _("%(duplicate)s (%(duplicate_id)s) is merged into %(keep)s (%(keep_id)s).")
            % {
                "duplicate": duplicate.name,
                "duplicate_id": duplicate.external_id,
                "keep": keep.name,
                "keep_id": keep.external_id,
            },
        )
        return redirect("crm:duplicates")
    return render(request, "crm/duplicates.html", {"pairs": selectors.duplicate_pairs()})


@login_required
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """The evidence file, always as an attachment with a type read from its content;
    ``?preview=1`` gives a re-encoded JPEG of a photo to show inline."""
    evidence = get_object_or_404(Evidence.objects.select_related("activity__customer"), pk=pk)
    if not selectors.can_view_customer(request.user, evidence.activity.customer):
        raise Http404
    if not evidence.file:  # a photo's fingerprint from an import: no file came with it
        raise Http404
    try:
        stored = evidence.file.open("rb")
    except FileNotFoundError:  # the record outlived its file (a restore without media)
        raise Http404 from None
    if request.GET.get("preview"):
        preview = files.preview_response(stored)
        if preview is None:
            raise Http404
        return preview
    return files.attachment_response(stored, evidence.file.name or "")


# Opportunities -------------------------------------------------------------------


@login_required
def opportunities(request: HttpRequest) -> HttpResponse:
    visible = selectors.visible_opportunities(request.user)
    stage = request.GET.get("stage", "")
    rows = visible.select_related("customer", "owner", "stage")
    rows = rows.filter(stage__code=stage) if stage else rows.filter(stage__kind=StageKind.OPEN)
    page = Paginator(rows.order_by("stage__position", "-amount", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    stages = selectors.funnel(visible)
    open_rows = [r for r in stages if r["stage"].kind == StageKind.OPEN]
    return render(
        request,
        "crm/opportunities.html",
        {
            **_funnel_chart(visible),
            "funnel": stages,
            "max_count": max([r["count"] for r in stages] or [1]) or 1,
            "open_amount": sum((r["amount"] for r in open_rows), Decimal(0)),
            "open_weighted": sum((r["weighted"] for r in open_rows), Decimal(0)),
            "page": page,
            "stage": stage,
            "querystring": querystring(request),
        },
    )


def _funnel_chart(visible: Any) -> dict[str, Any]:
    """The funnel chart (how many reached each stage) and its figures."""
    reached = selectors.funnel_reached(visible)
    if not any(r["reached"] for r in reached):
        return {"reached": reached, "funnel_chart": None}
    return {
        "reached": reached,
        "funnel_chart": charts.funnel(
            [(r["stage"].shown_name, r["reached"]) for r in reached], _("Opportunities")
        ),
    }


BOARD_CARDS = 30  # cards shown per column; the list page has the rest


@login_required
def opportunity_board(request: HttpRequest) -> HttpResponse:
    """The pipeline as a board: one column per stage with its count and amount total,
    the largest opportunities as cards. A card the user may write for carries a small
    move form (stage, reason) that posts to :func:`opportunity_move`; page.js adds
    drag-and-drop on top of it."""
    visible = selectors.visible_opportunities(request.user)
    stages = selectors.funnel(visible)
    columns = []
    for row in stages:
        cards = list(
            visible.filter(stage=row["stage"])
            .select_related("customer", "owner", "stage")
            .order_by("-amount", "pk")[:BOARD_CARDS]
        )
        columns.append({**row, "cards": cards, "more": row["count"] - len(cards)})
    # an open card the user may write for carries a move form (one query for the board)
    writable = access.writable_people_ids(
        request.user,
        {card.owner_id for column in columns for card in column["cards"] if card.owner_id},
    )
    for column in columns:
        for card in column["cards"]:
            movable = card.stage.kind == StageKind.OPEN and card.owner_id in writable
            setattr(card, "movable", movable)  # noqa: B010 (not a field of the model)
    return render(
        request,
        "crm/opportunity_board.html",
        {
            **_funnel_chart(visible),
            "columns": columns,
            "stages": [row["stage"] for row in stages],
            "open_amount": sum(
                (r["amount"] for r in stages if r["stage"].kind == StageKind.OPEN), Decimal(0)
            ),
        },
    )


@require_POST
@login_required
def opportunity_move(request: HttpRequest, external_id: str) -> HttpResponse:
    """Move a card of the board: the same service, and so the same rules, as the
    opportunity's page; the outcome is a message on the board."""
    opportunity = (
        selectors.visible_opportunities(request.user)
        .select_related("stage", "owner")
        .filter(external_id=external_id)
        .first()
    )
    if opportunity is None:
        raise Http404(_("No such opportunity, or not one you may see."))
    form = MoveForm(request.POST)
    moved = None
    if form.is_valid():
        moved = apply_service(
            form,
            lambda data: move_opportunity(
                request.user, opportunity, data["stage"], reason=data["reason"]
            ),
        )
    if moved is not None:
        messages.success(
            request,
            _("%(name)s moved to %(stage)s.")
            % {"name": moved.name, "stage": moved.stage.shown_name},
        )
    else:
        for error in [*form.non_field_errors(), *(e for f in form for e in f.errors)]:
            messages.error(
                request, _("%(field)s: %(problem)s") % {"field": opportunity.name, "problem": error}
            )
    return redirect("crm:opportunity-board")


@login_required
def opportunity_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    opportunity = (
        selectors.visible_opportunities(request.user)
        .select_related("customer", "owner", "stage", "product_line")
        .filter(external_id=external_id)
        .first()
    )
    if opportunity is None:
        raise Http404(_("No such opportunity, or not one you may see."))
    return service_form_view(
        request,
        MoveForm(request.POST or None),
        lambda data: move_opportunity(
            request.user, opportunity, data["stage"], reason=data["reason"]
        ),
        success=lambda moved: _("Moved to %(stage)s.") % {"stage": moved.stage.shown_name},
        next_url=reverse("crm:opportunity", args=[opportunity.external_id]),
        template="crm/opportunity.html",
        context={
            "opportunity": opportunity,
            # an executive reads the opportunity: no move form, no activity to log
            "can_move": access.can_write_for(request.user, opportunity.owner),
            "can_log": access.can_write_customer(request.user, opportunity.customer),
            "history": opportunity.stage_changes.select_related(
                "from_stage", "to_stage", "changed_by"
            ),
            "activities": opportunity.activities.select_related("owner").order_by("-occurred_at")[
                :50
            ],
            "weighted": (opportunity.amount * opportunity.stage.probability).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            ),
        },
    )


# Orders, payments, tickets, reminders ----------------------------------------------


@login_required
def orders(request: HttpRequest) -> HttpResponse:
    return list_view(
        request,
        "crm/orders.html",
        selectors.visible_orders(request.user)
        .select_related("customer", "owner")
        .prefetch_related("credits__person"),
        order=("-date", "-pk"),
        filters={
            "status": lambda status: Q(status=status),
            # one order by its id: where an integrity alert's evidence links it
            "order": lambda external_id: Q(external_id=external_id),
        },
        context={"statuses": OrderStatus.choices, "status_form": OrderStatusForm()},
    )


@login_required
@require_POST
def order_status(request: HttpRequest, external_id: str) -> HttpResponse:
    order = get_object_or_404(
        selectors.visible_orders(request.user).select_related("owner"), external_id=external_id
    )
    form = OrderStatusForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        run_and_say(
            request,
            lambda: change_order_status(
                request.user, order, data["status"], on=data["on"], reason=data["reason"]
            ),
            _("Order %(id)s is now %(status)s.")
            % {"id": order.external_id, "status": OrderStatus(data["status"]).label},
        )
    else:
        messages.error(request, _("Choose a status and a date."))
    return _to_next(request, "crm:orders")


@login_required
def payments(request: HttpRequest) -> HttpResponse:
    return list_view(
        request,
        "crm/payments.html",
        selectors.visible_payments(request.user)
        .select_related("customer", "collector", "order")
        .prefetch_related("credits__person"),
        order=("-date", "-pk"),
    )


@login_required
def tickets(request: HttpRequest) -> HttpResponse:
    rows = selectors.visible_tickets(request.user).select_related(
        "customer", "owner", "order__owner"
    )
    me = person_of(request.user)
    mine = request.GET.get("mine", "1" if me is not None else "") == "1"
    if mine:
        rows = rows.filter(owner=me) if me is not None else rows.none()
    return list_view(
        request,
        "crm/tickets.html",
        rows,
        order=("-opened_on", "-pk"),
        filters={"status": lambda status: Q(status=status)},
        context={"mine": mine, "statuses": TicketStatus.choices},
    )


@login_required
@require_POST
def ticket_update(request: HttpRequest, external_id: str) -> HttpResponse:
    ticket = get_object_or_404(
        selectors.visible_tickets(request.user).select_related("owner"), external_id=external_id
    )
    form = TicketForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for e in form.errors.values() for m in e))
        return _to_next(request, "crm:tickets")
    run_and_say(
        request,
        lambda: update_ticket(request.user, ticket, status=form.cleaned_data["status"]),
        _("The ticket is updated."),
    )
    return _to_next(request, "crm:tickets")


def _to_next(request: HttpRequest, default: str) -> HttpResponse:
    """Back to the form's ``next`` page when it is one of this site's, else `default`."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@login_required
def reminders(request: HttpRequest) -> HttpResponse:
    check_follow_ups_once_a_day()
    rows = (
        selectors.my_reminders(request.user)
        .select_related("opportunity__customer", "opportunity__stage")
        .order_by("-created_at", "-pk")
    )
    return render(request, "crm/reminders.html", {"reminders": rows[:200]})


@login_required
@require_POST
def reminder_done(request: HttpRequest, pk: int) -> HttpResponse:
    reminder = get_object_or_404(Reminder, pk=pk)
    complete_reminder(request.user, reminder)
    return redirect("crm:reminders")


# Tickets opened by hand, satisfaction surveys ---------------------------------------


@login_required
def ticket_new(request: HttpRequest, external_id: str) -> HttpResponse:
    customer = _customer_to_write(request, external_id)
    return _form_page(
        request,
        TicketNewForm(request.POST or None, customer=customer),
        lambda data: open_ticket(request.user, customer=customer, **data),
        title=_("Open a service ticket · %(name)s") % {"name": customer.name},
        back=_back(customer),
        success=_("The ticket is opened."),
    )


@login_required
def survey_new(request: HttpRequest, external_id: str) -> HttpResponse:
    """Record a satisfaction survey from the customer page, or for one of its tickets
    (``?ticket=K1``: the ticket is chosen and its handler is the rated person)."""
    customer = _customer_to_write(request, external_id)
    initial: dict[str, Any] = {}
    ticket = (
        customer.tickets.select_related("owner")
        .filter(external_id=request.GET.get("ticket", ""))
        .first()
    )
    if ticket is not None:
        initial["ticket"] = ticket.external_id
        if ticket.owner is not None:
            initial["person"] = ticket.owner.code
    return _form_page(
        request,
        SurveyForm(request.POST or None, customer=customer, initial=initial),
        lambda data: record_survey(request.user, customer=customer, **data),
        title=_("Record a satisfaction survey · %(name)s") % {"name": customer.name},
        back=_back(customer),
        success=_("The survey is recorded."),
    )


@login_required
def surveys(request: HttpRequest) -> HttpResponse:
    return list_view(
        request,
        "crm/surveys.html",
        selectors.visible_surveys(request.user).select_related("customer", "person", "ticket"),
        order=("-date", "-pk"),
        filters={
            "q": lambda query: Q(customer__name__icontains=query) | Q(comment__icontains=query),
            "person": _by_person,
        },
    )


@login_required
def training_scores(request: HttpRequest) -> HttpResponse:
    return list_view(
        request,
        "crm/training.html",
        selectors.visible_training_scores(request.user).select_related("person"),
        order=("-date", "-pk"),
        filters={"q": lambda query: Q(course__icontains=query), "person": _by_person},
        context={"can_record": access.can_record_training(request.user)},
    )


@login_required
def training_score_new(request: HttpRequest) -> HttpResponse:
    access.check_record_training(request.user)
    return _form_page(
        request,
        TrainingScoreForm(request.POST or None),
        lambda data: record_training_score(request.user, **data),
        title=_("Record a training or test score"),
        back=reverse("crm:training"),
        success=_("The score is recorded."),
    )


@login_required
def peer_ratings(request: HttpRequest) -> HttpResponse:
    rows = selectors.visible_peer_ratings(request.user).select_related("rater", "person")
    me = person_of(request.user)
    given = request.GET.get("given") == "1"
    if given:
        rows = rows.filter(rater=me) if me is not None else rows.none()
    return list_view(
        request,
        "crm/ratings.html",
        rows,
        order=("-date", "-pk"),
        filters={"person": _by_person},
        context={"given": given, "can_rate": access.can_rate(request.user)},
    )


@login_required
def peer_rating_new(request: HttpRequest) -> HttpResponse:
    """Rate a colleague as oneself. Administrators and sales operations may also enter
    a rating given on paper, naming the rater."""
    if not access.can_rate(request.user):
        raise PermissionDenied
    form = PeerRatingForm(request.POST or None)
    if access.can_rate_on_behalf(request.user):
        form.fields["rater"] = PersonCodeField(
            label=_("Rated by (employee id; default: me)"),
            required=person_of(request.user) is None,
        )
    return _form_page(
        request,
        form,
        lambda data: record_peer_rating(
            request.user,
            rater=_person_or_me(request, data, "rater"),
            person=data["person"],
            date=data["date"],
            score=data["score"],
            comment=data["comment"],
        ),
        title=_("Rate a colleague's collaboration"),
        back=reverse("crm:ratings"),
        success=_("Thank you: the rating is recorded."),
        next_url=reverse("crm:ratings") + "?given=1",
    )


# Product catalogue ---------------------------------------------------------------------


@login_required
def products(request: HttpRequest) -> HttpResponse:
    return list_view(
        request,
        "crm/products.html",
        Product.objects.select_related("line"),
        order=("code",),
        filters={
            "q": _by_code_or_name,
            "line": lambda line: Q(line__code=line),
            "active": lambda active: Q(active=active == "1") if active in {"1", "0"} else Q(),
        },
        context={
            "lines": ProductLine.objects.order_by("code")[:500],
            "can_edit": access.can_edit_catalogue(request.user),
        },
    )


@login_required
def product_new(request: HttpRequest) -> HttpResponse:
    access.check_edit_catalogue(request.user)
    return _form_page(
        request,
        ProductForm(request.POST or None),
        lambda data: create_product(request.user, **data),
        title=_("Add a product"),
        back=reverse("crm:products"),
        success=_added,
    )


@login_required
def product_edit(request: HttpRequest, code: str) -> HttpResponse:
    access.check_edit_catalogue(request.user)
    product = get_object_or_404(Product.objects.select_related("line"), code=code)
    initial = {
        "code": product.code,
        "name": product.name,
        "line": product.line.code,
        "list_price": product.list_price,
        "active": product.active,
    }
    form = ProductForm(request.POST or None, initial=initial)
    form.fields["code"].disabled = True
    return _form_page(
        request,
        form,
        lambda data: update_product(
            request.user,
            product,
            name=data["name"],
            line=data["line"],
            list_price=data["list_price"],
            active=data["active"],
        ),
        title=_("Edit product %(code)s") % {"code": product.code},
        back=reverse("crm:products"),
        success=_saved,
    )


@login_required
def product_lines(request: HttpRequest) -> HttpResponse:
    return list_view(
        request,
        "crm/product_lines.html",
        ProductLine.objects.annotate(product_count=Count("products")),
        order=("code",),
        filters={"q": _by_code_or_name},
        context={"can_edit": access.can_edit_catalogue(request.user)},
    )


@login_required
def product_line_new(request: HttpRequest) -> HttpResponse:
    access.check_edit_catalogue(request.user)
    return _form_page(
        request,
        ProductLineForm(request.POST or None),
        lambda data: create_product_line(request.user, **data),
        title=_("Add a product line"),
        back=reverse("crm:product-lines"),
        success=_added,
    )


@login_required
def product_line_edit(request: HttpRequest, code: str) -> HttpResponse:
    access.check_edit_catalogue(request.user)
    line = get_object_or_404(ProductLine, code=code)
    form = ProductLineForm(request.POST or None, initial={"code": line.code, "name": line.name})
    form.fields["code"].disabled = True
    return _form_page(
        request,
        form,
        lambda data: update_product_line(request.user, line, name=data["name"]),
        title=_("Edit product line %(code)s") % {"code": line.code},
        back=reverse("crm:product-lines"),
        success=_saved,
    )


def _added(record: Any) -> str:
    return _("%(name)s is added.") % {"name": record.name}


def _saved(record: Any) -> str:
    return _("%(name)s is saved.") % {"name": record.name}
