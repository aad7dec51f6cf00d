"""A company of thousands: the global search answers at once (found on a generated
company of 2,000 people, 68,000 opportunities and 264,000 orders)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from attain.core import search
from attain.crm.tests import make


def _plan(rows) -> str:
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " | ".join(str(step[-1]) for step in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
def test_search_does_not_walk_every_order_and_opportunity_by_date(company, crm):
    """The global search took 4-5 s (1 s of CPU) for any word no order matches, a
    person's name for one: SQLite walked the orders' date index through all 264,000
    orders, reading each one and its customer, to find the newest 26 matches. The
    matches are found first now, then sorted."""
    admin = company.users["admin"]
    for kind, rows in (
        ("orders", search.orders(admin, "张伟")[: search.PAGE_LIMIT + 1]),
        ("opportunities", search.opportunities(admin, "张伟")[: search.PAGE_LIMIT + 1]),
    ):
        plan = _plan(rows)
        assert "_date_" not in plan and "created_on" not in plan, (kind, plan)


def test_search_still_lists_orders_newest_first(company, crm):
    customer = crm.customers["c_r1"]
    r1 = company.people["r1"]
    make.order(customer, r1, datetime.date(2026, 5, 1), Decimal(10))
    found = [o.date for o in search.orders(company.users["admin"], "甲一")]
    assert found == [datetime.date(2026, 5, 1), datetime.date(2026, 3, 1)]
    by_id = search.orders(company.users["admin"], crm.orders["o_r4"].external_id)
    assert [o.pk for o in by_id] == [crm.orders["o_r4"].pk]
