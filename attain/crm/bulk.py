"""Bulk writes of record tables: the crm-owned path for imports and every other write
of many rows at once.

:class:`Upsert` writes a chunk of rows with one ``INSERT ... ON CONFLICT (key) DO UPDATE``
statement through ``executemany`` (SQLite and PostgreSQL) and replaces their credit rows.
It bypasses model hooks, so it says what it changed itself: every chunk written is
announced through :func:`attain.crm.events.note` (the people the rows were credited to,
before and after, on the rows' dates) and reaches the ``records_changed`` receivers once
the caller's transaction commits.
"""

from __future__ import annotations

import datetime
import itertools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from attain.audit.chain import dump_json, encode_json_text
from attain.audit.models import Action
from attain.audit.services import record_bulk, record_bulk_dumped

from . import events
from .models import Evidence, EvidenceKind, Verification
from .records import PLACEMENTS


@dataclass(frozen=True)
class BulkAudit:
    """Who writes, and the batch the per-record audit events are filed under (every
    created or changed record gets one event with its values before and after)."""

    actor: Any
    batch: str
    reason: str = ""


@dataclass(frozen=True)
class CreditRows:
    """A record's credit split rows: their model and the column naming the record."""

    model: type[models.Model]
    parent_column: str  # order_id, payment_id


def fetch_by_keys(
    model: type[models.Model], key: str, keys: Iterable[str], fields: list[str]
) -> list[tuple[Any, ...]]:
    """``(key, *fields)`` of the rows whose ``key`` is one of ``keys``: the ORM's
    ``filter(key__in=...).values_list(...)`` without its per-value overhead (this runs
    for every chunk with thousands of keys)."""
    meta = model._meta
    quote = connection.ops.quote_name
    columns = {"pk": str(meta.pk.column) if meta.pk else "id"}
    for f in meta.concrete_fields:
        columns[f.name] = columns[f.attname] = str(f.column)
    names = [quote(columns[f]) for f in [key, *fields]]
    select = f"SELECT {', '.join(names)} FROM {quote(meta.db_table)}"
    return list(_rows_where_in(select, names[0], list(keys), 10_000))


def _rows_where_in(
    select: str, column: str, keys: list[Any], chunk: int
) -> Iterator[tuple[Any, ...]]:
    """The rows of ``select`` (``SELECT … FROM …``) whose ``column`` is one of ``keys``,
    asked for ``chunk`` keys at a time (one query per chunk, within the database's limit
    of query parameters)."""
    with connection.cursor() as cursor:
        for start in range(0, len(keys), chunk):
            part = keys[start : start + chunk]
            cursor.execute(f"{select} WHERE {column} IN ({', '.join(['%s'] * len(part))})", part)
            yield from cursor.fetchall()


def announce(model: type[models.Model], rows: Iterable[Mapping[str, Any]]) -> None:
    """Say that these rows (values by attname) of ``model`` were written."""
    placement = PLACEMENTS.get(model.__name__)
    if placement is None:
        return
    events.note(
        placement.table,
        ((row.get(person), row.get(placement.date)) for row in rows for person in placement.people),
    )


class Upsert:
    """Upserts a chunk with one ``INSERT ... ON CONFLICT DO UPDATE`` via executemany."""

    def __init__(
        self,
        model: type[models.Model],
        key: str,
        *,
        present: set[str],
        defaults: Mapping[str, Any],
        credit: CreditRows | None = None,
        audit: BulkAudit | None = None,
        keep_verification: bool = True,
    ) -> None:
        """``present``: the attnames the rows give (the others keep their value on update
        and take ``defaults`` on insert); ``credit``: the rows carry ``credit``, a list
        of (person pk, share) that replaces the record's credit rows; ``audit``: write
        one audit event per record (compact: a changed record's event holds the fields
        that changed, before and after); ``keep_verification``: a row stamped pending
        that changes none of these fields keeps the record's verification state (False
        when the rows carry more than these fields, e.g. photo fingerprints)."""
        self.model = model
        self.audit = audit
        self.keep_verification = keep_verification
        self.present = sorted(present)
        meta = model._meta
        ops = connection.ops
        quote = ops.quote_name
        self.key = key
        self.fields = [f for f in meta.concrete_fields if not f.primary_key]
        # Dates go to the driver as dates (Django registers SQLite adapters; psycopg
        # takes them as they are); aware datetimes need Django's conversion.
        self.adapters: list[tuple[str, Any, Callable[[Any], Any] | None]] = []
        for f in self.fields:
            adapter = ops.adapt_datetimefield_value if isinstance(f, models.DateTimeField) else None
            self.adapters.append((f.attname, defaults[f.attname], adapter))
        self.plain = all(adapter is None for _a, _d, adapter in self.adapters)
        self.pairs = [(attname, default) for attname, default, _adapter in self.adapters]
        # row() in C: the defaults overlaid with a row's values, then the fields in order
        self.defaults = dict(self.pairs)
        self.take = operator.itemgetter(*(attname for attname, _default in self.pairs))
        self.adapted = [
            (index, adapter)
            for index, (_attname, _default, adapter) in enumerate(self.adapters)
            if adapter is not None
        ]
        columns = ", ".join(quote(str(f.column)) for f in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        updates = [
            f"{quote(str(f.column))} = EXCLUDED.{quote(str(f.column))}"
            for f in self.fields
            if f.attname in present and f.attname != self.key
        ]
        action = "DO UPDATE SET " + ", ".join(updates) if updates else "DO NOTHING"
        self.table = quote(meta.db_table)
        self.insert = f"INSERT INTO {self.table} ({columns}) VALUES ({placeholders})"
        self.upsert = f"{self.insert} ON CONFLICT ({quote(self.key)}) {action}"
        # SQLite's upsert is several times slower than its plain insert. Under SQLite the
        # import holds the write lock, so the keys found missing at the start of a chunk
        # are still missing when it is written: new rows take the plain insert there.
        self.new_rows_sql = self.insert if connection.vendor == "sqlite" else self.upsert
        self.credit = credit
        if self.credit is not None:
            credit_table = quote(self.credit.model._meta.db_table)
            parent = quote(self.credit.parent_column)
            self.credit_delete = f"DELETE FROM {credit_table} WHERE {parent} IN (%s)"
            self.credit_insert = (
                f"INSERT INTO {credit_table} ({parent}, {quote('person_id')}, {quote('share')}) "
                "VALUES (%s, %s, %s)"
            )

    def row(self, values: dict[str, Any]) -> tuple[Any, ...] | list[Any]:
        """The parameters of one row: each field's value, or its default when the row
        does not give it (a datetime adapted for the database)."""
        found = self.take({**self.defaults, **values})
        if len(self.pairs) == 1:
            found = (found,)
        out = None
        for index, adapter in self.adapted:
            if found[index] is not None:
                if out is None:
                    out = list(found)
                out[index] = adapter(found[index])
        return found if out is None else out

    def write(self, accepted: dict[str, dict[str, Any]], existing: dict[str, int]) -> list[str]:
        """Upsert the ``accepted`` rows (by key; ``existing``: the keys already stored,
        with their pk), audit and announce the change; returns the keys that were new."""
        placement = PLACEMENTS.get(self.model.__name__)
        before = self._stored(existing, placement)
        if placement is not None and before:  # the old people and dates change too
            events.note(
                placement.table,
                (
                    (values.get(person), values.get(placement.date))
                    for values in before.values()
                    for person in placement.people
                ),
            )
        if self.keep_verification and "verification" in self.present:
            self._keep_verification_of_unchanged(accepted, existing, before)
        announce(self.model, accepted.values())
        new_keys = self._upsert(accepted, existing)
        if self.audit is not None:
            self._audit(accepted, existing, before, new_keys)
        return new_keys

    def _stored(self, existing: dict[str, int], placement: Any) -> dict[str, dict[str, Any]]:
        """The stored values (present fields, and the fields placing a change) of the
        existing rows: one query per chunk."""
        compared = self.audit is not None or "verification" in self.present
        if not existing or (placement is None and not compared):
            return {}
        fields = list(self.present) if compared else []
        if placement is not None:
            fields += [f for f in (*placement.people, placement.date) if f not in fields]
        stored = {
            key: dict(zip(fields, values, strict=True))
            for key, *values in fetch_by_keys(self.model, self.key, existing, fields)
        }
        if compared and self.credit is not None:
            credits = _credit_rows(self.credit, list(existing.values()))
            for key, pk in existing.items():
                if key in stored:
                    stored[key]["credit"] = credits.get(pk, [])
        return stored

    def _keep_verification_of_unchanged(
        self,
        accepted: dict[str, dict[str, Any]],
        existing: dict[str, int],
        before: dict[str, dict[str, Any]],
    ) -> None:
        """A row stamped pending that changes nothing of its stored record keeps the
        record's verification state: a rep's or a manager's file stamps every row, but
        only a change waits for verification again (docs/pay.md), so a file imported
        again does not take verified records out of pay (nor put rejected ones back in
        the queue)."""
        fields = {f.attname: f for f in self.model._meta.concrete_fields}
        compared = [
            (f, _field_json_of(fields[f]))
            for f in self.present
            if f not in {"credit", "verification"}
        ]
        for key in existing:
            values, stored = accepted.get(key), before.get(key)
            if values is None or stored is None or "verification" not in stored:
                continue
            if values.get("verification") != Verification.PENDING:
                continue  # a reviewer's row verifies the record it matches, as it is
            if any(
                _field_json(fields[f], stored.get(f)) != convert(values.get(f))
                for f, convert in compared
            ):
                continue
            if self.credit is not None:
                new = sorted([p, _share_json(s)] for p, s in values.get("credit") or ())
                if new != stored.get("credit", []):
                    continue
            values["verification"] = stored["verification"]

    def _audit(
        self,
        accepted: dict[str, dict[str, Any]],
        existing: dict[str, int],
        before: dict[str, dict[str, Any]],
        new_keys: list[str],
    ) -> None:
        assert self.audit is not None
        audit = self.audit
        shown = [f for f in self.present if f != "credit"]
        created_ids = (
            dict(fetch_by_keys(self.model, self.key, new_keys, ["pk"])) if new_keys else {}
        )

        fields = {f.attname: f for f in self.model._meta.concrete_fields}
        converters = [(f, _field_json_of(fields[f])) for f in shown]

        def after_of(values: dict[str, Any]) -> dict[str, Any]:
            found = {f: convert(values.get(f)) for f, convert in converters}
            if self.credit is not None:
                found["credit"] = _credit_json(values["credit"])
            return found

        # a created record's event: its values written straight as the trail's JSON text
        made = [(created_ids[key], accepted[key]) for key in new_keys if key in created_ids]
        texts = self.audit_texts([values for _pk, values in made])
        created = ((pk, None, text) for (pk, _values), text in zip(made, texts, strict=True))
        changed = []
        for key, pk in existing.items():
            if key not in accepted:
                continue
            old = {
                f: v if f == "credit" else _field_json(fields[f], v)
                for f, v in before.get(key, {}).items()
                if f in shown or f == "credit"
            }
            new = after_of(accepted[key])
            diff = [f for f in new if old.get(f) != new[f]]
            if diff:
                changed.append((pk, {f: old.get(f) for f in diff}, {f: new[f] for f in diff}))
        reason, batch = audit.reason, audit.batch
        record_bulk_dumped(
            audit.actor, Action.CREATE, self.model, created, reason=reason, batch=batch
        )
        record_bulk(audit.actor, Action.UPDATE, self.model, changed, reason=reason, batch=batch)

    def audit_text(self) -> Callable[[Mapping[str, Any]], str]:
        """``text(values)``: the audit event of a record created with ``values``, its
        ``after`` as :func:`attain.audit.chain.dump_json` writes it (the fields the rows
        give, as :func:`_field_json` keeps them, and the credit split), built from
        pieces written once per chunk and one JSON text per value (no dict per row)."""
        fields = {f.attname: f for f in self.model._meta.concrete_fields}
        pieces: list[tuple[str, str, Callable[[Any], str]]] = [
            (name, encode_json_text(name) + ":", _field_text_of(fields[name]))
            for name in self.present
            if name != "credit"
        ]
        if self.credit is not None:
            pieces.append(("credit", '"credit":', _credit_text))
        pieces.sort()  # the keys in the order json.dumps(sort_keys=True) writes them
        if not pieces:
            return lambda values: "{}"
        if self.credit is not None:
            # the credit split is always written (a row without one has none: [])
            return lambda values: (
                "{"
                + ",".join(
                    [
                        key + text(values["credit"] if name == "credit" else values.get(name))
                        for name, key, text in pieces
                    ]
                )
                + "}"
            )
        return lambda values: (
            "{" + ",".join([key + text(values.get(name)) for name, key, text in pieces]) + "}"
        )

    def audit_texts(self, rows: list[dict[str, Any]]) -> list[str]:
        """``[audit_text()(values) for values in rows]``, written column by column: a
        field whose values in ``rows`` are all of the class an import gives (text, a
        whole number, an amount, a day) has them written in one pass, and each row's
        text is joined from the keys and its column texts."""
        fields: dict[str, Any] = {f.attname: f for f in self.model._meta.concrete_fields}
        names = sorted(
            [name for name in self.present if name != "credit"]
            + (["credit"] if self.credit else [])
        )
        if not names:
            return ["{}"] * len(rows)
        columns: list[list[str]] = []
        for name in names:
            if name == "credit":
                columns.append([_credit_text(values["credit"]) for values in rows])
                continue
            field = fields[name]
            values: list[Any] = [row.get(name) for row in rows]
            classes = set(map(type, values))
            to_python = type(field.target_field if field.is_relation else field).to_python
            if to_python in _TEXT_TO_PYTHON and all(issubclass(c, str) for c in classes):
                columns.append(list(map(encode_json_text, values)))  # a choice is its text
            elif classes == {Decimal} and isinstance(field, models.DecimalField):
                places = Decimal(1).scaleb(-field.decimal_places)
                columns.append(['"' + str(amount.quantize(places)) + '"' for amount in values])
            elif classes == {int} and to_python is models.IntegerField.to_python:
                columns.append(list(map(int.__repr__, values)))
            elif classes == {datetime.date} and type(field) is models.DateField:
                columns.append(['"' + day.isoformat() + '"' for day in values])
            else:
                columns.append(list(map(_field_text_of(field), values)))
        # each row: {"name":text,"name":text} joined from the keys and the columns
        parts: list[Iterable[str]] = []
        for n, (name, column) in enumerate(zip(names, columns, strict=True)):
            parts.append(itertools.repeat(("{" if n == 0 else ",") + encode_json_text(name) + ":"))
            parts.append(column)
        parts.append(itertools.repeat("}"))
        return list(map("".join, zip(*parts, strict=False)))  # the keys repeat endlessly

    def _upsert(self, accepted: dict[str, dict[str, Any]], existing: dict[str, int]) -> list[str]:
        row = self.row
        new_rows = [row(v) for k, v in accepted.items() if k not in existing]
        old_rows = [row(v) for k, v in accepted.items() if k in existing]
        with connection.cursor() as cursor:
            if new_rows:
                cursor.executemany(self.new_rows_sql, new_rows)
            if old_rows:
                cursor.executemany(self.upsert, old_rows)
            if self.credit is None:
                return [k for k in accepted if k not in existing]
            old = [existing[k] for k in accepted if k in existing]
            for start in range(0, len(old), 5000):
                part = old[start : start + 5000]
                cursor.execute(self.credit_delete % ", ".join(["%s"] * len(part)), part)
            with_credit = [k for k, v in accepted.items() if v.get("credit")]
            ids = dict(existing)
            missing = [k for k in with_credit if k not in ids]
            if missing:
                ids.update(fetch_by_keys(self.model, self.key, missing, ["pk"]))
            credit_rows = [
                (ids[key], person, share)
                for key in with_credit
                for person, share in accepted[key]["credit"]
            ]
            if credit_rows:
                cursor.executemany(self.credit_insert, credit_rows)
        return [k for k in accepted if k not in existing]


def _field_json(field: Any, value: Any) -> Any:
    """A field's value as the audit trail keeps it, the same whether it came from the
    import (Python values) or from a raw read (SQLite gives decimals as numbers)."""
    if value is None:
        return None
    if isinstance(field, models.DecimalField):
        return str(Decimal(str(value)).quantize(Decimal(1).scaleb(-field.decimal_places)))
    if isinstance(field, models.DateTimeField) and settings.USE_TZ:
        # a moment in the current zone, as the import gives it: a raw read gives UTC
        # (SQLite without a zone), which read as it is differed from the same moment
        moment = field.to_python(value)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, datetime.UTC)
        return _jsonable(timezone.localtime(moment))
    return _jsonable(field.to_python(value))


def _field_json_of(field: Any) -> Callable[[Any], Any]:
    """:func:`_field_json` of one field, for many values: the same results, with the
    values an import gives (a str for text, an int for a key or a number, a date, a
    Decimal) converted without the field's ``to_python``."""
    if isinstance(field, models.DecimalField):
        places = Decimal(1).scaleb(-field.decimal_places)

        def decimal(value: Any) -> Any:
            if value.__class__ is Decimal:  # Decimal(str(value)) is value, to the digit
                return str(value.quantize(places))
            return _field_json(field, value)

        return decimal
    to_python = type(field.target_field if field.is_relation else field).to_python
    plain: type | None = None  # the class to_python returns as it is, then kept by _jsonable
    if to_python is models.CharField.to_python or to_python is models.TextField.to_python:
        plain = str
    elif to_python is models.IntegerField.to_python:
        plain = int
    day = type(field) is models.DateField

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if value.__class__ is plain or (plain is str and isinstance(value, str)):
            return value  # a choice stays itself, as to_python and _jsonable leave it
        if day and value.__class__ is datetime.date:
            return value.isoformat()
        return _field_json(field, value)

    return convert


_TEXT_TO_PYTHON = (models.CharField.to_python, models.TextField.to_python)


def _field_text_of(field: Any) -> Callable[[Any], str]:
    """``text(value)``: :func:`attain.audit.chain.dump_json` of :func:`_field_json` of
    ``value`` (``null`` for None), with the values an import gives written directly: a
    str, an int, a date, a Decimal."""
    convert = _field_json_of(field)
    decimal = isinstance(field, models.DecimalField)
    places = Decimal(1).scaleb(-field.decimal_places) if decimal else None
    to_python = type(field.target_field if field.is_relation else field).to_python
    text_field = to_python is models.CharField.to_python or to_python is models.TextField.to_python
    integer = to_python is models.IntegerField.to_python
    day = type(field) is models.DateField

    def text(value: Any) -> str:
        if value is None:
            return "null"
        cls = value.__class__
        if cls is str and text_field:
            return encode_json_text(value)
        if cls is int and integer:
            return int.__repr__(value)
        if cls is Decimal and decimal:
            return '"' + str(value.quantize(places)) + '"'  # digits, a dot, a sign
        if cls is datetime.date and day:
            return '"' + str(value.isoformat()) + '"'
        return dump_json(convert(value)) or "null"

    return text


def _credit_json(credit: Any) -> list[list[Any]]:
    """A credit split, ``[(person pk, share), ...]``, as the audit trail keeps it."""
    return sorted([person, _share_json(share)] for person, share in credit or ())


def _credit_text(credit: Any) -> str:
    """:func:`attain.audit.chain.dump_json` of :func:`_credit_json`, written directly
    for int person pks."""
    if not credit:
        return "[]"
    pairs = sorted((person, _share_json(share)) for person, share in credit)
    if any(person.__class__ is not int for person, _share in pairs):
        return dump_json(_credit_json(credit)) or "null"
    return "[" + ",".join([f'[{person},"{share}"]' for person, share in pairs]) + "]"


def _share_json(share: Any) -> str:
    """A credit share, exact to its 8 places, without trailing zeros."""
    return str(Decimal(str(share)).quantize(Decimal("1e-8")).normalize())


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)  # Decimal and the rest: exact text


def _credit_rows(credit: CreditRows, pks: list[int]) -> dict[int, list[list[Any]]]:
    """The stored credit split of each record: [[person pk, share], ...] sorted."""
    quote = connection.ops.quote_name
    table = quote(credit.model._meta.db_table)
    parent = quote(credit.parent_column)
    found: dict[int, list[list[Any]]] = {}
    select = f"SELECT {parent}, {quote('person_id')}, {quote('share')} FROM {table}"
    for pk, person, share in _rows_where_in(select, parent, pks, 5000):
        found.setdefault(pk, []).append([person, _share_json(share)])
    return {pk: sorted(rows) for pk, rows in found.items()}


def replace_photo_fingerprints(fingerprints: Mapping[int, list[str]]) -> None:
    """Activities (pk → perceptual hashes) from an import: their imported fingerprints
    (evidence photos without a file) are replaced by these; a hash an uploaded photo of
    the same activity already has is not added again."""
    pks = list(fingerprints)
    now = datetime.datetime.now(datetime.UTC)
    for start in range(0, len(pks), 5000):
        part = pks[start : start + 5000]
        Evidence.objects.filter(activity_id__in=part, kind=EvidenceKind.PHOTO, file="").delete()
        uploaded: dict[int, set[str]] = {}
        for activity, hash_ in Evidence.objects.filter(activity_id__in=part).values_list(
            "activity_id", "perceptual_hash"
        ):
            uploaded.setdefault(activity, set()).add(hash_)
        Evidence.objects.bulk_create(
            [
                Evidence(
                    activity_id=pk,
                    kind=EvidenceKind.PHOTO,
                    file="",
                    perceptual_hash=hash_,
                    uploaded_at=now,
                )
                for pk in part
                for hash_ in fingerprints[pk]
                if hash_ not in uploaded.get(pk, ())
            ],
            batch_size=1000,
        )
