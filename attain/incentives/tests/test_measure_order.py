"""The rep's page lists the measures of a result in one order on SQLite and PostgreSQL:
it listed them in the order of the stored JSON's keys, which SQLite keeps as written and
PostgreSQL's jsonb does not (shortest key first), so 拜访 came first on one and last on
the other (seen comparing the demo company on both). Measures with a target first, the
main one leading, then by code."""

from __future__ import annotations

import pytest
from django.urls import reverse

from attain.conftest import login
from attain.incentives.models import PeriodResult

from .conftest import YEAR

pytestmark = pytest.mark.django_db
Q1 = f"{YEAR}-Q1"


def test_the_reps_page_lists_measures_in_one_order(client, calculated):
    row = PeriodResult.objects.get(person=calculated.people["r1"], period=Q1)
    row.measures = {"visits": "3", "revenue": "5", "training": "80", "complaints": "2"}
    row.targets = {"revenue": "10", "visits": "4"}
    row.attainment = {"revenue": "0.5", "visits": "0.75"}
    row.pace = {}
    row.save()
    login(client, "rep")
    response = client.get(reverse("incentives:mine"), {"period": Q1})
    codes = [line["code"] for line in response.context["lines"]]
    assert codes == ["revenue", "visits", "complaints", "training"]
