"""A fiscal year starting in April: FY2026 runs from April 2026 to March 2027, so its
months are 2026-04 … 2027-03 in that order, everywhere a plan's months are read."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from attain.conftest import LOGINS, Company
from attain.targets import services
from attain.targets.allocation import compute_allocation
from attain.targets.stored import stored_grids

from .conftest import hire_rep, move_to_west, new_plan, publish

pytestmark = pytest.mark.django_db

MONTHS = [f"2026-{m:02d}" for m in range(4, 13)] + ["2027-01", "2027-02", "2027-03"]


@pytest.fixture(autouse=True)
def _april(settings: pytest.FixtureRequest) -> None:
    settings.ATTAIN_FISCAL_YEAR_START = 4  # type: ignore[attr-defined]


def login(role: str) -> Client:
    client = Client()
    assert client.login(username=LOGINS[role][0], password=LOGINS[role][1])
    return client


def test_a_team_split_month_by_month_keeps_each_month_in_its_column(company: Company) -> None:
    """r2 moves from east to west on 2026-10-01: each team's months go to the people in
    it that month, in the fiscal year's order (October is the seventh month)."""
    move_to_west(company, "r2", datetime.date(2026, 10, 1))
    grid = compute_allocation(new_plan(company, total="1200000")).grids["revenue"]
    assert grid.months == MONTHS
    east = next(r for r in grid.rows if r.who == "r2" and r.parent == "east")
    west = next(r for r in grid.rows if r.who == "r2" and r.parent == "west")
    assert all(east.months[:6]) and not any(east.months[6:])  # April … September
    assert not any(west.months[:6]) and all(west.months[6:])  # October … March
    for team in ("east", "west"):
        unit = grid.by_who()[team]
        people = [r for r in grid.rows if r.parent == team and r.kind == "person"]
        for i in range(12):
            assert sum(r.months[i] for r in people) == unit.months[i]


def test_january_to_march_of_the_next_year_are_months_of_the_plan(company: Company) -> None:
    plan = new_plan(company, company.users["sales_ops"])
    services.edit_cell(
        company.users["sales_ops"], plan, measure="revenue", who="r1", period="2027-02", value="7"
    )
    assert compute_allocation(plan).grids["revenue"].by_who()["r1"].months[10] == 7
    with pytest.raises(ValidationError):  # February 2026 is in FY2025
        services.edit_cell(
            company.users["sales_ops"],
            plan,
            measure="revenue",
            who="r1",
            period="2026-02",
            value="7",
        )


def test_a_published_plan_and_my_targets_show_april_to_march(company: Company) -> None:
    plan = publish(company, new_plan(company, company.users["sales_ops"], total="1200000"))
    stored = stored_grids(plan)["revenue"].by_who()
    assert sum(stored["r1"].months, Decimal(0)) == stored["r1"].year > 0
    page = login("sales_ops").get(reverse("targets:plan", args=[plan.pk]))
    assert page.status_code == 200
    mine = login("rep").get(reverse("targets:mine"))
    assert mine.status_code == 200
    row = mine.context["entries"][0]["rows"][0]
    assert sum(row["months"], Decimal(0)) == row["year"] == stored["r1"].year
    assert sum(row["quarters"], Decimal(0)) == row["year"]
    assert [d.month for d in mine.context["month_labels"]] == [
        4,
        5,
        6,
        7,
        8,
        9,
        10,
        11,
        12,
        1,
        2,
        3,
    ]
    assert mine.content.decode().index(">Apr<") < mine.content.decode().index(">Jan<")


def test_a_reallocation_from_january_of_the_next_year(company: Company) -> None:
    plan = publish(company, new_plan(company, company.users["sales_ops"], total="1200000"))
    hire_rep(company, "r5", company.east, datetime.date(2027, 1, 1), "m1")
    proposal = services.propose_reallocation(
        company.users["sales_ops"], plan, unit="east", from_month="2027-01", reason="r5"
    )
    periods = {c["period"] for c in proposal.changes if c["who"] == "r5"}
    assert periods == {"2027-01", "2027-02", "2027-03"}
    new = services.approve_reallocation(company.users["executive"], proposal)
    r5 = stored_grids(new)["revenue"].by_who()["r5"]
    assert r5.year == sum(r5.months, Decimal(0)) > 0 and not any(r5.months[:9])
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        services.propose_reallocation(
            company.users["sales_ops"], new, unit="east", from_month="2026-02", reason="x"
        )
    assert "2026-04" in str(raised.value) and "财年" in str(raised.value)


def test_a_new_plan_is_proposed_for_the_fiscal_year_of_today(
    company: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On 10 February 2027 the form proposed fiscal 2027 (April 2027 – March 2028), as
    if the year were the calendar's: today's fiscal year is 2026."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2027, 2, 10))
    page = login("sales_ops").get(reverse("targets:plans")).content.decode()
    assert 'name="fiscal_year" value="2026"' in page
