"""Records that count, through the calculation (docs/pay.md; issue 13's "Done when": a
rep's self-entered order with an absurd amount is refused or stays pending and changes
no payout)."""

from __future__ import annotations

from decimal import Decimal

from attain.conftest import api_client_for
from attain.crm import services
from attain.crm.models import Order


def test_a_reps_own_order_changes_no_payout_until_verified(sales):
    """Through the calculation: r1's 2026-Q1 payout stays what it was while r1's own
    (large, under the ceiling) order waits; finance verifies it and the payout moves.
    An absurd amount (over the ceiling) is refused outright."""
    from attain.incentives import services as incentives
    from attain.incentives.models import PeriodResult

    company = sales
    incentives.run_calculation(None, 2026)

    def payout() -> Decimal:
        return PeriodResult.objects.get(person__code="r1", period="2026-Q1").payout

    before = payout()
    customer = services.create_customer(None, name="乙方", owner=company.people["r1"])
    refused = api_client_for(company, "rep").post(
        "/api/orders/",
        {
            "customer": customer.external_id,
            "date": "2026-03-02",
            "amount": "99999999999.00",
        },
        format="json",
    )
    assert refused.status_code == 400
    assert "amount" in refused.json()["error"]["fields"]
    answer = api_client_for(company, "rep").post(
        "/api/orders/",
        {"customer": customer.external_id, "date": "2026-03-02", "amount": "9000000.00"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["verification"] == "pending"
    incentives.run_calculation(None, 2026)
    assert payout() == before

    order = Order.objects.get(external_id=answer.json()["external_id"])
    services.verify_records(company.users["finance"], Order, [order.pk])
    incentives.run_calculation(None, 2026)
    assert payout() > before

    services.verify_records(company.users["finance"], Order, [order.pk], "rejected", reason="假单")
    incentives.run_calculation(None, 2026)
    assert payout() == before
