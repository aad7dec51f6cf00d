"""What the CRM services share: the login behind an actor, the check that a new
record's ``external_id`` is free, and the validate → save → audit steps."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from attain.audit.models import Action
from attain.audit.services import record_change, snapshot

from ..bounds import initial_verification, record_bound_errors
from ..models import Verification
from ..records import PLACEMENTS

Record = TypeVar("Record", bound=models.Model)


def user_of(actor: Any) -> Any:
    """The signed-in login behind ``actor`` (``None`` for the system)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def external_id_taken(model: type[models.Model], external_id: str | None) -> str | None:
    """The error for a new ``model`` record whose ``external_id`` another record has (a
    field error, not a database failure, so pages, API and imports refuse it alike)."""
    if not external_id or not model._default_manager.filter(external_id=external_id).exists():
        return None
    return _("Another %(record)s has the id “%(id)s”.") % {
        "record": model._meta.verbose_name,
        "id": external_id,
    }


def refuse(
    errors: dict[str, str],
    *,
    new: type[models.Model] | None = None,
    external_id: str | None = None,
) -> None:
    """Raise the collected field errors, if any, with, for a ``new`` record of that
    model, one at ``external_id`` when the id is taken."""
    taken = external_id_taken(new, external_id) if new is not None else None
    if taken:
        errors["external_id"] = taken
    if errors:
        raise ValidationError(errors)


def save_new(
    actor: Any,
    record: Record,
    *,
    external_id: str | None = None,
    audit: dict[str, Any] | None = None,
) -> Record:
    """Save a new ``record`` (under ``external_id`` when one is given, else the generated
    one) and audit its creation, with ``audit`` added to its snapshot. Call it inside the
    service's transaction."""
    if external_id:
        record.external_id = external_id  # type: ignore[attr-defined]
    check_bounds(actor, record)
    stamp_verification(actor, record)
    record.save()
    record_change(actor, Action.CREATE, record, after={**snapshot(record), **(audit or {})})
    return record


def save_changed(actor: Any, record: models.Model, before: dict[str, Any], reason: str) -> None:
    """Save ``record`` and audit the change from ``before`` (its snapshot before the
    change), if anything changed. Call it inside the service's transaction. A record
    that feeds pay changed by the person paid for it waits for verification again."""
    check_bounds(actor, record)
    if snapshot(record) != before:
        stamp_verification(actor, record)
    record.save()
    after = snapshot(record)
    if after != before:
        record_change(actor, Action.UPDATE, record, before=before, after=after, reason=reason)


def check_bounds(actor: Any, record: models.Model) -> None:
    """Refuse money, quantity and date values out of bounds (:mod:`attain.crm.bounds`)."""
    errors = record_bound_errors(record, actor)
    if errors:
        raise ValidationError(errors)


def stamp_verification(actor: Any, record: models.Model) -> None:
    """Set the verification state of a record that feeds pay as ``actor`` writes it."""
    placement = PLACEMENTS.get(type(record).__name__)
    if placement is None or not hasattr(record, "verification"):
        return
    people = [getattr(record, name, None) for name in placement.people]
    state = initial_verification(actor, placement.table, people)
    if state == Verification.PENDING:
        record.verification = state
        record.verified_by = None  # type: ignore[attr-defined]
        record.verified_at = None  # type: ignore[attr-defined]
