"""Many new rows into one table, fast, inside the current transaction.

``bulk_create`` builds a model instance and an SQL placeholder per value, and on
PostgreSQL sends each column as a text array for ``UNNEST`` that psycopg escapes value by
value in Python: for the hundreds of thousands of result rows of a full run that was most
of the run. :func:`insert_rows` takes plain rows (field name → value), prepares each value
as its field would (``get_db_prep_save``), and writes them with PostgreSQL's ``COPY``
(psycopg adapts and sends the rows in C) or, elsewhere, one ``executemany``. No model
instances, no signals, no primary keys returned: for tables nobody listens to row by row.
"""

from __future__ import annotations

import datetime
import decimal
import itertools
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

# Fields whose values go to the database as they are (text, numbers, keys, and dates and
# decimals, which psycopg and Django's sqlite3 adapters write themselves).
AS_IS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.DateField,
    models.DecimalField,
)
AS_IS_TYPES = (str, int, bool, datetime.date, decimal.Decimal, type(None))


class JsonText(str):
    """A JSON column's value already written as JSON (``json.dumps``): stored as it is."""


def insert_rows(
    model: type[models.Model],
    rows: Iterable[Mapping[str, Any]],
    *,
    also: Mapping[str, Any] | None = None,
    batch: int = 2000,
) -> int:
    """Append ``rows`` (each a mapping of field attribute names, the same names in the
    same order in every row; a foreign key by its ``*_id`` name) to ``model``'s table,
    with the values of ``also`` in every row. Returns how many rows were written."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    db = connections[DEFAULT_DB_ALIAS]
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fixed = dict(also or {})
    fields = [by_attname[name] for name in [*first, *fixed]]
    prepare = [_preparer(f, db) for f in fields[: len(first)]]
    constant = tuple(
        f.get_db_prep_save(v, db) for f, v in zip(fields[len(first) :], fixed.values(), strict=True)
    )

    def values(row: Mapping[str, Any]) -> tuple[Any, ...]:
        return (
            *(p(v) for p, v in zip(prepare, row.values(), strict=True)),
            *constant,
        )

    quote = db.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(str(field.column)) for field in fields)
    written = 0
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in itertools.chain([first], rows):
                    copy.write_row(values(row))
                    written += 1
            return written
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        chunk: list[tuple[Any, ...]] = []
        for row in itertools.chain([first], rows):
            chunk.append(values(row))
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                written += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            written += len(chunk)
    return written


def _preparer(field: models.Field[Any, Any], db: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    """How a value of ``field`` is written: as it is where the driver takes it, JSON as
    text (what Django writes on SQLite; PostgreSQL reads it into jsonb), else as the
    field prepares it."""
    if isinstance(field, models.JSONField):
        encoder = field.encoder

        def as_json(value: Any) -> Any:
            if value is None or isinstance(value, JsonText):
                return value
            return json.dumps(value, cls=encoder)

        return as_json
    as_is = isinstance(field, AS_IS)

    def prepare(value: Any) -> Any:
        if as_is and isinstance(value, AS_IS_TYPES) and not isinstance(value, datetime.datetime):
            return value
        return field.get_db_prep_save(value, db)

    return prepare
