"""The tamper-evident hash chain over audit events.

Every event stores ``chain_hash = sha256(previous chain_hash + canonical content)``; the
first event chains from :data:`GENESIS`. Events are chained in id order. Appends are
serialised: on PostgreSQL by a transaction-scoped advisory lock taken before the previous
hash is read, on SQLite by the write lock every transaction takes at BEGIN (IMMEDIATE).

Changing, inserting or deleting any event (other than the newest ones) breaks the hash of
the event after it; :func:`verify` names the first broken event. Deleting the newest
events is only visible against a head recorded elsewhere, so ``attain audit verify``
prints the head (id and hash) for operators to keep.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection

GENESIS = "0" * 64
# pg_advisory_xact_lock key: any constant shared by every writer of the trail.
ADVISORY_LOCK_KEY = 0x4154_5441_494E  # "ATTAIN"

# The content fields that are hashed, in a fixed order (content_type by id).
HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor_name",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "before",
    "after",
    "reason",
    "batch",
)


# Values :func:`_normal` leaves as they are (checked by class, not isinstance: a bulk
# writer's values are mostly these, and skipping the call for them is what it costs).
_PLAIN = frozenset({str, int, bool, type(None)})


def _normal(value: Any) -> Any:
    """JSON values as any database returns them: integral floats become ints (PostgreSQL's
    jsonb reads ``1e20`` back as an integer), mappings keep their keys only."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): v if v.__class__ in _PLAIN else _normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [v if v.__class__ in _PLAIN else _normal(v) for v in value]
    return value


def _moment(value: datetime.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds")


# json.dumps with these options, without building an encoder per call.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _dump(value: Any) -> str:
    return _ENCODER.encode(value)


# How the encoder writes a string (ensure_ascii=False): the C function when there is one.
_encode_text = json.encoder.encode_basestring
encode_json_text = _encode_text  # for writers that build a JSON value's text themselves


def _plain_text(value: Any) -> str | None:
    """``_dump(_normal(value))`` for a value made of str, int, bool and None in lists,
    tuples and dicts with str keys (what bulk writers give), written directly: about
    twice as fast. None for anything else (a float, another class), which takes the
    general path."""
    cls = value.__class__
    if cls is str:
        return _encode_text(value)
    if cls is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if cls is bool:
        return "true" if value else "false"
    if cls is dict:
        parts = []
        for key in value:
            if key.__class__ is not str:
                return None
        for key in sorted(value):
            text = _plain_text(value[key])
            if text is None:
                return None
            parts.append(f"{_encode_text(key)}:{text}")
        return "{" + ",".join(parts) + "}"
    if cls is list or cls is tuple:
        parts = []
        for item in value:
            text = _plain_text(item)
            if text is None:
                return None
            parts.append(text)
        return "[" + ",".join(parts) + "]"
    if isinstance(value, str):  # a choice (TextChoices): the encoder writes its text
        return _encode_text(value)
    return None


def dump_json(value: Any) -> str | None:
    """A JSON value (``before``/``after``) as canonical text; None stays SQL NULL."""
    if value is None:
        return None
    text = _plain_text(value)
    return text if text is not None else _dump(_normal(value))


def canonical_text(values: dict[str, Any], before: str | None, after: str | None) -> str:
    """The canonical content with ``before``/``after`` already dumped by :func:`dump_json`.
    Equal to ``json.dumps`` of the whole content with sorted keys (checked by a test),
    built by concatenation so a bulk writer dumps each JSON value once."""
    parts = {
        "action": _dump(values.get("action")),
        "actor_id": _dump(values.get("actor_id")),
        "actor_name": _dump(values.get("actor_name") or ""),
        "after": "null" if after is None else after,
        "at": _dump(_moment(values["at"])),
        "batch": _dump(values.get("batch") or ""),
        "before": "null" if before is None else before,
        "content_type_id": _dump(values.get("content_type_id")),
        "object_id": _dump(values.get("object_id") or ""),
        "object_repr": _dump(values.get("object_repr") or ""),
        "reason": _dump(values.get("reason") or ""),
    }
    return "{" + ",".join(f'"{key}":{parts[key]}' for key in sorted(parts)) + "}"


def canonical_frame(common: dict[str, Any]) -> Callable[[str, str, str | None, str | None], str]:
    """:func:`canonical_text` for many events that share every field but ``object_id``,
    ``object_repr``, ``before`` and ``after``: the shared fields are dumped once, and the
    returned ``text(object_id, object_repr, before, after)`` (``before``/``after`` dumped
    by :func:`dump_json`) gives the same text as :func:`canonical_text` (a test checks)."""
    head = (
        f'{{"action":{_dump(common.get("action"))},'
        f'"actor_id":{_dump(common.get("actor_id"))},'
        f'"actor_name":{_dump(common.get("actor_name") or "")},"after":'
    )
    middle = (
        f',"at":{_dump(_moment(common["at"]))},"batch":{_dump(common.get("batch") or "")},"before":'
    )
    content_type = f',"content_type_id":{_dump(common.get("content_type_id"))},"object_id":'
    tail = f',"reason":{_dump(common.get("reason") or "")}}}'

    def text(object_id: str, object_repr: str, before: str | None, after: str | None) -> str:
        # the two texts are str (json.dumps of a str is _encode_text of it)
        return "".join(
            (
                head,
                "null" if after is None else after,
                middle,
                "null" if before is None else before,
                content_type,
                _encode_text(object_id or ""),
                ',"object_repr":',
                _encode_text(object_repr or ""),
                tail,
            )
        )

    return text


def canonical(values: dict[str, Any]) -> bytes:
    """One event's content as bytes that do not depend on the database it was read from."""
    return canonical_text(
        values, dump_json(values.get("before")), dump_json(values.get("after"))
    ).encode()


def reference_canonical(values: dict[str, Any]) -> bytes:
    """The definition :func:`canonical` implements (kept for the test that compares them)."""
    content: dict[str, Any] = {name: values.get(name) for name in HASHED_FIELDS}
    content["at"] = _moment(values["at"])
    content["before"] = _normal(content["before"])
    content["after"] = _normal(content["after"])
    for name in ("actor_name", "object_id", "object_repr", "reason", "batch"):
        content[name] = content[name] or ""
    return _dump(content).encode()


def link(previous: str, values: dict[str, Any]) -> str:
    return hashlib.sha256(previous.encode() + canonical(values)).hexdigest()


def link_text(previous: str, text: str) -> str:
    return hashlib.sha256((previous + text).encode()).hexdigest()


def lock_head(table: str) -> str:
    """Serialise appends and return the hash to chain from. Call inside a transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        cursor.execute(f"SELECT chain_hash FROM {table} ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    return row[0] if row and row[0] else GENESIS


@dataclass(frozen=True)
class Verdict:
    checked: int
    head_id: int | None
    head_hash: str
    broken_id: int | None = None

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def _rows(batch: int) -> Iterator[dict[str, Any]]:
    from .models import AuditEvent

    fields = ("id", "chain_hash", *HASHED_FIELDS)
    last = 0
    while True:
        chunk = list(AuditEvent.objects.filter(id__gt=last).order_by("id").values(*fields)[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1]["id"]


def verify(batch: int = 5000) -> Verdict:
    """Recompute the chain from the first event; stop at the first event that differs."""
    previous = GENESIS
    checked = 0
    head_id: int | None = None
    for row in _rows(batch):
        expected = link(previous, row)
        if row["chain_hash"] != expected:
            return Verdict(checked, head_id, previous, broken_id=row["id"])
        previous = expected
        head_id = row["id"]
        checked += 1
    return Verdict(checked, head_id, previous)
