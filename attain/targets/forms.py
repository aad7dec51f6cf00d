"""Forms of the target planning pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy

from attain.org.fields import unit_choice

from .models import MonthSplit


class PlanForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    fiscal_year = forms.IntegerField(label=gettext_lazy("Fiscal year"), min_value=2000)
    root_unit = unit_choice(label=gettext_lazy("Decompose from unit"))
    measure = forms.SlugField(label=gettext_lazy("Measure"), initial="revenue")
    total = forms.DecimalField(
        label=gettext_lazy("Total"),
        required=False,
        help_text=gettext_lazy("Empty for a unit plan: the unit's target in force."),
    )
    measure_2 = forms.SlugField(label=gettext_lazy("Second measure (optional)"), required=False)
    total_2 = forms.DecimalField(label=gettext_lazy("Second total"), required=False)


class SettingsForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    roles = forms.CharField(label=gettext_lazy("Job roles that carry targets"), max_length=200)
    months = forms.ChoiceField(label=gettext_lazy("Month split"), choices=MonthSplit.choices)
    month_weights = forms.CharField(
        label=gettext_lazy("Custom month weights (12, summing to 100)"), required=False
    )
    history_year = forms.IntegerField(label=gettext_lazy("History year"), required=False)
    ramp = forms.CharField(
        label=gettext_lazy("Ramp of new hires (productivity in months 1, 2, 3…)"), required=False
    )
    round_to = forms.DecimalField(label=gettext_lazy("Round to"), min_value=Decimal("0.01"))
    max_overassign = forms.DecimalField(
        label=gettext_lazy("Over-assignment limit"), min_value=Decimal(1)
    )
