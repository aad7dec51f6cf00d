"""Forms of the CRM pages. They parse and check shapes only; the services validate the
business rules and their errors are shown on the form (see ``attain.web.forms.apply_service``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from attain.org.fields import PersonCodeField
from attain.org.models import Person
from attain.web.forms import DateInput
from attain.web.pickers import PickerInput

from .models import (
    MAX_DURATION_MINUTES,
    ActivityKind,
    Customer,
    CustomerSource,
    Opportunity,
    Order,
    OrderStatus,
    Product,
    ProductLine,
    ServiceTicket,
    Stage,
    TicketKind,
    TicketStatus,
)


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker. Its value must be ``YYYY-MM-DDTHH:MM`` (with the
    T): Django's default format (a space) left the field empty in the browser."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format or "%Y-%m-%dT%H:%M")


def parse_credits(text: str) -> dict[Person, Decimal]:
    """``r1 0.6`` per line (employee id, share) → {person: share}."""
    credits: dict[Person, Decimal] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.replace(",", " ").replace("，", " ").split()
        if len(parts) != 2:
            raise forms.ValidationError(
                _("Line %(n)s: write an employee id and a share, like “r1 0.6”."),
                params={"n": number},
            )
        code, raw_share = parts
        try:
            share = Decimal(raw_share)
        except InvalidOperation:
            raise forms.ValidationError(
                _("Line %(n)s: “%(share)s” is not a number."),
                params={"n": number, "share": raw_share},
            ) from None
        person = Person.objects.filter(code=code).first()
        if person is None:
            raise forms.ValidationError(
                _("Line %(n)s: unknown person “%(code)s”."), params={"n": number, "code": code}
            )
        credits[person] = share
    return credits


CREDITS_HELP = _(
    "Optional credit split, one line per person: employee id and share, e.g. “r1 0.6”. "
    "Shares sum to 1. Empty: the owner has all of it."
)


class CreditsField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        kwargs.setdefault("help_text", CREDITS_HELP)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dict[Person, Decimal]:
        return parse_credits(super().clean(value) or "")


def customer_record_choice(label: Any, model: type[Any]) -> forms.ModelChoiceField:
    """An optional choice of one of the customer's ``model`` records, by external id;
    :class:`ForCustomerForm` narrows the choices to the customer."""
    return forms.ModelChoiceField(
        label=label, queryset=model.objects.none(), required=False, to_field_name="external_id"
    )


def coordinate_field(label: Any, limit: int) -> forms.DecimalField:
    """An optional latitude (limit 90) or longitude (limit 180) in degrees."""
    return forms.DecimalField(
        label=label,
        max_digits=9,
        decimal_places=6,
        min_value=-limit,
        max_value=limit,
        required=False,
    )


class ForCustomerForm(forms.Form):
    """A form about one customer: each field of ``customer_records`` chooses among that
    customer's records (field → related name and ordering)."""

    customer_records: ClassVar[dict[str, tuple[str, str]]] = {}

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field, (relation, order) in self.customer_records.items():
            self.fields[field].queryset = getattr(customer, relation).order_by(order)  # type: ignore[attr-defined]


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=40, required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    source = forms.ChoiceField(
        label=_("Source"), choices=CustomerSource.choices, initial=CustomerSource.SALES
    )
    owner = PersonCodeField(label=_("Owner (employee id)"), required=False)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)


class ActivityForm(ForCustomerForm):
    customer_records = {"opportunity": ("opportunities", "-created_on")}

    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=DateTimeInput,
        initial=lambda: timezone.localtime().replace(second=0, microsecond=0, tzinfo=None),
    )
    opportunity = customer_record_choice(_("Opportunity"), Opportunity)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=0, max_value=MAX_DURATION_MINUTES, required=False
    )
    owner = PersonCodeField(label=_("Owner (employee id; default: me)"), required=False)
    # on a phone: the camera first (capture), any image from the gallery otherwise
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    file = forms.FileField(label=_("File"), required=False)
    recording = forms.FileField(label=_("Call recording"), required=False)
    latitude = coordinate_field(_("Latitude"), 90)
    longitude = coordinate_field(_("Longitude"), 180)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # page.js turns this into a button filling latitude and longitude from the browser
        self.fields["latitude"].widget.attrs["data-locate"] = gettext("Use my location")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return data


class OpportunityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    amount = forms.DecimalField(
        label=_("Expected amount"), max_digits=18, decimal_places=2, min_value=0
    )
    owner = PersonCodeField(label=_("Owner (employee id; default: me)"), required=False)
    product_line = forms.ModelChoiceField(
        label=_("Product line"), queryset=ProductLine.objects.all(), required=False
    )
    expected_close = forms.DateField(label=_("Expected close"), widget=DateInput, required=False)
    source = forms.ChoiceField(
        label=_("Source"), choices=CustomerSource.choices, initial=CustomerSource.SALES
    )


class OrderForm(ForCustomerForm):
    customer_records = {"opportunity": ("opportunities", "-created_on")}

    date = forms.DateField(label=_("Order date"), widget=DateInput, initial=timezone.localdate)
    amount = forms.DecimalField(
        label=_("Amount (empty: the total of the lines)"),
        max_digits=18,
        decimal_places=2,
        required=False,
    )
    owner = PersonCodeField(label=_("Owner (employee id; default: me)"), required=False)
    opportunity = customer_record_choice(_("Opportunity"), Opportunity)
    credits = CreditsField(label=_("Credit split"))


class OrderLineForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product (code)"),
        queryset=Product.objects.filter(active=True),
        to_field_name="code",
        required=False,
        widget=PickerInput("product"),
        error_messages={"invalid_choice": _("Unknown product “%(value)s”.")},
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=14, decimal_places=3, required=False
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"), max_digits=18, decimal_places=2, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the table shows the inputs under its headings
            field.widget.attrs["aria-label"] = str(field.label)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [data.get(k) is not None for k in ("product", "quantity", "unit_price")]
        # a field given but wrong says so itself (shown in its cell), not "give all three"
        if any(given) and not all(given) and not self.errors:
            raise forms.ValidationError(_("Give the product, quantity and unit price."))
        return data


OrderLineFormSet = forms.formset_factory(OrderLineForm, extra=3)


class PaymentForm(ForCustomerForm):
    customer_records = {"order": ("orders", "-date")}

    date = forms.DateField(label=_("Payment date"), widget=DateInput, initial=timezone.localdate)
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2)
    order = customer_record_choice(_("Order"), Order)
    collector = PersonCodeField(label=_("Collector (employee id; default: me)"), required=False)
    credits = CreditsField(label=_("Credit split"))


class MoveForm(forms.Form):
    stage = forms.ModelChoiceField(
        label=_("Move to stage"),
        queryset=Stage.objects.order_by("position"),
        to_field_name="code",
    )
    reason = forms.CharField(
        label=_("Reason (required to win or lose)"), max_length=200, required=False
    )


class OrderStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=OrderStatus.choices)
    on = forms.DateField(label=_("Effective on"), widget=DateInput, initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class TicketForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TicketStatus.choices)


class TicketNewForm(ForCustomerForm):
    customer_records = {"order": ("orders", "-date")}

    kind = forms.ChoiceField(label=_("Kind"), choices=TicketKind.choices)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))
    order = customer_record_choice(_("Order"), Order)
    owner = PersonCodeField(label=_("Handled by (employee id; optional)"), required=False)
    opened_on = forms.DateField(label=_("Opened on"), widget=DateInput, initial=timezone.localdate)


class SurveyForm(ForCustomerForm):
    customer_records = {"ticket": ("tickets", "-opened_on")}

    person = PersonCodeField(label=_("Rated person (employee id)"))
    score = forms.DecimalField(
        label=_("Satisfaction (1–5)"), max_digits=3, decimal_places=1, min_value=1, max_value=5
    )
    date = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    ticket = customer_record_choice(_("Ticket"), ServiceTicket)
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class TrainingScoreForm(forms.Form):
    person = PersonCodeField(label=_("Person (employee id)"))
    course = forms.CharField(label=_("Course or test"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    score = forms.DecimalField(
        label=_("Score (0–100)"), max_digits=5, decimal_places=1, min_value=0, max_value=100
    )


class PeerRatingForm(forms.Form):
    person = PersonCodeField(label=_("Colleague (employee id)"))
    score = forms.DecimalField(
        label=_("Collaboration (1–5)"), max_digits=3, decimal_places=1, min_value=1, max_value=5
    )
    date = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ProductLineForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)


class ProductForm(forms.Form):
    code = forms.CharField(label=_("Product code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    line = forms.ModelChoiceField(
        label=_("Product line"), queryset=ProductLine.objects.order_by("code"), to_field_name="code"
    )
    list_price = forms.DecimalField(
        label=_("List price"), max_digits=18, decimal_places=2, min_value=0, required=False
    )
    active = forms.BooleanField(label=_("Offered (active)"), required=False, initial=True)
