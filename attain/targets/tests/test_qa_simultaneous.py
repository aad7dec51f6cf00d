"""Targets QA (tgtqa): approval and publication by two people at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from attain.conftest import Company
from attain.targets import services
from attain.targets.models import Notification, PlanStatus, TargetPlan


def test_a_plan_published_by_two_planners_at_once_is_published_once(
    company: Company, plan: TargetPlan
) -> None:
    """Two planners press Publish on the same approved plan at the same moment: each
    request loaded the plan while it was approved. Before, both publications went
    through and everyone with a target was notified twice (and emailed twice); the
    second is now refused, the plan's status being read again under a lock."""
    ops = company.users["sales_ops"]
    services.submit_plan(ops, plan)
    services.approve_plan(company.users["executive"], plan)
    first = TargetPlan.objects.get(pk=plan.pk)
    second = TargetPlan.objects.get(pk=plan.pk)  # the other planner's request
    services.publish_plan(ops, first)
    notified = Notification.objects.filter(plan=plan).count()
    assert notified == 4  # r1 to r4
    with pytest.raises(ValidationError):
        services.publish_plan(company.users["admin"], second)
    assert Notification.objects.filter(plan=plan).count() == notified
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED


def test_an_approval_and_a_return_at_once_do_not_both_apply(
    company: Company, plan: TargetPlan
) -> None:
    """One executive approves while another returns the plan from a page loaded before:
    the return of a plan approved meanwhile was applied over the approval (and audited
    as a return from "submitted"). The later of the two is now refused."""
    services.submit_plan(company.users["sales_ops"], plan)
    stale = TargetPlan.objects.get(pk=plan.pk)
    services.approve_plan(company.users["executive"], plan)
    services.publish_plan(company.users["sales_ops"], plan)
    with pytest.raises(ValidationError):
        services.return_plan(company.users["admin"], stale, "too high")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED


def test_the_unit_or_person_a_target_is_for_is_not_called_the_operator_in_chinese(
    company: Company, plan: TargetPlan
) -> None:
    """The column naming whose target a row is (a commitment, an import's changes, a
    proposal) and the "who" of an edited cell on the audit trail read 操作人 (the
    operator, who made the change) in Chinese: a planner read an edit of r1's March
    as made by r1. They now read 组织单元 / 人员 and 对象."""
    from django.test import Client
    from django.utils import translation

    from attain.targets.models import TargetEdit

    client = Client()
    client.force_login(company.users["sales_ops"])
    page = client.get(f"/targets/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<th>操作人</th>" not in page
    assert "<th>组织单元 / 人员</th>" in page
    with translation.override("zh-hans"):
        assert str(TargetEdit._meta.get_field("who").verbose_name) == "对象"


def test_two_planners_revising_a_plan_at_once_get_one_new_version_and_a_message(
    company: Company, plan: TargetPlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both requests found no newer version open and went on to create version 2: the
    later failed on the one-version-per-number rule, a server error. The check is now
    made with the plan's row locked, so the later is told a newer version is open."""
    ops = company.users["sales_ops"]
    services.submit_plan(ops, plan)
    services.approve_plan(company.users["executive"], plan)
    services.publish_plan(ops, plan)
    locked = services._locked_status

    def the_other_planner_first(found: TargetPlan) -> str:
        # the other request revised the plan while this one waited for the lock
        monkeypatch.setattr(services, "_locked_status", locked)
        services.revise_plan(company.users["admin"], TargetPlan.objects.get(pk=plan.pk), "a")
        return locked(found)

    monkeypatch.setattr(services, "_locked_status", the_other_planner_first)
    with pytest.raises(ValidationError) as refused:
        services.revise_plan(ops, plan, "west lost a key account")
    assert "newer version" in str(refused.value)  # (the other's version is rolled back
    # with this test's one transaction: the two requests share it here)
