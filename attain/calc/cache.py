"""One data fingerprint and one cache for everything computed from the database.

The fingerprint changes whenever the organisation or a record table changes: the newest
primary key of each of their tables, the newest audit event (every service change is
audited, and so is every import batch), and a counter bumped by the crm app's
``records_changed`` event (so a bulk write is seen in this process even before its
audit event). Results computed from the data are kept per fingerprint in a small
process-local cache: no pickling, so Polars frames and engine objects are kept as they
are, and a change of data simply makes new keys.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Max, Model

T = TypeVar("T")

_generation = 0
_lock = threading.Lock()
_entries: dict[str, OrderedDict[Hashable, Any]] = {}


def bump() -> None:
    """Note that data changed (the crm app's ``records_changed`` event calls this)."""
    global _generation
    with _lock:
        _generation += 1


def _models() -> list[type[Model]]:
    from attain.crm import models as crm
    from attain.org.models import Assignment, Person, Unit

    return [
        Person,
        Assignment,
        Unit,
        crm.Customer,
        crm.Opportunity,
        crm.Order,
        crm.OrderLine,
        crm.Payment,
        crm.Activity,
        crm.ServiceTicket,
        crm.Survey,
        crm.TrainingScore,
        crm.PeerRating,
    ]


def data_fingerprint(*, ignore_audit_of: Iterable[str] = ()) -> tuple[Any, ...]:
    """Changes whenever the organisation or the records change. ``ignore_audit_of``:
    apps whose own audit events do not change what the caller computes (a target plan's
    edits do not change the records its preview reads)."""
    return (_generation, *_database_parts(ignore_audit_of))


def stored_fingerprint(*, ignore_audit_of: Iterable[str] = ()) -> str:
    """:func:`data_fingerprint` as every process reads it (without this process's own
    counter), as a short hex digest: kept beside results stored in the database, so that
    any process can tell whether they are still current."""
    text = repr(_database_parts(ignore_audit_of)).encode()
    return hashlib.sha256(text).hexdigest()[:32]


def _database_parts(ignore_audit_of: Iterable[str]) -> tuple[Any, ...]:
    from attain.audit.models import AuditEvent
    from attain.org.company import company

    parts: list[Any] = [connection.settings_dict.get("NAME")]
    for model in _models():
        parts.append(model._default_manager.aggregate(m=Max("pk"))["m"])
    events = AuditEvent.objects.all()
    ignored = list(ignore_audit_of)
    if ignored:
        events = events.exclude(content_type__app_label__in=ignored)
    parts.append(events.aggregate(m=Max("pk"))["m"])
    # the calendar the data is counted in: a process still holding the company's settings
    # of before a change (org.company keeps them up to its TTL) computes under the old
    # calendar's key, never under the new one's where every reader would take it
    calendar = company()
    parts.extend([calendar.fiscal_year_start, calendar.time_zone])
    return tuple(parts)


def cached(namespace: str, key: Hashable, compute: Callable[[], T], *, keep: int = 8) -> T:
    """``compute()``, kept under ``key`` in ``namespace`` (the ``keep`` newest keys).
    Put the data fingerprint in ``key`` for anything computed from the data."""
    with _lock:
        entries = _entries.setdefault(namespace, OrderedDict())
        if key in entries:
            entries.move_to_end(key)
            return entries[key]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        entries[key] = value
        while len(entries) > keep:
            entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget every cached result (tests)."""
    with _lock:
        _entries.clear()


def _records_changed(sender: Any, **kwargs: Any) -> None:
    bump()


def connect() -> None:
    """Forget cached results when the crm app says records changed; give the measures
    the record tables' fields."""
    from attain.crm.events import records_changed

    records_changed.connect(_records_changed, dispatch_uid="calc-cache-records-changed")
    # measures are checked against the record tables' fields as a calculation reads them
    from attain.measures.services import read_tables_with

    from .tables import empty_table

    read_tables_with(empty_table)


def forget(namespace: str) -> None:
    """Forget the results of one namespace (benchmarks of cold work)."""
    with _lock:
        _entries.pop(namespace, None)


def values(namespace: str) -> list[Any]:
    """The results ``namespace`` keeps, oldest first (benchmarks, tests)."""
    with _lock:
        return list(_entries.get(namespace, {}).values())


def size(namespace: str) -> int:
    """How many results ``namespace`` keeps (tests)."""
    with _lock:
        return len(_entries.get(namespace, ()))
