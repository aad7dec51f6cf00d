"""Period close with a real calculation: an order back-dated into a closed quarter."""

from __future__ import annotations

import datetime
from decimal import Decimal

from attain.crm.models import Customer, OrderStatus
from attain.crm.services import orders as order_services
from attain.incentives.models import PeriodResult
from attain.incentives.tests.conftest import (  # noqa: F401  (fixtures)
    _immediate_tasks,
    calculated,
    sales,
)
from attain.pay import selectors_payouts as selectors
from attain.pay import services_close as close
from attain.pay.models import Payout
from attain.pay.models_close import Adjustment, ClosedResult
from attain.pay.tests.payout_factories import through

JUNE = datetime.date(2026, 6, 20)  # back-dated into 2026-Q2


def _payout(person, period):
    return Payout.objects.get(person=person, period=period)


def _lines(payout):
    return {(line.plan, line.component): line.amount for line in payout.lines.all()}


def test_backdating_an_order_into_a_closed_quarter_adjusts_the_next_open_one(
    calculated,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    users, r1 = calculated.users, calculated.people["r1"]
    with django_capture_on_commit_callbacks(execute=True):
        row = close.close_period(users["sales_ops"], "2026-Q2", reason="quarter end")
    row.refresh_from_db()
    assert row.state == "closed" and row.plan_versions == {"mgr": 1, "rep": 1}
    q2 = _payout(r1, "2026-Q2")
    frozen = (q2.amount, _lines(q2))
    frozen_result = PeriodResult.objects.get(person=r1, period="2026-Q2").payout
    assert ClosedResult.objects.get(pay_period=row, person=r1).amount == q2.amount
    q3_before = _payout(r1, "2026-Q3").amount
    customer = Customer.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        order = order_services.record_order(
            users["finance"], customer=customer, owner=r1, date=JUNE, amount=Decimal("9000")
        )
    recalculated = PeriodResult.objects.get(person=r1, period="2026-Q2").payout
    assert recalculated != frozen_result
    q2 = _payout(r1, "2026-Q2")
    assert (q2.amount, _lines(q2)) == frozen  # the closed quarter is unchanged
    [adjustment] = Adjustment.objects.filter(person=r1)
    assert adjustment.source_period == "2026-Q2"
    assert adjustment.amount == (recalculated - frozen_result).quantize(Decimal("0.01"))
    q3 = _payout(r1, "2026-Q3")
    assert adjustment.payout == q3
    assert _lines(q3)[("", "2026-Q2")] == adjustment.amount
    assert q3.amount == q3_before + adjustment.amount
    # The manager's override on r1's order is adjusted too.
    m1 = calculated.people["m1"]
    assert Adjustment.objects.filter(person=m1, source_period="2026-Q2").exists()
    # Another back-dated order: the same adjustment grows, no second one.
    with django_capture_on_commit_callbacks(execute=True):
        order_services.record_order(
            users["finance"], customer=customer, owner=r1, date=JUNE, amount=Decimal("1000")
        )
    again = Adjustment.objects.get(person=r1)
    latest = PeriodResult.objects.get(person=r1, period="2026-Q2").payout
    assert again.pk == adjustment.pk
    assert again.amount == (latest - frozen_result).quantize(Decimal("0.01"))
    assert _payout(r1, "2026-Q3").amount == q3_before + again.amount
    # Cancelling both orders takes the quarter back to what was closed: no adjustment.
    with django_capture_on_commit_callbacks(execute=True):
        order_services.change_order_status(
            users["finance"], order, OrderStatus.CANCELLED, on=JUNE, reason="duplicate"
        )
    assert Adjustment.objects.get(person=r1).amount < again.amount
    # Register total = payroll total = approved sum, adjustment lines included.
    q3 = through(calculated, "r1", "approved", "2026-Q3")
    register = selectors.register(users["finance"], period="2026-Q3")
    payroll = selectors.payroll(users["finance"], "2026-Q3")
    approved = sum(
        (p.amount for p in Payout.objects.filter(period="2026-Q3", state="approved")), Decimal(0)
    )
    assert register.totals.payable == payroll.total == approved == q3.amount
    # Reopened: the quarter follows the results again and the adjustment goes.
    with django_capture_on_commit_callbacks(execute=True):
        close.reopen_period(users["admin"], "2026-Q2", reason="restate Q2")
    latest = PeriodResult.objects.get(person=r1, period="2026-Q2").payout
    assert _payout(r1, "2026-Q2").amount == latest
    assert not Adjustment.objects.filter(source_period="2026-Q2").exists()
    q3 = _payout(r1, "2026-Q3")
    assert q3.amount == q3_before and q3.state == "calculated"
