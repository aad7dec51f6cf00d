"""Where the calculation reads from: SQL in, Arrow out.

ADBC for PostgreSQL (its own read-only connection: fast, committed data only); for a
SQLite file, its own read-only connection through Python's ``sqlite3``, the SQLite
library Django uses; Django's cursor with ``fetchmany`` for any other database, an
in-memory SQLite database, a caller inside a transaction, or a caller that must see a
commit it just made (``fresh``).

Not ADBC's SQLite driver: it carries its own copy of SQLite, and two copies of SQLite in
one process break each other's locks on the same file (closing a file drops every POSIX
lock the process holds on it, and the copies keep no common account of them: see
SQLite's "How To Corrupt An SQLite Database File", 2.2.1). A worker calculating beside
Django's connection then read "database disk image is malformed", or a snapshot older
than a commit its own process had just made.
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote
from urllib.request import pathname2url

import polars as pl
import pyarrow as pa
from django.db import connections

from attain.engine import no_cycle_collection

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


class AdbcSource(Source):
    """A read-only ADBC connection to PostgreSQL."""

    def __init__(self, connection: Any, vendor: str) -> None:
        super().__init__()
        self.connection = connection
        self.vendor = vendor

    @classmethod
    def postgresql(cls, uri: str) -> AdbcSource:
        """Its queries share one read-only REPEATABLE READ transaction: every table of a
        load is read from the same commit (at READ COMMITTED, PostgreSQL's default, each
        query saw the latest commit: an import committing during a load gave orders from
        after it and their credits from before it)."""
        import adbc_driver_postgresql.dbapi

        connection = adbc_driver_postgresql.dbapi.connect(uri)  # not autocommit: one transaction
        cursor = connection.cursor()
        try:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        finally:
            cursor.close()
        return cls(connection, "postgresql")

    def query(self, sql: str) -> pa.Table:
        cursor = self.connection.cursor()
        try:
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
            return _fetched(cursor, sql)


class SqliteSource(Source):
    """A SQLite file read through a connection of its own that writes nothing, with the
    SQLite library Django uses (see the module's docstring). Its queries share one read
    transaction: every table of a load is read from the same commit, as ADBC's did."""

    vendor = "sqlite"

    def __init__(self, path: str | Path, timeout: float = 5.0) -> None:
        super().__init__()
        # read-write mode (a read-only connection cannot make the WAL's shared-memory
        # file, absent when no other connection is open), writes refused by query_only;
        # mode=rw: a wrong path is an error, not a new empty database
        uri = f"file:{pathname2url(str(Path(path).resolve()))}?mode=rw"
        self.connection = sqlite3.connect(
            uri, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        try:
            self.connection.execute("PRAGMA query_only = ON")
            self.connection.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
            self.connection.execute("BEGIN")  # the snapshot is taken at the first read
        except sqlite3.Error:
            self.connection.close()
            raise

    def query(self, sql: str) -> pa.Table:
        cursor = self.connection.cursor()
        try:
            return _fetched(cursor, sql)
        finally:
            cursor.close()

    def close(self) -> None:
        try:
            self.connection.execute("ROLLBACK")
        finally:
            self.connection.close()


def _fetched(cursor: Any, sql: str) -> pa.Table:
    # a million rows are a million tuples and several million values, all kept until
    # they are Arrow: the cyclic collector would scan them again and again
    with no_cycle_collection():
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
    """ADBC for PostgreSQL, a connection of its own for a SQLite file, Django's cursor
    otherwise.

    Those read through their own connection, so they see committed data only; inside a
    transaction (``atomic``) the loader reads through Django's connection instead.

    ``fresh``: read through Django's connection too (an incremental update runs right
    after the commit that triggered it; its loads are small, so the cursor path costs
    little).
    """
    vendor = connections[using].vendor
    own: AdbcSource | SqliteSource | None = None
    if fresh or connections[using].in_atomic_block:
        # Inside a transaction the caller must see its own uncommitted rows, which only
        # its own connection can read.
        yield DjangoCursorSource(using)
        return
    if vendor == "sqlite":
        path = sqlite_path(using)
        if path is not None:
            timeout = connections[using].settings_dict.get("OPTIONS", {}).get("timeout", 5)
            own = SqliteSource(path, timeout=float(timeout))
    elif vendor == "postgresql":
        own = AdbcSource.postgresql(postgresql_uri(using))
    if own is None:
        yield DjangoCursorSource(using)
        return
    try:
        yield own
    finally:
        own.close()
