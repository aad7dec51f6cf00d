"""Holds placed and lifted at once on PostgreSQL: a payout held by one integrity alert
and claimed by another is never released for payment in between."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from attain.integrity import services
from attain.integrity.models import Alert
from attain.pay import services_payouts as pay

from .payout_factories import AMOUNTS, payout, store


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_hold_confirmed_while_another_is_lifted_still_holds_the_payout(company, monkeypatch):
    """Alert A holds r1's payout; a reviewer lifts A just as another confirms alert B
    about r1 with a hold: the payout stays held (by B), never released for payment."""
    store(company, AMOUNTS)
    ops, finance = company.users["sales_ops"], company.users["finance"]
    alerts = []
    for key in ("a", "b"):
        row = Alert.objects.create(
            key=key,
            detector="wash_orders" if key == "a" else "amounts",
            period="2026-Q1",
            score="0.9",
            reason_en="e",
            reason_zh="z",
            people_codes=["r1"],
        )
        row.people.set([company.people["r1"]])
        alerts.append(row)
    services.decide(ops, alerts[0], confirm=True, reason="wash", hold=True)
    assert payout(company, "r1").hold_source == f"integrity:{alerts[0].pk}"
    confirmed = threading.Event()

    def other_reviewer() -> None:
        try:
            services.decide(finance, alerts[1], confirm=True, reason="split", hold=True)
        finally:
            connection.close()
            confirmed.set()

    real = pay._holding_alerts
    started: list[threading.Thread] = []

    def holding_alerts():
        rows = list(real())  # read now, before the other reviewer confirms
        if not started:
            started.append(threading.Thread(target=other_reviewer))
            started[0].start()
            confirmed.wait(timeout=3)
        return Alert.objects.filter(pk__in=[row.pk for row in rows]).prefetch_related("people")

    monkeypatch.setattr(pay, "_holding_alerts", holding_alerts)
    services.release_hold(ops, Alert.objects.get(pk=alerts[0].pk), reason="cleared")
    started[0].join()
    held = payout(company, "r1")
    assert held.held and held.hold_source == f"integrity:{alerts[1].pk}"
