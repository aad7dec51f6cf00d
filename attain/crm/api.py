"""REST endpoints for CRM records, looked up by ``external_id``. Reads go through
:mod:`attain.crm.selectors` (an invisible record is a 404); writes go through
:mod:`attain.crm.services`, whose errors become the standard error body."""

# mypy: disable-error-code="type-arg"
from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import unquote

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from attain.org.api import PersonRef
from attain.org.selectors import person_of
from attain.web.api import (
    DateTimeField,
    ModelSerializer,
    Serializer,
    ServiceCreateMixin,
    SlugRelatedField,
    choice_parameter,
    create_schema,
    query_bool,
    query_one,
)
from attain.web.parsers import JSONParser

from . import access, selectors
from .models import (
    MAX_DURATION_MINUTES,
    Activity,
    ActivityKind,
    Contact,
    Customer,
    CustomerSource,
    Evidence,
    EvidenceKind,
    Opportunity,
    Order,
    OrderStatus,
    Payment,
    PeerRating,
    Product,
    ProductLine,
    ServiceTicket,
    Stage,
    StageChange,
    Survey,
    TicketKind,
    TicketStatus,
    TrainingScore,
)
from .services.activities import log_activity
from .services.contacts import create_contact
from .services.customers import create_customer
from .services.opportunities import move_opportunity
from .services.orders import record_order
from .services.payments import record_payment
from .services.products import create_product, create_product_line
from .services.ratings import record_peer_rating, record_survey, record_training_score
from .services.tickets import open_ticket, update_ticket

# Serializers: reads ------------------------------------------------------------------


class CreditSerializer(Serializer):
    person = PersonRef()
    share = serializers.DecimalField(max_digits=9, decimal_places=8)


class CustomerSerializer(ModelSerializer):
    owner: Any = SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    merged_into: Any = SlugRelatedField(slug_field="external_id", read_only=True, allow_null=True)

    class Meta:
        model = Customer
        fields = [
            "external_id",
            "name",
            "credit_code",
            "phone",
            "email",
            "industry",
            "city",
            "source",
            "owner",
            "created_on",
            "merged_into",
            "verification",
        ]


class ContactSerializer(ModelSerializer):
    customer: Any = SlugRelatedField(slug_field="external_id", read_only=True)

    class Meta:
        model = Contact
        fields = ["external_id", "customer", "name", "title", "phone", "email"]


class StageChangeSerializer(ModelSerializer):
    from_stage: Any = SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    to_stage: Any = SlugRelatedField(slug_field="code", read_only=True)
    changed_by: Any = SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = StageChange
        fields = ["from_stage", "to_stage", "changed_at", "changed_by", "note"]


class OpportunitySerializer(ModelSerializer):
    customer: Any = SlugRelatedField(slug_field="external_id", read_only=True)
    owner: Any = SlugRelatedField(slug_field="code", read_only=True)
    stage: Any = SlugRelatedField(slug_field="code", read_only=True)
    probability = serializers.DecimalField(
        source="stage.probability", max_digits=4, decimal_places=3, read_only=True
    )
    product_line: Any = SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Opportunity
        fields = [
            "external_id",
            "customer",
            "name",
            "owner",
            "stage",
            "probability",
            "amount",
            "product_line",
            "source",
            "created_on",
            "expected_close",
            "closed_on",
            "close_reason",
        ]


class OpportunityDetailSerializer(OpportunitySerializer):
    stage_changes = StageChangeSerializer(many=True, read_only=True)

    class Meta(OpportunitySerializer.Meta):
        fields = [*OpportunitySerializer.Meta.fields, "stage_changes"]


class EvidenceSerializer(ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "kind", "note", "uploaded_at", "perceptual_hash", "url"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_url(self, evidence: Evidence) -> str | None:
        """The file, or null for a photo's fingerprint that came from an import."""
        from django.urls import reverse

        return reverse("crm:evidence", args=[evidence.pk]) if evidence.file else None


class ActivitySerializer(ModelSerializer):
    customer: Any = SlugRelatedField(slug_field="external_id", read_only=True)
    opportunity: Any = SlugRelatedField(slug_field="external_id", read_only=True, allow_null=True)
    owner: Any = SlugRelatedField(slug_field="code", read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "external_id",
            "kind",
            "customer",
            "opportunity",
            "owner",
            "occurred_at",
            "summary",
            "duration_minutes",
            "latitude",
            "longitude",
            "place",
            "evidence",
            "verification",
        ]


class OrderLineReadSerializer(Serializer):
    product = serializers.CharField(source="product.code")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3)
    unit_price = serializers.DecimalField(max_digits=18, decimal_places=2)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)


class CreditReadSerializer(Serializer):
    person = serializers.CharField(source="person.code")
    share = serializers.DecimalField(max_digits=9, decimal_places=8)


class OrderSerializer(ModelSerializer):
    customer: Any = SlugRelatedField(slug_field="external_id", read_only=True)
    owner: Any = SlugRelatedField(slug_field="code", read_only=True)
    opportunity: Any = SlugRelatedField(slug_field="external_id", read_only=True, allow_null=True)
    product_line: Any = SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    lines = OrderLineReadSerializer(many=True, read_only=True)
    credits = CreditReadSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "external_id",
            "customer",
            "owner",
            "opportunity",
            "date",
            "status",
            "status_changed_on",
            "amount",
            "product_line",
            "lines",
            "credits",
            "verification",
        ]


class PaymentSerializer(ModelSerializer):
    customer: Any = SlugRelatedField(slug_field="external_id", read_only=True)
    collector: Any = SlugRelatedField(slug_field="code", read_only=True)
    order: Any = SlugRelatedField(slug_field="external_id", read_only=True, allow_null=True)
    credits = CreditReadSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = [
            "external_id",
            "customer",
            "order",
            "collector",
            "date",
            "amount",
            "credits",
            "verification",
        ]


class TicketSerializer(ModelSerializer):
    customer: Any = SlugRelatedField(slug_field="external_id", read_only=True)
    order: Any = SlugRelatedField(slug_field="external_id", read_only=True, allow_null=True)
    owner: Any = SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    # A hand-off ticket's sentence in the caller's language (ServiceTicket.text).
    summary = serializers.CharField(source="text", read_only=True)

    class Meta:
        model = ServiceTicket
        fields = [
            "external_id",
            "customer",
            "order",
            "owner",
            "kind",
            "status",
            "opened_on",
            "resolved_on",
            "summary",
            "verification",
        ]


class SurveySerializer(ModelSerializer):
    customer: Any = SlugRelatedField(slug_field="external_id", read_only=True)
    person: Any = SlugRelatedField(slug_field="code", read_only=True)
    ticket: Any = SlugRelatedField(slug_field="external_id", read_only=True, allow_null=True)

    class Meta:
        model = Survey
        fields = [
            "external_id",
            "customer",
            "person",
            "ticket",
            "date",
            "score",
            "comment",
            "verification",
        ]


class TrainingScoreSerializer(ModelSerializer):
    person: Any = SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = TrainingScore
        fields = ["external_id", "person", "course", "date", "score", "verification"]


class PeerRatingSerializer(ModelSerializer):
    rater: Any = SlugRelatedField(slug_field="code", read_only=True)
    person: Any = SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = PeerRating
        fields = ["external_id", "rater", "person", "date", "score", "comment", "verification"]


class ProductLineSerializer(ModelSerializer):
    class Meta:
        model = ProductLine
        fields = ["code", "name"]


class ProductSerializer(ModelSerializer):
    line: Any = SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Product
        fields = ["code", "name", "line", "list_price", "active"]


class Customer360CountsSerializer(Serializer):
    contacts = serializers.IntegerField()
    opportunities = serializers.IntegerField()
    activities = serializers.IntegerField()
    orders = serializers.IntegerField()
    payments = serializers.IntegerField()
    tickets = serializers.IntegerField()
    surveys = serializers.IntegerField()


class Customer360TotalsSerializer(Serializer):
    confirmed_orders = serializers.DecimalField(max_digits=18, decimal_places=2)
    collected = serializers.DecimalField(max_digits=18, decimal_places=2)


class Customer360Serializer(Serializer):
    customer = CustomerSerializer()
    contacts = ContactSerializer(many=True)
    opportunities = OpportunityDetailSerializer(many=True)
    activities = ActivitySerializer(many=True)
    orders = OrderSerializer(many=True)
    payments = PaymentSerializer(many=True)
    tickets = TicketSerializer(many=True)
    surveys = SurveySerializer(many=True)
    counts = Customer360CountsSerializer(
        help_text="How many records each section has in all (a section lists the latest 200)."
    )
    totals = Customer360TotalsSerializer(help_text="Totals over all the customer's records.")


# Serializers: writes -----------------------------------------------------------------


class CustomerRef(SlugRelatedField):
    default_error_messages = {
        "does_not_exist": _("Unknown customer “{value}”."),
        "invalid": _("Give a customer id."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            slug_field="external_id",
            queryset=Customer.objects.filter(merged_into__isnull=True),
            **kwargs,
        )


class CustomerCreateSerializer(Serializer):
    name = serializers.CharField(max_length=200)
    credit_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    source: Any = serializers.ChoiceField(choices=CustomerSource.choices, required=False)
    owner = PersonRef(required=False, allow_null=True)
    external_id = serializers.CharField(max_length=64, required=False)


class ActivityCreateSerializer(Serializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    customer = CustomerRef()
    opportunity = SlugRelatedField(
        slug_field="external_id", queryset=Opportunity.objects.all(), required=False
    )
    owner = PersonRef(required=False)
    occurred_at = DateTimeField()
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    duration_minutes = serializers.IntegerField(
        min_value=0, max_value=MAX_DURATION_MINUTES, required=False, allow_null=True
    )
    latitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-90),
        max_value=Decimal(90),
        required=False,
    )
    longitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-180),
        max_value=Decimal(180),
        required=False,
    )
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    photo = serializers.FileField(required=False)
    file = serializers.FileField(required=False)
    recording = serializers.FileField(required=False)
    external_id = serializers.CharField(max_length=64, required=False)


class OrderLineWriteSerializer(Serializer):
    product = SlugRelatedField(slug_field="code", queryset=Product.objects.all())
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3)
    unit_price = serializers.DecimalField(max_digits=18, decimal_places=2)


class OrderCreateSerializer(Serializer):
    customer = CustomerRef()
    owner = PersonRef(required=False)
    date = serializers.DateField()
    amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True
    )
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    opportunity = SlugRelatedField(
        slug_field="external_id", queryset=Opportunity.objects.all(), required=False
    )
    lines = OrderLineWriteSerializer(many=True, required=False)
    credits = CreditSerializer(many=True, required=False)
    external_id = serializers.CharField(max_length=64, required=False)


class PaymentCreateSerializer(Serializer):
    customer = CustomerRef()
    collector = PersonRef(required=False)
    date = serializers.DateField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    order = SlugRelatedField(slug_field="external_id", queryset=Order.objects.all(), required=False)
    credits = CreditSerializer(many=True, required=False)
    external_id = serializers.CharField(max_length=64, required=False)


class ContactCreateSerializer(Serializer):
    customer = CustomerRef()
    name = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    external_id = serializers.CharField(max_length=64, required=False)


class TicketCreateSerializer(Serializer):
    customer = CustomerRef()
    kind = serializers.ChoiceField(choices=TicketKind.choices)
    owner = PersonRef(required=False, allow_null=True)
    order = SlugRelatedField(
        slug_field="external_id", queryset=Order.objects.all(), required=False, allow_null=True
    )
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    opened_on = serializers.DateField(required=False)


class TicketStatusSerializer(Serializer):
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    on = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SurveyCreateSerializer(Serializer):
    customer = CustomerRef()
    person = PersonRef()
    ticket = SlugRelatedField(
        slug_field="external_id",
        queryset=ServiceTicket.objects.all(),
        required=False,
        allow_null=True,
    )
    date = serializers.DateField()
    score = serializers.DecimalField(max_digits=3, decimal_places=1)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    external_id = serializers.CharField(max_length=64, required=False)


class TrainingScoreCreateSerializer(Serializer):
    person = PersonRef()
    course = serializers.CharField(max_length=200)
    date = serializers.DateField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1)
    external_id = serializers.CharField(max_length=64, required=False)


class PeerRatingCreateSerializer(Serializer):
    rater = PersonRef(required=False)
    person = PersonRef()
    date = serializers.DateField()
    score = serializers.DecimalField(max_digits=3, decimal_places=1)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    external_id = serializers.CharField(max_length=64, required=False)


class ProductLineCreateSerializer(Serializer):
    code = serializers.SlugField(max_length=64)
    name = serializers.CharField(max_length=200)


class ProductCreateSerializer(Serializer):
    code = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    line = SlugRelatedField(slug_field="code", queryset=ProductLine.objects.all())
    list_price = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, allow_null=True
    )
    active = serializers.BooleanField(required=False, default=True)


class MoveSerializer(Serializer):
    stage = SlugRelatedField(slug_field="code", queryset=Stage.objects.all())
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def _credits(rows: list[dict[str, Any]] | None) -> dict[Any, Decimal]:
    credits: dict[Any, Decimal] = {}
    for row in rows or []:
        if row["person"] in credits:
            raise serializers.ValidationError(
                {"credits": [_("Each person appears once in a credit split.")]}
            )
        credits[row["person"]] = row["share"]
    return credits


def _check_customer(request: Request, customer: Customer) -> Customer:
    """A write may name only a customer the caller may see (others look unknown)."""
    if not access.can_view_customer(request.user, customer):
        raise serializers.ValidationError(
            {"customer": [_("Unknown customer “%(id)s”.") % {"id": customer.external_id}]}
        )
    return customer


def _me(request: Request, field: str) -> Any:
    me = person_of(request.user)
    if me is None:
        raise serializers.ValidationError({field: [_("Give an employee id.")]})
    return me


# Views -------------------------------------------------------------------------------

ALLOW_DUPLICATE = OpenApiParameter(
    "allow_duplicate", bool, description="Create even if a likely duplicate exists."
)


class ReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "external_id"
    lookup_value_regex = "[^/]+"
    # Query parameters that narrow the list: parameter → the lookup its value must equal.
    filters: ClassVar[dict[str, str]] = {}
    # The values a filter takes, when it takes only some (a status): others are a 400.
    filter_choices: ClassVar[dict[str, list[str]]] = {}
    # Other parameters of the list (documented; the view's get_queryset reads them).
    list_parameters: ClassVar[list[OpenApiParameter]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Put the list's filters in the OpenAPI document (they were read but not listed)."""
        super().__init_subclass__(**kwargs)
        parameters = [
            *cls.list_parameters,
            *(
                choice_parameter(name, sorted(cls.filter_choices[name]))
                if name in cls.filter_choices
                else OpenApiParameter(name, str)
                for name in cls.filters
            ),
        ]
        if parameters:
            extend_schema_view(list=extend_schema(parameters=parameters))(cls)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """The record's id read from its address as the pages' links write it
        (:class:`attain.crm.urls.RecordIdConverter`): an id's ``/`` and ``%`` are escaped
        once more inside the segment (``HT%252F2026%252F118``), since the server decodes
        ``%2F`` before the routes are matched and a segment cannot hold a slash."""
        super().initial(request, *args, **kwargs)
        key = self.lookup_url_kwarg or self.lookup_field
        if key in self.kwargs:
            self.kwargs[key] = unquote(self.kwargs[key])

    def filtered(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        """The rows narrowed by the filters given, each read strictly (given twice, or a
        value not among its choices, is a 400 naming it; empty is not given)."""
        for param, lookup in self.filters.items():
            value = query_one(self.request, param)
            if value is None:
                continue
            choices = self.filter_choices.get(param)
            if choices is not None and value not in choices:
                raise serializers.ValidationError(
                    {param: [_("Give one of: %(choices)s.") % {"choices": ", ".join(choices)}]}
                )
            rows = rows.filter(**{lookup: value})
        return rows


@create_schema(
    "Create a customer. A likely duplicate is refused (400 at ``name``, naming the "
    "customer it looks like) unless ``?allow_duplicate=true``.",
    parameters=[ALLOW_DUPLICATE],
)
class CustomerViewSet(ServiceCreateMixin, ReadViewSet):
    """Customers the caller may see: those whose owner, or the person of any of whose
    records, the caller may see (organisation-wide roles: all). Merged customers are left
    out of the list; reading one by id shows where it was merged (``merged_into``)."""

    serializer_class = CustomerSerializer
    create_serializer_class = CustomerCreateSerializer

    filters = {"owner": "owner__code"}
    list_parameters = [
        OpenApiParameter("q", str, description="search: name, phone, email, credit code, id, city")
    ]

    def get_queryset(self) -> QuerySet[Customer]:
        detail = self.action != "list"
        rows = selectors.visible_customers(self.request.user, include_merged=detail)
        query = (query_one(self.request, "q") or "").strip() if not detail else ""
        if query:  # the customers page's search
            rows = rows.filter(selectors.customer_search(query))
        return self.filtered(rows.select_related("owner", "merged_into")).order_by("name", "pk")

    def get_object(self) -> Customer:
        return selectors.access_customer(self.request.user, self.kwargs["external_id"])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        customer = Customer.objects.filter(external_id=kwargs["external_id"]).first()
        kept = self.get_object()
        shown = customer if customer is not None else kept
        return Response(CustomerSerializer(shown).data)

    def create_record(self, data: dict[str, Any]) -> Customer:
        request = self.request
        owner = data.pop("owner", None) or person_of(request.user)
        allow = query_bool(request, "allow_duplicate")
        return create_customer(request.user, owner=owner, allow_duplicate=allow, **data)

    @extend_schema(responses=Customer360Serializer)
    @action(detail=True, methods=["get"], url_path="360")
    def customer_360(self, request: Request, external_id: str) -> Response:
        """Everything about the customer across departments (Customer 360)."""
        customer = self.get_object()
        sections = selectors.customer_360(customer)
        sections.pop("timeline")
        figures = selectors.customer_figures(customer)
        return Response(Customer360Serializer({"customer": customer, **sections, **figures}).data)


@create_schema("Add a contact to a customer the caller may see.")
class ContactViewSet(ServiceCreateMixin, ReadViewSet):
    """Contacts of the customers the caller may see."""

    serializer_class = ContactSerializer
    create_serializer_class = ContactCreateSerializer

    filters = {"customer": "customer__external_id"}

    def get_queryset(self) -> QuerySet[Contact]:
        rows = selectors.visible_contacts(self.request.user).select_related("customer")
        return self.filtered(rows).order_by("name", "pk")

    def create_record(self, data: dict[str, Any]) -> Contact:
        customer = _check_customer(self.request, data.pop("customer"))
        return create_contact(self.request.user, customer=customer, **data)


class OpportunityViewSet(ReadViewSet):
    serializer_class = OpportunitySerializer

    filters = {"stage": "stage__code"}

    def get_queryset(self) -> QuerySet[Opportunity]:
        rows = selectors.visible_opportunities(self.request.user).select_related(
            "customer", "owner", "stage", "product_line"
        )
        return self.filtered(rows).order_by("-created_on", "-pk")

    @extend_schema(responses=StageChangeSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, external_id: str) -> Response:
        """The full stage history, oldest first."""
        opportunity = self.get_object()
        rows = opportunity.stage_changes.select_related("from_stage", "to_stage", "changed_by")
        return Response(StageChangeSerializer(rows, many=True).data)

    @extend_schema(request=MoveSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, external_id: str) -> Response:
        """Move to another stage. The stage's requirements apply (e.g. a logged visit
        before 报价); winning or losing needs a ``reason``."""
        opportunity = self.get_object()
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        moved = move_opportunity(request.user, opportunity, **serializer.validated_data)
        return Response(OpportunitySerializer(moved).data)


@create_schema(
    "Log a visit, call, meeting or note. Send multipart to attach ``photo``, ``file`` "
    "or ``recording``."
)
class ActivityViewSet(ServiceCreateMixin, ReadViewSet):
    serializer_class = ActivitySerializer
    create_serializer_class = ActivityCreateSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Activity]:
        return (
            selectors.visible_activities(self.request.user)
            .select_related("customer", "opportunity", "owner")
            .prefetch_related("evidence")
            .order_by("-occurred_at", "-pk")
        )

    def create_record(self, data: dict[str, Any]) -> Activity:
        customer = _check_customer(self.request, data.pop("customer"))
        evidence = [
            (kind, data.pop(field))
            for field, kind in (
                ("photo", EvidenceKind.PHOTO),
                ("file", EvidenceKind.FILE),
                ("recording", EvidenceKind.RECORDING),
            )
            if field in data
        ]
        owner = data.pop("owner", None) or _me(self.request, "owner")
        return log_activity(
            self.request.user, customer=customer, owner=owner, evidence=evidence, **data
        )


@create_schema(
    "Record an order with optional ``lines`` and a ``credits`` split (shares sum to 1). "
    "A confirmed order is handed off to after-sales."
)
class OrderViewSet(ServiceCreateMixin, ReadViewSet):
    serializer_class = OrderSerializer
    create_serializer_class = OrderCreateSerializer

    filters = {"status": "status"}
    filter_choices = {"status": list(OrderStatus.values)}

    def get_queryset(self) -> QuerySet[Order]:
        rows = (
            selectors.visible_orders(self.request.user)
            .select_related("customer", "owner", "opportunity", "product_line")
            .prefetch_related("lines__product", "credits__person")
        )
        return self.filtered(rows).order_by("-date", "-pk")

    def create_record(self, data: dict[str, Any]) -> Order:
        _check_customer(self.request, data["customer"])
        owner = data.pop("owner", None) or _me(self.request, "owner")
        lines = [(r["product"], r["quantity"], r["unit_price"]) for r in data.pop("lines", [])]
        credits = _credits(data.pop("credits", None))
        return record_order(self.request.user, owner=owner, lines=lines, credits=credits, **data)


@create_schema("Record a payment (回款), optionally against an order, with a credit split.")
class PaymentViewSet(ServiceCreateMixin, ReadViewSet):
    serializer_class = PaymentSerializer
    create_serializer_class = PaymentCreateSerializer

    def get_queryset(self) -> QuerySet[Payment]:
        return (
            selectors.visible_payments(self.request.user)
            .select_related("customer", "collector", "order")
            .prefetch_related("credits__person")
            .order_by("-date", "-pk")
        )

    def create_record(self, data: dict[str, Any]) -> Payment:
        _check_customer(self.request, data["customer"])
        collector = data.pop("collector", None) or _me(self.request, "collector")
        credits = _credits(data.pop("credits", None))
        return record_payment(self.request.user, collector=collector, credits=credits, **data)


@create_schema("Open an after-sales ticket by hand for a customer the caller may see.")
class TicketViewSet(ServiceCreateMixin, ReadViewSet):
    """Tickets handled by a visible person or opened for a visible person's order."""

    serializer_class = TicketSerializer
    create_serializer_class = TicketCreateSerializer

    filters = {"status": "status"}
    filter_choices = {"status": list(TicketStatus.values)}

    def get_queryset(self) -> QuerySet[ServiceTicket]:
        rows = selectors.visible_tickets(self.request.user).select_related(
            "customer", "order__owner", "owner"
        )
        return self.filtered(rows).order_by("-opened_on", "-pk")

    def create_record(self, data: dict[str, Any]) -> ServiceTicket:
        _check_customer(self.request, data["customer"])
        return open_ticket(self.request.user, **data)

    @extend_schema(request=TicketStatusSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, external_id: str) -> Response:
        """Change the status; resolving or closing records the day (``on``, default
        today), reopening clears it."""
        ticket = self.get_object()
        serializer = TicketStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ticket = update_ticket(
            request.user, ticket, status=data["status"], on=data.get("on"), reason=data["reason"]
        )
        return Response(TicketSerializer(ticket).data)


@create_schema(
    "Record a customer's satisfaction (1–5) about a person, optionally for a ticket of "
    "that customer. Nobody records a survey about themself."
)
class SurveyViewSet(ServiceCreateMixin, ReadViewSet):
    """Satisfaction surveys about visible people."""

    serializer_class = SurveySerializer
    create_serializer_class = SurveyCreateSerializer

    filters = {"person": "person__code"}

    def get_queryset(self) -> QuerySet[Survey]:
        rows = selectors.visible_surveys(self.request.user).select_related(
            "customer", "person", "ticket"
        )
        return self.filtered(rows).order_by("-date", "-pk")

    def create_record(self, data: dict[str, Any]) -> Survey:
        _check_customer(self.request, data["customer"])
        return record_survey(self.request.user, **data)


@create_schema()
class TrainingScoreViewSet(ServiceCreateMixin, ReadViewSet):
    """Training and test scores (0–100) of visible people. Recorded by administrators,
    sales operations and managers (for their team)."""

    serializer_class = TrainingScoreSerializer
    create_serializer_class = TrainingScoreCreateSerializer

    filters = {"person": "person__code"}

    def get_queryset(self) -> QuerySet[TrainingScore]:
        rows = selectors.visible_training_scores(self.request.user).select_related("person")
        return self.filtered(rows).order_by("-date", "-pk")

    def create_record(self, data: dict[str, Any]) -> TrainingScore:
        return record_training_score(self.request.user, **data)


@create_schema(
    "Rate a colleague (the rater is the caller; administrators and sales operations may "
    "name another ``rater``). One rating per rater, person and month."
)
class PeerRatingViewSet(ServiceCreateMixin, ReadViewSet):
    """Collaboration ratings (1–5) of visible people, and those the caller gave."""

    serializer_class = PeerRatingSerializer
    create_serializer_class = PeerRatingCreateSerializer

    filters = {"person": "person__code"}

    def get_queryset(self) -> QuerySet[PeerRating]:
        rows = selectors.visible_peer_ratings(self.request.user).select_related("rater", "person")
        return self.filtered(rows).order_by("-date", "-pk")

    def create_record(self, data: dict[str, Any]) -> PeerRating:
        rater = data.pop("rater", None) or _me(self.request, "rater")
        return record_peer_rating(self.request.user, rater=rater, **data)


@create_schema()
class ProductLineViewSet(ServiceCreateMixin, ReadViewSet):
    """Product lines: readable by everyone signed in; created by administrators and
    sales operations."""

    serializer_class = ProductLineSerializer
    create_serializer_class = ProductLineCreateSerializer
    lookup_field = "code"
    queryset = ProductLine.objects.order_by("code")

    def create_record(self, data: dict[str, Any]) -> ProductLine:
        return create_product_line(self.request.user, **data)


@create_schema()
class ProductViewSet(ServiceCreateMixin, ReadViewSet):
    """The product catalogue: readable by everyone signed in; created by administrators
    and sales operations."""

    serializer_class = ProductSerializer
    create_serializer_class = ProductCreateSerializer
    lookup_field = "code"

    filters = {"line": "line__code"}

    def get_queryset(self) -> QuerySet[Product]:
        return self.filtered(Product.objects.select_related("line")).order_by("code")

    def create_record(self, data: dict[str, Any]) -> Product:
        return create_product(self.request.user, **data)


router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("contacts", ContactViewSet, basename="contact")
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("activities", ActivityViewSet, basename="activity")
router.register("orders", OrderViewSet, basename="order")
router.register("payments", PaymentViewSet, basename="payment")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("surveys", SurveyViewSet, basename="survey")
router.register("training-scores", TrainingScoreViewSet, basename="training-score")
router.register("peer-ratings", PeerRatingViewSet, basename="peer-rating")
router.register("product-lines", ProductLineViewSet, basename="product-line")
router.register("products", ProductViewSet, basename="product")

urlpatterns = router.urls
