"""Statements (docs/pay.md, "Statements"): one PDF per person and pay period, made for a
whole period at once as a :class:`StatementSet` (a background task with progress).

A set is generated into its own folder (``MEDIA_ROOT/statements/<period>/<set id>/``);
a :class:`Statement` row is written only after its file is complete. People see the
statements of the period's *published* set only: a set is published in one transaction
when every statement of it is written, and the set it replaces is then removed. A set
killed halfway is never published; generating again resumes it (the statements already
written are kept). Written only by :mod:`attain.pay.services_statements`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from attain.org.models import Person
from attain.web import leases
from attain.web.fields import acting_user

from .models import SettingsRow

# A statement set is a leases.Run: its status is a run's.
SetStatus = leases.RunStatus


class StatementSet(leases.Run):
    """Every statement of one pay period, generated together."""

    period = models.CharField(_("period"), max_length=16)
    status = leases.run_status()
    published = models.BooleanField(_("published"), default=False)
    total = models.PositiveIntegerField(_("statements to write"), default=0)
    done = models.PositiveIntegerField(_("statements written"), default=0)

    class Meta(leases.Run.Meta):
        verbose_name = _("statement set")
        verbose_name_plural = _("statement sets")
        indexes = [models.Index(fields=["period", "published"])]

    def __str__(self) -> str:
        return f"{self.period} #{self.pk}"


class Statement(models.Model):
    """One person's statement of one period in one set: the PDF's path under
    ``MEDIA_ROOT``, what it was made from, and the person's acknowledgement."""

    statement_set = models.ForeignKey(
        StatementSet, on_delete=models.CASCADE, related_name="statements"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="statements")
    period = models.CharField(_("period"), max_length=16)
    language = models.CharField(_("language"), max_length=10)
    file = models.CharField(_("file"), max_length=300)
    size = models.PositiveIntegerField(_("bytes"), default=0)
    # sha256 of the statement's content (not of the PDF bytes): an acknowledgement
    # carries over to a regenerated statement with the same content.
    digest = models.CharField(_("content digest"), max_length=64)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    payout_state = models.CharField(_("payout state"), max_length=12)
    held = models.BooleanField(_("held"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = acting_user()

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["period", "person__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement_set", "person"], name="statement_unique_set_person"
            )
        ]
        indexes = [models.Index(fields=["person", "period"])]

    def __str__(self) -> str:
        return f"{self.person.code} {self.period}"

    def payout_state_label(self) -> str:
        from .models import PayoutState

        return str(PayoutState(self.payout_state).label)

    @property
    def outdated(self) -> bool:
        """The payout's amount now (``payout_amount``, annotated by the selectors)
        differs from the statement's: the period was recalculated (reopened, or still
        open) after the statement was drawn, and it waits to be generated again."""
        now = getattr(self, "payout_amount", None)
        return now is not None and now != self.amount


class StatementSettings(SettingsRow):
    """What every statement prints at its head (one row, pk 1): the company's name."""

    company_name = models.CharField(_("company name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("statement settings")
        verbose_name_plural = _("statement settings")
