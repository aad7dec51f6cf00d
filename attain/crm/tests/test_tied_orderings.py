"""Lists whose sort key ties (two surveys on one day, two activities at one moment, two
contacts of one name, reminders raised together) come back in one order on SQLite and
PostgreSQL: without a last key that is unique, each database returned tied rows in its
own order (seen comparing the demo company on both), and a list cut at its limit kept
different rows. The newest recorded first among tied dates, as the orders and payments
beside them; contacts of one name in the order they were recorded."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from attain.conftest import client_for
from attain.crm import selectors, services
from attain.crm.models import FollowUpRule, Opportunity, Reminder, Stage
from attain.crm.services.reminders import check_follow_ups
from attain.crm.tests import make

D = datetime.date


def test_customer_360_breaks_ties_by_the_record_last_made_first(company, crm):
    customer = crm.customers["c_r1"]
    r1, r2 = company.people["r1"], company.people["r2"]
    moment = timezone.now().replace(microsecond=0)
    calls = [make.activity(customer, r1, "call", moment, summary=f"电话{i}") for i in range(4)]
    surveys = [
        services.record_survey(None, customer=customer, person=p, date=D(2026, 7, 17), score=4)
        for p in (r1, r2, r1, r2)
    ]
    contacts = [services.create_contact(None, customer=customer, name="王经理") for _ in range(4)]
    found = selectors.customer_360(customer)
    tied = [a for a in found["activities"] if a.occurred_at == moment]
    assert [a.pk for a in tied] == sorted((a.pk for a in calls), reverse=True)
    assert [s.pk for s in found["surveys"]] == sorted((s.pk for s in surveys), reverse=True)
    assert [c.pk for c in found["contacts"]] == sorted(c.pk for c in contacts)
    texts = [e["text"] for e in found["timeline"] if e["text"].startswith("电话")]
    assert texts == ["电话3", "电话2", "电话1", "电话0"]


def test_reminders_raised_together_are_listed_in_one_order(company, crm):
    """check_follow_ups raised one moment's reminders in the order the opportunities came
    (the model's "-created_on", tied for all of one day's): now oldest opportunity
    first, and the list newest reminder first."""
    stage = Stage.objects.get(code="lead")
    FollowUpRule.objects.update(stage=stage, days=1, active=True)
    r1 = company.people["r1"]
    # stored in the order 9005, 9004 … (PostgreSQL keeps that order; SQLite the ids')
    made = [
        Opportunity.objects.create(
            pk=9000 + i,
            customer=crm.customers["c_r1"],
            owner=r1,
            name=f"项目{i}",
            amount=Decimal(100),
            stage=stage,
        )
        for i in range(5, 0, -1)
    ]
    made.reverse()
    check_follow_ups(timezone.localdate() + datetime.timedelta(days=5))
    raised = list(Reminder.objects.filter(person=r1).order_by("pk"))
    assert [r.opportunity_id for r in raised] == [o.pk for o in made]
    shown = list(client_for(company, "rep").get("/crm/reminders/").context["reminders"])
    assert [r.pk for r in shown] == sorted((r.pk for r in raised), reverse=True)
