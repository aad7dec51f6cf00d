from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attain.web.forms import DateInput

from .fields import PersonCodeField, unit_choice


class TransferForm(forms.Form):
    on = forms.DateField(label=_("Effective from"), widget=DateInput, initial=timezone.localdate)
    unit = unit_choice(label=_("Unit"), required=False)
    manager = PersonCodeField(label=_("Manager (employee id)"), required=False)
    # an empty manager keeps the current one: between a manager's last day and their
    # successor's first, the reports have none
    no_manager = forms.BooleanField(label=_("No manager from this date"), required=False)
    title = forms.CharField(label=_("Job role"), max_length=64, required=False)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("no_manager") and data.get("manager") is not None:
            self.add_error(
                "no_manager", _("Give a manager or tick “No manager from this date”, not both.")
            )
        return data


class UndoChangeForm(forms.Form):
    on = forms.DateField(label=_("Effective from of the change"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CorrectStartForm(forms.Form):
    start = forms.DateField(label=_("Employment start"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EndEmploymentForm(forms.Form):
    on = forms.DateField(label=_("Last working day"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PersonForm(forms.Form):
    code = forms.SlugField(label=_("Employee id"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email"), required=False)
    unit = unit_choice(label=_("Unit"))
    manager = PersonCodeField(label=_("Manager (employee id)"), required=False)
    title = forms.CharField(label=_("Job role"), max_length=64, initial="rep")
    start = forms.DateField(label=_("Employment start"), widget=DateInput)
    potential = forms.DecimalField(
        label=_("Market potential"), required=False, max_digits=18, decimal_places=2
    )


class UnitForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = unit_choice(label=_("Parent unit"), required=False)
    potential = forms.DecimalField(
        label=_("Market potential"), required=False, max_digits=18, decimal_places=2
    )
    opened = forms.DateField(label=_("Opened"), required=False, widget=DateInput)
