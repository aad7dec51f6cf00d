"""An integrity case confirmed after its quarter was closed: the records stop counting,
the closed quarter stays as it was, and the difference is taken back in the next open
quarter (the clawback) as an adjustment line."""

from __future__ import annotations

import datetime
from decimal import Decimal

from attain.crm.models import Customer, Order
from attain.crm.services import orders as order_services
from attain.incentives.models import PeriodResult
from attain.incentives.tests.conftest import (  # noqa: F401  (fixtures)
    _immediate_tasks,
    calculated,
    sales,
)
from attain.integrity import services as integrity
from attain.integrity.models import Alert
from attain.pay import services_close as close
from attain.pay.models import Payout
from attain.pay.models_close import Adjustment


def test_a_confirmed_wash_in_a_closed_quarter_is_clawed_back(
    calculated,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    users, r1 = calculated.users, calculated.people["r1"]
    customer = Customer.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        washed = [
            order_services.record_order(
                users["finance"],
                customer=customer,
                owner=r1,
                date=datetime.date(2026, 6, 28),
                amount=Decimal("40000"),
            )
            for _ in range(2)
        ]
        close.close_period(users["sales_ops"], "2026-Q2", reason="quarter end")
    q2 = Payout.objects.get(person=r1, period="2026-Q2")
    frozen, frozen_result = q2.amount, PeriodResult.objects.get(person=r1, period="2026-Q2")
    q3_before = Payout.objects.get(person=r1, period="2026-Q3").amount
    alert = Alert.objects.create(
        key="wash|r1|2026-Q2",
        detector="wash_orders",
        period="2026-Q2",
        people_codes=["r1"],
        records=[{"table": "orders", "external_id": o.external_id} for o in washed],
        score=Decimal("0.9"),
        reason_en="washed",
        reason_zh="刷单",
    )
    alert.people.add(r1)
    with django_capture_on_commit_callbacks(execute=True):
        integrity.decide(
            users["sales_ops"], alert, confirm=True, reason="刷单", reject_records=True
        )
    assert set(
        Order.objects.filter(pk__in=[o.pk for o in washed]).values_list("verification", flat=True)
    ) == {"rejected"}
    recalculated = PeriodResult.objects.get(person=r1, period="2026-Q2").payout
    assert recalculated < frozen_result.payout
    assert Payout.objects.get(person=r1, period="2026-Q2").amount == frozen  # closed: as it was
    [adjustment] = Adjustment.objects.filter(person=r1, source_period="2026-Q2")
    assert adjustment.amount == (recalculated - frozen_result.payout).quantize(Decimal("0.01"))
    assert adjustment.amount < 0
    q3 = Payout.objects.get(person=r1, period="2026-Q3")
    assert q3.amount == q3_before + adjustment.amount
