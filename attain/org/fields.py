"""Form fields that name organisation objects, shared by every app's forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from attain.web.pickers import PickerInput

from .models import Person, Unit


class PersonCodeField(forms.CharField):
    """An employee id that must name an existing person; the input suggests people as one
    types (:class:`attain.web.pickers.PickerInput`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", PickerInput("person"))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value.code if isinstance(value, Person) else value

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


UNKNOWN_UNIT = _("Unknown unit “%(value)s”.")


def unit_choice(**kwargs: Any) -> forms.ModelChoiceField:
    """A unit by its code, typed or picked from the suggestions."""
    kwargs.setdefault("widget", PickerInput("unit"))
    kwargs.setdefault("error_messages", {"invalid_choice": UNKNOWN_UNIT})
    return forms.ModelChoiceField(
        queryset=Unit.objects.order_by("code"), to_field_name="code", **kwargs
    )
