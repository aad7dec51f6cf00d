"""Measures: what targets are set on and plans pay on, defined exactly as a measure of
the scenario format (spec section 4) over one of the record tables the CRM loader
builds (see docs/engine-data.md). Target plans and incentive plans refer to them by
``code``, which is the measure's name in an exported scenario."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    COUNT = "count", _("Count")
    AVG = "avg", _("Average")
    MIN = "min", _("Minimum")
    MAX = "max", _("Maximum")
    DISTINCT = "distinct", _("Distinct values")


class Measure(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    table = models.CharField(_("record table"), max_length=64)
    value = models.CharField(_("value"), max_length=500, default="1")
    where = models.CharField(_("filter"), max_length=500, blank=True)
    agg = models.CharField(
        _("aggregation"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    date_field = models.CharField(_("date field"), max_length=64, default="date")
    person_field = models.CharField(_("person field"), max_length=64, default="owner")
    money = models.BooleanField(
        _("money"), null=True, blank=True, help_text=_("Empty: decided by the scenario rules.")
    )
    rollup = models.BooleanField(_("roll up to managers"), default=False)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_name(self) -> str:
        """The name the reader's page shows: a default measure still named in both
        languages (销售额 Revenue) in the reader's, any other name as it is."""
        from .defaults import reader_name

        return reader_name(self.code, self.name)

    @property
    def is_money(self) -> bool:
        """Whether its values are money: as given, else the scenario's rule (a sum of a
        bare field whose name contains ``amount``)."""
        if self.money is not None:
            return bool(self.money)
        return self.agg == Aggregation.SUM and self.value.isidentifier() and "amount" in self.value

    def as_scenario(self) -> dict[str, Any]:
        """This measure as a scenario ``measures`` entry (defaults left out)."""
        spec: dict[str, Any] = {"from": self.table}
        if self.value != "1":
            spec["value"] = self.value
        if self.where:
            spec["where"] = self.where
        if self.agg != Aggregation.SUM:
            spec["agg"] = self.agg
        if self.date_field != "date":
            spec["date"] = self.date_field
        if self.person_field != "owner":
            spec["person"] = self.person_field
        if self.money is not None:
            spec["money"] = self.money
        if self.rollup:
            spec["rollup"] = True
        return spec
