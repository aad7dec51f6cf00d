"""Integrity alerts: what a scan found, and what a reviewer decided."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attain.org.models import Person
from attain.web.fields import acting_user


class Detector(models.TextChoices):
    WASH_ORDERS = "wash_orders", _("Wash orders")
    TIMING = "timing", _("Timing games")
    RECIPROCAL_CREDIT = "reciprocal_credit", _("Reciprocal credit")
    SHELL_CUSTOMERS = "shell_customers", _("Shell customers")
    FAKE_ACTIVITIES = "fake_activities", _("Fake activities")
    AMOUNTS = "amounts", _("Amount anomalies")
    RATING_RINGS = "rating_rings", _("Rating rings")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")
    # An open alert a later scan of its period no longer finds (the records were
    # corrected); a scan that finds it again opens it again.
    WITHDRAWN = "withdrawn", _("No longer found")


class Alert(models.Model):
    """One suspicion. ``key`` identifies it across scans (detector, pattern, period,
    people), so a rescan updates an open alert instead of adding a copy, and never
    reopens a decided one (but a dismissed one whose finding now names records the
    dismissal did not cover)."""

    key = models.CharField(max_length=300, unique=True, editable=False)
    detector = models.CharField(_("detector"), max_length=30, choices=Detector.choices)
    pattern = models.CharField(_("pattern"), max_length=40, blank=True)
    period = models.CharField(_("period"), max_length=20, db_index=True)
    people = models.ManyToManyField(Person, verbose_name=_("people"), related_name="+")
    people_codes = models.JSONField(_("employee ids"), default=list)
    records = models.JSONField(_("records"), default=list)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=4)
    reason_en = models.TextField(_("reason (English)"))
    reason_zh = models.TextField(_("reason (Chinese)"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    assignee = acting_user(_("assignee"))
    resolution = models.TextField(_("resolution reason"), blank=True)
    hold = models.BooleanField(_("payout held"), default=False)
    # A reciprocal-credit alert that repeats, unchanged, a pattern a reviewer dismissed
    # in an earlier period (the same people sharing the same accounts): stored as
    # dismissed with that decision, not queued for review again.
    recurs = models.ForeignKey(
        "self",
        verbose_name=_("recurrence of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    found_at = models.DateTimeField(_("found at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # A reviewer reopened the decided alert for another look: a later scan never files
    # it as a known pattern again (the reviewer wants to decide it).
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)

    class Meta:
        verbose_name = _("integrity alert")
        verbose_name_plural = _("integrity alerts")
        ordering = ["-period", "-score", "pk"]

    def __str__(self) -> str:
        return f"{self.detector} {self.period} {', '.join(self.people_codes)}"

    def reason(self, language: str) -> str:
        return self.reason_zh if language.startswith("zh") else self.reason_en
