"""QA of the approval loop with data of its own: a manager who changes their unit plan's
split after it was approved, and a rep who tries to acknowledge someone else's targets
through the API. Both held up; kept as regression tests."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from attain.audit.models import AuditEvent
from attain.conftest import Company
from attain.targets import services
from attain.targets.models import Acknowledgement, PlanStatus, TargetEdit, TargetPlan
from attain.targets.selectors import published_targets

from .conftest import EQUAL_LEVELS, publish

pytestmark = pytest.mark.django_db


def test_a_split_changed_after_approval_goes_back_through_approval_and_is_audited(
    company: Company, plan: TargetPlan
) -> None:
    publish(company, plan)
    manager, executive = company.users["manager"], company.users["executive"]
    east = services.create_target_plan(
        manager,
        name="East",
        fiscal_year=2026,
        root_unit=company.east,
        measures={"revenue": ""},
        levels=EQUAL_LEVELS,
    )
    services.submit_plan(manager, east)
    services.approve_plan(executive, east)
    with pytest.raises(ValidationError):  # approved: no edit in place
        services.edit_cell(manager, east, measure="revenue", who="r1", period="2026", value=5)
    services.return_plan(manager, east, "r1 starts later")
    assert east.status == PlanStatus.DRAFT
    services.edit_cell(manager, east, measure="revenue", who="r1", period="2026", value="5000")
    edit = TargetEdit.objects.get(plan=east)
    logged = AuditEvent.objects.filter(content_type__model="targetedit", object_id=str(edit.pk))
    assert logged.get().actor_id == manager.pk
    reasons = AuditEvent.objects.filter(content_type__model="targetplan", object_id=str(east.pk))
    assert "r1 starts later" in set(reasons.values_list("reason", flat=True))
    services.submit_plan(manager, east)
    with pytest.raises(ValidationError):  # the earlier approval does not count again
        services.publish_plan(manager, east)
    services.approve_plan(executive, east)
    services.publish_plan(manager, east)
    r1 = {t["period"]: t["value"] for t in published_targets() if t["who"] == "r1"}
    assert r1["2026"] == 5000


def test_a_rep_acknowledges_only_their_own_targets_through_the_api(
    company: Company, plan: TargetPlan
) -> None:
    publish(company, plan)
    client = APIClient()
    client.force_authenticate(company.users["rep"])
    url = f"/api/targets/plans/{plan.pk}/acknowledge/"
    answer = client.post(url, {"person": "r2", "who": "r2", "comment": "for r2"}, format="json")
    assert answer.status_code == 400  # the body names no person: "person", "who" are unknown
    assert set(answer.json()["error"]["fields"]) == {"person", "who"}
    assert not Acknowledgement.objects.exists()
    answer = client.post(url, {"comment": "ok"}, format="json")
    assert answer.status_code == 200 and answer.json()["person"] == "r1"
    assert list(Acknowledgement.objects.values_list("person__code", flat=True)) == ["r1"]
    assert client.post(url, {}, format="json").status_code == 400  # once
    client.force_authenticate(company.users["manager"])  # m1 has no target in it
    assert client.post(url, {}, format="json").status_code == 400
    client.force_authenticate(company.users["finance"])  # no person at all
    assert client.post(url, {}, format="json").status_code == 403
    assert Acknowledgement.objects.count() == 1
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
