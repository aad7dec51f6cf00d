from __future__ import annotations

from decimal import Decimal

import pytest

from attain.conftest import Company
from attain.targets.models import Kind, PlanStatus, TargetCell, TargetPlan
from attain.targets.selectors import published_targets


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
