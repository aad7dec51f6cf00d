from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attain.audit.models import AuditEvent
from attain.conftest import Company
from attain.targets import services
from attain.targets.allocation import compute_allocation
from attain.targets.models import Acknowledgement, Notification, PlanStatus, TargetPlan
from attain.targets.selectors import published_targets

from .conftest import EQUAL_LEVELS, new_plan, publish

pytestmark = pytest.mark.django_db


def test_preview_splits_the_total_exactly(plan: TargetPlan) -> None:
    grid = compute_allocation(plan).grids["revenue"]
    rows = grid.by_who()
    assert rows["hq"].year == Decimal(1200000)
    # hq → east, west: half equal, half capacity (east has 3 reps + 2 managers, west 2)
    assert rows["east"].year + rows["west"].year == Decimal(1200000)
    assert {r.who for r in grid.rows if r.kind == "person"} == {"r1", "r2", "r3", "r4"}
    assert rows["r1"].year + rows["r2"].year + rows["r3"].year == rows["east"].year
    assert rows["r4"].year == rows["west"].year
    for row in grid.rows[1:]:
        assert sum(row.months) == row.year
        assert row.difference == 0


def test_edit_is_kept_and_the_difference_shown(company: Company, plan: TargetPlan) -> None:
    ops = company.users["sales_ops"]
    services.edit_cell(ops, plan, measure="revenue", who="r1", period="2026-01", value="1")
    rows = compute_allocation(plan).grids["revenue"].by_who()
    assert rows["r1"].months[0] == 1
    assert rows["r1"].difference == 1 - rows["r1"].engine_months[0]
    # a unit's edited year is what its own decomposition splits
    services.edit_cell(ops, plan, measure="revenue", who="west", period="2026", value="700000")
    rows = compute_allocation(plan).grids["revenue"].by_who()
    assert rows["r4"].year == 700000


def test_workflow_to_published_targets_and_acknowledgement(
    company: Company, plan: TargetPlan
) -> None:
    with pytest.raises(PermissionDenied):
        services.approve_plan(company.users["sales_ops"], plan)
    publish(company, plan)
    assert plan.status == PlanStatus.PUBLISHED
    targets = published_targets(measures=["revenue"], fiscal_year=2026)
    r1 = {t["period"]: t["value"] for t in targets if t["who"] == "r1"}
    assert len(r1) == 13
    assert sum(v for p, v in r1.items() if p != "2026") == r1["2026"]
    assert Notification.objects.filter(plan=plan).count() == 4
    services.acknowledge_target(company.users["rep"], plan, "OK")
    assert Acknowledgement.objects.get(plan=plan).comment == "OK"
    with pytest.raises(ValidationError):
        services.acknowledge_target(company.users["rep"], plan)
    with pytest.raises(ValidationError):  # m1 is a manager: no target in a rep plan
        services.acknowledge_target(company.users["manager"], plan)
    services.lock_plan(company.users["sales_ops"], plan)
    assert AuditEvent.objects.filter(object_id=str(plan.pk)).count() >= 6


def test_revision_replaces_the_published_version(company: Company, plan: TargetPlan) -> None:
    ops = company.users["sales_ops"]
    publish(company, plan)
    with pytest.raises(ValidationError):
        services.revise_plan(ops, plan, "")
    new = services.revise_plan(ops, plan, "west lost a key account")
    services.edit_cell(ops, new, measure="revenue", who="r4", period="2026", value="500000")
    Notification.objects.all().delete()
    publish(company, new)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED
    r4 = {t["period"]: t["value"] for t in published_targets() if t["who"] == "r4"}
    assert r4["2026"] == 500000
    assert set(Notification.objects.values_list("person__code", flat=True)) == {"r4"}


def test_submission_refuses_inflation_above_the_limit(company: Company, plan: TargetPlan) -> None:
    ops = company.users["sales_ops"]
    services.edit_cell(ops, plan, measure="revenue", who="r4", period="2026", value="9000000")
    with pytest.raises(ValidationError):
        services.submit_plan(ops, plan)


def test_manager_plans_within_the_parent_allocation(company: Company, plan: TargetPlan) -> None:
    manager = company.users["manager"]
    with pytest.raises(ValidationError):  # nothing in force yet
        services.create_target_plan(
            manager, name="East", fiscal_year=2026, root_unit=company.east, measures={"revenue": ""}
        )
    publish(company, plan)
    with pytest.raises(PermissionDenied):
        services.create_target_plan(
            manager, name="West", fiscal_year=2026, root_unit=company.west, measures={"revenue": ""}
        )
    east = services.create_target_plan(
        manager,
        name="East",
        fiscal_year=2026,
        root_unit=company.east,
        measures={"revenue": "1"},
        levels=EQUAL_LEVELS,
    )
    east_total = east.plan_measures.get().total
    assert east_total == compute_allocation(plan).grids["revenue"].by_who()["east"].year
    with pytest.raises(PermissionDenied):
        services.edit_cell(manager, east, measure="revenue", who="r4", period="2026", value=1)
    services.edit_cell(manager, east, measure="revenue", who="r1", period="2026", value=1000)
    services.submit_plan(manager, east)
    services.approve_plan(company.users["executive"], east)
    services.publish_plan(manager, east)
    r1 = [t for t in published_targets() if t["who"] == "r1"]
    assert len(r1) == 13  # the unit plan's values replace the company plan's
    assert {t["period"]: t["value"] for t in r1}["2026"] == 1000


def test_commitments(company: Company, plan: TargetPlan) -> None:
    services.submit_commitment(company.users["rep"], plan, measure="revenue", who="r1", value=5)
    with pytest.raises(PermissionDenied):
        services.submit_commitment(company.users["rep"], plan, measure="revenue", who="r2", value=5)
    services.submit_commitment(
        company.users["manager"], plan, measure="revenue", who="east", value=500000
    )


def test_two_plans_never_set_the_same_targets(company: Company, plan: TargetPlan) -> None:
    publish(company, plan)
    other = new_plan(
        company, company.users["sales_ops"], total="1", name="again", months="seasonal"
    )
    services.submit_plan(company.users["sales_ops"], other)
    services.approve_plan(company.users["executive"], other)
    with pytest.raises(ValidationError):
        services.publish_plan(company.users["sales_ops"], other)


def test_notifications_read_in_the_readers_language(company: Company, plan: TargetPlan) -> None:
    from django.utils import translation

    with translation.override("en"):
        publish(company, plan)
    note = Notification.objects.filter(plan=plan).first()
    assert note is not None and note.key == Notification.Key.PUBLISHED and not note.message
    with translation.override("zh-hans"):
        assert note.text.startswith(f"你的 {plan.fiscal_year}")
    with translation.override("en"):
        assert note.text.startswith(f"Your targets for {plan.fiscal_year}")


def test_a_plan_is_acknowledged_without_the_people_who_have_left(
    company: Company, plan: TargetPlan
) -> None:
    """r4 had a target but left the company: they cannot sign in to acknowledge it, so
    the plan is acknowledged once everyone still working has."""
    import datetime

    from django.utils import timezone

    from attain.org import services as org

    publish(company, plan)
    org.end_employment(
        None, company.people["r4"], on=timezone.localdate() - datetime.timedelta(days=1)
    )
    for code in ("r1", "r2", "r3"):
        services.acknowledge_target(None, plan, person=company.people[code])
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACKNOWLEDGED


def test_a_plan_whose_last_one_waiting_leaves_is_acknowledged_by_the_daily_reminders(
    company: Company, plan: TargetPlan
) -> None:
    """Everyone else acknowledged, then r4 (still waiting) left: the next daily run of
    the reminders acknowledges the plan, audited with its reason, and tells nobody."""
    import datetime

    from django.utils import timezone

    from attain.org import services as org
    from attain.targets import notices

    publish(company, plan)
    for code in ("r1", "r2", "r3"):
        services.acknowledge_target(None, plan, person=company.people[code])
    org.end_employment(
        None, company.people["r4"], on=timezone.localdate() - datetime.timedelta(days=1)
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    assert notices.acknowledgement_due(timezone.localdate()) == 0
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACKNOWLEDGED
    event = AuditEvent.objects.filter(object_id=str(plan.pk)).order_by("pk").last()
    assert event is not None and event.reason == "Everyone still employed has acknowledged"


def test_settling_an_acknowledgement_reads_no_plans_worth_of_cells(
    company: Company, plan: TargetPlan
) -> None:
    """Each acknowledgement asks whether anyone still waits: one bounded query, not every
    person's cell of the plan read into Python (a 10,000-person plan's acknowledgements
    took a quarter of an hour that way)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    publish(company, plan)
    with CaptureQueriesContext(connection) as queries:
        assert not services.settle_acknowledgement(plan)
    reads = [q["sql"] for q in queries.captured_queries if "targets_targetcell" in q["sql"]]
    assert reads and all("LIMIT 1" in sql for sql in reads), reads
    for code in ("r1", "r2", "r3", "r4"):
        services.acknowledge_target(None, plan, person=company.people[code])
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACKNOWLEDGED
