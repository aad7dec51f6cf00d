from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attain.org.models import Person, Unit


class DateInput(forms.DateInput):
    input_type = "date"


class PersonCodeField(forms.CharField):
    """An employee id that must name an existing person."""

    def clean(self, value: Any) -> Person | None:
        code = super().clean(value)
        if not code:
            return None
        try:
            return Person.objects.get(code=code)
        except Person.DoesNotExist:
            raise forms.ValidationError(
                _("Unknown person “%(code)s”."), params={"code": code}
            ) from None


def unit_choice(**kwargs: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Unit.objects.order_by("code"), to_field_name="code", **kwargs
    )


class TransferForm(forms.Form):
    on = forms.DateField(label=_("Effective from"), widget=DateInput, initial=timezone.localdate)
    unit = unit_choice(label=_("Unit"), required=False)
    manager = PersonCodeField(label=_("Manager (employee id)"), required=False)
    title = forms.CharField(label=_("Job role"), max_length=64, required=False)
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


def apply_service(form: forms.Form, action: Callable[[dict[str, Any]], Any]) -> Any:
    """Run a service with the form's cleaned data. The service's ``ValidationError``
    becomes errors on the named fields (or the form), and the result is ``None``."""
    try:
        return action(form.cleaned_data)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return None
