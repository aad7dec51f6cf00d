"""The close's last check for payouts below zero (2a19b121) read the payouts without
locking them: a recalculation writing a payout below zero at that moment (its
transaction not yet committed) was not seen, the period was frozen with the old amounts,
and the new one landed in a closed period. The freezing transaction now locks the
period's payouts before it checks and reads them, so it waits for such a write."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from attain.conftest import Company
from attain.pay import services_close
from attain.pay.models import Payout
from attain.pay.models_close import PayPeriod, PeriodState

from .payout_factories import AMOUNTS, PERIOD, store

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_a_payout_brought_below_zero_as_the_period_freezes_stops_the_close(
    company: Company, monkeypatch: Any
) -> None:
    store(company, AMOUNTS)
    row = services_close.close_period(company.users["admin"], PERIOD, background=False)
    written = threading.Event()

    def recalculation() -> None:  # a sync bringing r2 below zero (a clawback)
        try:
            with transaction.atomic():
                payout = Payout.objects.select_for_update().get(period=PERIOD, person__code="r2")
                Payout.objects.filter(pk=payout.pk).update(amount=Decimal("-150.35"))
                written.set()
                time.sleep(1.5)
        finally:
            connection.close()

    other = threading.Thread(target=recalculation)
    explain = services_close.explain_payouts

    def explained(period: str) -> int:  # the last step before the freezing transaction
        count = explain(period)
        other.start()
        assert written.wait(timeout=5)
        return count

    monkeypatch.setattr(services_close, "explain_payouts", explained)
    try:
        with pytest.raises(ValidationError):
            services_close.run_close(row.pk)
    finally:
        other.join()
    row = PayPeriod.objects.get(pk=row.pk)
    assert row.state == PeriodState.OPEN
    assert row.problems[0].startswith("2026-Q1 has 1 payout below zero (R2)"), row.problems
