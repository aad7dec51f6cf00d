"""Carried deficits (docs/pay.md, "Negative payouts"): finance carry a negative
payout's deficit forward. The payout gets a line of the deficit back (component
:data:`CARRIED`), closing it at zero; the deficit is recovered as a line of its own in
the person's first open later payout (component ``deficit-<period carried from>``),
placed as a dispute adjustment is (:mod:`attain.pay.adjustments`). Written only by
:mod:`attain.pay.services_deficits`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Payout
from .models_disputes import PlacedAmount

CARRIED = "deficit-carried"  # the line that brings the negative payout back to zero
FROM = "deficit-"  # the later payout's line: FROM + the period carried from


class CarriedDeficit(PlacedAmount):
    """A deficit (``amount``, below zero) carried from the negative ``payout`` to the
    person's first open payout ending after it (``period``; empty while none)."""

    payout = models.ForeignKey(
        Payout, on_delete=models.PROTECT, related_name="carried_deficits", verbose_name=_("payout")
    )
    source_period = models.CharField(_("carried from period"), max_length=16)

    class Meta:
        verbose_name = _("carried deficit")
        verbose_name_plural = _("carried deficits")
        indexes = [models.Index(fields=["person", "period"])]

    @property
    def component(self) -> str:
        return f"{FROM}{self.source_period}"
