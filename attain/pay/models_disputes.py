"""Disputes (申诉, docs/pay.md, "Disputes"): a person questions a payout line or a
record; sales operations answer within a response-time target and end it resolved
(with an adjustment and its reason) or rejected (with an explanation). Written only by
:mod:`attain.pay.services_disputes`.

A resolution's :class:`DisputeAdjustment` is paid through the payouts: it is placed in
the person's first open payout (``period``) and
:func:`attain.pay.services_payouts.sync_payouts` adds it there as its own line (plan
``adjustment``, component ``dispute-<number>``)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from attain.org.models import Person
from attain.web.fields import MONEY, acting_user

from .models import Payout, SettingsRow

DEFAULT_RESPONSE_HOURS = 72
ADJUSTMENT_PLAN = "adjustment"  # PayoutLine.plan of a dispute's adjustment
ADJUSTMENT_KIND = "adjustment"


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ACTIVE = (DisputeStatus.OPEN, DisputeStatus.IN_PROGRESS)


class DisputeSubject(models.TextChoices):
    LINE = "line", _("Payout line")
    RECORD = "record", _("Record")


class Dispute(models.Model):
    """One inquiry by a person about their pay."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="disputes")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(_("concerns"), max_length=8, choices=DisputeSubject.choices)
    period = models.CharField(_("period"), max_length=16)
    payout = models.ForeignKey(
        Payout, null=True, blank=True, on_delete=models.SET_NULL, related_name="disputes"
    )
    # A payout line is named by its plan and component (lines are rewritten by a
    # recalculation, so no foreign key), with its amount when the dispute was opened.
    plan = models.CharField(_("plan id"), max_length=80, blank=True)
    component = models.CharField(_("component id"), max_length=64, blank=True)
    line_amount = models.DecimalField(_("line amount"), **MONEY, null=True, blank=True)
    record_table = models.CharField(_("record table"), max_length=40, blank=True)
    record_ref = models.CharField(_("record"), max_length=100, blank=True)
    title = models.CharField(_("short title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_disputes",
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = acting_user()
    resolution = models.TextField(_("resolution or explanation"), blank=True)
    adjustment_amount = models.DecimalField(_("adjustment"), **MONEY, null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["status", "due_at"]), models.Index(fields=["period"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.person.code} {self.period}"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def overdue(self) -> bool:
        return self.active and timezone.now() > self.due_at

    @property
    def line_label(self) -> str:
        return f"{self.plan}.{self.component}" if self.subject == DisputeSubject.LINE else ""

    @property
    def hours_to_close(self) -> Decimal | None:
        if self.closed_at is None:
            return None
        seconds = Decimal((self.closed_at - self.opened_at).total_seconds())
        return (seconds / 3600).quantize(Decimal("0.1"))


class DisputeEvent(models.TextChoices):
    """What a thread entry records: a message, or a step with its note."""

    OPENED = "opened", pgettext_lazy("dispute thread", "Opened")  # not a unit's "Opened"
    MESSAGE = "message", _("Message")
    ASSIGNED = "assigned", _("Assigned")
    STARTED = "started", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DisputeMessage(models.Model):
    """One entry of a dispute's thread."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.CharField(
        _("event"), max_length=12, choices=DisputeEvent.choices, default=DisputeEvent.MESSAGE
    )
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("dispute message")
        verbose_name_plural = _("dispute messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.event}"


class DisputeAttachment(models.Model):
    """A file sent with a message (checked like evidence files, served as an attachment)."""

    message = models.ForeignKey(
        DisputeMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="disputes/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("dispute attachment")
        verbose_name_plural = _("dispute attachments")

    def __str__(self) -> str:
        return self.name


class PlacedAmount(models.Model):
    """An amount paid (or, negative, taken) in the person's first open payout on or
    after ``after`` (:mod:`attain.pay.adjustments` places it): ``period`` is that payout,
    empty while the person has none yet. One waiting for someone who has left is settled
    by finance outside the payouts, with how (``settled_*``)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.TextField(_("reason"))
    after = models.DateField(_("paid in a period ending on or after"))
    period = models.CharField(_("paid in period"), max_length=16, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # settled outside the payouts (a leaver with no later payout: finance paid or
    # recovered it in the final pay, with the reason); a settled one waits no more
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    settled_by = acting_user(_("settled by"))
    settled_reason = models.TextField(_("how it was settled"), blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.component} {self.amount}"

    @property
    def component(self) -> str:
        """The component of its payout line (plan :data:`ADJUSTMENT_PLAN`)."""
        raise NotImplementedError


class DisputeAdjustment(PlacedAmount):
    """The amount a resolved dispute adds to (or, negative, takes from) the person's pay,
    with its reason. ``period`` is the payout it is paid in (the first open one on or
    after the disputed period); empty while the person has no open payout yet."""

    dispute = models.OneToOneField(Dispute, on_delete=models.PROTECT, related_name="adjustment")
    source_period = models.CharField(_("disputed period"), max_length=16)

    class Meta:
        verbose_name = _("dispute adjustment")
        verbose_name_plural = _("dispute adjustments")
        indexes = [models.Index(fields=["person", "period"])]

    @property
    def component(self) -> str:
        return f"dispute-{self.dispute_id}"


class DisputePolicy(SettingsRow):
    """Dispute settings (one row, pk 1): the response-time target and who gets new
    disputes (empty: the sales operations login with the fewest open ones)."""

    response_hours = models.PositiveIntegerField(
        _("response-time target (hours)"), default=DEFAULT_RESPONSE_HOURS
    )
    assignee = acting_user()

    class Meta:
        verbose_name = _("dispute settings")
        verbose_name_plural = _("dispute settings")
