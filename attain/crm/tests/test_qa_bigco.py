"""A company of thousands: the global search answers at once (found on a generated
company of 2,000 people, 68,000 opportunities and 264,000 orders)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attain.crm.tests import make


def _plans_of_search(client, word: str) -> dict[str, str]:
    """SQLite's plan of each query the global search page runs for ``word``, by table."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/search/", {"q": word}).status_code == 200
    plans = {}
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            for table in ("crm_order", "crm_opportunity"):
                if sql.startswith("SELECT") and f'FROM "{table}"' in sql:
                    cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                    plans[table] = " | ".join(str(step[-1]) for step in cursor.fetchall())
    return plans


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
def test_search_does_not_walk_every_order_and_opportunity_by_date(company, crm, client):
    """The global search took 4-5 s (1 s of CPU) for any word no order matches, a
    person's name for one: SQLite walked the orders' date index through all 264,000
    orders, reading each one and its customer, to find the newest 26 matches. The
    matches are found first now, then sorted."""
    client.force_login(company.users["admin"])
    plans = _plans_of_search(client, "张伟")
    assert set(plans) == {"crm_order", "crm_opportunity"}
    for table, plan in plans.items():
        assert "_date_" not in plan and "created_on" not in plan, (table, plan)


def test_search_still_lists_orders_newest_first(company, crm, client):
    customer = crm.customers["c_r1"]
    r1 = company.people["r1"]
    later = make.order(customer, r1, datetime.date(2026, 5, 1), Decimal(10))
    client.force_login(company.users["admin"])
    page = client.get("/search/", {"q": "甲一"}).content.decode()
    assert page.index(later.external_id) < page.index(crm.orders["o_r1"].external_id)
    by_id = client.get("/search/", {"q": crm.orders["o_r4"].external_id}).content.decode()
    assert crm.orders["o_r4"].external_id in by_id and later.external_id not in by_id


def _count_fetched_rows(monkeypatch) -> list[int]:
    """The number of rows each query of the ORM returns, as it returns them."""
    from django.db.models.sql.compiler import MULTI, SQLCompiler

    fetched: list[int] = []
    original = SQLCompiler.execute_sql

    def counting(self, result_type=MULTI, *args, **kwargs):
        result = original(self, result_type, *args, **kwargs)
        if result_type != MULTI or result is None:
            return result
        chunks = list(result)  # chunks of rows
        fetched.append(sum(len(chunk) for chunk in chunks))
        return iter(chunks)

    monkeypatch.setattr(SQLCompiler, "execute_sql", counting)
    return fetched


def test_the_funnel_chart_counts_in_the_database(company, crm, monkeypatch):
    """The opportunities list and the pipeline board read every opportunity and its
    stage history into Python for the funnel chart (0.4 s of CPU, 2-3 s of the page, for
    68,000 opportunities). The database counts them now: the figures are the same, and
    the rows read do not grow with the opportunities."""
    from attain.crm.models import Opportunity, Stage, StageChange
    from attain.crm.selectors import funnel_reached

    stage = {s.code: s for s in Stage.objects.all()}
    customer, r1 = crm.customers["c_r1"], company.people["r1"]

    def opportunities(count, now, history=()):
        for n in range(count):
            opportunity = make.opportunity(customer, r1, f"{now.code}-{n}", Decimal(100))
            Opportunity.objects.filter(pk=opportunity.pk).update(stage=now)
            for past in history:
                StageChange.objects.create(opportunity=opportunity, to_stage=past)

    opportunities(10, stage["lead"])
    opportunities(5, stage["quote"])
    opportunities(4, stage["lost"], history=[stage["qualify"], stage["solution"]])
    opportunities(3, stage["won"], history=[stage["quote"]])
    fetched = _count_fetched_rows(monkeypatch)
    reached = funnel_reached(Opportunity.objects.all())
    figures = {row["stage"].code: row["reached"] for row in reached}
    assert figures == {
        "lead": 22,
        "qualify": 12,
        "solution": 12,
        "quote": 8,
        "negotiate": 3,
        "won": 3,
    }
    assert max(fetched) < 10, fetched  # stages and a few groups, not 22 opportunities
