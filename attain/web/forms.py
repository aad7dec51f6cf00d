"""Form helpers shared by every app's pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from .errors import NON_FIELD, integrity_error_fields, validation_error_fields

GROUPED = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")  # 1,234.50 and -12,345,678


RECORD_PK = re.compile(r"[0-9]{1,18}", re.ASCII)


def record_pk(text: str | None) -> int | None:
    """A database id written as text (a form's value, a page's parameter), or None when
    the text cannot be one: "²" is a digit to ``str.isdigit()`` but no number to
    ``int()``, and an id has at most 18 digits (below 2**63)."""
    return int(text) if text and RECORD_PK.fullmatch(text) else None


def ungrouped(text: str) -> str:
    """A typed number without its thousands separators: ``1,234.50`` is ``1234.50``. A
    comma anywhere else is left where it is (``12,34`` is no number, never 1234)."""
    text = text.strip()
    return text.replace(",", "") if GROUPED.fullmatch(text) else text


class DateInput(forms.DateInput):
    """A native date picker. Its value is always ISO 8601 (``2026-12-04``): the browser
    rejects a localised value such as ``2026/12/04`` and would show an empty field."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or "%Y-%m-%d")


def apply_service(form: forms.Form, action: Callable[[dict[str, Any]], Any]) -> Any:
    """Run a service with the form's cleaned data. The service's ``ValidationError`` (or,
    as a last line, a database constraint failure) becomes errors on the named fields (or
    the form), and the result is ``None``."""
    try:
        return action(form.cleaned_data)
    except ValidationError as error:
        _add_errors(form, validation_error_fields(error))
    except IntegrityError as error:
        _add_errors(form, integrity_error_fields(error, form.fields))
    return None


def _add_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    for field, messages in errors.items():
        form.add_error(field if field in form.fields and field != NON_FIELD else None, messages)
