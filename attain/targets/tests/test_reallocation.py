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


def test_a_reallocation_keeps_each_team_row_of_someone_who_moved(
    company: Company, plan: TargetPlan
) -> None:
    """r2 moves from east to west in July, so the plan has a row of r2 under each team.
    A joiner in east from May reallocates east's May and June, r2's among them: applying
    it deleted r2's west cells for those months and r2's west year, and gave r2's east
    row the year of both rows, so east's people added up to more than east (and west's
    to less). Each row keeps its months and its year, its months' sum."""
    from attain.targets.stored import stored_grids

    from .conftest import move_to_west

    move_to_west(company, "r2", datetime.date(2026, 7, 1))
    publish(company, plan)
    hire_rep(company, "r8", company.east, datetime.date(2026, 5, 11), "m1")
    proposal = services.propose_reallocation(
        company.users["sales_ops"], plan, unit="east", from_month="2026-05", reason="r8"
    )
    assert {c["who"] for c in proposal.changes} >= {"r2", "r8"}
    new = services.approve_reallocation(company.users["executive"], proposal)
    grid = stored_grids(new)["revenue"]
    units = grid.by_who()
    rows = [r for r in grid.rows if r.who == "r2"]
    assert {r.parent for r in rows} == {"east", "west"}
    for row in grid.rows[1:]:  # the root has its year only
        assert len(row.months) == 12 and row.months_total == row.year, (row.who, row.parent)
    for team in ("east", "west"):
        people = [r for r in grid.rows if r.parent == team and r.kind == "person"]
        assert sum((r.year for r in people), Decimal(0)) == units[team].year, team
        for i in range(12):
            assert sum(r.months[i] for r in people) == units[team].months[i], (team, i)
    west = next(r for r in rows if r.parent == "west")
    assert not any(west.months[:6]) and all(west.months[6:])
    found = {(t["who"], t["period"]): t["value"] for t in published_targets()}
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    assert found[("r2", "2026")] == sum(found[("r2", m)] for m in months)


def test_reallocating_the_team_someone_moved_into_leaves_their_old_team_alone(
    company: Company, plan: TargetPlan
) -> None:
    """r1 moves from east to west in September, after publication. West is reallocated
    from September: r1 gets a row under west with a share of its months; east, not
    reallocated (yet), keeps r1's months as published, and west's people
    share its reallocated months. (Applying it moved r1's east cells to west instead.)"""
    from attain.targets.stored import stored_grids

    from .conftest import move_to_west

    publish(company, plan)
    published = stored_grids(plan)["revenue"]
    move_to_west(company, "r1", datetime.date(2026, 9, 1))
    proposal = services.propose_reallocation(
        company.users["sales_ops"], plan, unit="west", from_month="2026-09", reason="r1"
    )
    new = services.approve_reallocation(company.users["executive"], proposal)
    grid = stored_grids(new)["revenue"]
    east = next(r for r in grid.rows if r.who == "r1" and r.parent == "east")
    west = next(r for r in grid.rows if r.who == "r1" and r.parent == "west")
    assert east.months == published.by_who()["r1"].months and east.year == east.months_total
    assert not any(west.months[:8]) and all(west.months[8:]) and west.year == west.months_total
    before = {(r.who, r.parent): r.months for r in published.rows}
    assert all(  # east's people as published
        r.months == before[(r.who, "east")] for r in grid.rows if r.parent == "east"
    )
    people = [r for r in grid.rows if r.parent == "west" and r.kind == "person"]
    for i in range(8, 12):  # west's reallocated months: its month target, shared
        assert sum(r.months[i] for r in people) == grid.by_who()["west"].months[i], i


def test_the_version_a_reallocation_publishes_is_audited_as_the_approver(
    company: Company, plan: TargetPlan
) -> None:
    """The new version is created, approved and published by the executive who approved
    the reallocation, not by "system" (the trail said no one did it)."""
    from django.contrib.contenttypes.models import ContentType

    from attain.audit.models import AuditEvent

    publish(company, plan)
    hire_rep(company, "r5", company.east, datetime.date(2026, 7, 1), "m1")
    proposal = services.propose_reallocation(
        company.users["sales_ops"], plan, unit="east", from_month="2026-07", reason="r5 joined"
    )
    executive = company.users["executive"]
    new = services.approve_reallocation(executive, proposal)
    kind = ContentType.objects.get_for_model(TargetPlan)
    events = AuditEvent.objects.filter(content_type=kind, object_id__in=[str(new.pk)])
    assert events.count() >= 3  # created, approved, published
    assert {e.actor_id for e in events} == {executive.pk}
    superseded = AuditEvent.objects.filter(
        content_type=kind, object_id=str(plan.pk), after__status=PlanStatus.SUPERSEDED
    )
    assert [e.actor_id for e in superseded] == [executive.pk]
