"""A resolved dispute's adjustment for someone who has left, with no later payout to carry
it, waited for ever unseen. Finance now hear of it (a notification), see it on the pay
periods page and settle it there with how it was done (audited); a settled adjustment
waits no more and no later payout carries it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from attain.audit.models import AuditEvent
from attain.incentives.models import PeriodResult
from attain.notify.kinds import render
from attain.notify.models import Notification
from attain.org.models import Person
from attain.pay import adjustments
from attain.pay import services_disputes as services
from attain.pay import services_payouts as payouts
from attain.pay.models_disputes import DisputeAdjustment

from .payout_factories import dispute_line, payout, store

LEFT = datetime.date(2026, 3, 31)


@pytest.fixture
def stranded(stored):
    """r1's Q1 payout is paid, r1 left at the end of Q1, and a dispute about Q1 is
    resolved with 80.00 for them: nothing later will pay it."""
    users = stored.users
    r1 = payout(stored, "r1")
    payouts.review_payouts(users["manager"], [r1])
    payouts.approve_payouts(users["finance"], [r1])
    payouts.mark_paid(users["finance"], [r1], reference="B-1", paid_on=datetime.date(2026, 4, 15))
    dispute = dispute_line(stored)
    Person.objects.filter(code="r1").update(end=LEFT)
    services.resolve(users["sales_ops"], dispute, amount="80.00", reason="missed order SO-42")
    return stored


def _adjustment():
    return DisputeAdjustment.objects.get(person__code="r1")


def test_finance_are_told_and_see_it_on_the_periods_page(stranded, client):
    adjustment = _adjustment()
    assert adjustment.period == "" and list(adjustments.stranded()) == [adjustment]
    told = Notification.objects.filter(kind="adjustment_stranded")
    users = stranded.users
    assert {n.recipient_id for n in told} == {users["finance"].pk, users["admin"].pk}
    title, text = render("adjustment_stranded", told[0].params)
    assert f"#{adjustment.dispute_id}" in title
    assert "R1 has left" in text and "80.00" in text and "pay periods page" in text
    client.force_login(users["finance"])
    html = client.get("/pay/periods/").content.decode()
    section = html.split('id="stranded-adjustments"')[1]
    assert f'data-adjustment="{adjustment.pk}"' in section and "80.00" in section
    assert f'data-settle="{adjustment.pk}"' in section
    client.force_login(users["sales_ops"])  # sees it, does not settle it
    html = client.get("/pay/periods/").content.decode()
    assert 'id="stranded-adjustments"' in html and "data-settle" not in html


def test_finance_settle_it_with_a_reason_and_it_waits_no_more(stranded, client):
    adjustment = _adjustment()
    client.force_login(stranded.users["finance"])
    answer = client.post(
        "/pay/periods/", {"action": "settle", "adjustment": adjustment.pk, "reason": " "}
    )
    assert answer.status_code == 400 and "Say how the adjustment was settled" in (
        answer.content.decode()
    )
    answer = client.post(
        "/pay/periods/",
        {"action": "settle", "adjustment": adjustment.pk, "reason": "final pay, PAY-77"},
    )
    assert answer.status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.settled_reason == "final pay, PAY-77"
    assert adjustment.settled_by == stranded.users["finance"] and adjustment.settled_at
    event = AuditEvent.objects.filter(
        content_type__model="disputeadjustment", object_id=str(adjustment.pk), action="update"
    ).get()
    assert event.reason == "final pay, PAY-77" and event.before["settled_at"] is None
    assert not adjustments.stranded().exists()
    assert 'id="stranded-adjustments"' not in client.get("/pay/periods/").content.decode()
    # a later payout (a last commission) does not carry it again
    store(stranded, {"r1": {"commission": "10.00"}}, period="2026-Q2")
    PeriodResult.objects.filter(period="2026-Q2").update(
        start=datetime.date(2026, 4, 1), end=datetime.date(2026, 6, 30)
    )
    payouts.sync_payouts(None)
    adjustment.refresh_from_db()
    assert adjustment.period == ""
    assert payout(stranded, "r1", "2026-Q2").amount == Decimal("10.00")
    # the rep's dispute page says how it was settled
    client.force_login(stranded.users["rep"])
    page = client.get(f"/pay/disputes/{adjustment.dispute_id}/").content.decode()
    assert "settled outside the payouts: final pay, PAY-77" in page


def test_only_finance_settle_and_only_what_is_stranded(stranded):
    adjustment = _adjustment()
    with pytest.raises(PermissionDenied):
        services.settle_adjustment(stranded.users["sales_ops"], adjustment, reason="x")
    services.settle_adjustment(stranded.users["admin"], adjustment, reason="final pay")
    with pytest.raises(ValidationError):  # settled already
        services.settle_adjustment(stranded.users["finance"], adjustment, reason="again")


def test_a_person_still_employed_is_not_stranded(stored):
    users = stored.users
    r1 = payout(stored, "r1")
    payouts.review_payouts(users["manager"], [r1])
    payouts.approve_payouts(users["finance"], [r1])
    payouts.mark_paid(users["finance"], [r1], reference="B-1", paid_on=datetime.date(2026, 4, 15))
    services.resolve(users["sales_ops"], dispute_line(stored), amount="80.00", reason="missed")
    assert _adjustment().period == "" and not adjustments.stranded().exists()
    assert not Notification.objects.filter(kind="adjustment_stranded").exists()
    with pytest.raises(ValidationError):
        services.settle_adjustment(users["finance"], _adjustment(), reason="early")


def test_in_chinese(stranded, client):
    client.force_login(stranded.users["finance"])
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/pay/periods/").content.decode()
    assert "等待已离职人员的调整" in html and "标记为已结清" in html
    told = Notification.objects.filter(kind="adjustment_stranded").first()
    with translation.override("zh-hans"):
        _title, text = render("adjustment_stranded", told.params)
    assert "已离职" in text and "计薪期间页面" in text
