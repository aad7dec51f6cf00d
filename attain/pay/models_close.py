"""Period close (docs/pay.md, "Period close"): a closed pay period's results frozen as a
snapshot, and the prior-period adjustments that carry later changes into the first open
period. Written only by :mod:`attain.pay.services_close`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from attain.incentives.models import ComponentLine
from attain.org.models import Person, Unit
from attain.web import leases
from attain.web.fields import MONEY, acting_user

from .models import Payout, PayoutState

ADJUSTMENT = "adjustment"  # PayoutLine.kind of a prior-period adjustment line


class PeriodState(models.TextChoices):
    OPEN = "open", pgettext_lazy("pay period", "Open")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")


class PayPeriod(leases.Progressing):
    """A pay period's close: open (no row, or state open) → closing (the background task
    freezing it, with progress) → closed; closed → open again only by a reopen with a
    reason. A closed period keeps its snapshot (:class:`ClosedResult`)."""

    period = models.CharField(_("period"), max_length=16, unique=True)
    period_end = models.DateField(_("last day"))
    state = models.CharField(
        _("state"), max_length=8, choices=PeriodState.choices, default=PeriodState.OPEN
    )
    # The snapshot's provenance: {plan id: version number} and two SHA-256 fingerprints,
    # of the records the results were computed from and of the frozen numbers.
    plan_versions = models.JSONField(_("plan versions"), default=dict, blank=True)
    data_fingerprint = models.CharField(_("data fingerprint"), max_length=64, blank=True)
    results_fingerprint = models.CharField(_("results fingerprint"), max_length=64, blank=True)
    people = models.PositiveIntegerField(_("people"), default=0)
    total = models.DecimalField(_("total"), **MONEY, default=Decimal("0"))
    requested_by = acting_user()
    close_reason = models.CharField(_("reason for closing"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened_by = acting_user()
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.CharField(_("reason for reopening"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("pay period")
        verbose_name_plural = _("pay periods")
        ordering = ["-period_end", "period"]

    def __str__(self) -> str:
        return self.period


class ClosedResult(models.Model):
    """One person's payout of a closed period as it was frozen, with the explanation of
    the stored result (the engine's explanation document, JSON)."""

    pay_period = models.ForeignKey(PayPeriod, on_delete=models.CASCADE, related_name="results")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(_("payout state"), max_length=12, choices=PayoutState.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    explanation = models.TextField(_("explanation (JSON)"), blank=True)

    class Meta:
        verbose_name = _("closed result")
        verbose_name_plural = _("closed results")
        ordering = ["pay_period_id", "person__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["pay_period", "person"], name="closed_result_unique_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pay_period_id} {self.person_id}"


class ClosedLine(ComponentLine):
    """One component (or adjustment) line of a frozen payout."""

    result = models.ForeignKey(ClosedResult, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        verbose_name = _("closed line")
        verbose_name_plural = _("closed lines")
        ordering = ["result_id", "plan", "component"]

    def __str__(self) -> str:
        return f"{self.result_id} {self.plan}.{self.component}"


class Adjustment(models.Model):
    """A prior-period adjustment: what a frozen payout of ``source_period`` (closed, or
    paid) would now be, minus what it was and what earlier adjustments settled, paid as
    its own line on ``payout`` (the person's first open payout after it; none while
    there is none). ``components``: one entry per changed component, texts of decimals:
    {"plan", "component", "kind", "before", "after", "amount"}. Settled (never changed
    again) once its payout is paid or in a closed period; a later change then makes a
    new adjustment."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="pay_adjustments")
    source_period = models.CharField(_("adjusted period"), max_length=16)
    payout = models.ForeignKey(
        Payout, null=True, blank=True, on_delete=models.SET_NULL, related_name="adjustments"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    components = models.JSONField(_("components"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("prior-period adjustment")
        verbose_name_plural = _("prior-period adjustments")
        ordering = ["source_period", "person_id", "pk"]
        indexes = [models.Index(fields=["person", "source_period"])]

    def __str__(self) -> str:
        return f"{self.person.code} {self.source_period}"

    @property
    def before(self) -> Decimal:
        return sum((Decimal(c["before"]) for c in self.components), Decimal("0.00"))

    @property
    def after(self) -> Decimal:
        return sum((Decimal(c["after"]) for c in self.components), Decimal("0.00"))

    def as_data(self) -> dict[str, Any]:
        return {
            "person": self.person_id,
            "source_period": self.source_period,
            "payout": self.payout_id,
            "amount": str(self.amount),
            "components": self.components,
        }
