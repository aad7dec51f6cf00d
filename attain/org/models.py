"""Organisation: units (a tree), people, and their effective-dated assignments.

A person's unit, manager and job title live in :class:`Assignment` rows, each valid
from a date (inclusive) until the next row's start (``valid_to``, exclusive; open-ended
when null). "Who was in which unit, under whom, on date D" is the assignment whose
range contains D. Rows are written only by :mod:`attain.org.services`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    potential = models.DecimalField(
        _("market potential"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    opened = models.DateField(_("opened"), null=True, blank=True)
    closed = models.DateField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PersonQuerySet(models.QuerySet["Person"]):
    def employed_on(self, day: datetime.date) -> PersonQuerySet:
        return self.filter(Q(start__lte=day), Q(end__isnull=True) | Q(end__gte=day))


class Person(models.Model):
    code = models.SlugField(_("employee id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    start = models.DateField(_("employment start"))
    end = models.DateField(_("employment end"), null=True, blank=True)
    potential = models.DecimalField(
        _("market potential"), max_digits=18, decimal_places=2, null=True, blank=True
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="person_end_not_before_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def assignment_on(self, day: datetime.date) -> Assignment | None:
        return self.assignments.on(day).select_related("unit", "manager").first()


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def on(self, day: datetime.date) -> AssignmentQuerySet:
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gt=day))


class Assignment(models.Model):
    """Where a person sits from ``valid_from`` (inclusive) to ``valid_to`` (exclusive)."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments"
    )
    manager = models.ForeignKey(
        Person,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_assignments",
    )
    title = models.CharField(
        _("job role"), max_length=64, help_text=_("Free text that plans select on, e.g. rep.")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["person_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "valid_from"], name="assignment_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="assignment_range_not_empty",
            ),
        ]
        indexes = [
            models.Index(fields=["manager", "valid_from"]),
            models.Index(fields=["unit", "valid_from"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.unit} · {self.valid_from:%Y-%m-%d}"


class CompanySettings(models.Model):
    """The company's own settings, chosen in the first-run setup (or by ``attain setup``):
    one row at most (id 1). Read through :func:`attain.org.company.company`, which falls
    back to the deployment's settings while there is no row."""

    SINGLETON_ID = 1

    name = models.CharField(_("company name"), max_length=200)
    fiscal_year_start = models.PositiveSmallIntegerField(_("fiscal year start"))
    currency = models.CharField(_("currency"), max_length=3)
    time_zone = models.CharField(_("time zone"), max_length=64)
    languages = models.JSONField(_("languages offered"), default=list)
    language = models.CharField(_("default language"), max_length=10)
    # four eyes on plans (docs/incentives.md, "Plan approval"): whoever submitted a plan
    # version for approval does not approve it; off only for a company with one approver
    plan_four_eyes = models.BooleanField(
        _("four eyes on plan approval"),
        default=True,
        help_text=_(
            "Whoever submits a plan version for approval may not approve it: another login "
            "with the right does. Turn off only when a single administrator runs the company."
        ),
    )
    set_up_at = models.DateTimeField(_("set up at"), auto_now_add=True)

    class Meta:
        verbose_name = _("company settings")
        verbose_name_plural = _("company settings")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="company_settings_singleton"),
            models.CheckConstraint(
                condition=Q(fiscal_year_start__gte=1) & Q(fiscal_year_start__lte=12),
                name="company_settings_fiscal_month",
            ),
        ]

    def __str__(self) -> str:
        return self.name
