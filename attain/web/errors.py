"""Turn errors from the model layer into errors keyed by field, for forms and the API."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

NON_FIELD = "non_field_errors"


def validation_error_fields(error: ValidationError) -> dict[str, list[str]]:
    """A Django ``ValidationError`` as field → messages (``non_field_errors`` for an
    error not keyed by field)."""
    if hasattr(error, "error_dict"):
        return dict(error.message_dict)
    return {NON_FIELD: list(error.messages)}


def integrity_error_fields(error: IntegrityError, fields: Iterable[str]) -> dict[str, list[str]]:
    """A database constraint failure as field → messages: the fields among ``fields``
    that the database's message names (``UNIQUE constraint failed: crm_order.external_id``,
    ``Key (external_id)=(O-1) already exists``), else ``non_field_errors``. The last line
    of defence: services check what they can before writing."""
    text = str(error)
    named = [field for field in fields if re.search(rf"\b{re.escape(field)}\b", text)]
    if not named:
        return {NON_FIELD: [_("The record conflicts with one that exists.")]}
    message = _("Another record already has this value.")
    return {field: [message] for field in named}


class ErrorSerializer(serializers.Serializer):
    """The body of every API error, for the OpenAPI document."""

    # "fields" would shadow Serializer.fields: the inner object is declared inline.
    error = inline_serializer(
        name="ErrorDetail",
        fields={
            "status": serializers.IntegerField(),
            "code": serializers.CharField(),
            "message": serializers.CharField(),
            "fields": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()), required=False
            ),
        },
    )
