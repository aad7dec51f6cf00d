from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from .models import AuditEvent


def filter_events(events: QuerySet[AuditEvent], params: Mapping[str, Any]) -> QuerySet[AuditEvent]:
    """Narrow the trail by the query parameters the UI and the API share.
    Unparseable dates are ignored rather than failing the page."""
    object_type = params.get("type")
    if object_type and "." in object_type:
        app_label, model = object_type.split(".", 1)
        events = events.filter(content_type__app_label=app_label, content_type__model=model)
    if params.get("actor"):
        events = events.filter(actor_name=params["actor"])
    if params.get("action"):
        events = events.filter(action=params["action"])
    if params.get("object"):
        events = events.filter(object_id=params["object"])
    if params.get("batch"):
        events = events.filter(batch=params["batch"])
    if params.get("q"):
        events = events.filter(object_repr__icontains=params["q"])
    for key, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        try:
            day = datetime.date.fromisoformat(params.get(key) or "")
        except ValueError:
            continue
        events = events.filter(**{lookup: day})
    return events
