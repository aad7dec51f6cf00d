"""Orders (and payments) at scale, for benchmarks: ``attain demo generate --orders M``
and ``attain bench_loader``.

Rows are planned as columns from ``random.Random(seed)`` (same seed and database
state, same rows) and written as Arrow tables: through ADBC bulk ingest on PostgreSQL,
Django's ``executemany`` elsewhere (on SQLite too: ADBC's SQLite driver is a second copy
of SQLite in the process, see :mod:`attain.calc.sources`). A million orders and their payments
take well under a minute. These are benchmark records: no audit events, no hand-off
tickets; they follow the services' rules otherwise (positive amounts with cents, credit
splits of two people summing to 1, payments after their order and never more than it).
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import polars as pl
import pyarrow as pa
from django.db import connections, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from attain.calc.sources import open_source, postgresql_uri
from attain.crm import dedupe
from attain.crm.models import (
    Customer,
    CustomerSource,
    Order,
    OrderCredit,
    OrderStatus,
    Payment,
    ProductLine,
)
from attain.org.models import Assignment, Person

from .catalogue import ensure_catalogue

Echo = Callable[[str], None]
FIRST_DAY = datetime.date(2025, 1, 1)
LAST_DAY = datetime.date(2026, 11, 20)
ORDERS_PER_CUSTOMER = 20
SPLIT_SHARE = 0.05  # of orders credited to two reps
PAID_SHARE = 0.85


# Writing Arrow tables into model tables --------------------------------------------------


def insert_rows(
    model: type[Model], columns: Mapping[str, Sequence[Any]], using: str = "default"
) -> None:
    """Append rows to ``model``'s table. ``columns`` maps field names to values (text for
    dates and decimals, ints for foreign keys); the primary key is left to the database."""
    connection = connections[using]
    fields = {name: model._meta.get_field(name) for name in columns}
    db_columns = {name: str(field.column) for name, field in fields.items()}  # type: ignore[union-attr]
    table = pa.table(
        {
            db_columns[name]: pa.array(values, type=pa.int64())
            if _is_key(fields[name])
            else pa.array(values, type=pa.string())
            for name, values in columns.items()
        }
    )
    if table.num_rows == 0:
        return
    db_table = str(model._meta.db_table)
    if connection.vendor == "postgresql":
        import adbc_driver_postgresql.dbapi

        staging = f"attain_staging_{db_table}"
        names = ", ".join(f'"{c}"' for c in table.column_names)
        casts = ", ".join(
            f'"{db_columns[name]}"::{fields[name].db_type(connection)}' for name in columns
        )
        with adbc_driver_postgresql.dbapi.connect(postgresql_uri(using)) as adbc:
            with adbc.cursor() as cursor:
                cursor.adbc_ingest(staging, table, mode="replace", temporary=True)
                cursor.execute(
                    f'INSERT INTO "{db_table}" ({names}) SELECT {casts} FROM "{staging}"'
                )
            adbc.commit()
        return
    placeholders = ", ".join(["%s"] * table.num_columns)
    names = ", ".join(connection.ops.quote_name(c) for c in table.column_names)
    rows = list(zip(*(table.column(i).to_pylist() for i in range(table.num_columns)), strict=True))
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {connection.ops.quote_name(db_table)} ({names}) VALUES ({placeholders})",
            rows,
        )


def _is_key(field: Any) -> bool:
    return bool(field.is_relation) or field.get_internal_type() in {
        "BigAutoField",
        "AutoField",
        "BigIntegerField",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
    }


def _ids(model: type[Model], field: str, prefix: str, using: str = "default") -> pl.DataFrame:
    """(pk, external id) of the rows whose ``field`` starts with ``prefix``."""
    quote = connections[using].ops.quote_name
    meta = model._meta
    column = quote(str(meta.get_field(field).column))  # type: ignore[union-attr]
    sql = (
        f"SELECT {quote(str(meta.pk.column))} AS pk, {column} AS key "
        f"FROM {quote(str(meta.db_table))} WHERE {column} LIKE '{prefix}%'"
    )
    with open_source(using) as source:
        frame = pl.from_arrow(source.query(sql))
    assert isinstance(frame, pl.DataFrame)
    return frame.with_columns(pl.col("pk").cast(pl.Int64), pl.col("key").cast(pl.String))


# Planning ------------------------------------------------------------------------------


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"


def _seller_ids(using: str) -> list[int]:
    reps = list(
        Assignment.objects.using(using)
        .filter(title="rep")
        .values_list("person_id", flat=True)
        .distinct()
        .order_by("person_id")
    )
    return reps or list(Person.objects.using(using).order_by("pk").values_list("pk", flat=True))


def generate_orders(
    count: int, *, seed: int = 2026, echo: Echo | None = print, using: str = "default"
) -> int:
    """Add ``count`` orders (about 5% split between two reps, a few cancelled or
    returned), their customers (one per twenty orders) and payments. Needs people in
    the database. Returns the number of orders written."""
    began = time.perf_counter()
    rng = random.Random(seed)
    sellers = _seller_ids(using)
    if not sellers:
        raise ValueError("Generate a company first: orders need people to sell them.")
    ensure_catalogue(using=using)
    lines = list(ProductLine.objects.using(using).order_by("code").values_list("pk", flat=True))
    earlier = Order.objects.using(using).filter(external_id__startswith=f"B{seed}-").count()
    batch = f"B{seed}-{earlier:08d}-"
    span = (LAST_DAY - FIRST_DAY).days

    customer_count = max(50, count // ORDERS_PER_CUSTOMER)
    customer_keys = [f"{batch}C{i:07d}" for i in range(customer_count)]
    customer_owner = rng.choices(sellers, k=customer_count)
    sources = [source.value for source in CustomerSource]
    insert_rows(
        Customer,
        {
            "external_id": customer_keys,
            "name": [f"基准客户{key}有限公司" for key in customer_keys],
            "name_key": [dedupe.name_key(f"基准客户{key}") for key in customer_keys],
            "owner": customer_owner,
            "created_on": [
                (FIRST_DAY + datetime.timedelta(days=rng.randrange(span))).isoformat()
                for _ in customer_keys
            ],
            "source": rng.choices(sources, k=customer_count),
            "credit_code": [""] * customer_count,
            "phone": [""] * customer_count,
            "email": [""] * customer_count,
            "industry": [""] * customer_count,
            "city": [""] * customer_count,
            "phone_key": [""] * customer_count,
            "email_key": [""] * customer_count,
        },
        using,
    )
    customer_pks = _ids(Customer, "external_id", f"{batch}C", using).sort("key")["pk"].to_list()
    if echo is not None:
        echo(
            "  "
            + _("%(count)s customers in %(seconds).1f s")
            % {"count": customer_count, "seconds": time.perf_counter() - began}
        )

    # Orders: the customer's owner sells; Q4 is busier, January and February quieter.
    month_weight = [0.6, 0.55, 1.0, 1.0, 1.05, 1.1, 0.95, 0.95, 1.05, 1.1, 1.3, 1.5]
    days = [FIRST_DAY + datetime.timedelta(days=d) for d in range(span + 1)]
    day_weights = [
        month_weight[day.month - 1] * (0.15 if day.weekday() >= 5 else 1) for day in days
    ]
    day_texts = [day.isoformat() for day in days]
    order_days = rng.choices(range(len(days)), weights=day_weights, k=count)
    customer_index = [rng.randrange(customer_count) for _ in range(count)]
    cents = [int(rng.lognormvariate(11.2, 0.9)) * 100 + rng.randrange(100) for _ in range(count)]
    status_draw = [rng.random() for _ in range(count)]
    statuses = [
        OrderStatus.CANCELLED.value
        if draw < 0.03
        else OrderStatus.RETURNED.value
        if draw < 0.045
        else OrderStatus.CONFIRMED.value
        for draw in status_draw
    ]
    changed = [
        None
        if status == OrderStatus.CONFIRMED
        else day_texts[min(len(days) - 1, index + 7 + rng.randrange(30))]
        for status, index in zip(statuses, order_days, strict=True)
    ]
    order_keys = [f"{batch}O{i:08d}" for i in range(count)]
    owners = [customer_owner[i] for i in customer_index]
    insert_rows(
        Order,
        {
            "external_id": order_keys,
            "customer": [customer_pks[i] for i in customer_index],
            "owner": owners,
            "date": [day_texts[i] for i in order_days],
            "status": statuses,
            "status_changed_on": changed,
            "amount": [_money(c) for c in cents],
            "product_line": rng.choices(lines, k=count),
        },
        using,
    )
    order_pks = _ids(Order, "external_id", f"{batch}O", using).sort("key")["pk"].to_list()
    if echo is not None:
        echo(
            "  "
            + _("%(count)s orders in %(seconds).1f s")
            % {"count": count, "seconds": time.perf_counter() - began}
        )

    # Credit splits: the owner and another rep, 50/50 or 70/30.
    split = [i for i in range(count) if rng.random() < SPLIT_SHARE]
    credit_orders, credit_people, credit_shares = [], [], []
    for i in split:
        partner = rng.choice(sellers)
        if partner == owners[i]:
            continue
        first = rng.choice(("0.5", "0.7"))
        second = "0.5" if first == "0.5" else "0.3"
        credit_orders += [order_pks[i], order_pks[i]]
        credit_people += [owners[i], partner]
        credit_shares += [first, second]
    insert_rows(
        OrderCredit,
        {"order": credit_orders, "person": credit_people, "share": credit_shares},
        using,
    )

    # Payments (回款): 30 to 90 days after the order, some partial, some never.
    paid = [
        i
        for i in range(count)
        if statuses[i] == OrderStatus.CONFIRMED and rng.random() < PAID_SHARE
    ]
    payment_days, payment_amounts, kept = [], [], []
    for i in paid:
        day = order_days[i] + rng.randint(30, 90)
        if day >= len(days):
            continue
        kept.append(i)
        payment_days.append(day_texts[day])
        part = cents[i] if rng.random() < 0.9 else cents[i] * rng.randint(3, 9) // 10
        payment_amounts.append(_money(part))
    insert_rows(
        Payment,
        {
            "external_id": [f"{batch}P{i:08d}" for i in kept],
            "customer": [customer_pks[customer_index[i]] for i in kept],
            "order": [order_pks[i] for i in kept],
            "collector": [owners[i] for i in kept],
            "date": payment_days,
            "amount": payment_amounts,
        },
        using,
    )
    if echo is not None:
        echo(
            _(
                "Generated %(orders)s orders (%(split)s split), %(payments)s payments, "
                "%(customers)s customers in %(seconds).1f s."
            )
            % {
                "orders": count,
                "split": len(credit_orders) // 2,
                "payments": len(kept),
                "customers": customer_count,
                "seconds": time.perf_counter() - began,
            }
        )
    return count
