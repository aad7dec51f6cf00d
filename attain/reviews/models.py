"""Review cycles (复盘, docs/reviews.md): a manager's team reviewed once a month or a
quarter. A :class:`Review` holds one :class:`ReviewPack` per person of the team (the
figures Attain prepared, kept as they were when prepared), the comments the manager and
the person write on it, and the :class:`ReviewAction` they agree (owner, due date, done
or not). The next review of the team opens with the actions of the last one. Written only
by :mod:`attain.reviews.services`."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from attain.org.models import Person, Unit
from attain.web.fields import acting_user


class Cadence(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Review(models.Model):
    """One review of a manager's team (their direct reports) for one month or quarter."""

    manager = models.ForeignKey(
        Person, verbose_name=_("manager"), on_delete=models.PROTECT, related_name="reviews_led"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL
    )
    cadence = models.CharField(_("cadence"), max_length=10, choices=Cadence.choices)
    period = models.CharField(_("period"), max_length=16)
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous review"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_by = acting_user()
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-period_end", "manager__name"]
        constraints = [
            models.UniqueConstraint(fields=["manager", "period"], name="review_unique_period")
        ]

    def __str__(self) -> str:
        return f"{self.manager.code} {self.period}"

    @property
    def is_open(self) -> bool:
        return self.status == ReviewStatus.OPEN


class ReviewPack(models.Model):
    """One person's pack in a review: ``data`` is what Attain prepared (attainment and
    pace, forecast, funnel against the team, activity mix, payouts, reasons), as JSON."""

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="packs"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="review_packs"
    )
    data = models.JSONField(_("prepared figures"), default=dict)
    prepared_at = models.DateTimeField(_("prepared at"), default=timezone.now)

    class Meta:
        verbose_name = _("review pack")
        verbose_name_plural = _("review packs")
        ordering = ["person__name", "person__code"]
        constraints = [
            models.UniqueConstraint(fields=["review", "person"], name="review_pack_unique_person")
        ]

    def __str__(self) -> str:
        return f"{self.review} · {self.person.code}"


class Side(models.TextChoices):
    MANAGER = "manager", _("Manager")
    PERSON = "person", _("Reviewed person")
    OTHER = "other", _("Administrator")


class ReviewComment(models.Model):
    pack = models.ForeignKey(
        ReviewPack, verbose_name=_("review pack"), on_delete=models.CASCADE, related_name="comments"
    )
    author = acting_user()
    author_name = models.CharField(_("author's name"), max_length=200)
    side = models.CharField(_("written by"), max_length=10, choices=Side.choices)
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.pack} · {self.author_name}"


class ReviewAction(models.Model):
    """An action agreed in a review: what, who does it, by when; ticked done (or not) at
    the next review."""

    pack = models.ForeignKey(
        ReviewPack, verbose_name=_("review pack"), on_delete=models.CASCADE, related_name="actions"
    )
    text = models.CharField(pgettext_lazy("agreed in a review", "action"), max_length=500)
    owner = models.ForeignKey(
        Person, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="review_actions"
    )
    due_on = models.DateField(_("due on"))
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = acting_user()
    created_by = acting_user()
    created_at = models.DateTimeField(_("agreed at"), default=timezone.now)

    class Meta:
        verbose_name = _("review action")
        verbose_name_plural = _("review actions")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.text[:80]
