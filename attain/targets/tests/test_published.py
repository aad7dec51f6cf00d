from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from attain.conftest import Company
from attain.crm.tests import make
from attain.targets.models import Kind, PlanStatus, TargetCell, TargetPlan
from attain.targets.selectors import published_targets

from .conftest import new_plan, publish


def _plan(company: Company, status: str, version: int = 1, family=None) -> TargetPlan:
    plan = TargetPlan.objects.create(
        name="FY", fiscal_year=2026, root_unit=company.hq, status=status, version=version
    )
    if family is not None:
        plan.family = family
        plan.save()
    return plan


@pytest.mark.django_db
def test_published_targets_take_the_latest_version_in_force(company: Company) -> None:
    old = _plan(company, PlanStatus.SUPERSEDED)
    new = _plan(company, PlanStatus.PUBLISHED, version=2, family=old.family)
    draft = _plan(company, PlanStatus.DRAFT, version=3, family=old.family)
    for plan, value in ((old, 1), (new, 2), (draft, 3)):
        TargetCell.objects.create(
            plan=plan,
            measure="revenue",
            who="r1",
            kind=Kind.PERSON,
            parent="east",
            period="2026-03",
            value=value,
            engine_value=value,
        )
    assert published_targets() == [
        {"measure": "revenue", "who": "r1", "period": "2026-03", "value": Decimal(2)}
    ]
    assert published_targets(measures=["collected"]) == []
    assert published_targets(fiscal_year=2025) == []


@pytest.mark.django_db
def test_published_targets_of_some_people_and_units(company: Company) -> None:
    plan = _plan(company, PlanStatus.PUBLISHED)
    other = _plan(company, PlanStatus.PUBLISHED)  # another family: both plans count
    for who, kind, in_plan in (
        ("r1", Kind.PERSON, plan),
        ("r2", Kind.PERSON, other),
        ("east", Kind.UNIT, plan),
    ):
        TargetCell.objects.create(
            plan=in_plan,
            measure="revenue",
            who=who,
            kind=kind,
            parent="hq",
            period="2026-03",
            value=1,
            engine_value=1,
        )
    everyone = published_targets(fiscal_year=2026)
    assert [t["who"] for t in everyone] == ["east", "r1", "r2"]
    some = published_targets(fiscal_year=2026, who={"r2", "east", "nobody"})
    assert some == [t for t in everyone if t["who"] in {"r2", "east"}]
    assert published_targets(fiscal_year=2026, who=set()) == []


def test_the_roots_quarters_follow_its_units_not_a_quarter_of_the_year(
    company: Company,
) -> None:
    """A seasonal plan: the company (the plan's root, which has only its year in the
    grid) gets month targets in proportion to its units', so its quarter in pace is what
    its regions add up to, not a quarter of the year (with cents)."""
    from attain.crm import services as crm
    from attain.targets.pace import pace_report

    customer = crm.create_customer(None, name="甲", owner=company.people["r1"])
    for year in (2024, 2025):
        for month in range(1, 13):
            make.order(
                customer,
                company.people["r1" if month % 2 else "r4"],
                datetime.date(year, month, 10),
                Decimal(1000 * month),
            )
    plan = publish(company, new_plan(company, total="1000001", months="seasonal"))
    targets = {(t["who"], t["period"]): t["value"] for t in published_targets()}
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    hq = [targets[("hq", m)] for m in months]
    assert sum(hq) == targets[("hq", "2026")] == 1000001
    for i, month in enumerate(months):
        parts = targets[("east", month)] + targets[("west", month)]
        assert abs(hq[i] - parts) <= 1  # the same shape, to the unit
    rows = {
        (r.who, r.period): r.target
        for r in pace_report(plan, datetime.date(2026, 2, 10))
        if r.kind == "unit"
    }
    assert rows[("hq", "2026-Q1")] == sum(hq[:3])
    assert rows[("hq", "2026-Q1")] != Decimal("1000001") / 4


@pytest.mark.django_db
def test_a_unit_plan_replaces_only_a_movers_months_in_its_unit(company: Company) -> None:
    """r2 moves from east to west on 15 May: the company plan gives r2 a row under each
    team. East's own plan then refines east's rows; r2's months in west stay the company
    plan's. Before, the east plan's zeros for June–December (r2 was no longer in east)
    replaced r2's west months, and r2's year became their east part only."""
    from attain.targets import services

    from .conftest import move_to_west

    move_to_west(company, "r2", datetime.date(2026, 5, 15))
    company_plan = publish(company, new_plan(company, company.users["sales_ops"]))
    west_rows = TargetCell.objects.filter(plan=company_plan, who="r2", parent="west")
    west = {c.period: c.value for c in west_rows}
    manager = company.users["manager"]
    east = services.create_target_plan(
        manager, name="East", fiscal_year=2026, root_unit=company.east, measures={"revenue": ""}
    )
    services.submit_plan(manager, east)
    services.approve_plan(company.users["executive"], east)
    services.publish_plan(manager, east)
    east_rows = TargetCell.objects.filter(plan=east, who="r2", parent="east")
    in_east = {c.period: c.value for c in east_rows}
    r2 = {t["period"]: t["value"] for t in published_targets() if t["who"] == "r2"}
    for month in [f"2026-{m:02d}" for m in range(1, 13)]:
        assert r2[month] == in_east[month] + west[month], month
    assert r2["2026"] == in_east["2026"] + west["2026"]
    assert r2["2026-12"] == west["2026-12"] > 0  # east's plan gives r2 no December
