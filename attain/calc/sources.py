"""Where the calculation reads from: SQL in, Arrow out.

ADBC for SQLite files and PostgreSQL (its own read-only connection: fast, committed data
only), Django's cursor with ``fetchmany`` for any other database, an in-memory SQLite
database, a caller inside a transaction, or a caller that must see a commit it just made
(``fresh``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import polars as pl
import pyarrow as pa
from django.db import connections

BATCH_ROWS = 50_000  # fetchmany size on the Django-cursor path
SQLITE_CACHE_KIB = 256 * 1024  # page cache of the loader's own SQLite connection


class Source:
    """Runs a SELECT and returns its rows as an Arrow table."""

    vendor: str

    def __init__(self) -> None:
        # a big table's primary keys and engine ids, read once per source (see
        # attain.calc.tables.lookup)
        self.lookups: dict[str, pl.DataFrame] = {}

    def query(self, sql: str) -> pa.Table:
        raise NotImplementedError


SQLITE_BATCH_ROWS = "adbc.sqlite.query.batch_rows"


class AdbcSource(Source):
    """A read-only ADBC connection (SQLite file or PostgreSQL)."""

    def __init__(self, connection: Any, vendor: str) -> None:
        super().__init__()
        self.connection = connection
        self.vendor = vendor

    @classmethod
    def sqlite(cls, path: str | Path) -> AdbcSource:
        import adbc_driver_sqlite.dbapi

        source = cls(adbc_driver_sqlite.dbapi.connect(str(path)), "sqlite")
        source.query(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        return source

    @classmethod
    def postgresql(cls, uri: str) -> AdbcSource:
        import adbc_driver_postgresql.dbapi

        return cls(adbc_driver_postgresql.dbapi.connect(uri), "postgresql")

    def query(self, sql: str) -> pa.Table:
        cursor = self.connection.cursor()
        try:
            if self.vendor == "sqlite":
                # SQLite's driver infers each column's Arrow type from the first batch of
                # rows; a column that is NULL there and text later (a product line set only
                # on imported orders) then fails. One batch for the whole result makes the
                # inference see every value.
                cursor.adbc_statement.set_options(**{SQLITE_BATCH_ROWS: str(2**30)})
            cursor.execute(sql)
            return cursor.fetch_arrow_table()
        finally:
            cursor.close()

    def close(self) -> None:
        self.connection.close()


class DjangoCursorSource(Source):
    """Any database Django talks to: ``fetchmany`` batches into Arrow."""

    def __init__(self, using: str = "default") -> None:
        super().__init__()
        self.connection = connections[using]
        self.vendor = self.connection.vendor

    def query(self, sql: str) -> pa.Table:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            names = [column[0] for column in cursor.description]
            columns: list[list[Any]] = [[] for _ in names]
            while rows := cursor.fetchmany(BATCH_ROWS):
                for index, values in enumerate(zip(*rows, strict=True)):
                    columns[index].extend(values)
        arrays = {name: _arrow_array(values) for name, values in zip(names, columns, strict=True)}
        return pa.table(arrays) if arrays else pa.table({})


# The Arrow type of a column whose values are all of one Python type (or None): given to
# pa.array, which then infers nothing. Its inference tries to import dateutil (and pandas)
# on every call where they are not installed: ~0.2 ms a column, most of the time an
# incremental update's queries spend turning their rows into Arrow.
_ARROW_TYPES: dict[type, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    datetime.date: pa.date32(),
}


def _arrow_array(values: list[Any]) -> pa.Array:
    """Decimals become text (cast to exact decimals later), everything else as is."""
    kinds = {type(value) for value in values}
    kinds.discard(type(None))
    if Decimal in kinds:
        values = [None if value is None else format(value, "f") for value in values]
        kinds = {str}
    if not kinds:
        return pa.nulls(len(values))
    if len(kinds) == 1 and (kind := next(iter(kinds))) in _ARROW_TYPES:
        return pa.array(values, type=_ARROW_TYPES[kind])
    return pa.array(values)  # instants, ints mixed with floats …: as pyarrow infers


def sqlite_path(using: str = "default") -> str | None:
    """The SQLite file of ``using``, or None when it is an in-memory database."""
    name = str(connections[using].settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        return None
    return name


def postgresql_uri(using: str = "default") -> str:
    """A libpq URI built from Django's connection settings."""
    config = connections[using].settings_dict
    user = quote(str(config.get("USER") or ""), safe="")
    password = quote(str(config.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = str(config.get("HOST") or "")
    port = f":{config['PORT']}" if config.get("PORT") else ""
    name = quote(str(config["NAME"]), safe="")
    options = ""
    if host.startswith("/"):  # a socket directory
        options, host = f"?host={quote(host, safe='')}", ""
    return f"postgresql://{credentials}{host}{port}/{name}{options}"


@contextmanager
def open_source(using: str = "default", *, fresh: bool = False) -> Iterator[Source]:
    """ADBC for SQLite files and PostgreSQL, Django's cursor otherwise.

    ADBC reads through its own connection, so it sees committed data only; inside a
    transaction (``atomic``) the loader reads through Django's connection instead.

    ``fresh``: read through Django's connection too. Measured 2026-11-26: in a process
    whose Django SQLite connection has just committed (an incremental update runs right
    after the commit that triggered it) while another process has the file open, ADBC's
    bundled SQLite may read the snapshot *before* that commit; Django's cursor sees it.
    Incremental loads are small, so the slower cursor path costs little.
    """
    vendor = connections[using].vendor
    adbc: AdbcSource | None = None
    if fresh or connections[using].in_atomic_block:
        # Inside a transaction the caller must see its own uncommitted rows, which only
        # its own connection can read.
        yield DjangoCursorSource(using)
        return
    if vendor == "sqlite":
        path = sqlite_path(using)
        if path is not None:
            adbc = AdbcSource.sqlite(path)
    elif vendor == "postgresql":
        adbc = AdbcSource.postgresql(postgresql_uri(using))
    if adbc is None:
        yield DjangoCursorSource(using)
        return
    try:
        yield adbc
    finally:
        adbc.close()
