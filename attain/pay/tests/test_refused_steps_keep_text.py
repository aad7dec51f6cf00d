"""A step refused on the payout register or the pay periods page shows the page again
(status 400) with the refusal and what the login typed: the reason, the payment reference
and date, the step and the chosen payouts (as the dispute page does): nothing is typed
twice."""

from __future__ import annotations

from attain.pay import services_close
from attain.pay.models import Payout
from attain.pay.models_close import PayPeriod

from .payout_factories import AMOUNTS, PERIOD
from .payout_factories import store as store_amounts
from .test_close import closed, quarters, store  # noqa: F401  (the fixture)

REASON = "Order 4711 is being checked by legal — hold until the contract is signed"


def test_a_refused_hold_keeps_the_reason_and_the_chosen_payouts(company, client):
    store_amounts(company, AMOUNTS)
    client.force_login(company.users["finance"])
    address = f"/pay/payouts/?period={PERIOD}"
    client.post(address, {"action": "hold", "people": ["r1"], "reason": "first"})
    # r1 already held: holding r1 and r2 is refused as a whole
    answer = client.post(address, {"action": "hold", "people": ["r1", "r2"], "reason": REASON})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "This payout is already held." in html
    assert f'value="{REASON}"' in html.replace("&#x27;", "'")
    assert 'value="r1" aria-label="' in html and '"r2" aria-label=' in html
    for code in ("r1", "r2"):
        assert f'value="{code}" aria-label="{company.people[code].name}" checked' in html
    assert f'value="r3" aria-label="{company.people["r3"].name}">' in html  # not chosen
    assert '<option value="hold" selected>' in html
    assert not Payout.objects.get(person__code="r2", period=PERIOD).held


def test_a_refused_payment_keeps_the_reference_and_the_date(company, client):
    store_amounts(company, AMOUNTS)
    client.force_login(company.users["finance"])
    address = f"/pay/payouts/?period={PERIOD}"
    # calculated, not approved: marking it paid is refused
    answer = client.post(
        address,
        {
            "action": "pay",
            "people": ["r3"],
            "reference": "BANK-2026-04-15",
            "paid_on": "2026-04-15",
        },
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'value="BANK-2026-04-15"' in html and 'value="2026-04-15"' in html
    assert '<option value="pay" selected>' in html
    assert Payout.objects.get(person__code="r3", period=PERIOD).state == "calculated"


def test_a_refused_step_in_chinese_keeps_the_reason(company, client):
    store_amounts(company, AMOUNTS)
    client.force_login(company.users["finance"])
    client.cookies["django_language"] = "zh-hans"
    answer = client.post(f"/pay/payouts/?period={PERIOD}", {"action": "hold", "reason": "待核实"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'value="待核实"' in html


def test_a_step_that_passes_still_goes_back_to_the_page(company, client):
    store_amounts(company, AMOUNTS)
    client.force_login(company.users["finance"])
    address = f"/pay/payouts/?period={PERIOD}"
    answer = client.post(address, {"action": "hold", "people": ["r2"], "reason": REASON})
    assert answer.status_code == 302 and answer["Location"] == address


def _row(html, period):
    """The periods page's row of ``period``."""
    return html.split(f'data-period="{period}"')[1].split("</tr>")[0]


def _refused(client, monkeypatch, service, action, period):
    """The periods page after posting ``action`` on ``period`` with REASON while the
    service function ``service`` refuses it: shown again (400) with the refusal."""

    def refuse(actor, period, *, reason):
        raise services_close.ValidationError({"period": "Refused for the test."})

    monkeypatch.setattr(services_close, service, refuse)
    answer = client.post("/pay/periods/", {"action": action, "period": period, "reason": REASON})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Refused for the test." in html
    return html


def test_a_refused_reopen_keeps_the_reason(quarters, client, monkeypatch):  # noqa: F811
    closed(quarters, "2026-Q1")
    closed(quarters, "2026-Q2")
    client.force_login(quarters.users["admin"])
    html = _refused(client, monkeypatch, "reopen_period", "reopen", "2026-Q2")
    assert f'value="{REASON}"' in _row(html, "2026-Q2")
    assert REASON not in _row(html, "2026-Q1")  # only in the form that was refused


def test_a_reopen_without_a_reason_is_shown_in_place(quarters, client):  # noqa: F811
    closed(quarters, "2026-Q1")
    client.force_login(quarters.users["admin"])
    answer = client.post("/pay/periods/", {"action": "reopen", "period": "2026-Q1", "reason": " "})
    assert answer.status_code == 400
    assert "Give the reason for reopening the period." in answer.content.decode()
    assert PayPeriod.objects.get(period="2026-Q1").state == "closed"


def test_the_close_form_takes_a_reason_and_keeps_it_on_refusal(quarters, client, monkeypatch):  # noqa: F811
    client.force_login(quarters.users["admin"])
    page = client.get("/pay/periods/").content.decode()
    form = _row(page, "2026-Q1")
    assert 'name="reason"' in form and "Reason (optional)" in form
    assert 'name="reason" maxlength="500" required' not in form  # the service takes none
    html = _refused(client, monkeypatch, "close_period", "close", "2026-Q1")
    assert f'value="{REASON}"' in _row(html, "2026-Q1")


def test_the_reason_typed_on_the_close_form_is_the_close_reason(quarters, client):  # noqa: F811
    client.force_login(quarters.users["admin"])
    client.post("/pay/periods/", {"action": "close", "period": "2026-Q1", "reason": REASON})
    assert PayPeriod.objects.get(period="2026-Q1").close_reason == REASON
