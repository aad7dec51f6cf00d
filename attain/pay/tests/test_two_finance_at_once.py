"""Two finance people act on the same payouts at the same moment (PostgreSQL, two web
processes): each payout moves once, the later request is told why, and nothing fails
with a server error (checked during the concurrency QA; kept as a guard)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from attain.audit.models import AuditEvent
from attain.org import services as org
from attain.pay import services_payouts as pay
from attain.pay.models import Payout, PayoutState

from .payout_factories import AMOUNTS, PAID_ON, payout, store, through


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("step", ["approve", "pay"])
def test_two_finance_people_move_the_same_payouts_once(company, step):
    store(company, AMOUNTS)
    codes = ["r1", "r2"]
    for code in codes:
        through(company, code, "reviewed" if step == "approve" else "approved")
    second = org.create_login(None, username="finance2", role="finance")
    both = threading.Barrier(2)
    outcomes: list[object] = []

    def act(user) -> None:
        try:
            # the other finance person's page lists them in the other order
            rows = [payout(company, code) for code in (codes if user == second else codes[::-1])]
            both.wait(timeout=10)
            if step == "approve":
                outcomes.append(pay.approve_payouts(user, rows))
            else:
                outcomes.append(pay.mark_paid(user, rows, reference="B-7", paid_on=PAID_ON))
        except ValidationError as error:
            outcomes.append(error)
        except Exception as error:  # a deadlock or a server error
            outcomes.append(("unexpected", error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(user,)) for user in (company.users["finance"], second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(type, outcomes), key=str) == sorted([int, ValidationError], key=str), outcomes
    target = PayoutState.APPROVED if step == "approve" else PayoutState.PAID
    assert set(Payout.objects.filter(person__code__in=codes).values_list("state", flat=True)) == {
        target
    }
    moved = AuditEvent.objects.filter(content_type__model="payout", after__state=target)
    assert moved.count() == 2
