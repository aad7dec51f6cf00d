"""A company of thousands: My team's pages read in time (found on a generated company of
2,000 people and 330,000 activities)."""

from __future__ import annotations

import datetime
import zoneinfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from attain.crm.models import Customer
from attain.crm.tests import make
from attain.incentives import reasons
from attain.org.models import Person

D = datetime.date


def test_activity_counts_take_local_days_as_a_range_of_instants(company):
    """My team counted activities with ``occurred_at__date``: every activity of the company
    converted to a date row by row (7 s for 330,000 on SQLite), no index used. The days
    are a range of instants now, and still the local days: 00:00 of the first day counts,
    00:00 after the last does not."""
    zone = zoneinfo.ZoneInfo("Asia/Shanghai")
    r1 = company.people["r1"]
    customer = Customer.objects.create(name="客户甲", owner=r1)
    for moment in (
        datetime.datetime(2026, 1, 31, 23, 59, tzinfo=zone),  # before
        datetime.datetime(2026, 2, 1, 0, 0, tzinfo=zone),  # first instant of the first day
        datetime.datetime(2026, 2, 28, 23, 59, 59, tzinfo=zone),  # the last day
        datetime.datetime(2026, 3, 1, 0, 0, tzinfo=zone),  # after
    ):
        make.activity(customer, r1, occurred_at=moment)
    with timezone.override(zone), CaptureQueriesContext(connection) as queries:
        counts = reasons.activity_counts(Person.objects.all(), D(2026, 2, 1), D(2026, 2, 28))
    assert counts == {r1.pk: {"visit": 2}}
    sql = queries.captured_queries[-1]["sql"]
    assert "occurred_at" in sql
    assert "cast_date" not in sql and "AT TIME ZONE" not in sql.upper(), sql
