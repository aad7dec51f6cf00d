"""Load → compute: the engine's record tables, read from the database in bulk.

Each table is one SQL statement over the ORM's own table and column names
(``Model._meta``), joined so that the rows carry the engine's ids: employee codes for
people, ``external_id`` for customers, orders and opportunities, codes for product lines
and products. Rows arrive as Arrow (ADBC for SQLite and PostgreSQL; Django's cursor
with ``fetchmany`` for any other database, or an in-memory SQLite database), and Polars
finishes the types: dates as dates, money and scores as exact decimals (never floats),
credit splits as the JSON text column the engine reads from parquet.

Only the rows a calculation needs are read: every query filters on the date fields the
measures use. :func:`build_scenario` writes the tables (and the organisation) as parquet
and returns a scenario document for :func:`attain.engine.scenario_from_data`. See
``docs/engine-data.md``.
"""

from __future__ import annotations

import datetime
import json
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import polars as pl
import pyarrow as pa
from django.conf import settings
from django.db import connections
from django.db.models import Model

from attain.org.models import Assignment, Person, Unit

from .models import (
    Activity,
    Customer,
    Evidence,
    Opportunity,
    Order,
    OrderCredit,
    OrderLine,
    Payment,
    PaymentCredit,
    PeerRating,
    Product,
    ProductLine,
    ServiceTicket,
    Stage,
    StageKind,
    Survey,
    TrainingScore,
)

TABLES = (
    "orders",
    "order_lines",
    "payments",
    "activities",
    "customers",
    "opportunities",
    "tickets",
    "surveys",
    "training",
    "peer_ratings",
)
BATCH_ROWS = 50_000  # fetchmany size on the Django-cursor path
SQLITE_CACHE_KIB = 256 * 1024  # page cache of the loader's own SQLite connection

# Column kinds: how a fetched column becomes its engine type.
TEXT, DATE, INSTANT_DATE, BOOL = "text", "date", "instant_date", "bool"
MONEY = "decimal:2"  # money, DecimalField(decimal_places=2)
QUANTITY = "decimal:3"
SCORE = "decimal:1"
SHARE_PLACES = 8


# Reading SQL into Arrow ------------------------------------------------------------


class Source:
    """Runs a SELECT and returns its rows as an Arrow table."""

    vendor: str
    lookups: dict[str, pl.DataFrame]

    def query(self, sql: str) -> pa.Table:
        raise NotImplementedError

    def lookup(self, name: str) -> pl.DataFrame:
        """A big table's primary keys and engine ids (``pk``, ``key`` …), read once per
        source: joining these in Polars beats SQLite's row-by-row index lookups."""
        if not hasattr(self, "lookups"):
            self.lookups = {}
        if name not in self.lookups:
            frame = pl.from_arrow(self.query(_LOOKUPS[name](_Sql(self.vendor))))
            assert isinstance(frame, pl.DataFrame)
            self.lookups[name] = frame.with_columns(
                pl.col("pk").cast(pl.Int64), pl.exclude("pk").cast(pl.String)
            )
        return self.lookups[name]


SQLITE_BATCH_ROWS = "adbc.sqlite.query.batch_rows"


class AdbcSource(Source):
    """A read-only ADBC connection (SQLite file or PostgreSQL)."""

    def __init__(self, connection: Any, vendor: str) -> None:
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


def _arrow_array(values: list[Any]) -> pa.Array:
    """Decimals become text (cast to exact decimals later), everything else as is."""
    from decimal import Decimal

    if any(isinstance(value, Decimal) for value in values):
        values = [None if value is None else format(value, "f") for value in values]
    return pa.array(values)


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
def open_source(using: str = "default") -> Iterator[Source]:
    """ADBC for SQLite files and PostgreSQL, Django's cursor otherwise.

    ADBC reads through its own connection, so it sees committed data only; inside a
    transaction (``atomic``) the loader reads through Django's connection instead.
    """
    vendor = connections[using].vendor
    adbc: AdbcSource | None = None
    if connections[using].in_atomic_block:
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


# SQL per table --------------------------------------------------------------------


class _Sql:
    """Table and column names from the models, and the few dialect differences."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor

    @staticmethod
    def quote(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def t(self, model: type[Model], alias: str) -> str:
        return f"{self.quote(str(model._meta.db_table))} {alias}"

    def c(self, alias: str, model: type[Model], name: str) -> str:
        column = model._meta.get_field(name).column  # type: ignore[union-attr]
        return f"{alias}.{self.quote(str(column))}"

    def join(
        self, model: type[Model], alias: str, on: tuple[str, type[Model], str], left: bool = False
    ) -> str:
        """`` JOIN model alias ON alias.id = other.fk`` (``on``: other alias, model, field)."""
        other_alias, other_model, foreign_key = on
        kind = "LEFT JOIN" if left else "JOIN"
        return (
            f" {kind} {self.t(model, alias)}"
            f" ON {self.c(alias, model, 'id')} = {self.c(other_alias, other_model, foreign_key)}"
        )

    def decimal_text(self, expression: str, places: int) -> str:
        """Exact decimal text. SQLite keeps DecimalField values with NUMERIC affinity
        (a REAL or an INTEGER), so they are printed back to their places."""
        if self.vendor == "sqlite":
            printed = f"printf('%.{places}f', {expression})"
            return f"CASE WHEN {expression} IS NULL THEN NULL ELSE {printed} END"
        if self.vendor == "postgresql":
            return f"CAST({expression} AS TEXT)"
        return expression

    def instant(self, moment: datetime.datetime) -> str:
        """A UTC instant literal comparable with a DateTimeField column."""
        utc = moment.astimezone(datetime.UTC)
        if self.vendor == "sqlite":
            return "'" + utc.replace(tzinfo=None).isoformat(sep=" ") + "'"
        return "'" + utc.isoformat() + "'"


@dataclass(frozen=True)
class TableSql:
    name: str
    columns: tuple[tuple[str, str, str], ...]  # (name, SQL expression, kind)
    source: str  # FROM ... JOIN ...
    dates: Mapping[str, str]  # engine date field → SQL column (instants: see `instants`)
    where: str = ""
    instants: frozenset[str] = frozenset()
    credit: str | None = None  # SQL of (id, person, share) rows, {where} for the filter
    extra: Mapping[str, str] = field(default_factory=dict)


def _orders(q: _Sql) -> TableSql:
    return TableSql(
        "orders",
        (
            ("id", q.c("o", Order, "external_id"), TEXT),
            ("date", q.c("o", Order, "date"), DATE),
            ("owner", q.c("p", Person, "code"), TEXT),
            ("customer", q.c("o", Order, "customer"), "ref:customer"),
            ("amount", q.decimal_text(q.c("o", Order, "amount"), 2), MONEY),
            ("status", q.c("o", Order, "status"), TEXT),
            ("status_changed_on", q.c("o", Order, "status_changed_on"), DATE),
            ("product_line", q.c("l", ProductLine, "code"), TEXT),
            ("opportunity", q.c("o", Order, "opportunity"), "ref:opportunity"),
        ),
        f"{q.t(Order, 'o')}"
        + q.join(Person, "p", ("o", Order, "owner"))
        + q.join(ProductLine, "l", ("o", Order, "product_line"), left=True),
        {
            "date": q.c("o", Order, "date"),
            "status_changed_on": q.c("o", Order, "status_changed_on"),
        },
        credit=_order_credit_sql(q),
    )


def _order_credit_sql(q: _Sql) -> str:
    return (
        f"SELECT {q.c('o', Order, 'external_id')} AS id, {q.c('p', Person, 'code')} AS person,"
        f" {q.decimal_text(q.c('k', OrderCredit, 'share'), SHARE_PLACES)} AS share"
        f" FROM {q.t(OrderCredit, 'k')}"
        + q.join(Order, "o", ("k", OrderCredit, "order"))
        + q.join(Person, "p", ("k", OrderCredit, "person"))
        + " {where}"
    )


def _order_lines(q: _Sql) -> TableSql:
    return TableSql(
        "order_lines",
        (
            ("id", q.c("n", OrderLine, "external_id"), TEXT),
            ("order", q.c("o", Order, "external_id"), TEXT),
            ("date", q.c("o", Order, "date"), DATE),
            ("owner", q.c("p", Person, "code"), TEXT),
            ("status", q.c("o", Order, "status"), TEXT),
            ("customer", q.c("o", Order, "customer"), "ref:customer"),
            ("product", q.c("d", Product, "code"), TEXT),
            ("product_line", q.c("l", ProductLine, "code"), TEXT),
            ("quantity", q.decimal_text(q.c("n", OrderLine, "quantity"), 3), QUANTITY),
            ("unit_price", q.decimal_text(q.c("n", OrderLine, "unit_price"), 2), MONEY),
            ("amount", q.decimal_text(q.c("n", OrderLine, "amount"), 2), MONEY),
        ),
        f"{q.t(OrderLine, 'n')}"
        + q.join(Order, "o", ("n", OrderLine, "order"))
        + q.join(Person, "p", ("o", Order, "owner"))
        + q.join(Product, "d", ("n", OrderLine, "product"))
        + q.join(ProductLine, "l", ("d", Product, "line")),
        {"date": q.c("o", Order, "date")},
        credit=_order_credit_sql(q),
    )


def _payments(q: _Sql) -> TableSql:
    return TableSql(
        "payments",
        (
            ("id", q.c("m", Payment, "external_id"), TEXT),
            ("date", q.c("m", Payment, "date"), DATE),
            ("collector", q.c("p", Person, "code"), TEXT),
            ("owner", q.c("m", Payment, "order"), "ref:order.owner"),
            ("customer", q.c("m", Payment, "customer"), "ref:customer"),
            ("order", q.c("m", Payment, "order"), "ref:order"),
            ("amount", q.decimal_text(q.c("m", Payment, "amount"), 2), MONEY),
        ),
        f"{q.t(Payment, 'm')}" + q.join(Person, "p", ("m", Payment, "collector")),
        {"date": q.c("m", Payment, "date")},
        credit=(
            f"SELECT {q.c('m', Payment, 'external_id')} AS id,"
            f" {q.c('p', Person, 'code')} AS person,"
            f" {q.decimal_text(q.c('k', PaymentCredit, 'share'), SHARE_PLACES)} AS share"
            f" FROM {q.t(PaymentCredit, 'k')}"
            + q.join(Payment, "m", ("k", PaymentCredit, "payment"))
            + q.join(Person, "p", ("k", PaymentCredit, "person"))
            + " {where}"
        ),
    )


def _activities(q: _Sql) -> TableSql:
    evidence = (
        f"CASE WHEN EXISTS (SELECT 1 FROM {q.t(Evidence, 'e')}"
        f" WHERE {q.c('e', Evidence, 'activity')} = {q.c('a', Activity, 'id')}) THEN 1 ELSE 0 END"
    )
    return TableSql(
        "activities",
        (
            ("id", q.c("a", Activity, "external_id"), TEXT),
            ("date", q.c("a", Activity, "occurred_at"), INSTANT_DATE),
            ("owner", q.c("p", Person, "code"), TEXT),
            ("kind", q.c("a", Activity, "kind"), TEXT),
            ("customer", q.c("a", Activity, "customer"), "ref:customer"),
            ("opportunity", q.c("a", Activity, "opportunity"), "ref:opportunity"),
            ("has_evidence", evidence, BOOL),
        ),
        f"{q.t(Activity, 'a')}" + q.join(Person, "p", ("a", Activity, "owner")),
        {"date": q.c("a", Activity, "occurred_at")},
        instants=frozenset({"date"}),
    )


def _customers(q: _Sql) -> TableSql:
    return TableSql(
        "customers",
        (
            ("id", q.c("c", Customer, "external_id"), TEXT),
            ("date", q.c("c", Customer, "created_on"), DATE),
            ("created", q.c("c", Customer, "created_on"), DATE),
            ("owner", q.c("p", Person, "code"), TEXT),
            ("name", q.c("c", Customer, "name"), TEXT),
            ("source", q.c("c", Customer, "source"), TEXT),
            ("industry", q.c("c", Customer, "industry"), TEXT),
            ("city", q.c("c", Customer, "city"), TEXT),
        ),
        f"{q.t(Customer, 'c')}" + q.join(Person, "p", ("c", Customer, "owner"), left=True),
        {
            "date": q.c("c", Customer, "created_on"),
            "created": q.c("c", Customer, "created_on"),
        },
        where=f"{q.c('c', Customer, 'merged_into')} IS NULL",
    )


def _opportunities(q: _Sql) -> TableSql:
    won = f"CASE WHEN {q.c('s', Stage, 'kind')} = '{StageKind.WON.value}' THEN 1 ELSE 0 END"
    return TableSql(
        "opportunities",
        (
            ("id", q.c("y", Opportunity, "external_id"), TEXT),
            ("date", q.c("y", Opportunity, "created_on"), DATE),
            ("owner", q.c("p", Person, "code"), TEXT),
            ("customer", q.c("y", Opportunity, "customer"), "ref:customer"),
            ("stage", q.c("s", Stage, "code"), TEXT),
            ("stage_kind", q.c("s", Stage, "kind"), TEXT),
            ("amount", q.decimal_text(q.c("y", Opportunity, "amount"), 2), MONEY),
            ("product_line", q.c("l", ProductLine, "code"), TEXT),
            ("source", q.c("y", Opportunity, "source"), TEXT),
            ("expected_close", q.c("y", Opportunity, "expected_close"), DATE),
            ("closed_on", q.c("y", Opportunity, "closed_on"), DATE),
            ("won", won, BOOL),
        ),
        f"{q.t(Opportunity, 'y')}"
        + q.join(Person, "p", ("y", Opportunity, "owner"))
        + q.join(Stage, "s", ("y", Opportunity, "stage"))
        + q.join(ProductLine, "l", ("y", Opportunity, "product_line"), left=True),
        {
            "date": q.c("y", Opportunity, "created_on"),
            "closed_on": q.c("y", Opportunity, "closed_on"),
            "expected_close": q.c("y", Opportunity, "expected_close"),
        },
    )


def _tickets(q: _Sql) -> TableSql:
    return TableSql(
        "tickets",
        (
            ("id", q.c("t", ServiceTicket, "external_id"), TEXT),
            ("date", q.c("t", ServiceTicket, "opened_on"), DATE),
            ("owner", q.c("p", Person, "code"), TEXT),
            ("kind", q.c("t", ServiceTicket, "kind"), TEXT),
            ("status", q.c("t", ServiceTicket, "status"), TEXT),
            ("customer", q.c("t", ServiceTicket, "customer"), "ref:customer"),
            ("order", q.c("t", ServiceTicket, "order"), "ref:order"),
            ("resolved_on", q.c("t", ServiceTicket, "resolved_on"), DATE),
        ),
        f"{q.t(ServiceTicket, 't')}"
        + q.join(Person, "p", ("t", ServiceTicket, "owner"), left=True),
        {
            "date": q.c("t", ServiceTicket, "opened_on"),
            "resolved_on": q.c("t", ServiceTicket, "resolved_on"),
        },
    )


def _surveys(q: _Sql) -> TableSql:
    return TableSql(
        "surveys",
        (
            ("id", q.c("v", Survey, "external_id"), TEXT),
            ("date", q.c("v", Survey, "date"), DATE),
            ("owner", q.c("p", Person, "code"), TEXT),
            ("customer", q.c("v", Survey, "customer"), "ref:customer"),
            ("ticket", q.c("v", Survey, "ticket"), "ref:ticket"),
            ("score", q.decimal_text(q.c("v", Survey, "score"), 1), SCORE),
        ),
        f"{q.t(Survey, 'v')}" + q.join(Person, "p", ("v", Survey, "person")),
        {"date": q.c("v", Survey, "date")},
    )


def _training(q: _Sql) -> TableSql:
    return TableSql(
        "training",
        (
            ("id", q.c("r", TrainingScore, "external_id"), TEXT),
            ("date", q.c("r", TrainingScore, "date"), DATE),
            ("owner", q.c("p", Person, "code"), TEXT),
            ("course", q.c("r", TrainingScore, "course"), TEXT),
            ("score", q.decimal_text(q.c("r", TrainingScore, "score"), 1), SCORE),
        ),
        f"{q.t(TrainingScore, 'r')}" + q.join(Person, "p", ("r", TrainingScore, "person")),
        {"date": q.c("r", TrainingScore, "date")},
    )


def _peer_ratings(q: _Sql) -> TableSql:
    return TableSql(
        "peer_ratings",
        (
            ("id", q.c("g", PeerRating, "external_id"), TEXT),
            ("date", q.c("g", PeerRating, "date"), DATE),
            ("owner", q.c("p", Person, "code"), TEXT),
            ("rater", q.c("x", Person, "code"), TEXT),
            ("score", q.decimal_text(q.c("g", PeerRating, "score"), 1), SCORE),
        ),
        f"{q.t(PeerRating, 'g')}"
        + q.join(Person, "p", ("g", PeerRating, "person"))
        + q.join(Person, "x", ("g", PeerRating, "rater")),
        {"date": q.c("g", PeerRating, "date")},
    )


def _key_lookup(model: type[Model], key: str) -> Callable[[_Sql], str]:
    def sql(q: _Sql) -> str:
        columns = f"{q.c('x', model, 'id')} AS pk, {q.c('x', model, key)} AS key"
        return f"SELECT {columns} FROM {q.t(model, 'x')}"

    return sql


def _order_lookup(q: _Sql) -> str:
    return (
        f"SELECT {q.c('o', Order, 'id')} AS pk, {q.c('o', Order, 'external_id')} AS key,"
        f" {q.c('p', Person, 'code')} AS owner FROM {q.t(Order, 'o')}"
        + q.join(Person, "p", ("o", Order, "owner"))
    )


_LOOKUPS: dict[str, Callable[[_Sql], str]] = {
    "customer": _key_lookup(Customer, "external_id"),
    "opportunity": _key_lookup(Opportunity, "external_id"),
    "ticket": _key_lookup(ServiceTicket, "external_id"),
    "order": _order_lookup,
}

_TABLE_SQL: dict[str, Callable[[_Sql], TableSql]] = {
    "orders": _orders,
    "order_lines": _order_lines,
    "payments": _payments,
    "activities": _activities,
    "customers": _customers,
    "opportunities": _opportunities,
    "tickets": _tickets,
    "surveys": _surveys,
    "training": _training,
    "peer_ratings": _peer_ratings,
}


def table_date_fields(name: str) -> tuple[str, ...]:
    """The date fields of a table that measures may place records by."""
    return tuple(_TABLE_SQL[name](_Sql("sqlite")).dates)


# Loading ------------------------------------------------------------------------------


def _local_day_start(day: datetime.date) -> datetime.datetime:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zone)


def _date_filter(
    spec: TableSql, q: _Sql, start: datetime.date, end: datetime.date, fields: Iterable[str]
) -> str:
    conditions = []
    for name in sorted(set(fields)):
        if name not in spec.dates:
            raise ValueError(
                f"{spec.name} has no date field {name!r} (it has {', '.join(spec.dates)})"
            )
        column = spec.dates[name]
        if name in spec.instants:
            low = q.instant(_local_day_start(start))
            high = q.instant(_local_day_start(end + datetime.timedelta(days=1)))
            conditions.append(f"({column} >= {low} AND {column} < {high})")
        else:
            conditions.append(f"({column} BETWEEN '{start.isoformat()}' AND '{end.isoformat()}')")
    return " OR ".join(conditions)


def _where(*conditions: str) -> str:
    present = [f"({condition})" for condition in conditions if condition]
    return " WHERE " + " AND ".join(present) if present else ""


def load_table(
    source: Source,
    name: str,
    *,
    start: datetime.date,
    end: datetime.date,
    date_fields: Iterable[str] = ("date",),
) -> pl.DataFrame:
    """One record table: the rows whose ``date_fields`` (any of them) lie in
    ``start``…``end``, both included."""
    if name not in _TABLE_SQL:
        raise ValueError(f"unknown table {name!r} (one of {', '.join(TABLES)})")
    q = _Sql(source.vendor)
    spec = _TABLE_SQL[name](q)
    date_filter = _date_filter(spec, q, start, end, date_fields)
    select = ", ".join(f"{expression} AS {q.quote(alias)}" for alias, expression, _ in spec.columns)
    sql = f"SELECT {select} FROM {spec.source}{_where(spec.where, date_filter)}"
    frame = _typed(pl.from_arrow(source.query(sql)), spec)  # type: ignore[arg-type]
    frame = _resolve_refs(source, frame, spec)
    if spec.credit is not None:
        credit_sql = spec.credit.replace("{where}", _where(date_filter))
        credits = _credit_json(pl.from_arrow(source.query(credit_sql)))  # type: ignore[arg-type]
        key = "order" if name == "order_lines" else "id"
        frame = frame.join(credits.rename({"id": key}), on=key, how="left", maintain_order="left")
    return frame


def _resolve_refs(source: Source, frame: pl.DataFrame, spec: TableSql) -> pl.DataFrame:
    """Replace foreign keys (``ref:NAME`` or ``ref:NAME.COLUMN``) by the engine ids."""
    for name, _expression, kind in spec.columns:
        if not kind.startswith("ref:"):
            continue
        lookup, _, column = kind[4:].partition(".")
        table = source.lookup(lookup).select(
            pl.col("pk").alias(name), pl.col(column or "key").alias("__ref")
        )
        frame = (
            frame.join(table, on=name, how="left", maintain_order="left")
            .drop(name)
            .rename({"__ref": name})
        )
    return frame.select(name for name, _expression, _kind in spec.columns)


def _typed(frame: pl.DataFrame, spec: TableSql) -> pl.DataFrame:
    if frame.height == 0:
        # An empty result's column types are whatever the driver guessed (nulls on
        # SQLite, real types on PostgreSQL): start every empty result from text.
        frame = frame.cast(_schema_of(spec))  # type: ignore[arg-type]
    columns = []
    zone = settings.TIME_ZONE
    for name, _expression, kind in spec.columns:
        column = pl.col(name)
        dtype = frame.schema[name]
        if kind == TEXT:
            columns.append(column.cast(pl.String))
        elif kind == DATE:
            if dtype == pl.Date:
                columns.append(column)
            elif isinstance(dtype, pl.Datetime):
                columns.append(column.dt.date())
            else:
                columns.append(column.cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d"))
        elif kind == INSTANT_DATE:
            if isinstance(dtype, pl.Datetime):
                moment = column if dtype.time_zone else column.dt.replace_time_zone("UTC")
            else:  # SQLite: "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC
                moment = (
                    column.cast(pl.String)
                    .str.slice(0, 19)
                    .str.to_datetime("%Y-%m-%d %H:%M:%S", time_zone="UTC")
                )
            columns.append(moment.dt.convert_time_zone(zone).dt.date().alias(name))
        elif kind == BOOL:
            columns.append(column.cast(pl.Int8).cast(pl.Boolean))
        elif kind.startswith("ref:"):
            columns.append(column.cast(pl.Int64))
        else:  # decimal:N
            places = int(kind.split(":")[1])
            columns.append(column.cast(pl.String).cast(pl.Decimal(38, places)))
    return frame.select(columns)


def _schema_of(spec: TableSql) -> dict[str, pl.DataType]:
    """An empty result's types (a database may return them as nulls)."""
    schema: dict[str, pl.DataType] = {}
    for name, _expression, kind in spec.columns:
        if kind in (TEXT, DATE, INSTANT_DATE):
            schema[name] = pl.String()
        elif kind == BOOL:
            schema[name] = pl.Int8()
        elif kind.startswith("ref:"):
            schema[name] = pl.Int64()
        else:
            schema[name] = pl.String()
    return schema


def _credit_json(rows: pl.DataFrame) -> pl.DataFrame:
    """(id, person, share) rows → one JSON text per id, ``{"E0001": 0.5, ...}``."""
    if rows.height == 0:
        return pl.DataFrame(schema={"id": pl.String, "credit": pl.String})
    share = (
        pl.col("share").cast(pl.String).str.replace(r"(\.\d*?)0+$", "${1}").str.replace(r"\.$", "")
    )
    entries = rows.with_columns(pl.col("id").cast(pl.String), pl.col("person").cast(pl.String))
    return (
        entries.sort("id", "person")
        .group_by("id", maintain_order=True)
        .agg(pl.format('"{}": {}', pl.col("person"), share).str.join(", ").alias("credit"))
        .with_columns(pl.concat_str([pl.lit("{"), pl.col("credit"), pl.lit("}")]).alias("credit"))
    )


def load_tables(
    names: Iterable[str],
    *,
    start: datetime.date,
    end: datetime.date,
    date_fields: Mapping[str, Iterable[str]] | None = None,
    using: str = "default",
) -> dict[str, pl.DataFrame]:
    """Several record tables through one connection."""
    date_fields = date_fields or {}
    with open_source(using) as source:
        return {
            name: load_table(
                source, name, start=start, end=end, date_fields=date_fields.get(name, ("date",))
            )
            for name in names
        }


# The organisation ---------------------------------------------------------------------


def load_org(*, start: datetime.date, using: str = "default") -> tuple[pl.DataFrame, pl.DataFrame]:
    """Units and people in the engine's format, as of ``start``.

    A person's base unit, manager and role are their assignment on ``start`` (or on
    their first day when they join later, or their last assignment when they left
    before); each later assignment is a ``history`` entry (JSON text).
    """
    with open_source(using) as source:
        q = _Sql(source.vendor)
        units = pl.from_arrow(
            source.query(
                f"SELECT {q.c('u', Unit, 'code')} AS id, {q.c('u', Unit, 'name')} AS name,"
                f" {q.c('x', Unit, 'code')} AS parent,"
                f" {q.decimal_text(q.c('u', Unit, 'potential'), 2)} AS potential"
                f" FROM {q.t(Unit, 'u')}"
                + q.join(Unit, "x", ("u", Unit, "parent"), left=True)
                + f" ORDER BY {q.c('u', Unit, 'code')}"
            )
        )
        people = pl.from_arrow(
            source.query(
                f"SELECT {q.c('p', Person, 'code')} AS id, {q.c('p', Person, 'name')} AS name,"
                f" {q.c('p', Person, 'start')} AS start, {q.c('p', Person, 'end')} AS end_,"
                f" {q.decimal_text(q.c('p', Person, 'potential'), 2)} AS potential"
                f" FROM {q.t(Person, 'p')} ORDER BY {q.c('p', Person, 'code')}"
            )
        )
        assignments = pl.from_arrow(
            source.query(
                f"SELECT {q.c('p', Person, 'code')} AS person, {q.c('u', Unit, 'code')} AS unit,"
                f" {q.c('m', Person, 'code')} AS manager, {q.c('a', Assignment, 'title')} AS role,"
                f" {q.c('a', Assignment, 'valid_from')} AS valid_from"
                f" FROM {q.t(Assignment, 'a')}"
                + q.join(Person, "p", ("a", Assignment, "person"))
                + q.join(Unit, "u", ("a", Assignment, "unit"))
                + q.join(Person, "m", ("a", Assignment, "manager"), left=True)
                + f" ORDER BY {q.c('p', Person, 'code')}, {q.c('a', Assignment, 'valid_from')}"
            )
        )
    assert isinstance(units, pl.DataFrame)
    assert isinstance(people, pl.DataFrame)
    assert isinstance(assignments, pl.DataFrame)
    units = units.with_columns(
        pl.col("id").cast(pl.String),
        pl.col("name").cast(pl.String),
        pl.col("parent").cast(pl.String),
        pl.col("potential").cast(pl.String).cast(pl.Decimal(38, 2)),
    )
    people = people.with_columns(
        _as_date("start"),
        _as_date("end_"),
        pl.col("potential").cast(pl.String).cast(pl.Decimal(38, 2)),
    )
    assignments = assignments.with_columns(_as_date("valid_from"))
    by_person: dict[str, list[tuple[Any, ...]]] = {}
    for row in assignments.iter_rows():
        by_person.setdefault(str(row[0]), []).append(row[1:])
    rows: dict[str, list[Any]] = {"unit": [], "manager": [], "role": [], "history": []}
    keep: list[bool] = []
    for code, person_start in people.select("id", "start").iter_rows():
        history = by_person.get(str(code), [])
        keep.append(bool(history))
        if not history:
            continue
        on = max(start, person_start) if person_start else start
        base = 0
        for index, (_unit, _manager, _role, valid_from) in enumerate(history):
            if valid_from <= on:
                base = index
        unit, manager, role, _from = history[base]
        rows["unit"].append(unit)
        rows["manager"].append(manager)
        rows["role"].append(role)
        later = [
            {"from": valid_from.isoformat(), "unit": u, "manager": m, "role": r}
            for u, m, r, valid_from in history[base + 1 :]
        ]
        rows["history"].append(json.dumps(later, ensure_ascii=False) if later else None)
    people = people.filter(pl.Series(keep, dtype=pl.Boolean)).with_columns(
        *(pl.Series(name, values, dtype=pl.String) for name, values in rows.items())
    )
    people = people.rename({"end_": "end"}).select(
        "id", "name", "unit", "manager", "role", "start", "end", "potential", "history"
    )
    return units, people


def _as_date(name: str) -> pl.Expr:
    return (
        pl.when(pl.col(name).cast(pl.String).is_not_null())
        .then(pl.col(name).cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d"))
        .alias(name)
    )


# Scenarios ----------------------------------------------------------------------------

DEFAULT_MEASURES: dict[str, dict[str, Any]] = {
    "revenue": {"from": "orders", "value": "amount", "where": "status == 'confirmed'"},
    "collected": {"from": "payments", "value": "amount", "person": "collector"},
    "new_customers": {"from": "customers", "date": "created", "agg": "count"},
    "visits": {"from": "activities", "where": "kind == 'visit'", "agg": "count"},
    "satisfaction": {"from": "surveys", "value": "score", "agg": "avg"},
    "complaints": {"from": "tickets", "where": "kind == 'complaint'", "agg": "count"},
    "training": {"from": "training", "value": "score", "agg": "avg"},
    "collaboration": {"from": "peer_ratings", "value": "score", "agg": "avg"},
}


def _usage(
    measures: Mapping[str, Mapping[str, Any]], plans: Sequence[Mapping[str, Any]]
) -> dict[str, dict[str, set[str]]]:
    """Per table, the date and person fields measures (and spiffs) use."""
    usage: dict[str, dict[str, set[str]]] = {}

    def note(spec: Mapping[str, Any]) -> None:
        table = spec.get("from")
        if isinstance(table, str):
            entry = usage.setdefault(table, {"date": set(), "person": set()})
            entry["date"].add(str(spec.get("date") or "date"))
            entry["person"].add(str(spec.get("person") or "owner"))

    for spec in measures.values():
        note(spec)
    for plan in plans:
        for component in plan.get("components") or ():
            if component.get("kind") == "spiff":
                note(component)
    return usage


def build_scenario(
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    measures: Mapping[str, Mapping[str, Any]],
    work_dir: str | Path,
    targets: Sequence[Mapping[str, Any]] = (),
    plans: Sequence[Mapping[str, Any]] = (),
    tables: Iterable[str] | None = None,
    as_of: datetime.date | None = None,
    report: Sequence[str] = (),
    currency: str = "CNY",
    using: str = "default",
) -> dict[str, Any]:
    """Write what a calculation over ``period_start``…``period_end`` needs as parquet
    into ``work_dir`` (``units.parquet``, ``people.parquet``, ``tables/NAME.parquet``)
    and return the scenario document, paths relative to ``work_dir``:

        data = build_scenario(period_start=..., period_end=..., measures=..., work_dir=d)
        scenario, problems = scenario_from_data(data, Path(d))

    Tables: ``tables``, or those the measures and spiffs read. Records whose person
    field is empty (a customer or ticket nobody owns) and that carry no credit split
    cannot be credited to anyone, so they are left out of that table.
    """
    directory = Path(work_dir)
    (directory / "tables").mkdir(parents=True, exist_ok=True)
    usage = _usage(measures, plans)
    names = list(tables) if tables is not None else sorted(usage)
    unknown = [name for name in names if name not in _TABLE_SQL]
    if unknown:
        raise ValueError(f"unknown tables: {', '.join(unknown)} (known: {', '.join(TABLES)})")
    date_fields = {name: usage.get(name, {}).get("date") or {"date"} for name in names}
    frames = load_tables(
        names, start=period_start, end=period_end, date_fields=date_fields, using=using
    )
    records: dict[str, Any] = {}
    for name, frame in frames.items():
        for person_field in sorted(usage.get(name, {}).get("person", set())):
            if person_field in frame.columns:
                uncredited = pl.col(person_field).is_null()
                if "credit" in frame.columns:
                    uncredited = uncredited & pl.col("credit").is_null()
                frame = frame.filter(~uncredited)
        file = Path("tables") / f"{name}.parquet"
        frame.write_parquet(directory / file)
        records[name] = {"parquet": file.as_posix()}
    units, people = load_org(start=period_start, using=using)
    units.write_parquet(directory / "units.parquet")
    people.write_parquet(directory / "people.parquet")
    data: dict[str, Any] = {
        "version": 1,
        "currency": currency,
        "fiscal_year_start": 1,
        "units": {"parquet": "units.parquet"},
        "people": {"parquet": "people.parquet"},
        "records": records,
        "measures": {name: dict(spec) for name, spec in measures.items()},
    }
    if as_of is not None:
        data["as_of"] = as_of
    if targets:
        data["targets"] = [dict(target) for target in targets]
    if plans:
        data["plans"] = [dict(plan) for plan in plans]
    if report:
        data["report"] = {"periods": list(report)}
    return data


def report_periods(start: datetime.date, end: datetime.date) -> list[str]:
    """The fiscal years (January start) and quarters lying wholly in start…end."""
    periods: list[str] = []
    for year in range(start.year, end.year + 1):
        if start <= datetime.date(year, 1, 1) and datetime.date(year, 12, 31) <= end:
            periods.append(str(year))
    for year in range(start.year, end.year + 1):
        for quarter in range(1, 5):
            first = datetime.date(year, quarter * 3 - 2, 1)
            last = (
                datetime.date(year + 1, 1, 1)
                if quarter == 4
                else datetime.date(year, quarter * 3 + 1, 1)
            ) - datetime.timedelta(days=1)
            if start <= first and last <= end:
                periods.append(f"{year}-Q{quarter}")
    return periods
