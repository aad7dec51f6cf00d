"""The plan page's grid worked out the fiscal year's twelve month ids again for every
cell it showed (``Grid.months`` asked the company's calendar each time): 9,588 times on
one view of a plan of 2,000 people, about a third of the page's rendering."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from attain.conftest import Company
from attain.targets import allocation
from attain.targets.models import TargetPlan

from .conftest import publish
from .test_views import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("published", [False, True])
def test_the_grid_works_out_its_months_once_not_for_every_cell(
    company: Company, plan: TargetPlan, monkeypatch: pytest.MonkeyPatch, published: bool
) -> None:
    if published:
        publish(company, plan)
    url = reverse("targets:plan", args=[plan.pk])
    client = login("sales_ops")
    assert client.get(url).status_code == 200  # the allocation run and kept
    calls: list[int] = []
    real = allocation.year_month_ids

    def counting(year: int) -> Any:
        calls.append(year)
        return real(year)

    monkeypatch.setattr(allocation, "year_month_ids", counting)
    page = client.get(url)
    assert page.status_code == 200
    cells = sum(len(row.months) for row in page.context["rows"])
    assert cells >= 12 * 5  # hq, east, west and the people, a month each
    assert len(calls) <= len(page.context["measures"]) * 2, len(calls)
