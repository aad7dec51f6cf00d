"""Form fields that name organisation objects, shared by every app's forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Person, Unit


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
