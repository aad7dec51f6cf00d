from __future__ import annotations

import datetime
import decimal
import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from . import chain
from .models import Action, AuditEvent

# Events written per INSERT by record_bulk (well below SQLite's variable limit).
BULK_CHUNK = 2000


def snapshot(instance: models.Model, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The instance's concrete field values as JSON-ready data (foreign keys as ids)."""
    skipped = set(exclude)
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in skipped:
            continue
        values[field.name] = _jsonable(getattr(instance, field.attname))
    return values


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def _actor(actor: Any) -> tuple[Any, str]:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return user, (user.get_username() if user is not None else "system")


def record_change(
    actor: Any,
    action: Action | str,
    instance: models.Model,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    batch: str = "",
) -> AuditEvent:
    """Append one event to the audit trail. Call inside the writing transaction."""
    user, name = _actor(actor)
    event = AuditEvent(
        actor=user,
        actor_name=name,
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
        reason=reason,
        batch=batch,
    )
    return append(event)


def save_update(
    actor: Any,
    instance: models.Model,
    *,
    before: dict[str, Any],
    state: Callable[[Any], dict[str, Any]] = snapshot,
    reason: str = "",
    update_fields: Iterable[str] | None = None,
) -> AuditEvent:
    """Save ``instance``, an existing record (only ``update_fields`` when given), and
    append its update to the audit trail: from ``before`` to ``state(instance)`` as
    saved. Call inside the writing transaction."""
    instance.save(update_fields=update_fields)
    return record_change(
        actor, Action.UPDATE, instance, before=before, after=state(instance), reason=reason
    )


def save_values(
    actor: Any,
    instance: models.Model,
    values: Mapping[str, Any],
    *,
    state: Callable[[Any], dict[str, Any]] = snapshot,
    reason: str = "",
) -> AuditEvent:
    """Set ``values`` (field → value) on ``instance``, an existing record, save those
    fields and audit the change from ``state`` before to ``state`` after (see
    :func:`save_update`). Call inside the writing transaction."""
    before = state(instance)
    for name, value in values.items():
        setattr(instance, name, value)
    return save_update(
        actor, instance, before=before, state=state, reason=reason, update_fields=list(values)
    )


def record_event(
    actor: Any,
    action: Action | str,
    model: type[models.Model],
    object_id: Any,
    object_repr: str,
    *,
    after: dict[str, Any] | None = None,
    reason: str = "",
    actor_name: str = "",
) -> AuditEvent:
    """Append an event about a record that may not exist (e.g. a failed login for an
    unknown username: ``object_id`` empty). ``actor_name`` names an anonymous actor."""
    user, name = _actor(actor)
    event = AuditEvent(
        actor=user,
        actor_name=(actor_name or name)[:150] if user is None else name,
        action=action,
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
        object_id=str(object_id or "")[:64],
        object_repr=str(object_repr)[:200],
        after=after,
        reason=reason,
    )
    return append(event)


def append(event: AuditEvent) -> AuditEvent:
    """Chain and insert one prepared event."""
    with transaction.atomic():
        previous = chain.lock_head(AuditEvent._meta.db_table)
        event.chain_hash = chain.link(previous, _values(event))
        event.save(force_insert=True)
    return event


def append_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Chain and bulk-insert prepared events, in list order (for bulk writers that build
    model instances anyway; :func:`record_bulk` is the faster per-record path)."""
    with transaction.atomic():
        previous = chain.lock_head(AuditEvent._meta.db_table)
        for event in events:
            previous = event.chain_hash = chain.link(previous, _values(event))
        AuditEvent.objects.bulk_create(events, batch_size=BULK_CHUNK)
    return events


def _values(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in chain.HASHED_FIELDS}


BulkRow = tuple[Any, dict[str, Any] | None, dict[str, Any] | None]


def record_bulk(
    actor: Any,
    action: Action | str,
    model: type[models.Model],
    rows: Iterable[BulkRow],
    *,
    reason: str = "",
    batch: str = "",
    describe: Any = None,
) -> int:
    """Append one event per record of a bulk change: ``rows`` yields
    ``(object_id, before, after)`` (``before`` None for a created record, ``after`` None
    for a deleted one). Events are chained like every other event and inserted
    :data:`BULK_CHUNK` at a time with one prepared INSERT (no model instances: an import
    of a million records stays affordable); ``describe(object_id, before, after)`` may
    give the object's label (default: the object id).
    Call inside the writing transaction. Returns the number of events written."""
    return _record_bulk(
        actor, action, model, rows, reason=reason, batch=batch, describe=describe, dumped=False
    )


def record_bulk_dumped(
    actor: Any,
    action: Action | str,
    model: type[models.Model],
    rows: Iterable[tuple[Any, str | None, str | None]],
    *,
    reason: str = "",
    batch: str = "",
) -> int:
    """:func:`record_bulk` of rows whose ``before`` and ``after`` are already JSON
    text, exactly as :func:`attain.audit.chain.dump_json` writes them (or None), for a
    writer that builds that text itself (an import: no dict per record)."""
    return _record_bulk(actor, action, model, rows, reason=reason, batch=batch, dumped=True)


def _record_bulk(
    actor: Any,
    action: Action | str,
    model: type[models.Model],
    rows: Iterable[tuple[Any, Any, Any]],  # BulkRow, or its texts when dumped
    *,
    reason: str,
    batch: str,
    describe: Any = None,
    dumped: bool,
) -> int:
    user, name = _actor(actor)
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    at = timezone.now()
    common = {
        "at": at,
        "actor_id": user.pk if user is not None else None,
        "actor_name": name,
        "action": str(action),
        "content_type_id": content_type.pk,
        "reason": reason,
        "batch": batch,
    }
    table = AuditEvent._meta.db_table
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    sql = (
        f"INSERT INTO {table} (at, actor_id, actor_name, action, content_type_id, object_id,"
        f" object_repr, before, after, reason, batch, chain_hash)"
        f" VALUES (%s, %s, %s, %s, %s, %s, %s, %s{json_cast}, %s{json_cast}, %s, %s, %s)"
    )
    stored_at = connection.ops.adapt_datetimefield_value(at)
    head = (stored_at, common["actor_id"], name, common["action"], content_type.pk)
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        previous = chain.lock_head(table)
        pending: list[tuple[Any, ...]] = []
        canonical_text = chain.canonical_frame(common)  # the shared fields dumped once
        dump = chain.dump_json
        sha256 = hashlib.sha256
        for object_id, before, after in rows:
            object_text = str(object_id)
            if describe is None:
                label = object_text[:200]
            else:
                label = str(describe(object_id, before, after))[:200]
            if dumped:
                before_text, after_text = before, after
            else:
                before_text, after_text = dump(before), dump(after)
            text = canonical_text(object_text, label, before_text, after_text)
            # chain.link_text, inline: this runs once per record
            previous = sha256((previous + text).encode()).hexdigest()
            pending.append(
                (*head, object_text, label, before_text, after_text, reason, batch, previous)
            )
            if len(pending) >= BULK_CHUNK:
                cursor.executemany(sql, pending)
                written += len(pending)
                pending = []
        if pending:
            cursor.executemany(sql, pending)
            written += len(pending)
    return written
