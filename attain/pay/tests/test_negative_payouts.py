"""A clawback (or a negative dispute adjustment) larger than what a person earned makes
their payout negative. Payroll never gets a negative pay line: such a payout can be
reviewed and held, but approving or marking it paid is refused with a message saying
what to do, the payroll export leaves it out, and the register marks it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from attain.pay import selectors_payouts as selectors
from attain.pay import services_payouts as services
from attain.pay.models import Payout

from .payout_factories import AMOUNTS, PAID_ON, PERIOD, payout, store, through

NEGATIVE = {**AMOUNTS, "r2": {"commission": "100.00", "clawback": "-250.35"}}


@pytest.fixture
def negative(company):
    store(company, NEGATIVE)
    assert payout(company, "r2").amount == Decimal("-150.35")
    return company


def test_a_negative_payout_is_reviewed_but_not_approved(negative):
    users = negative.users
    r1, r2 = payout(negative, "r1"), payout(negative, "r2")
    services.review_payouts(users["admin"], [r1, r2])
    with pytest.raises(ValidationError) as refused:
        services.approve_payouts(users["finance"], [r1, r2])
    [message] = refused.value.message_dict["action"]
    assert "R2 (r2) 2026-Q1 comes to -150.35, below zero" in message
    assert "Carry its deficit forward (the register's action “Carry the deficit forward”" in message
    # all or nothing: r1 is not approved either
    assert {
        p.state for p in Payout.objects.filter(period=PERIOD, person__code__in=["r1", "r2"])
    } == {"reviewed"}
    services.hold_payout(users["finance"], payout(negative, "r2"), reason="追回 150.35")
    assert payout(negative, "r2").held


def test_the_api_refuses_approving_it(negative):
    through(negative, "r2", "reviewed")
    api = APIClient()
    api.force_authenticate(negative.users["finance"])
    body = {"action": "approve", "period": PERIOD, "people": ["r2"]}
    answer = api.post(
        "/api/pay/payouts/actions/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert answer.status_code == 400
    assert "低于零" in answer.content.decode()
    assert payout(negative, "r2").state == "reviewed"


def test_an_approved_negative_payout_is_never_exported_or_paid(negative):
    """One approved before the rule (or by a path that skipped it) stays out of payroll."""
    through(negative, "r1", "approved")
    Payout.objects.filter(person__code="r2", period=PERIOD).update(state="approved")
    data = selectors.payroll(negative.users["finance"], PERIOD)
    assert [p.person.code for p in data.payouts] == ["r1"]
    assert all(row_amount >= 0 for row_amount in (p.amount for p in data.payouts))
    with pytest.raises(ValidationError) as refused:
        services.mark_paid(
            negative.users["finance"], [payout(negative, "r2")], reference="B-1", paid_on=PAID_ON
        )
    assert "below zero" in refused.value.message_dict["action"][0]
    assert payout(negative, "r2").state == "approved"


def test_the_register_marks_it_and_keeps_the_step(negative, client):
    through(negative, "r2", "reviewed")
    client.force_login(negative.users["finance"])
    address = f"/pay/payouts/?period={PERIOD}"
    html = client.get(address).content.decode()
    row = html.split('data-person="r2"')[1].split("</tr>")[0]
    assert "Below zero: not approved or sent to payroll" in row
    assert "Below zero" not in html.split('data-person="r1"')[1].split("</tr>")[0]
    client.cookies["django_language"] = "zh-hans"
    answer = client.post(address, {"action": "approve", "people": ["r2"], "reason": "月末"})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "低于零" in text and 'value="月末"' in text
    assert "低于零，不审批也不发给薪资" in text


def test_a_period_with_a_negative_payout_is_not_closed_until_its_deficit_is_carried(negative):
    """Closing would freeze the deficit where no later payout recovers it: nothing lost."""
    from attain.pay import services_close, services_deficits

    users = negative.users
    with pytest.raises(ValidationError) as refused:
        services_close.close_period(users["admin"], PERIOD, background=False)
    [message] = refused.value.message_dict["period"]
    assert "2026-Q1 has 1 payout below zero (R2)" in message and "Carry the deficit" in message
    services_deficits.carry_deficits(users["finance"], [payout(negative, "r2")], reason="下季扣回")
    assert services_close.close_period(users["admin"], PERIOD, background=False)


def test_a_payout_that_falls_below_zero_after_the_close_was_asked_for_is_not_frozen(company):
    """The close is checked when it is asked for and frozen later by a worker, which first
    brings the payouts up to date: a recalculation in between (a clawback) can leave a
    payout below zero, and the close must not freeze it (no later payout would recover
    the deficit); the period stays open saying why."""
    from attain.pay import services_close
    from attain.pay.models_close import PayPeriod, PeriodState

    store(company, AMOUNTS)
    row = services_close.close_period(company.users["admin"], PERIOD, background=False)
    store(company, NEGATIVE)  # recalculated before the worker froze the period
    with pytest.raises(ValidationError):
        services_close.run_close(row.pk)
    row = PayPeriod.objects.get(pk=row.pk)
    assert row.state == PeriodState.OPEN
    [problem] = row.problems
    assert problem.startswith("2026-Q1 has 1 payout below zero (R2)"), problem
