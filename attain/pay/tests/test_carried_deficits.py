"""A negative payout's deficit carried forward (docs/pay.md, "Negative payouts"):
finance carry it on the register (or the API) with a reason; the payout comes to zero
and the deficit is a line of the person's first open later payout, kept through every
recalculation. Across periods the person is paid what they earned minus what was clawed
back: no money is made or lost."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from rest_framework.test import APIClient

from attain.audit.models import AuditEvent
from attain.incentives.events import results_stored
from attain.incentives.models import PeriodResult
from attain.notify.kinds import render
from attain.notify.models import Notification
from attain.org.models import Person
from attain.pay import adjustments
from attain.pay import services_deficits as services
from attain.pay import services_statements as statements
from attain.pay.models import Payout
from attain.pay.models_close import PayPeriod
from attain.pay.models_deficits import CarriedDeficit
from attain.pay.services_close import close_period, run_close

from .payout_factories import payout, store_person, through

Q = {
    "2026-Q1": (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)),
    "2026-Q2": (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
    "2026-Q3": (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
}


def _store(company, period: str, **components: str) -> None:
    """r2's results for ``period`` (a quarter of :data:`Q`), as a run stores them."""
    start, end = Q[period]
    pk = store_person(
        company, "r2", components, period=period, start=start, end=end, unit=company.east
    )
    results_stored.send(sender=PeriodResult, people=[pk], periods=[period])


def _lines(company, period: str) -> dict[str, Decimal]:
    return {line.component: line.amount for line in payout(company, "r2", period).lines.all()}


def _carry(company, period: str, reason: str = "clawback SO-9 larger than Q1 pay") -> int:
    return services.carry_deficits(
        company.users["finance"], [payout(company, "r2", period)], reason=reason
    )


@pytest.fixture
def negative(company):
    """r2 earned 100.00 in 2026-Q1 and 400.00 is clawed back: the payout is -300.00."""
    _store(company, "2026-Q1", commission="100.00", clawback="-400.00")
    assert payout(company, "r2", "2026-Q1").amount == Decimal("-300.00")
    return company


def test_across_three_periods_what_is_paid_is_what_was_earned(negative):
    assert _carry(negative, "2026-Q1") == 1
    assert payout(negative, "r2", "2026-Q1").amount == Decimal("0.00")
    assert _lines(negative, "2026-Q1")["deficit-carried"] == Decimal("300.00")
    deficit = CarriedDeficit.objects.get()
    assert (deficit.amount, deficit.period) == (Decimal("-300.00"), "")  # Q2 not calculated
    # Q2 is calculated: the deficit (larger than Q2's 200.00) is placed there
    _store(negative, "2026-Q2", commission="200.00")
    assert payout(negative, "r2", "2026-Q2").amount == Decimal("-100.00")
    # a recalculation of Q2 keeps the deficit's line
    _store(negative, "2026-Q2", commission="250.00")
    assert _lines(negative, "2026-Q2") == {
        "commission": Decimal("250.00"),
        "deficit-2026-Q1": Decimal("-300.00"),
    }
    assert payout(negative, "r2", "2026-Q2").amount == Decimal("-50.00")
    # still below zero: carried again, to Q3
    _carry(negative, "2026-Q2", reason="the rest of the Q1 clawback")
    _store(negative, "2026-Q3", commission="500.00")
    assert payout(negative, "r2", "2026-Q3").amount == Decimal("450.00")
    assert _lines(negative, "2026-Q3")["deficit-2026-Q2"] == Decimal("-50.00")
    paid = Decimal("0.00")
    for period, (_start, end) in Q.items():
        paid += through(negative, "r2", "paid", period, paid_on=end).amount
    earned, clawed_back = Decimal("850.00"), Decimal("400.00")
    assert paid == earned - clawed_back == Decimal("450.00")
    events = AuditEvent.objects.filter(content_type__model="carrieddeficit", action="create")
    assert sorted(e.reason for e in events) == [
        "clawback SO-9 larger than Q1 pay",
        "the rest of the Q1 clawback",
    ]


def test_a_recalculation_back_above_zero_before_carrying_carries_nothing(negative):
    _store(negative, "2026-Q1", commission="500.00", clawback="-400.00")
    with pytest.raises(ValidationError) as refused:
        _carry(negative, "2026-Q1")
    assert "no deficit to carry" in refused.value.message_dict["action"][0]
    assert not CarriedDeficit.objects.exists()
    assert payout(negative, "r2", "2026-Q1").amount == Decimal("100.00")


def test_a_recalculation_of_the_original_after_carrying_keeps_the_sums(negative):
    _carry(negative, "2026-Q1")
    _store(negative, "2026-Q2", commission="1000.00")
    _store(negative, "2026-Q1", commission="150.00", clawback="-400.00")  # 50.00 more
    assert payout(negative, "r2", "2026-Q1").amount == Decimal("50.00")
    assert payout(negative, "r2", "2026-Q2").amount == Decimal("700.00")


def test_only_finance_carry_never_their_own_and_need_a_reason(negative):
    users = negative.users
    r2 = payout(negative, "r2", "2026-Q1")
    for role in ("sales_ops", "manager", "rep"):
        with pytest.raises(PermissionDenied):
            services.carry_deficits(users[role], [r2], reason="x")
    with pytest.raises(ValidationError):
        services.carry_deficits(users["finance"], [r2], reason=" ")
    Person.objects.filter(code="r2").update(user=users["finance"])  # finance's own pay
    finance = type(users["finance"]).objects.get(pk=users["finance"].pk)
    with pytest.raises(PermissionDenied, match="your own payout"):
        services.carry_deficits(finance, [r2], reason="mine")
    refusal = AuditEvent.objects.get(action="refused", content_type__model="payout")
    assert refusal.after == {"step": "carry", "state": "calculated", "rule": "own payout"}
    assert not CarriedDeficit.objects.exists()


def test_a_paid_payout_is_not_carried(negative):
    _store(negative, "2026-Q1", commission="100.00")
    through(negative, "r2", "paid", "2026-Q1")
    Payout.objects.filter(person__code="r2").update(amount=Decimal("-1.00"))
    with pytest.raises(ValidationError) as refused:
        _carry(negative, "2026-Q1")
    assert "cannot change" in refused.value.message_dict["action"][0]


def test_a_leavers_deficit_is_settled_by_finance(negative, client):
    Person.objects.filter(code="r2").update(end=datetime.date(2026, 3, 31))
    _carry(negative, "2026-Q1")
    deficit = CarriedDeficit.objects.get()
    assert list(adjustments.stranded(CarriedDeficit)) == [deficit]
    told = Notification.objects.filter(kind="deficit_stranded")
    assert {n.recipient_id for n in told} == {negative.users["admin"].pk}  # not who carried
    _title, text = render("deficit_stranded", told[0].params)
    assert "R2 has left" in text and "300.00" in text and "2026-Q1" in text
    with translation.override("zh-hans"):
        _title, text = render("deficit_stranded", told[0].params)
    assert "已离职" in text
    client.force_login(negative.users["finance"])
    section = client.get("/pay/periods/").content.decode().split('id="stranded-deficits"')[1]
    assert f'data-settle-deficit="{deficit.pk}"' in section and "-300.00" in section
    answer = client.post(
        "/pay/periods/", {"action": "settle", "deficit": deficit.pk, "reason": "final pay P-9"}
    )
    assert answer.status_code == 302
    deficit.refresh_from_db()
    assert deficit.settled_reason == "final pay P-9" and deficit.settled_by is not None
    assert not adjustments.stranded(CarriedDeficit).exists()
    _store(negative, "2026-Q2", commission="10.00")  # a last commission carries nothing
    assert payout(negative, "r2", "2026-Q2").amount == Decimal("10.00")


def test_the_register_carries_it_and_names_the_lines(negative, client):
    client.force_login(negative.users["finance"])
    address = "/pay/payouts/?period=2026-Q1"
    html = client.get(address).content.decode()
    assert '<option value="carry">Carry the deficit forward</option>' in html
    body = {"action": "carry", "period": "2026-Q1", "people": ["r2"], "reason": ""}
    refused = client.post(address, body)
    assert refused.status_code == 400
    assert "Give the reason for carrying the deficit forward." in refused.content.decode()
    answer = client.post(address, {**body, "reason": "clawback SO-9"})
    assert answer.status_code == 302
    assert payout(negative, "r2", "2026-Q1").amount == Decimal("0.00")
    row = client.get(address).content.decode().split('data-person="r2"')[1].split("</tr>")[0]
    assert "Deficit carried to a later payout" in row
    close_period(negative.users["finance"], "2026-Q1", background=False)
    run_close(PayPeriod.objects.get(period="2026-Q1").pk)
    frozen = client.get("/pay/periods/2026-Q1/").content.decode()  # the period's snapshot
    assert "Deficit carried to a later payout" in frozen
    _store(negative, "2026-Q2", commission="500.00")
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/pay/payouts/?period=2026-Q2").content.decode()
    row = html.split('data-person="r2"')[1].split("</tr>")[0]
    assert "自 2026-Q1 结转的负数差额" in row and "-300.00" in row


def test_the_api_carries_it(negative):
    api = APIClient()
    body = {"action": "carry", "period": "2026-Q1", "people": ["r2"], "reason": "SO-9"}
    api.force_authenticate(negative.users["sales_ops"])
    assert api.post("/api/pay/payouts/actions/", body, format="json").status_code == 403
    api.force_authenticate(negative.users["finance"])
    answer = api.post("/api/pay/payouts/actions/", body, format="json")
    assert answer.status_code == 200 and answer.json() == {"changed": 1}
    answer = api.get("/api/pay/payouts/?period=2026-Q1")
    [row] = [p for p in answer.json()["payouts"] if p["person"] == "r2"]
    assert row["amount"] == "0.00"
    assert {"plan": "adjustment", "component": "deficit-carried", "kind": "adjustment",
            "amount": "300.00"} in row["lines"]  # fmt: skip
    again = api.post("/api/pay/payouts/actions/", body, format="json")
    assert again.status_code == 400 and "no deficit to carry" in again.content.decode()


def test_the_api_lists_and_settles_a_leavers_deficit(negative):
    Person.objects.filter(code="r2").update(end=datetime.date(2026, 3, 31))
    _carry(negative, "2026-Q1")
    deficit = CarriedDeficit.objects.get()
    api = APIClient()
    api.force_authenticate(negative.users["finance"])
    [row] = api.get("/api/pay/deficits/stranded/").json()
    assert (row["id"], row["amount"], row["source_period"]) == (deficit.pk, "-300.00", "2026-Q1")
    settle = "/api/pay/deficits/stranded/settle/"
    answer = api.post(settle, {"deficit": deficit.pk, "reason": "final pay"}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["settled_reason"] == "final pay"
    assert api.get("/api/pay/deficits/stranded/").json() == []


def test_the_statement_shows_the_line_in_the_readers_language(negative):
    _carry(negative, "2026-Q1")
    _store(negative, "2026-Q2", commission="500.00")
    later = payout(negative, "r2", "2026-Q2")
    result = PeriodResult.objects.get(person__code="r2", period="2026-Q2")
    for language, label in [
        ("en", "Deficit carried from 2026-Q1"),
        ("zh-hans", "自 2026-Q1 结转的负数差额"),
    ]:
        doc = statements.build_document(later, result, "ACME", language)
        [adjusted] = [s.rows for s in doc.sections if s.rows and s.rows[0][0] == label]
        assert adjusted[0][-1].endswith("300.00"), adjusted
    doc = statements.build_document(payout(negative, "r2", "2026-Q1"), None, "ACME", "en")
    rows = [row for s in doc.sections for row in s.rows]
    assert any(row[0] == "Deficit carried to a later payout" for row in rows)
