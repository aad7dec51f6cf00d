"""Migration 0008: reminders raised before they kept their parameters get them when the
rule and opportunity still give the stored sentence; otherwise they keep the sentence."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from attain.web.testing import migrated

BEFORE = [("crm", "0007_verification")]
AFTER = [("crm", "0008_reminder_params")]


@pytest.mark.django_db(transaction=True)
def test_old_reminders_get_parameters_only_when_they_still_match(company):
    apps = migrated(BEFORE)
    stage = apps.get_model("crm", "Stage").objects.get(code="qualify")
    rule = apps.get_model("crm", "FollowUpRule").objects.create(stage=stage, days=7)
    person = apps.get_model("org", "Person").objects.get(code="r1")
    customer = apps.get_model("crm", "Customer").objects.create(
        name="甲一", owner_id=person.pk, external_id="C-1"
    )
    opportunity = apps.get_model("crm", "Opportunity").objects.create(
        customer=customer,
        owner_id=person.pk,
        name="扩容",
        stage=stage,
        amount=Decimal(1000),
        created_on=datetime.date(2026, 1, 5),
        external_id="OP-1",
    )
    Reminder = apps.get_model("crm", "Reminder")
    same = f"甲一 · 扩容: no contact for 7 days in stage {stage.name}."
    kept = Reminder.objects.create(person=person, opportunity=opportunity, rule=rule, message=same)
    edited = apps.get_model("crm", "FollowUpRule").objects.create(stage=stage, days=5)
    stale = Reminder.objects.create(
        person=person,
        opportunity=opportunity,
        rule=edited,
        message=f"甲一 · 扩容: no contact for 3 days in stage {stage.name}.",  # 3 days then
    )
    migrated(AFTER)
    from attain.crm.models import Reminder as Current

    assert Current.objects.get(pk=kept.pk).params["days"] == 7
    assert Current.objects.get(pk=stale.pk).params == {}
    assert Current.objects.get(pk=stale.pk).text == stale.message
