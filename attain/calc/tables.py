"""The engine's record tables, read from the database in bulk.

Each table is one SQL statement over the ORM's own table and column names
(``Model._meta``), joined so that the rows carry the engine's ids: employee codes for
people, ``external_id`` for customers, orders and opportunities, codes for product lines
and products. Rows arrive as Arrow (ADBC for PostgreSQL, the loader's own ``sqlite3``
connection for a SQLite file; Django's cursor with ``fetchmany`` for any other database,
or an in-memory SQLite database), and Polars
finishes the types: dates as dates, money and scores as exact decimals (never floats),
credit splits as the JSON text column the engine reads from parquet.

Only the rows a calculation needs are read: every query filters on the date fields the
measures use. :func:`attain.calc.scenario.build_scenario` keeps the tables (and the
organisation) as frames, or writes them as parquet, and returns a scenario document for
:func:`attain.engine.scenario_from_data`.
See ``docs/engine-data.md``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

import polars as pl
from django.db.models import Model

from attain.crm.models import (
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
    Verification,
)
from attain.crm.records import RECORD_TABLES
from attain.org.company import company
from attain.org.models import Person

from .sources import Source, open_source

TABLES = RECORD_TABLES

# Column kinds: how a fetched column becomes its engine type.
TEXT, DATE, INSTANT_DATE, BOOL = "text", "date", "instant_date", "bool"
MONEY = "decimal:2"  # money, DecimalField(decimal_places=2)
QUANTITY = "decimal:3"
SCORE = "decimal:1"
SHARE_PLACES = 8


# SQL per table --------------------------------------------------------------------


class Sql:
    """Table and column names from the models, and the few dialect differences."""

    def __init__(self, vendor: str, *, few_people: bool = False) -> None:
        self.vendor = vendor
        self.few_people = few_people

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

    @staticmethod
    def text(value: str) -> str:
        """A text literal."""
        return "'" + value.replace("'", "''") + "'"

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


def _counts(q: Sql, alias: str, model: type[Model]) -> str:
    """Only verified records count toward pay (pending and rejected ones do not).

    Nearly every record is verified, but SQLite, without statistics, takes an equality
    on an indexed column for a selective one: a query for a few people's records walked
    the whole table through the verification index instead of those people's rows
    (activities: 22 ms instead of 5 on the demo company). ``+column`` keeps SQLite off
    that index there."""
    column = q.c(alias, model, "verification")
    if q.few_people and q.vendor == "sqlite":
        column = "+" + column
    return f"{column} = '{Verification.VERIFIED.value}'"


def _orders(q: Sql) -> TableSql:
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
        where=_counts(q, "o", Order),
        credit=_credit_sql(q, OrderCredit, "order", Order, "o"),
    )


def _credit_sql(
    q: Sql, credit: type[Model], foreign_key: str, record: type[Model], alias: str
) -> str:
    """SQL of the credit splits (``credit`` rows, pointing at their ``record`` by
    ``foreign_key``): (id, person, share) rows, {where} for the date filter, so ``alias``
    is the record's alias in the table's own SQL."""
    return (
        f"SELECT {q.c(alias, record, 'external_id')} AS id, {q.c('p', Person, 'code')} AS person,"
        f" {q.decimal_text(q.c('k', credit, 'share'), SHARE_PLACES)} AS share"
        f" FROM {q.t(credit, 'k')}"
        + q.join(record, alias, ("k", credit, foreign_key))
        + q.join(Person, "p", ("k", credit, "person"))
        + " {where}"
    )


def _order_lines(q: Sql) -> TableSql:
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
        where=_counts(q, "o", Order),
        credit=_credit_sql(q, OrderCredit, "order", Order, "o"),
    )


def _payments(q: Sql) -> TableSql:
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
        where=_counts(q, "m", Payment),
        credit=_credit_sql(q, PaymentCredit, "payment", Payment, "m"),
    )


def _activities(q: Sql) -> TableSql:
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
        where=_counts(q, "a", Activity),
        instants=frozenset({"date"}),
    )


def _customers(q: Sql) -> TableSql:
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
        where=f"{q.c('c', Customer, 'merged_into')} IS NULL AND {_counts(q, 'c', Customer)}",
    )


def _opportunities(q: Sql) -> TableSql:
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


def _tickets(q: Sql) -> TableSql:
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
        where=_counts(q, "t", ServiceTicket),
    )


def _person_records(
    q: Sql,
    name: str,
    model: type[Model],
    alias: str,
    columns: tuple[tuple[str, str, str], ...],
    *,
    joins: str = "",
) -> TableSql:
    """A table of verified records about one person each (its ``person`` field), dated by
    their ``date``: ``id``, ``date`` and ``owner`` (that person), then ``columns``."""
    return TableSql(
        name,
        (
            ("id", q.c(alias, model, "external_id"), TEXT),
            ("date", q.c(alias, model, "date"), DATE),
            ("owner", q.c("p", Person, "code"), TEXT),
            *columns,
        ),
        f"{q.t(model, alias)}" + q.join(Person, "p", (alias, model, "person")) + joins,
        {"date": q.c(alias, model, "date")},
        where=_counts(q, alias, model),
    )


def _surveys(q: Sql) -> TableSql:
    return _person_records(
        q,
        "surveys",
        Survey,
        "v",
        (
            ("customer", q.c("v", Survey, "customer"), "ref:customer"),
            ("ticket", q.c("v", Survey, "ticket"), "ref:ticket"),
            ("score", q.decimal_text(q.c("v", Survey, "score"), 1), SCORE),
        ),
    )


def _training(q: Sql) -> TableSql:
    return _person_records(
        q,
        "training",
        TrainingScore,
        "r",
        (
            ("course", q.c("r", TrainingScore, "course"), TEXT),
            ("score", q.decimal_text(q.c("r", TrainingScore, "score"), 1), SCORE),
        ),
    )


def _peer_ratings(q: Sql) -> TableSql:
    return _person_records(
        q,
        "peer_ratings",
        PeerRating,
        "g",
        (
            ("rater", q.c("x", Person, "code"), TEXT),
            ("score", q.decimal_text(q.c("g", PeerRating, "score"), 1), SCORE),
        ),
        joins=q.join(Person, "x", ("g", PeerRating, "rater")),
    )


def _key_lookup(model: type[Model], key: str) -> Callable[[Sql], str]:
    def sql(q: Sql) -> str:
        columns = f"{q.c('x', model, 'id')} AS pk, {q.c('x', model, key)} AS key"
        return f"SELECT {columns} FROM {q.t(model, 'x')}"

    return sql


def _order_lookup(q: Sql) -> str:
    return (
        f"SELECT {q.c('o', Order, 'id')} AS pk, {q.c('o', Order, 'external_id')} AS key,"
        f" {q.c('p', Person, 'code')} AS owner FROM {q.t(Order, 'o')}"
        + q.join(Person, "p", ("o", Order, "owner"))
    )


_LOOKUPS: dict[str, Callable[[Sql], str]] = {
    "customer": _key_lookup(Customer, "external_id"),
    "opportunity": _key_lookup(Opportunity, "external_id"),
    "ticket": _key_lookup(ServiceTicket, "external_id"),
    "order": _order_lookup,
}

_TABLE_SQL: dict[str, Callable[[Sql], TableSql]] = {
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


def lookup(source: Source, name: str, pks: pl.Series | None = None) -> pl.DataFrame:
    """A big table's primary keys and engine ids (``pk``, ``key`` …), read once per
    source: joining these in Polars beats SQLite's row-by-row index lookups. A few
    ``pks`` (the records of a few people) are looked up by themselves instead."""
    if name in source.lookups or pks is None or pks.len() > FEW_KEYS:
        if name not in source.lookups:
            source.lookups[name] = _lookup_frame(source, _LOOKUPS[name](Sql(source.vendor)))
        return source.lookups[name]
    if pks.len() == 0:
        return _lookup_frame(source, _LOOKUPS[name](Sql(source.vendor)) + " WHERE 1 = 0")
    keys = ", ".join(str(int(pk)) for pk in pks.to_list())
    sql = _LOOKUPS[name](Sql(source.vendor))
    alias = "o" if name == "order" else "x"
    return _lookup_frame(source, f'{sql} WHERE {alias}."id" IN ({keys})')


FEW_KEYS = 2000  # at most this many keys are looked up by themselves


def _lookup_frame(source: Source, sql: str) -> pl.DataFrame:
    frame = pl.from_arrow(source.query(sql))
    assert isinstance(frame, pl.DataFrame)
    if frame.height == 0:
        frame = frame.cast(pl.String)  # a driver may type an empty result's columns null
    return frame.with_columns(pl.col("pk").cast(pl.Int64), pl.exclude("pk").cast(pl.String))


def known_table(name: str) -> bool:
    return name in _TABLE_SQL


def table_date_fields(name: str) -> tuple[str, ...]:
    """The date fields of a table that measures may place records by."""
    return tuple(_TABLE_SQL[name](Sql("sqlite")).dates)


# Loading ------------------------------------------------------------------------------


def _local_day_start(day: datetime.date) -> datetime.datetime:
    zone = company().zone
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zone)


def _date_filter(
    spec: TableSql, q: Sql, start: datetime.date, end: datetime.date, fields: Iterable[str]
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


PEOPLE_IN_SQL = 2000  # at most this many people are named in a query's filter


def _people_filter(
    spec: TableSql,
    q: Sql,
    people: Collection[str] | None,
    person_fields: Iterable[str],
    date_filter: str,
) -> str:
    """Only records credited to ``people``: one of ``person_fields`` names one of them,
    or a credit split does. Empty (every record) when ``people`` is None or large, or a
    person field is not a plain column of the query."""
    if people is None or len(people) > PEOPLE_IN_SQL:
        return ""
    listed = "(" + ", ".join(q.text(code) for code in sorted(people)) + ")" if people else ""
    expressions = {alias: (expression, kind) for alias, expression, kind in spec.columns}
    conditions = []
    for field_name in sorted(set(person_fields)):
        expression, kind = expressions.get(field_name, ("", ""))
        if kind != TEXT:
            return ""  # e.g. a payment's owner, read through its order: filtered later
        conditions.append(f"{expression} IN {listed}" if people else "1 = 0")
    if spec.credit is not None:
        key = expressions["order" if spec.name == "order_lines" else "id"][0]
        credited = spec.credit.replace("{where}", _where(date_filter))
        named = f"credited.person IN {listed}" if people else "1 = 0"
        conditions.append(f"{key} IN (SELECT credited.id FROM ({credited}) credited WHERE {named})")
    return " OR ".join(conditions)


def load_table(
    source: Source,
    name: str,
    *,
    start: datetime.date,
    end: datetime.date,
    date_fields: Iterable[str] = ("date",),
    people: Collection[str] | None = None,
    person_fields: Iterable[str] = ("owner",),
) -> pl.DataFrame:
    """One record table: the rows whose ``date_fields`` (any of them) lie in
    ``start``…``end``, both included; with ``people``, at least those credited to one of
    them (a person field or a credit split names them), and fewer others where the
    query can leave them out."""
    if name not in _TABLE_SQL:
        raise ValueError(f"unknown table {name!r} (one of {', '.join(TABLES)})")
    q = Sql(source.vendor)
    spec = _TABLE_SQL[name](q)
    date_filter = _date_filter(spec, q, start, end, date_fields)
    people_filter = _people_filter(spec, q, people, person_fields, date_filter)
    if people_filter:  # the same table, its SQL planned for a few people's rows
        q = Sql(source.vendor, few_people=True)
        spec = _TABLE_SQL[name](q)
    select = ", ".join(f"{expression} AS {q.quote(alias)}" for alias, expression, _ in spec.columns)
    sql = f"SELECT {select} FROM {spec.source}{_where(spec.where, date_filter, people_filter)}"
    frame = typed(pl.from_arrow(source.query(sql)), spec)  # type: ignore[arg-type]
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
        reference, _, column = kind[4:].partition(".")
        pks = frame[name].drop_nulls().unique()
        table = lookup(source, reference, pks).select(
            pl.col("pk").alias(name), pl.col(column or "key").alias("__ref")
        )
        frame = (
            frame.join(table, on=name, how="left", maintain_order="left")
            .drop(name)
            .rename({"__ref": name})
        )
    return frame.select(name for name, _expression, _kind in spec.columns)


def as_date(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A DateField column as a date, whatever the driver gave (a date, a datetime, or
    SQLite's text)."""
    if dtype == pl.Date:
        return column
    if isinstance(dtype, pl.Datetime):
        return column.dt.date()
    return column.cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d")


def utc_instant(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A DateTimeField column (stored in UTC) as a UTC datetime, whatever the driver gave
    (SQLite: "YYYY-MM-DD HH:MM:SS[.ffffff]" text)."""
    if isinstance(dtype, pl.Datetime):
        return column if dtype.time_zone else column.dt.replace_time_zone("UTC")
    return (
        column.cast(pl.String)
        .str.slice(0, 19)
        .str.to_datetime("%Y-%m-%d %H:%M:%S", time_zone="UTC")
    )


def typed(frame: pl.DataFrame, spec: TableSql) -> pl.DataFrame:
    if frame.height == 0:
        # An empty result's column types are whatever the driver guessed (nulls on
        # SQLite, real types on PostgreSQL): start every empty result from text.
        frame = frame.cast(_schema_of(spec))  # type: ignore[arg-type]
    columns = []
    zone = company().time_zone
    for name, _expression, kind in spec.columns:
        column = pl.col(name)
        dtype = frame.schema[name]
        if kind == TEXT:
            columns.append(column.cast(pl.String))
        elif kind == DATE:
            columns.append(as_date(column, dtype))
        elif kind == INSTANT_DATE:
            columns.append(utc_instant(column, dtype).dt.convert_time_zone(zone).dt.date())
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
    fresh: bool = False,
    people: Collection[str] | None = None,
    person_fields: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, pl.DataFrame]:
    """Several record tables through one connection (``fresh``: see
    :func:`attain.calc.sources.open_source`; ``people``: see :func:`load_table`)."""
    date_fields = date_fields or {}
    person_fields = person_fields or {}
    with open_source(using, fresh=fresh) as source:
        return {
            name: load_table(
                source,
                name,
                start=start,
                end=end,
                date_fields=date_fields.get(name, ("date",)),
                people=people,
                person_fields=person_fields.get(name, ("owner",)),
            )
            for name in names
        }


def empty_table(name: str) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """Record table ``name`` as a calculation reads it, without its rows (its fields and
    their types), and its date fields (a measure places its records by one of them):
    what a measure is checked against (:func:`attain.measures.services.measure_problems`)."""
    day = datetime.date(1900, 1, 1)  # one day's rows at most: only the fields are kept
    with open_source("default") as source:
        spec = _TABLE_SQL[name](Sql(source.vendor))
        frame = load_table(source, name, start=day, end=day, date_fields=(next(iter(spec.dates)),))
    return frame.clear(), tuple(spec.dates)
