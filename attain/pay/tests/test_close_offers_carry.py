"""A period with a payout below zero is not closed (closing would freeze the deficit where
no later payout recovers it). The refusal used to leave finance to find the register's
action themselves; now the pay periods page lists the payouts below zero with a way to
carry each deficit forward there, and the API's refusal names the call that does it."""

from __future__ import annotations

from decimal import Decimal

from rest_framework.test import APIClient

from attain.pay.models_close import PayPeriod
from attain.pay.models_deficits import CarriedDeficit

from .payout_factories import PERIOD, payout, store

NEGATIVE = {
    "r1": {"commission": "100.00", "clawback": "-250.35"},
    "r2": {"commission": "100.00", "clawback": "-120.00"},
    "r3": {"commission": "500.55"},
}


def test_the_periods_page_offers_to_carry_each_deficit(company, client):
    store(company, NEGATIVE)
    client.force_login(company.users["finance"])
    refused = client.post("/pay/periods/", {"action": "close", "period": PERIOD, "reason": "季末"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "2026-Q1 has 2 payouts below zero (R1, R2)" in html
    assert "listed below under “Payouts below zero”" in html
    section = html.split('id="below-zero"')[1].split("</section>")[0]
    assert 'data-below-zero="r1"' in section and 'data-below-zero="r2"' in section
    assert "-150.35" in section and "-20.00" in section
    assert 'data-below-zero="r3"' not in section
    assert f'href="/pay/payouts/?period={PERIOD}"' in section
    assert 'name="people" value="r1"' in section and "Carry the chosen deficits forward" in section
    # carrying needs a reason; refused, the page keeps the choice and says why
    body = {"action": "carry", "period": PERIOD, "people": ["r2"], "reason": ""}
    again = client.post("/pay/periods/", body)
    assert again.status_code == 400
    assert "Give the reason for carrying the deficit forward." in again.content.decode()
    assert not CarriedDeficit.objects.exists()
    answer = client.post("/pay/periods/", {**body, "reason": "追回 SO-9"})
    assert answer.status_code == 302
    assert payout(company, "r2").amount == Decimal("0.00")
    assert payout(company, "r1").amount == Decimal("-150.35")  # not chosen: still below
    client.post("/pay/periods/", {**body, "people": ["r1"], "reason": "追回 SO-9"})
    html = client.get("/pay/periods/").content.decode()
    assert 'id="below-zero"' not in html
    closed = client.post("/pay/periods/", {"action": "close", "period": PERIOD})
    assert closed.status_code == 302
    assert PayPeriod.objects.get(period=PERIOD).state in {"closing", "closed"}


def test_who_may_not_carry_sees_the_list_without_the_button(company, client):
    store(company, NEGATIVE)
    client.force_login(company.users["sales_ops"])  # closes periods, carries no deficit
    html = client.get("/pay/periods/").content.decode()
    section = html.split('id="below-zero"')[1].split("</section>")[0]
    assert 'data-below-zero="r1"' in section and 'name="people"' not in section
    assert "finance carry" in section.lower()
    # the rep's login of r1, made finance: their own payout has no check box
    rep = company.users["rep"]
    rep.role = "finance"
    rep.save()
    client.force_login(rep)
    section = client.get("/pay/periods/").content.decode().split('id="below-zero"')[1]
    assert 'name="people" value="r1"' not in section and 'name="people" value="r2"' in section


def test_the_api_refusal_names_the_call_that_carries_them(company):
    store(company, NEGATIVE)
    api = APIClient()
    api.force_authenticate(company.users["finance"])
    answer = api.post("/api/pay/periods/close/", {"period": PERIOD}, format="json")
    assert answer.status_code == 400
    messages = answer.json()["error"]["fields"]["period"]
    assert "2026-Q1 has 2 payouts below zero (R1, R2)" in messages[0]
    assert (
        'POST /api/pay/payouts/actions/ {"action": "carry", "period": "2026-Q1", '
        '"people": ["r1", "r2"], "reason": "…"}' in messages[1]
    )
    chinese = api.post(
        "/api/pay/periods/close/", {"period": PERIOD}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert '"action": "carry"' in chinese.json()["error"]["fields"]["period"][1]
    assert "结转" in chinese.json()["error"]["fields"]["period"][1]
