"""After a revision is published, a person whose targets (every cell of theirs) did not
change keeps their acknowledgement and commitments, carried over to the new version with
the original date and audited as carried over; a person whose targets changed is notified
and acknowledges again. Everyone used to be asked again, though only the changed were told."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from attain.audit.models import AuditEvent
from attain.conftest import Company
from attain.targets import services
from attain.targets.models import (
    Acknowledgement,
    Commitment,
    Notification,
    PlanStatus,
    TargetPlan,
)

from .conftest import publish

pytestmark = pytest.mark.django_db

REPS = ("r1", "r2", "r3", "r4")


def test_unchanged_people_keep_their_acknowledgement_and_commitments(
    company: Company, plan: TargetPlan
) -> None:
    ops = company.users["sales_ops"]
    publish(company, plan)
    for code in REPS:
        services.acknowledge_target(None, plan, f"ok {code}", person=company.people[code])
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACKNOWLEDGED
    then = timezone.now() - datetime.timedelta(days=20)
    Acknowledgement.objects.filter(plan=plan).update(at=then)
    services.submit_commitment(ops, plan, measure="revenue", who="r1", value=400000)
    services.submit_commitment(ops, plan, measure="revenue", who="r4", value=700000)

    new = services.revise_plan(ops, plan, "west lost a key account")
    services.edit_cell(ops, new, measure="revenue", who="r4", period="2026", value="500000")
    Notification.objects.all().delete()
    publish(company, new)

    kept = Acknowledgement.objects.filter(plan=new)
    assert sorted(kept.values_list("person__code", flat=True)) == ["r1", "r2", "r3"]
    assert {a.at for a in kept} == {then}
    assert kept.get(person__code="r2").comment == "ok r2"
    kind = ContentType.objects.get_for_model(Acknowledgement)
    events = AuditEvent.objects.filter(content_type=kind, object_id__in=[a.pk for a in kept])
    assert events.count() == 3
    assert all(e.reason and e.actor == ops for e in events)
    # only r4's targets changed: r4 alone is told, and r4 alone is asked again
    assert set(Notification.objects.values_list("person__code", flat=True)) == {"r4"}
    assert set(Commitment.objects.filter(plan=new).values_list("who", "value")) == {("r1", 400000)}
    new.refresh_from_db()
    assert new.status == PlanStatus.PUBLISHED
    services.acknowledge_target(None, new, person=company.people["r4"])
    new.refresh_from_db()
    assert new.status == PlanStatus.ACKNOWLEDGED


def test_a_revision_that_changes_no_one_is_acknowledged_at_once(
    company: Company, plan: TargetPlan
) -> None:
    ops = company.users["sales_ops"]
    publish(company, plan)
    for code in REPS:
        services.acknowledge_target(None, plan, person=company.people[code])
    new = services.revise_plan(ops, plan, "a typo in the name")
    publish(company, new)
    new.refresh_from_db()
    assert new.status == PlanStatus.ACKNOWLEDGED
    assert Acknowledgement.objects.filter(plan=new).count() == 4


def test_someone_who_had_not_acknowledged_is_still_asked(
    company: Company, plan: TargetPlan
) -> None:
    ops = company.users["sales_ops"]
    publish(company, plan)
    services.acknowledge_target(None, plan, person=company.people["r1"])
    new = services.revise_plan(ops, plan, "a typo in the name")
    publish(company, new)
    assert list(
        Acknowledgement.objects.filter(plan=new).values_list("person__code", flat=True)
    ) == ["r1"]
    new.refresh_from_db()
    assert new.status == PlanStatus.PUBLISHED
