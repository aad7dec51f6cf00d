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


def test_the_results_api_gives_measures_by_code(client, calculated):
    """The API's measures, targets, attainment and pace came in the stored JSON's order:
    as written on SQLite, shortest key first on PostgreSQL (jsonb). By code on both."""
    row = PeriodResult.objects.get(person=calculated.people["r1"], period=Q1)
    row.measures = {"visits": "3", "revenue": "5", "training": "80", "complaints": "2"}
    row.targets = dict(row.measures)
    row.attainment = dict(row.measures)
    row.pace = {code: {"status": "behind"} for code in row.measures}
    row.save()
    login(client, "admin")
    rows = client.get(reverse("api-results"), {"period": Q1}).json()["results"]
    mine = next(r for r in rows if r["person"] == "r1")
    for field in ("measures", "targets", "attainment", "pace"):
        assert list(mine[field]) == ["complaints", "revenue", "training", "visits"], field
