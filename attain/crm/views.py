"""CRM pages. Reads go through :mod:`attain.crm.selectors` (so through the visibility
rule); writes only through :mod:`attain.crm.services`, whose ``ValidationError`` is
shown on the form and whose ``PermissionDenied`` becomes 403. A customer the user may
not see is a 404, as if it did not exist."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attain.org.models import Person
from attain.org.selectors import person_of
from attain.web import files
from attain.web.forms import apply_service

from . import selectors, services
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

PAGE_SIZE = 50


def _person_or_me(request: HttpRequest, form: Form, field: str) -> Person | None:
    """The person named in ``field``, else the signed-in person; a form error if neither."""
    person = form.cleaned_data.get(field) or person_of(request.user)
    if person is None:
        form.add_error(field, _("Give an employee id."))
    return person


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _form_page(
    request: HttpRequest, title: str, form: Form, back: str, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "crm/form.html",
        {"title": title, "form": form, "back_url": back, **extra},
    )


# Customers -----------------------------------------------------------------------


@login_required
def customers(request: HttpRequest) -> HttpResponse:
    rows = selectors.visible_customers(request.user).select_related("owner")
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(
            Q(name__icontains=query)
            | Q(external_id=query)
            | Q(credit_code=query.upper())
            | Q(phone__icontains=query)
            | Q(email__icontains=query)
        )
    owner = request.GET.get("owner", "").strip()
    if owner:
        rows = rows.filter(owner__code=owner)
    source = request.GET.get("source", "")
    if source:
        rows = rows.filter(source=source)
    page = Paginator(rows.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "owner": owner,
        "source": source,
        "sources": CustomerSource.choices,
        "querystring": _querystring(request),
        "can_merge": selectors.can_merge_customers(request.user),
    }
    template = "crm/customers_table.html" if request.htmx else "crm/customers.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def customer_new(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None)
    duplicates: list[tuple[Customer, list[str], bool]] = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = data.pop("owner") or person_of(request.user)
        allow_duplicate = request.POST.get("allow_duplicate") == "on"
        if not allow_duplicate:
            found = services.find_duplicates(Customer(**data))
            visible = set(
                selectors.visible_customers(request.user)
                .filter(pk__in=[c.pk for c, _r in found])
                .values_list("pk", flat=True)
            )
            duplicates = [(c, reasons, c.pk in visible) for c, reasons in found]
        if not duplicates:
            customer = apply_service(
                form,
                lambda _data: services.create_customer(
                    request.user, owner=owner, allow_duplicate=allow_duplicate, **data
                ),
            )
            if customer is not None:
                messages.success(request, _("%(name)s is added.") % {"name": customer.name})
                return redirect("crm:customer", external_id=customer.external_id)
    return render(request, "crm/customer_new.html", {"form": form, "duplicates": duplicates})


@login_required
def customer_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    customer = selectors.access_customer(request.user, external_id)
    if customer.external_id != external_id:
        messages.info(request, _("That customer was merged into this one."))
        return redirect("crm:customer", external_id=customer.external_id)
    context = selectors.customer_360(customer)
    totals = customer.orders.filter(status=OrderStatus.CONFIRMED).aggregate(total=Sum("amount"))
    paid = customer.payments.aggregate(total=Sum("amount"))
    context.update(
        {
            "customer": customer,
            "order_total": totals["total"] or Decimal(0),
            "paid_total": paid["total"] or Decimal(0),
            "merged_from": list(customer.merged_from.values_list("name", "external_id")),
            "can_merge": selectors.can_merge_customers(request.user),
        }
    )
    return render(request, "crm/customer.html", context)


@login_required
def contact_new(request: HttpRequest, external_id: str) -> HttpResponse:
    customer = selectors.access_customer(request.user, external_id)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form, lambda data: services.create_contact(request.user, customer=customer, **data)
        )
        if done is not None:
            messages.success(request, _("The contact is added."))
            return redirect("crm:customer", external_id=customer.external_id)
    return _form_page(
        request, _("Add a contact · %(name)s") % {"name": customer.name}, form, _back(customer)
    )


def _back(customer: Customer) -> str:
    from django.urls import reverse

    return reverse("crm:customer", args=[customer.external_id])


@login_required
def activity_new(request: HttpRequest, external_id: str) -> HttpResponse:
    customer = selectors.access_customer(request.user, external_id)
    form = ActivityForm(request.POST or None, request.FILES or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        owner = _person_or_me(request, form, "owner")
        if owner is not None:
            evidence = [
                (kind, form.cleaned_data[field])
                for field, kind in (
                    ("photo", EvidenceKind.PHOTO),
                    ("file", EvidenceKind.FILE),
                    ("recording", EvidenceKind.RECORDING),
                )
                if form.cleaned_data.get(field)
            ]
            done = apply_service(
                form,
                lambda data: services.log_activity(
                    request.user,
                    kind=data["kind"],
                    customer=customer,
                    owner=owner,
                    occurred_at=data["occurred_at"],
                    opportunity=data["opportunity"],
                    evidence=evidence,
                    summary=data["summary"],
                    duration_minutes=data["duration_minutes"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    place=data["place"],
                ),
            )
            if done is not None:
                messages.success(request, _("The activity is logged."))
                return redirect("crm:customer", external_id=customer.external_id)
    return _form_page(
        request,
        _("Log an activity · %(name)s") % {"name": customer.name},
        form,
        _back(customer),
        multipart=True,
    )


@login_required
def opportunity_new(request: HttpRequest, external_id: str) -> HttpResponse:
    customer = selectors.access_customer(request.user, external_id)
    form = OpportunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        owner = _person_or_me(request, form, "owner")
        if owner is not None:
            opportunity = apply_service(
                form,
                lambda data: services.create_opportunity(
                    request.user,
                    customer=customer,
                    owner=owner,
                    **{k: v for k, v in data.items() if k != "owner"},
                ),
            )
            if opportunity is not None:
                messages.success(request, _("The opportunity is added."))
                return redirect("crm:opportunity", external_id=opportunity.external_id)
    return _form_page(
        request, _("Add an opportunity · %(name)s") % {"name": customer.name}, form, _back(customer)
    )


@login_required
def order_new(request: HttpRequest, external_id: str) -> HttpResponse:
    customer = selectors.access_customer(request.user, external_id)
    form = OrderForm(request.POST or None, customer=customer)
    lines = OrderLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        owner = _person_or_me(request, form, "owner")
        if owner is not None:
            rows = [
                (line["product"], line["quantity"], line["unit_price"])
                for line in lines.cleaned_data
                if line.get("product")
            ]
            order = apply_service(
                form,
                lambda data: services.record_order(
                    request.user,
                    customer=customer,
                    owner=owner,
                    date=data["date"],
                    amount=data["amount"],
                    lines=rows,
                    credits=data["credits"],
                    opportunity=data["opportunity"],
                ),
            )
            if order is not None:
                messages.success(
                    request, _("Order %(id)s is recorded.") % {"id": order.external_id}
                )
                return redirect("crm:customer", external_id=customer.external_id)
    return _form_page(
        request,
        _("Record an order · %(name)s") % {"name": customer.name},
        form,
        _back(customer),
        formset=lines,
    )


@login_required
def payment_new(request: HttpRequest, external_id: str) -> HttpResponse:
    customer = selectors.access_customer(request.user, external_id)
    form = PaymentForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        collector = _person_or_me(request, form, "collector")
        if collector is not None:
            payment = apply_service(
                form,
                lambda data: services.record_payment(
                    request.user,
                    customer=customer,
                    collector=collector,
                    date=data["date"],
                    amount=data["amount"],
                    order=data["order"],
                    credits=data["credits"],
                ),
            )
            if payment is not None:
                messages.success(request, _("The payment is recorded."))
                return redirect("crm:customer", external_id=customer.external_id)
    return _form_page(
        request, _("Record a payment · %(name)s") % {"name": customer.name}, form, _back(customer)
    )


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    if not selectors.can_merge_customers(request.user):
        raise PermissionDenied
    if request.method == "POST":
        keep = get_object_or_404(Customer, external_id=request.POST.get("keep", ""))
        duplicate = get_object_or_404(Customer, external_id=request.POST.get("duplicate", ""))
        try:
            services.merge_customers(request.user, keep, duplicate)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(duplicate)s is merged into %(keep)s.")
                % {"duplicate": duplicate.name, "keep": keep.name},
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
    if request.GET.get("preview"):
        preview = files.preview_response(evidence.file.open("rb"))
        if preview is None:
            raise Http404
        return preview
    return files.attachment_response(evidence.file.open("rb"), evidence.file.name or "")


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
            "funnel": stages,
            "max_count": max([r["count"] for r in stages] or [1]) or 1,
            "open_amount": sum((r["amount"] for r in open_rows), Decimal(0)),
            "open_weighted": sum((r["weighted"] for r in open_rows), Decimal(0)),
            "page": page,
            "stage": stage,
            "querystring": _querystring(request),
        },
    )


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
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        moved = apply_service(
            form,
            lambda data: services.move_opportunity(
                request.user, opportunity, data["stage"], reason=data["reason"]
            ),
        )
        if moved is not None:
            messages.success(request, _("Moved to %(stage)s.") % {"stage": moved.stage.name})
            return redirect("crm:opportunity", external_id=opportunity.external_id)
    history = opportunity.stage_changes.select_related("from_stage", "to_stage", "changed_by")
    activities = opportunity.activities.select_related("owner").order_by("-occurred_at")[:50]
    return render(
        request,
        "crm/opportunity.html",
        {
            "opportunity": opportunity,
            "form": form,
            "history": history,
            "activities": activities,
            "weighted": (opportunity.amount * opportunity.stage.probability).quantize(
                Decimal("0.01")
            ),
        },
    )


# Orders, payments, tickets, reminders ----------------------------------------------


@login_required
def orders(request: HttpRequest) -> HttpResponse:
    rows = selectors.visible_orders(request.user).select_related("customer", "owner")
    status = request.GET.get("status", "")
    if status:
        rows = rows.filter(status=status)
    rows = rows.prefetch_related("credits__person")
    page = Paginator(rows.order_by("-date", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "crm/orders.html",
        {
            "page": page,
            "status": status,
            "statuses": OrderStatus.choices,
            "querystring": _querystring(request),
            "status_form": OrderStatusForm(),
        },
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
        try:
            services.change_order_status(
                request.user, order, data["status"], on=data["on"], reason=data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Order %(id)s is now %(status)s.")
                % {"id": order.external_id, "status": OrderStatus(data["status"]).label},
            )
    else:
        messages.error(request, _("Choose a status and a date."))
    return redirect(request.POST.get("next") or "crm:orders")


@login_required
def payments(request: HttpRequest) -> HttpResponse:
    rows = (
        selectors.visible_payments(request.user)
        .select_related("customer", "collector", "order")
        .prefetch_related("credits__person")
    )
    page = Paginator(rows.order_by("-date", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "crm/payments.html", {"page": page, "querystring": _querystring(request)}
    )


@login_required
def tickets(request: HttpRequest) -> HttpResponse:
    rows = selectors.visible_tickets(request.user).select_related("customer", "owner", "order")
    me = person_of(request.user)
    mine = request.GET.get("mine", "1" if me is not None else "") == "1"
    if mine:
        rows = rows.filter(owner=me) if me is not None else rows.none()
    status = request.GET.get("status", "")
    if status:
        rows = rows.filter(status=status)
    page = Paginator(rows.order_by("-opened_on", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "crm/tickets.html",
        {
            "page": page,
            "mine": mine,
            "status": status,
            "statuses": TicketStatus.choices,
            "querystring": _querystring(request),
        },
    )


@login_required
@require_POST
def ticket_update(request: HttpRequest, external_id: str) -> HttpResponse:
    ticket = get_object_or_404(
        selectors.visible_tickets(request.user).select_related("owner"), external_id=external_id
    )
    form = TicketForm(request.POST)
    if form.is_valid():
        services.update_ticket(request.user, ticket, status=form.cleaned_data["status"])
        messages.success(request, _("The ticket is updated."))
    return redirect(request.POST.get("next") or "crm:tickets")


@login_required
def reminders(request: HttpRequest) -> HttpResponse:
    services.check_follow_ups_once_a_day()
    rows = selectors.my_reminders(request.user).select_related(
        "opportunity__customer", "opportunity__stage"
    )
    return render(request, "crm/reminders.html", {"reminders": rows[:200]})


@login_required
@require_POST
def reminder_done(request: HttpRequest, pk: int) -> HttpResponse:
    reminder = get_object_or_404(Reminder, pk=pk)
    services.complete_reminder(request.user, reminder)
    return redirect("crm:reminders")


# Tickets opened by hand, satisfaction surveys ---------------------------------------


@login_required
def ticket_new(request: HttpRequest, external_id: str) -> HttpResponse:
    customer = selectors.access_customer(request.user, external_id)
    form = TicketNewForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        ticket = apply_service(
            form,
            lambda data: services.open_ticket(
                request.user,
                customer=customer,
                kind=data["kind"],
                owner=data["owner"],
                order=data["order"],
                summary=data["summary"],
                opened_on=data["opened_on"],
            ),
        )
        if ticket is not None:
            messages.success(request, _("The ticket is opened."))
            return redirect("crm:customer", external_id=customer.external_id)
    return _form_page(
        request,
        _("Open a service ticket · %(name)s") % {"name": customer.name},
        form,
        _back(customer),
    )


@login_required
def survey_new(request: HttpRequest, external_id: str) -> HttpResponse:
    """Record a satisfaction survey from the customer page, or for one of its tickets
    (``?ticket=K1``: the ticket is chosen and its handler is the rated person)."""
    customer = selectors.access_customer(request.user, external_id)
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
    form = SurveyForm(request.POST or None, customer=customer, initial=initial)
    if request.method == "POST" and form.is_valid():
        survey = apply_service(
            form,
            lambda data: services.record_survey(
                request.user,
                customer=customer,
                person=data["person"],
                date=data["date"],
                score=data["score"],
                ticket=data["ticket"],
                comment=data["comment"],
            ),
        )
        if survey is not None:
            messages.success(request, _("The survey is recorded."))
            return redirect("crm:customer", external_id=customer.external_id)
    return _form_page(
        request,
        _("Record a satisfaction survey · %(name)s") % {"name": customer.name},
        form,
        _back(customer),
    )


@login_required
def surveys(request: HttpRequest) -> HttpResponse:
    rows = selectors.visible_surveys(request.user).select_related("customer", "person", "ticket")
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(Q(customer__name__icontains=query) | Q(comment__icontains=query))
    person = request.GET.get("person", "").strip()
    if person:
        rows = rows.filter(person__code=person)
    page = Paginator(rows.order_by("-date", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "crm/surveys.html",
        {"page": page, "query": query, "person": person, "querystring": _querystring(request)},
    )


# Training scores and peer ratings (people's data) ------------------------------------


@login_required
def training_scores(request: HttpRequest) -> HttpResponse:
    rows = selectors.visible_training_scores(request.user).select_related("person")
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(course__icontains=query)
    person = request.GET.get("person", "").strip()
    if person:
        rows = rows.filter(person__code=person)
    page = Paginator(rows.order_by("-date", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "crm/training.html",
        {
            "page": page,
            "query": query,
            "person": person,
            "querystring": _querystring(request),
            "can_record": services.can_record_training(request.user),
        },
    )


@login_required
def training_score_new(request: HttpRequest) -> HttpResponse:
    from django.urls import reverse

    if not services.can_record_training(request.user):
        raise PermissionDenied
    form = TrainingScoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        row = apply_service(form, lambda data: services.record_training_score(request.user, **data))
        if row is not None:
            messages.success(request, _("The score is recorded."))
            return redirect("crm:training")
    return _form_page(request, _("Record a training or test score"), form, reverse("crm:training"))


@login_required
def peer_ratings(request: HttpRequest) -> HttpResponse:
    rows = selectors.visible_peer_ratings(request.user).select_related("rater", "person")
    me = person_of(request.user)
    given = request.GET.get("given") == "1"
    if given:
        rows = rows.filter(rater=me) if me is not None else rows.none()
    person = request.GET.get("person", "").strip()
    if person:
        rows = rows.filter(person__code=person)
    page = Paginator(rows.order_by("-date", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "crm/ratings.html",
        {
            "page": page,
            "given": given,
            "person": person,
            "querystring": _querystring(request),
            "can_rate": me is not None or services.can_rate_on_behalf(request.user),
        },
    )


@login_required
def peer_rating_new(request: HttpRequest) -> HttpResponse:
    """Rate a colleague as oneself. Administrators and sales operations may also enter
    a rating given on paper, naming the rater."""
    from django.urls import reverse

    from attain.org.fields import PersonCodeField

    me = person_of(request.user)
    on_behalf = services.can_rate_on_behalf(request.user)
    if me is None and not on_behalf:
        raise PermissionDenied
    form = PeerRatingForm(request.POST or None)
    if on_behalf:
        form.fields["rater"] = PersonCodeField(
            label=_("Rated by (employee id; default: me)"), required=me is None
        )
    if request.method == "POST" and form.is_valid():
        rater = _person_or_me(request, form, "rater")
        row = None
        if rater is not None:
            row = apply_service(
                form,
                lambda data: services.record_peer_rating(
                    request.user,
                    rater=rater,
                    person=data["person"],
                    date=data["date"],
                    score=data["score"],
                    comment=data["comment"],
                ),
            )
        if row is not None:
            messages.success(request, _("Thank you: the rating is recorded."))
            return redirect(reverse("crm:ratings") + "?given=1")
    return _form_page(request, _("Rate a colleague's collaboration"), form, reverse("crm:ratings"))


# Product catalogue ---------------------------------------------------------------------


def _require_catalogue_editor(request: HttpRequest) -> None:
    if not services.can_edit_catalogue(request.user):
        raise PermissionDenied


@login_required
def products(request: HttpRequest) -> HttpResponse:
    rows = Product.objects.select_related("line")
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(Q(code__icontains=query) | Q(name__icontains=query))
    line = request.GET.get("line", "")
    if line:
        rows = rows.filter(line__code=line)
    active = request.GET.get("active", "")
    if active in {"1", "0"}:
        rows = rows.filter(active=active == "1")
    page = Paginator(rows.order_by("code"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "crm/products.html",
        {
            "page": page,
            "query": query,
            "line": line,
            "active": active,
            "lines": ProductLine.objects.order_by("code")[:500],
            "querystring": _querystring(request),
            "can_edit": services.can_edit_catalogue(request.user),
        },
    )


@login_required
def product_new(request: HttpRequest) -> HttpResponse:
    from django.urls import reverse

    _require_catalogue_editor(request)
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        product = apply_service(form, lambda data: services.create_product(request.user, **data))
        if product is not None:
            messages.success(request, _("%(name)s is added.") % {"name": product.name})
            return redirect("crm:products")
    return _form_page(request, _("Add a product"), form, reverse("crm:products"))


@login_required
def product_edit(request: HttpRequest, code: str) -> HttpResponse:
    from django.urls import reverse

    _require_catalogue_editor(request)
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
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda data: services.update_product(
                request.user,
                product,
                name=data["name"],
                line=data["line"],
                list_price=data["list_price"],
                active=data["active"],
            ),
        )
        if done is not None:
            messages.success(request, _("%(name)s is saved.") % {"name": done.name})
            return redirect("crm:products")
    return _form_page(
        request, _("Edit product %(code)s") % {"code": product.code}, form, reverse("crm:products")
    )


@login_required
def product_lines(request: HttpRequest) -> HttpResponse:
    rows = ProductLine.objects.annotate(product_count=Count("products"))
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(Q(code__icontains=query) | Q(name__icontains=query))
    page = Paginator(rows.order_by("code"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "crm/product_lines.html",
        {
            "page": page,
            "query": query,
            "querystring": _querystring(request),
            "can_edit": services.can_edit_catalogue(request.user),
        },
    )


@login_required
def product_line_new(request: HttpRequest) -> HttpResponse:
    from django.urls import reverse

    _require_catalogue_editor(request)
    form = ProductLineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        line = apply_service(form, lambda data: services.create_product_line(request.user, **data))
        if line is not None:
            messages.success(request, _("%(name)s is added.") % {"name": line.name})
            return redirect("crm:product-lines")
    return _form_page(request, _("Add a product line"), form, reverse("crm:product-lines"))


@login_required
def product_line_edit(request: HttpRequest, code: str) -> HttpResponse:
    from django.urls import reverse

    _require_catalogue_editor(request)
    line = get_object_or_404(ProductLine, code=code)
    form = ProductLineForm(request.POST or None, initial={"code": line.code, "name": line.name})
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda data: services.update_product_line(request.user, line, name=data["name"]),
        )
        if done is not None:
            messages.success(request, _("%(name)s is saved.") % {"name": done.name})
            return redirect("crm:product-lines")
    return _form_page(
        request,
        _("Edit product line %(code)s") % {"code": line.code},
        form,
        reverse("crm:product-lines"),
    )
