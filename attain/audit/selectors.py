"""Reads of the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from .models import AuditEvent


def history(
    model: type[models.Model] | models.Model, object_id: Any = None
) -> QuerySet[AuditEvent]:
    """Every event about one record, newest first: ``history(instance)`` or
    ``history(Model, object_id)`` (uses the content type + object id index)."""
    if isinstance(model, models.Model):
        object_id = model.pk if object_id is None else object_id
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    return AuditEvent.objects.filter(content_type=content_type, object_id=str(object_id))


def for_batch(batch: str) -> QuerySet[AuditEvent]:
    """The per-record events of one bulk change, in the order they were written."""
    return AuditEvent.objects.filter(batch=batch).order_by("id")
