"""A payout's own four-eyes refusal (a step on one's own payout, approving a payout one
reviewed) is audited as the plan four-eyes refusal is: a "refused" event on the payout,
by the login, with the message as the reason; kept although the step changed nothing."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from attain.audit.models import AuditEvent
from attain.pay import services_payouts as services
from attain.pay.models import Payout

from .payout_factories import AMOUNTS, PERIOD, store
from .test_payout_access import _own_person


def _refusals(payout: Payout):
    kind = ContentType.objects.get_for_model(Payout)
    return AuditEvent.objects.filter(content_type=kind, object_id=str(payout.pk), action="refused")


def test_approving_a_payout_one_reviewed_is_refused_and_audited(company):
    store(company, AMOUNTS)
    payout = Payout.objects.get(person=company.people["r1"], period=PERIOD)
    admin = company.users["admin"]
    services.review_payouts(admin, [payout])
    with pytest.raises(PermissionDenied) as refused:
        services.approve_payouts(admin, [payout], reason="looks fine")
    [event] = _refusals(payout)
    assert event.actor_id == admin.pk and event.reason == str(refused.value)
    assert event.after == {"step": "approve", "state": "reviewed", "rule": "four eyes"}
    assert Payout.objects.get(pk=payout.pk).state == "reviewed"


@pytest.mark.parametrize(("action", "start"), [("review", "calculated"), ("approve", "reviewed")])
def test_a_step_on_ones_own_payout_through_the_api_is_audited(company, action, start):
    store(company, AMOUNTS)
    user, person = _own_person(company, "admin")
    own = Payout.objects.get(person=person, period=PERIOD)
    Payout.objects.filter(pk=own.pk).update(state=start)
    api = APIClient()
    api.force_authenticate(user)
    body = {"action": action, "period": PERIOD, "people": [person.code]}
    answer = api.post("/api/pay/payouts/actions/", body, format="json")
    assert answer.status_code == 403
    [event] = _refusals(own)
    assert event.actor_id == user.pk and "your own payout" in event.reason
    assert event.after == {"step": action, "state": start, "rule": "own payout"}


def test_holding_ones_own_payout_is_audited(company):
    store(company, AMOUNTS)
    user, person = _own_person(company, "finance")
    own = Payout.objects.get(person=person, period=PERIOD)
    with pytest.raises(PermissionDenied):
        services.hold_payout(user, own, reason="mine")
    [event] = _refusals(own)
    assert event.after == {"step": "hold", "state": "calculated", "rule": "own payout"}
    assert not Payout.objects.get(pk=own.pk).held


def test_a_plain_role_refusal_is_not_a_four_eyes_event(company):
    store(company, AMOUNTS)
    payout = Payout.objects.get(person=company.people["r1"], period=PERIOD)
    with pytest.raises(PermissionDenied):
        services.review_payouts(company.users["rep"], [payout])
    assert not _refusals(payout).exists()


def test_holding_ones_own_payout_on_the_register_is_audited(company, client):
    store(company, AMOUNTS)
    user, person = _own_person(company, "finance")
    own = Payout.objects.get(person=person, period=PERIOD)
    client.force_login(user)
    answer = client.post(
        f"/pay/payouts/?period={PERIOD}",
        {"action": "hold", "people": ["r1", person.code], "reason": "check"},
    )
    assert answer.status_code == 400
    [event] = _refusals(own)
    assert event.after["step"] == "hold" and event.actor_id == user.pk
    assert not Payout.objects.filter(held=True).exists()  # all or nothing
