"""Payouts from a real calculation run, and a record changed after approval."""

from __future__ import annotations

import datetime
from decimal import Decimal

from attain.crm.models import Order
from attain.incentives.models import ComponentResult, PeriodResult
from attain.incentives.tests.conftest import (  # noqa: F401  (fixtures)
    _immediate_tasks,
    calculated,
    sales,
)
from attain.pay import selectors_payouts as selectors
from attain.pay import services_payouts as services
from attain.pay.models import Payout


def test_a_run_fills_payouts_that_match_the_stored_results(calculated):  # noqa: F811
    stored = PeriodResult.objects.filter(person__component_results__isnull=False).distinct()
    paying = {
        (r.person_id, r.period)
        for r in stored
        if ComponentResult.objects.filter(person_id=r.person_id, period=r.period).exists()
    }
    assert paying and {(p.person_id, p.period) for p in Payout.objects.all()} == paying
    for payout in Payout.objects.all():
        result = PeriodResult.objects.get(person_id=payout.person_id, period=payout.period)
        assert payout.amount == result.payout
        assert payout.state == "calculated"


def test_a_new_order_after_approval_sends_the_payout_back(calculated):  # noqa: F811
    users = calculated.users
    r1 = calculated.people["r1"]
    payout = Payout.objects.filter(person=r1, amount__gt=0).order_by("period").first()
    services.review_payouts(users["manager"], [payout])
    services.approve_payouts(users["finance"], [payout])
    before = Payout.objects.get(pk=payout.pk)
    first = Order.objects.filter(owner=r1).first()
    start = PeriodResult.objects.get(person=r1, period=payout.period).start
    Order.objects.create(
        external_id="o-late",
        customer=first.customer,
        owner=r1,
        date=max(start, datetime.date(2026, 1, 1)) + datetime.timedelta(days=5),
        amount=Decimal("9000"),
    )
    from attain.incentives.services import recalculate_people

    recalculate_people(
        None, [(r1.pk, max(start, datetime.date(2026, 1, 1)) + datetime.timedelta(days=5))]
    )
    after = Payout.objects.get(pk=payout.pk)
    assert after.amount != before.amount
    assert after.state == "calculated" and after.note["kind"] == "returned"
    register = selectors.register(users["finance"], period=payout.period)
    assert register.totals.payable == selectors.payroll(users["finance"], payout.period).total
