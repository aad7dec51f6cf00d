from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from attain.conftest import Company
from attain.targets import services
from attain.targets.models import Notification, PlanStatus, Reallocation, TargetPlan
from attain.targets.reallocation import org_changes_since
from attain.targets.selectors import published_targets

from .conftest import hire_rep, publish

pytestmark = pytest.mark.django_db


def by_who(measure: str = "revenue") -> dict[str, dict[str, Decimal]]:
    found: dict[str, dict[str, Decimal]] = {}
    for t in published_targets(measures=[measure]):
        value = t["value"]
        assert isinstance(value, Decimal)
        found.setdefault(str(t["who"]), {})[str(t["period"])] = value
    return found


def test_a_joiner_shares_the_remaining_months(company: Company, plan: TargetPlan) -> None:
    publish(company, plan)
    before = by_who()
    hire_rep(company, "r5", company.east, datetime.date(2026, 7, 1), "m1")
    assert org_changes_since(plan)
    with pytest.raises(PermissionDenied):
        services.propose_reallocation(
            company.users["rep"], plan, unit="east", from_month="2026-07", reason="r5 joined"
        )
    proposal = services.propose_reallocation(
        company.users["sales_ops"], plan, unit="east", from_month="2026-07", reason="r5 joined"
    )
    changed = {(c["who"], c["period"]) for c in proposal.changes}
    assert ("r5", "2026-07") in changed and ("r1", "2026-12") in changed
    assert not any(period < "2026-07" for _who, period in changed)
    with pytest.raises(PermissionDenied):
        services.approve_reallocation(company.users["sales_ops"], proposal)
    Notification.objects.all().delete()
    new = services.approve_reallocation(company.users["executive"], proposal)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED and new.status == PlanStatus.PUBLISHED
    after = by_who()
    # east's months are unchanged; July on they are shared by four reps
    for month in ("2026-06", "2026-07", "2026-12"):
        assert after["east"][month] == before["east"][month]
        people = sum(after[p][month] for p in ("r1", "r2", "r3", "r5"))
        assert people == after["east"][month]
    assert after["r5"]["2026-06"] == 0 and after["r5"]["2026-07"] > 0
    assert after["r1"]["2026-06"] == before["r1"]["2026-06"]
    assert after["r5"]["2026"] == sum(v for p, v in after["r5"].items() if p != "2026")
    assert after["r4"] == before["r4"]  # west untouched
    assert set(Notification.objects.values_list("person__code", flat=True)) == {
        "r1",
        "r2",
        "r3",
        "r5",
    }
    assert Reallocation.objects.get().state == Reallocation.State.APPLIED


def test_a_proposal_shows_its_cells_grouped(company: Company, plan: TargetPlan, client) -> None:
    """The proposal's table gave each cell as stored (1234567.00) where the plan's grid
    and totals group them (1,234,567)."""
    publish(company, plan)
    hire_rep(company, "r5", company.east, datetime.date(2026, 7, 1), "m1")
    proposal = services.propose_reallocation(
        company.users["sales_ops"], plan, unit="east", from_month="2026-07", reason="r5 joined"
    )
    big = [c for c in proposal.changes if Decimal(c["before"]) >= 1000]
    assert big
    client.force_login(company.users["sales_ops"])
    body = client.get(f"/targets/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for change in big:
        cell = f'<td class="num before">{Decimal(change["before"]).quantize(Decimal(1)):,}</td>'
        assert cell in body
