from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class DateInput(forms.DateInput):
    """A native date picker. Its value is always ISO 8601 (``2026-12-04``): the browser
    rejects a localised value such as ``2026/12/04`` and would show an empty field."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or "%Y-%m-%d")


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
