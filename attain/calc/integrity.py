"""The integrity scan's records, read in bulk for :mod:`attain.engine.integrity`.

One SQL statement per frame (the engine's frame names and columns,
``attain.engine.integrity.SCHEMAS``): orders with their status changes, order credit
splits, payments, customers and contacts with their phone, email and credit code,
activities with their local time, coordinates and summary, evidence photos' perceptual
hashes, peer ratings, surveys, people with their unit on the scan's last day, and the
assignments (who sat in which unit when, for each period's teams).
Decimals are read as exact text (on PostgreSQL the Arrow driver would give numerics as an
opaque extension type) and arrive as floats: the detectors test counts and digits, they
never pay.
"""

from __future__ import annotations

import datetime

import polars as pl

from attain.crm.models import (
    Activity,
    Contact,
    Customer,
    Evidence,
    Order,
    OrderCredit,
    Payment,
    PeerRating,
    Survey,
)
from attain.engine.integrity import Records
from attain.org.company import company
from attain.org.models import Assignment, Person, Unit

from .sources import Source, open_source
from .tables import SHARE_PLACES, Sql, as_date, utc_instant


def _frame(source: Source, sql: str) -> pl.DataFrame:
    frame = pl.from_arrow(source.query(sql))
    assert isinstance(frame, pl.DataFrame)
    return frame


def _dates(frame: pl.DataFrame, *names: str) -> pl.DataFrame:
    columns = [as_date(pl.col(name), frame.schema[name]) for name in names]
    return frame.with_columns(columns) if frame.height else frame


def _local(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """A UTC instant column as a naive local datetime (the company's time zone)."""
    if frame.height == 0:
        return frame.with_columns(pl.col(name).cast(pl.Datetime("us")))
    moment = utc_instant(pl.col(name), frame.schema[name])
    zone = str(company().zone)
    return frame.with_columns(
        moment.dt.convert_time_zone(zone).dt.replace_time_zone(None).cast(pl.Datetime("us"))
    )


def load_records(
    *, start: datetime.date, end: datetime.date, using: str = "default", fresh: bool = False
) -> Records:
    """Everything a scan of ``start``…``end`` reads: records dated from ``start`` (minus
    the history the baselines need: the caller passes an early ``start``) to ``end``
    plus 120 days (cancellations, returns and payments after a period's end)."""
    until = end + datetime.timedelta(days=120)
    with open_source(using, fresh=fresh) as source:
        q = Sql(source.vendor)
        frames = _read(source, q, start, until, end)
    return Records(frames)


def _read(
    source: Source, q: Sql, start: datetime.date, until: datetime.date, end: datetime.date
) -> dict[str, pl.DataFrame]:
    between = f"BETWEEN '{start.isoformat()}' AND '{until.isoformat()}'"
    c = q.c
    orders = _frame(
        source,
        f"SELECT {c('o', Order, 'external_id')} AS id, {c('o', Order, 'date')} AS date,"
        f" {c('p', Person, 'code')} AS owner, {c('u', Customer, 'external_id')} AS customer,"
        f" {q.decimal_text(c('o', Order, 'amount'), 2)} AS amount,"
        f" {c('o', Order, 'status')} AS status,"
        f" {c('o', Order, 'status_changed_on')} AS status_changed_on"
        f" FROM {q.t(Order, 'o')}"
        + q.join(Person, "p", ("o", Order, "owner"))
        + q.join(Customer, "u", ("o", Order, "customer"), left=True)
        + f" WHERE {c('o', Order, 'date')} {between}",
    )
    orders = _dates(orders, "date", "status_changed_on")
    credits = _frame(
        source,
        f"SELECT {c('o', Order, 'external_id')} AS {q.quote('order')},"
        f" {c('p', Person, 'code')} AS person,"
        f" {q.decimal_text(c('k', OrderCredit, 'share'), SHARE_PLACES)} AS share"
        f" FROM {q.t(OrderCredit, 'k')}"
        + q.join(Order, "o", ("k", OrderCredit, "order"))
        + q.join(Person, "p", ("k", OrderCredit, "person"))
        + f" WHERE {c('o', Order, 'date')} {between}",
    )
    payments = _frame(
        source,
        f"SELECT {c('m', Payment, 'external_id')} AS id, {c('m', Payment, 'date')} AS date,"
        f" {c('o', Order, 'external_id')} AS {q.quote('order')},"
        f" {c('u', Customer, 'external_id')} AS customer,"
        f" {q.decimal_text(c('m', Payment, 'amount'), 2)} AS amount"
        f" FROM {q.t(Payment, 'm')}"
        + q.join(Order, "o", ("m", Payment, "order"), left=True)
        + q.join(Customer, "u", ("m", Payment, "customer"), left=True),
    )
    payments = _dates(payments, "date")
    customers = _frame(
        source,
        f"SELECT {c('u', Customer, 'external_id')} AS id, {c('p', Person, 'code')} AS owner,"
        f" {c('u', Customer, 'created_on')} AS created, {c('u', Customer, 'phone')} AS phone,"
        f" {c('u', Customer, 'email')} AS email,"
        f" {c('u', Customer, 'credit_code')} AS credit_code"
        f" FROM {q.t(Customer, 'u')}"
        + q.join(Person, "p", ("u", Customer, "owner"), left=True)
        + f" WHERE {c('u', Customer, 'merged_into')} IS NULL",
    )
    customers = _dates(customers, "created")
    contacts = _frame(
        source,
        f"SELECT {c('u', Customer, 'external_id')} AS customer,"
        f" {c('k', Contact, 'phone')} AS phone, {c('k', Contact, 'email')} AS email"
        f" FROM {q.t(Contact, 'k')}" + q.join(Customer, "u", ("k", Contact, "customer")),
    )
    low = q.instant(datetime.datetime.combine(start, datetime.time(), tzinfo=datetime.UTC))
    high = q.instant(datetime.datetime.combine(until, datetime.time(), tzinfo=datetime.UTC))
    activities = _frame(
        source,
        f"SELECT {c('a', Activity, 'external_id')} AS id, {c('p', Person, 'code')} AS owner,"
        f" {c('a', Activity, 'occurred_at')} AS at,"
        f" {c('u', Customer, 'external_id')} AS customer, {c('a', Activity, 'kind')} AS kind,"
        f" {q.decimal_text(c('a', Activity, 'latitude'), 6)} AS lat,"
        f" {q.decimal_text(c('a', Activity, 'longitude'), 6)} AS lon,"
        f" {c('a', Activity, 'summary')} AS summary"
        f" FROM {q.t(Activity, 'a')}"
        + q.join(Person, "p", ("a", Activity, "owner"))
        + q.join(Customer, "u", ("a", Activity, "customer"), left=True)
        + f" WHERE {c('a', Activity, 'occurred_at')} >= {low}"
        f" AND {c('a', Activity, 'occurred_at')} < {high}",
    )
    activities = _local(activities, "at")
    evidence = _frame(
        source,
        f"SELECT {c('a', Activity, 'external_id')} AS activity,"
        f" {c('e', Evidence, 'perceptual_hash')} AS hash"
        f" FROM {q.t(Evidence, 'e')}"
        + q.join(Activity, "a", ("e", Evidence, "activity"))
        + f" WHERE {c('e', Evidence, 'perceptual_hash')} <> ''",
    )
    ratings = _frame(
        source,
        f"SELECT {c('g', PeerRating, 'external_id')} AS id, {c('g', PeerRating, 'date')} AS date,"
        f" {c('p', Person, 'code')} AS owner, {c('x', Person, 'code')} AS rater,"
        f" {q.decimal_text(c('g', PeerRating, 'score'), 1)} AS score"
        f" FROM {q.t(PeerRating, 'g')}"
        + q.join(Person, "p", ("g", PeerRating, "person"))
        + q.join(Person, "x", ("g", PeerRating, "rater")),
    )
    ratings = _dates(ratings, "date")
    surveys = _frame(
        source,
        f"SELECT {c('v', Survey, 'external_id')} AS id, {c('v', Survey, 'date')} AS date,"
        f" {c('p', Person, 'code')} AS owner, {c('u', Customer, 'external_id')} AS customer,"
        f" {q.decimal_text(c('v', Survey, 'score'), 1)} AS score"
        f" FROM {q.t(Survey, 'v')}"
        + q.join(Person, "p", ("v", Survey, "person"))
        + q.join(Customer, "u", ("v", Survey, "customer"), left=True),
    )
    surveys = _dates(surveys, "date")
    day = f"'{end.isoformat()}'"
    people = _frame(
        source,
        f"SELECT {c('p', Person, 'code')} AS code, {c('p', Person, 'email')} AS email,"
        f" {c('p', Person, 'phone')} AS phone,"
        f" (SELECT {c('u', Unit, 'code')} FROM {q.t(Assignment, 'a')}"
        + q.join(Unit, "u", ("a", Assignment, "unit"))
        + f" WHERE {c('a', Assignment, 'person')} = {c('p', Person, 'id')}"
        f" AND {c('a', Assignment, 'valid_from')} <= {day}"
        f" ORDER BY {c('a', Assignment, 'valid_from')} DESC LIMIT 1) AS unit"
        f" FROM {q.t(Person, 'p')}",
    )
    assignments = _frame(
        source,
        f"SELECT {c('p', Person, 'code')} AS person, {c('u', Unit, 'code')} AS unit,"
        f" {c('a', Assignment, 'valid_from')} AS valid_from,"
        f" {c('a', Assignment, 'valid_to')} AS valid_to"
        f" FROM {q.t(Assignment, 'a')}"
        + q.join(Person, "p", ("a", Assignment, "person"))
        + q.join(Unit, "u", ("a", Assignment, "unit")),
    )
    assignments = _dates(assignments, "valid_from", "valid_to")
    return {
        "assignments": assignments,
        "orders": orders,
        "credits": credits,
        "payments": payments,
        "customers": customers,
        "contacts": contacts,
        "activities": activities,
        "evidence": evidence,
        "peer_ratings": ratings,
        "surveys": surveys,
        "people": people,
    }
