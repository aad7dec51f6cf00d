"""The shared CRM core: one customer record for sales, marketing and after-sales, and
the sales records every plan measure is computed from.

Every importable record has an ``external_id``: the id it has in the system it came
from (or one Attain generated), unique per table. Imports upsert by it, and the
calculation engine uses it as the record ``id``. Money is ``Decimal`` with 2 places;
business dates are dates; events (activities, stage changes) are aware datetimes.
Writes go through :mod:`attain.crm.services`.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from attain.org.models import Person
from attain.web.fields import MONEY, acting_user

from .stages import stage_name, stored_stage_name

SHARE: dict[str, Any] = {"max_digits": 9, "decimal_places": 8}
# A rating from 1 to 5 in steps of 0.1 (satisfaction surveys, peer ratings).
RATING: dict[str, Any] = {
    "max_digits": 3,
    "decimal_places": 1,
    "validators": [MinValueValidator(1), MaxValueValidator(5)],
}


def new_external_id() -> str:
    """An id for records created in Attain itself (imports bring their own)."""
    return "at-" + secrets.token_hex(6)


class ExternalIdMixin(models.Model):
    external_id = models.CharField(
        _("external id"), max_length=64, unique=True, default=new_external_id
    )

    class Meta:
        abstract = True


class Verification(models.TextChoices):
    """Whether a record counts toward pay (docs/pay.md): a record entered by the person
    paid for it waits for finance or sales operations; pending and rejected records are
    shown (marked) but never counted."""

    PENDING = "pending", _("Pending verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class VerifiedMixin(models.Model):
    """The verification state of a record that feeds pay."""

    verification = models.CharField(
        _("verification"),
        max_length=10,
        choices=Verification.choices,
        default=Verification.VERIFIED,
        # Bulk writers that list their own columns (the benchmark order generator) get
        # the database's default.
        db_default=Verification.VERIFIED,
        db_index=True,
    )
    verified_by = acting_user(_("verified by"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        abstract = True


# Products ------------------------------------------------------------------------


class ProductLine(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    code = models.CharField(_("product code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    line = models.ForeignKey(
        ProductLine,
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        related_name="products",
    )
    list_price = models.DecimalField(_("list price"), null=True, blank=True, **MONEY)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


# Customers -----------------------------------------------------------------------


class CustomerSource(models.TextChoices):
    SALES = "sales", _("Sales prospecting")
    MARKETING = "marketing", _("Marketing")
    REFERRAL = "referral", _("Referral")
    PARTNER = "partner", _("Partner")
    OTHER = "other", _("Other")


class Customer(VerifiedMixin, ExternalIdMixin):
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        help_text=_("Unified social credit code, 18 characters."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=CustomerSource.choices, default=CustomerSource.SALES
    )
    owner = models.ForeignKey(
        Person,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_customers",
    )
    created_on = models.DateField(_("created on"), default=timezone.localdate, db_index=True)
    # Normalised keys for duplicate detection (see attain.crm.dedupe); kept in step by services.
    name_key = models.CharField(max_length=200, db_index=True, editable=False, default="")
    phone_key = models.CharField(max_length=40, db_index=True, editable=False, default="")
    email_key = models.CharField(max_length=254, db_index=True, editable=False, default="")
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code="") & Q(merged_into__isnull=True),
                name="customer_unique_credit_code",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Contact(ExternalIdMixin):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Funnel --------------------------------------------------------------------------


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class ActivityKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    NOTE = "note", _("Note")


class Stage(models.Model):
    """A funnel stage, configured per company (线索 → 需求确认 → 方案 → 报价 → 谈判 → 赢单/输单)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"))
    probability = models.DecimalField(
        _("win probability"),
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=StageKind.choices, default=StageKind.OPEN
    )
    required_activity = models.CharField(
        _("required activity"),
        max_length=20,
        choices=ActivityKind.choices,
        blank=True,
        help_text=_("An opportunity may enter this stage only after such an activity is logged."),
    )

    class Meta:
        verbose_name = _("funnel stage")
        verbose_name_plural = _("funnel stages")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        """The name the reader's page shows: a default stage still named as it was
        created (线索) in the reader's language (Lead), any other name as it is."""
        return stage_name(self.code, self.name)


class Opportunity(ExternalIdMixin):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="opportunities"
    )
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        Person, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="opportunities"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="opportunities"
    )
    amount = models.DecimalField(_("expected amount"), **MONEY)
    product_line = models.ForeignKey(
        ProductLine, verbose_name=_("product line"), null=True, blank=True, on_delete=models.PROTECT
    )
    source = models.CharField(
        _("source"), max_length=20, choices=CustomerSource.choices, default=CustomerSource.SALES
    )
    created_on = models.DateField(_("created on"), default=timezone.localdate, db_index=True)
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("won or lost reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_on"]

    def __str__(self) -> str:
        return self.name


class StageChange(models.Model):
    """The full stage history of an opportunity (its first row is its creation)."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["opportunity_id", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"


# Activities ----------------------------------------------------------------------


# The longest duration an integer column holds on every database (the import checks it too).
MAX_DURATION_MINUTES = 2**31 - 1


class Activity(VerifiedMixin, ExternalIdMixin):
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="activities"
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL
    )
    owner = models.ForeignKey(
        Person, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="activities"
    )
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    summary = models.TextField(_("summary"), blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    place = models.CharField(_("place"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer}"


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    FILE = "file", _("File")
    RECORDING = "recording", _("Call recording")


class Evidence(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/")
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # A photo's 64-bit perceptual hash (16 hex digits), computed at upload, so the
    # integrity scan finds the same photo reused on several visits.
    perceptual_hash = models.CharField(
        _("perceptual hash"), max_length=16, blank=True, default="", editable=False
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.activity_id}"


# Orders and payments -------------------------------------------------------------


class OrderStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    RETURNED = "returned", _("Returned")


class Order(VerifiedMixin, ExternalIdMixin):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    # indexed with the date below (the index serves lookups by owner alone too): one
    # index less for every order an import writes
    owner = models.ForeignKey(
        Person,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        db_index=False,  # a partial index below: most orders have none
    )
    date = models.DateField(_("order date"), db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.CONFIRMED
    )
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # a partial index below: most orders have none
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["owner", "date"]),
            # only the orders that have one: an import of orders without them writes
            # no entries there
            models.Index(
                fields=["opportunity"],
                name="crm_order_opportunity",
                condition=Q(opportunity__isnull=False),
            ),
            models.Index(
                fields=["product_line"],
                name="crm_order_product_line",
                condition=Q(product_line__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class OrderLine(ExternalIdMixin):
    """One line of an order. Its ``external_id`` is the line's id in the source system
    (imports upsert by it) or one Attain generated."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.order_id}: {self.product_id} × {self.quantity}"


class OrderCredit(models.Model):
    """A share of an order's credit. No rows: the owner has all of it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="credits")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="order_credits")
    share = models.DecimalField(_("share"), **SHARE)

    class Meta:
        verbose_name = _("order credit")
        verbose_name_plural = _("order credits")
        constraints = [
            models.UniqueConstraint(fields=["order", "person"], name="order_credit_unique_person")
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.person_id} {self.share}"


class Payment(VerifiedMixin, ExternalIdMixin):
    """Money collected (回款), usually against an order."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="payments"
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    collector = models.ForeignKey(  # indexed with the date below, as an order's owner
        Person,
        verbose_name=_("collector"),
        on_delete=models.PROTECT,
        related_name="payments",
        db_index=False,
    )
    date = models.DateField(_("payment date"), db_index=True)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["collector", "date"])]

    def __str__(self) -> str:
        return self.external_id


class PaymentCredit(models.Model):
    """A share of a payment's credit. No rows: the collector has all of it."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="credits")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="payment_credits")
    share = models.DecimalField(_("share"), **SHARE)

    class Meta:
        verbose_name = _("payment credit")
        verbose_name_plural = _("payment credits")
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "person"], name="payment_credit_unique_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.person_id} {self.share}"


# After-sales, satisfaction, training, collaboration ------------------------------


class TicketKind(models.TextChoices):
    HANDOFF = "handoff", _("Hand-off from sales")
    INSTALLATION = "installation", _("Installation")
    REPAIR = "repair", _("Repair")
    QUESTION = "question", _("Question")
    COMPLAINT = "complaint", _("Complaint")


class TicketStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class ServiceTicket(VerifiedMixin, ExternalIdMixin):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tickets"
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    owner = models.ForeignKey(
        Person,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TicketKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.OPEN
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate, db_index=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("service ticket")
        verbose_name_plural = _("service tickets")
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer}"

    @property
    def text(self) -> str:
        """The summary, in the reader's language for a hand-off ticket Attain opened (it
        keeps no sentence, only its order, so an after-sales engineer reading Chinese is
        not shown the language the order was recorded in)."""
        order = self.order if self.order_id is not None else None
        if self.summary or self.kind != TicketKind.HANDOFF or order is None:
            return self.summary
        return handoff_text(order.external_id, order.owner.name)


def handoff_text(order: str, owner: str) -> str:
    """The hand-off ticket's sentence, in the active language."""
    return gettext("Order %(order)s won by %(owner)s: deliver and onboard.") % {
        "order": order,
        "owner": owner,
    }


class Survey(VerifiedMixin, ExternalIdMixin):
    """A customer satisfaction survey answer about one person (1 to 5)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="surveys"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("rated person"), on_delete=models.PROTECT, related_name="surveys"
    )
    ticket = models.ForeignKey(
        ServiceTicket, null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys"
    )
    date = models.DateField(_("date"), db_index=True)
    score = models.DecimalField(_("score"), **RATING)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.external_id} ({self.score})"


class TrainingScore(VerifiedMixin, ExternalIdMixin):
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="training_scores"
    )
    course = models.CharField(_("course or test"), max_length=200)
    date = models.DateField(_("date"), db_index=True)
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("training score")
        verbose_name_plural = _("training scores")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.course} ({self.score})"


class PeerRating(VerifiedMixin, ExternalIdMixin):
    """How a colleague rates a person's collaboration (1 to 5)."""

    rater = models.ForeignKey(
        Person, verbose_name=_("rated by"), on_delete=models.PROTECT, related_name="ratings_given"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("rated person"),
        on_delete=models.PROTECT,
        related_name="ratings_received",
    )
    date = models.DateField(_("date"), db_index=True)
    score = models.DecimalField(_("score"), **RATING)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("peer rating")
        verbose_name_plural = _("peer ratings")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(rater=models.F("person")), name="peer_rating_not_self"
            )
        ]

    def __str__(self) -> str:
        return f"{self.external_id} ({self.score})"


# Standard process ----------------------------------------------------------------


class FollowUpRule(models.Model):
    """Opportunities in ``stage`` with no activity for ``days`` days raise a reminder for
    their owner and the owner's manager."""

    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.CASCADE)
    days = models.PositiveSmallIntegerField(_("days without contact"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("follow-up rule")
        verbose_name_plural = _("follow-up rules")

    def __str__(self) -> str:
        return f"{self.stage}: {self.days}"


# A reminder's sentence, written out in the reader's language when shown (the stored
# parameters are data: names as entered, the rule's days and the stage's name, a default
# stage's given in the reader's language).
REMINDER_TEXT = _("%(customer)s · %(name)s: no contact for %(days)s days in stage %(stage)s.")


class Reminder(models.Model):
    """A follow-up due for one person. ``params`` (customer, name, days, stage) are kept,
    not a finished sentence, so :attr:`text` speaks the reader's language; ``message`` is
    the sentence in the language it was raised in, shown only for rows without ``params``."""

    person = models.ForeignKey(
        Person, verbose_name=_("for"), on_delete=models.CASCADE, related_name="reminders"
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    rule = models.ForeignKey(FollowUpRule, on_delete=models.CASCADE, related_name="reminders")
    message = models.CharField(_("message"), max_length=300, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "opportunity", "rule"],
                condition=Q(done_at__isnull=True),
                name="reminder_one_open_per_rule",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The reminder in the active language (the reader's): from ``params``, or the
        stored ``message`` for a row raised before reminders kept their parameters."""
        if not self.params:
            return self.message
        values = {k: self.params.get(k, "") for k in ("customer", "name", "days", "stage")}
        if isinstance(values["stage"], str):  # a default stage's name: the reader's
            values["stage"] = stored_stage_name(values["stage"])
        try:
            return str(REMINDER_TEXT) % values
        except (TypeError, ValueError):
            return self.message


# Records that count --------------------------------------------------------------------

DEFAULT_MAX_FUTURE_DAYS = 31
# The most days into the future a policy may allow: ten years.
MAX_FUTURE_DAYS_LIMIT = 3660
DEFAULT_AMOUNT_CEILING = Decimal("100000000.00")


class RecordPolicy(models.Model):
    """Sales operations' rules for one record table (docs/pay.md): whether records
    entered by the person paid for them wait for verification, how far in the future a
    record's dates may lie, and the ceiling of its money fields. A table without a row
    takes the defaults."""

    table = models.CharField(_("record table"), max_length=32, unique=True)
    review_own = models.BooleanField(
        _("own records need verification"),
        default=True,
        help_text=_("Records entered by the person paid for them count only once verified."),
    )
    max_future_days = models.PositiveIntegerField(
        _("days into the future allowed"), default=DEFAULT_MAX_FUTURE_DAYS
    )
    amount_ceiling = models.DecimalField(
        _("amount ceiling"), default=DEFAULT_AMOUNT_CEILING, **MONEY
    )

    class Meta:
        verbose_name = _("record policy")
        verbose_name_plural = _("record policies")
        ordering = ["table"]

    def __str__(self) -> str:
        return self.table
