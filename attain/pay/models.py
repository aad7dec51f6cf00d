"""Payouts as pay runs them (docs/pay.md, "Payout approval"): one :class:`Payout` per
person and pay period with its component lines, copied from the stored results of
:mod:`attain.incentives` and moved through calculated → reviewed → approved → paid;
holds; and the payroll export's column mapping. Written only by
:mod:`attain.pay.services_payouts`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from attain.incentives.models import ComponentLine
from attain.org.company import money_text
from attain.org.models import Person, Unit
from attain.web.fields import MONEY, acting_user


class PayoutState(models.TextChoices):
    CALCULATED = "calculated", _("Calculated")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")


class Payout(models.Model):
    """One person's pay for one pay period. ``amount`` is the stored result's payout as
    last brought in; a paid payout keeps the amount paid and notes a later difference in
    ``recalculated_amount``."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="payouts")
    period = models.CharField(_("period"), max_length=16)
    period_end = models.DateField(_("last day"))
    unit = models.ForeignKey(Unit, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(
        _("state"), max_length=12, choices=PayoutState.choices, default=PayoutState.CALCULATED
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    recalculated_amount = models.DecimalField(
        _("amount after a later recalculation"), **MONEY, null=True, blank=True
    )
    # The last recalculation, as data ({"kind", "before", "after", "state"}), put in
    # words in the reader's language by note_text().
    note = models.JSONField(_("last change"), default=dict, blank=True)
    held = models.BooleanField(_("held"), default=False)
    hold_reason = models.CharField(_("hold reason"), max_length=500, blank=True)
    hold_source = models.CharField(
        _("hold placed by"),
        max_length=40,
        blank=True,
        help_text=_("Empty for a hold set on the payout; integrity:N for integrity alert N."),
    )
    held_by = acting_user()
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    reviewed_by = acting_user()
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    approved_by = acting_user()
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_by = acting_user()
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["period", "person__code"]
        constraints = [
            models.UniqueConstraint(fields=["person", "period"], name="payout_unique_person_period")
        ]
        indexes = [models.Index(fields=["period", "state"])]

    def __str__(self) -> str:
        return f"{self.person.code} {self.period}"

    def note_text(self) -> str:
        """The last recalculation in words, in the active language ("" when none)."""
        return note_text(self.note)

    @property
    def payable(self) -> bool:
        return self.state == PayoutState.APPROVED and not self.held


class SettingsRow(models.Model):
    """Settings kept as one row (pk 1): who changed them last and when. The row is named
    by its model ("Dispute settings")."""

    updated_by = acting_user()
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(capfirst(self._meta.verbose_name))


class PayoutLine(ComponentLine):
    """One component of a payout, as calculated."""

    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        verbose_name = _("payout line")
        verbose_name_plural = _("payout lines")
        ordering = ["payout_id", "plan", "component"]
        constraints = [
            models.UniqueConstraint(
                fields=["payout", "plan", "component"], name="payout_line_unique_component"
            )
        ]

    def __str__(self) -> str:
        return f"{self.payout_id} {self.plan}.{self.component}"


class PayrollSource(models.TextChoices):
    """What a payroll export column holds."""

    EMPLOYEE_ID = "employee_id", _("Employee id")
    NAME = "name", _("Name")
    AMOUNT = "amount", _("Amount")
    PAY_CODE = "pay_code", _("Pay code")
    COST_CENTRE = "cost_centre", _("Cost centre")
    PERIOD = "period", _("Period")


DEFAULT_COLUMNS = [
    {"header": "employee_id", "source": "employee_id"},
    {"header": "name", "source": "name"},
    {"header": "amount", "source": "amount"},
    {"header": "pay_code", "source": "pay_code"},
    {"header": "cost_centre", "source": "cost_centre"},
    {"header": "period", "source": "period"},
]


class PayrollMapping(SettingsRow):
    """The payroll export's columns (one row, pk 1): headers in order, each naming a
    :class:`PayrollSource`; the pay code written on every line; whether a payout of zero
    is a line too (most payroll systems want only amounts to pay: off by default)."""

    columns = models.JSONField(_("columns"), default=list)
    pay_code = models.CharField(_("pay code"), max_length=40, default="COMM")
    zero_lines = models.BooleanField(_("lines for payouts of zero"), default=False)

    class Meta:
        verbose_name = _("payroll column mapping")
        verbose_name_plural = _("payroll column mappings")


ZERO = Decimal("0.00")


def amount_text(value: Any) -> str:
    """An amount stored as text (``"1234567.50"``), grouped in the active language with
    its 2 places (``1,234,567.50``); anything else as it is."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "" if value is None else str(value)
    if not number.is_finite():
        return str(value)
    return money_text(number)


def note_text(note: dict[str, Any]) -> str:
    if not note:
        return ""
    change = f"{amount_text(note.get('before', ''))} → {amount_text(note.get('after', ''))}"
    if note.get("kind") == "paid_changed":
        return str(
            _(
                "Recalculated after payment (%(change)s): "
                "the difference is settled by an adjustment."
            )
            % {"change": change}
        )
    if note.get("kind") == "returned":
        state = str(PayoutState(note.get("state", PayoutState.REVIEWED)).label).lower()
        return str(
            _(
                "Recalculated (%(change)s) after it was %(state)s: "
                "back to calculated, to be reviewed again."
            )
            % {"change": change, "state": state}
        )
    return str(_("Recalculated (%(change)s).") % {"change": change})


from .models_close import Adjustment, ClosedLine, ClosedResult, PayPeriod  # noqa: E402, F401
from .models_deficits import CarriedDeficit  # noqa: E402, F401  (docs/pay.md, "Negative payouts")

# Disputes live in their own module (docs/pay.md, "Disputes"); imported here so Django
# finds the models.
from .models_disputes import (  # noqa: E402, F401
    Dispute,
    DisputeAdjustment,
    DisputeAttachment,
    DisputeMessage,
    DisputePolicy,
)
from .models_statements import (  # noqa: E402, F401  (statements: docs/pay.md, "Statements")
    SetStatus,
    Statement,
    StatementSet,
    StatementSettings,
)
