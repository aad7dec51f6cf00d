"""Payout approval: states, holds, recalculation, the register's and payroll's totals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import signals
from django.utils import translation

from attain.audit.models import AuditEvent
from attain.incentives.events import results_stored
from attain.incentives.models import PeriodResult
from attain.pay import selectors_payouts as selectors
from attain.pay import services_payouts as services
from attain.pay.models import Payout, PayoutLine, PayoutState

from .payout_factories import (
    AMOUNTS,
    END,
    PAID_ON,
    PERIOD,
    START,
    payout,
    store,
    store_person,
    through,
)


def test_stored_results_become_calculated_payouts_with_lines(stored):
    r1 = payout(stored, "r1")
    assert r1.state == PayoutState.CALCULATED and r1.amount == Decimal("1200.10")
    assert {(line.component, line.amount) for line in r1.lines.all()} == {
        ("commission", Decimal("1000.10")),
        ("bonus", Decimal("200.00")),
    }
    assert Payout.objects.count() == 5
    assert AuditEvent.objects.filter(
        content_type__model="payout", object_id=str(r1.pk), action="create"
    ).exists()


def test_the_way_through_to_paid(stored):
    users = stored.users
    r1 = payout(stored, "r1")
    assert services.review_payouts(users["manager"], [r1]) == 1
    assert services.approve_payouts(users["finance"], [r1]) == 1
    services.mark_paid(users["finance"], [r1], reference="BANK-7", paid_on=PAID_ON)
    r1.refresh_from_db()
    assert (r1.state, r1.payment_reference, r1.paid_on) == ("paid", "BANK-7", PAID_ON)
    assert r1.reviewed_by == users["manager"] and r1.approved_by == users["finance"]
    states = [
        e.after["state"]
        for e in AuditEvent.objects.filter(
            content_type__model="payout", object_id=str(r1.pk), action="update"
        ).order_by("pk")
    ]
    assert states == ["reviewed", "approved", "paid"]


@pytest.mark.parametrize(
    ("state", "step"),
    [
        ("calculated", "approve"),
        ("calculated", "pay"),
        ("reviewed", "review"),
        ("reviewed", "pay"),
        ("approved", "review"),
        ("approved", "approve"),
        ("paid", "review"),
        ("paid", "approve"),
        ("paid", "pay"),
    ],
)
def test_an_illegal_step_is_refused_and_changes_nothing(stored, state, step):
    p = through(stored, "r1", state)
    r2 = through(
        stored, "r2", {"review": "calculated", "approve": "reviewed"}.get(step, "approved")
    )
    events = AuditEvent.objects.count()
    admin = stored.users["admin"]
    call = {
        "review": lambda ps: services.review_payouts(admin, ps),
        "approve": lambda ps: services.approve_payouts(stored.users["finance"], ps),
        "pay": lambda ps: services.mark_paid(admin, ps, reference="X", paid_on=PAID_ON),
    }[step]
    with pytest.raises(ValidationError) as error:
        call([r2, p])  # one legal, one not: neither moves
    assert "R1" in str(error.value)
    assert payout(stored, "r1").state == state
    assert payout(stored, "r2").state == r2.state
    assert AuditEvent.objects.count() == events


def test_a_manager_reviews_only_their_team_and_never_themself(stored):
    manager = stored.users["manager"]  # m1: r1, r2, m2, r3
    with pytest.raises(PermissionDenied):
        services.review_payouts(manager, [payout(stored, "r4")])
    with pytest.raises(PermissionDenied):
        services.review_payouts(manager, [payout(stored, "m1")])
    assert services.review_payouts(manager, [payout(stored, "r3")]) == 1


@pytest.mark.parametrize("role", ["sales_ops", "executive", "manager", "rep"])
def test_only_finance_approves_and_pays(stored, role):
    p = through(stored, "r1", "reviewed")
    with pytest.raises(PermissionDenied):
        services.approve_payouts(stored.users[role], [p])
    through(stored, "r2", "approved")
    with pytest.raises(PermissionDenied):
        services.mark_paid(
            stored.users[role], [payout(stored, "r2")], reference="X", paid_on=PAID_ON
        )


def test_paying_needs_a_reference_and_a_date(stored):
    p = through(stored, "r1", "approved")
    with pytest.raises(ValidationError) as error:
        services.mark_paid(stored.users["finance"], [p], reference=" ", paid_on=None)
    assert set(error.value.message_dict) == {"reference", "paid_on"}


def test_a_payout_is_not_paid_before_its_period_begins(stored):
    # 1900-01-01 (or 2006 for 2026) typed as the date paid of a 2026-Q1 payout was
    # stored, shown on the register and printed on the statement as "Paid on Jan. 1, 1900"
    p = through(stored, "r1", "approved")
    finance = stored.users["finance"]
    for day in [datetime.date(1900, 1, 1), datetime.date(2025, 12, 31)]:
        with pytest.raises(ValidationError) as error:
            services.mark_paid(finance, [p], reference="BANK-7", paid_on=day)
        assert error.value.message_dict["paid_on"] == [
            "The date paid is before 2026-Q1 begins (Jan. 1, 2026)."
        ]
    assert payout(stored, "r1").state == "approved"
    services.mark_paid(finance, [p], reference="BANK-7", paid_on=datetime.date(2026, 1, 1))
    assert payout(stored, "r1").state == "paid"


def test_a_hold_blocks_approval_and_payment_and_is_carried(stored):
    finance, ops = stored.users["finance"], stored.users["sales_ops"]
    p = through(stored, "r1", "reviewed")
    services.hold_payout(ops, p, reason="integrity review")
    with pytest.raises(ValidationError, match="integrity review"):
        services.approve_payouts(finance, [p])
    with pytest.raises(ValidationError):
        services.hold_payout(finance, p, reason="again")
    accrual = {r.unit_code: r for r in selectors.accrual(finance, PERIOD)}
    assert accrual["east"].held == Decimal("1200.10")  # still owed
    services.release_payout(finance, p)
    services.approve_payouts(finance, [p])
    assert payout(stored, "r1").state == "approved"


def test_holding_needs_a_reason_and_the_role(stored):
    p = payout(stored, "r1")
    with pytest.raises(ValidationError):
        services.hold_payout(stored.users["finance"], p, reason="")
    for role in ["executive", "manager", "rep"]:
        with pytest.raises(PermissionDenied):
            services.hold_payout(stored.users[role], p, reason="x")
    paid = through(stored, "r2", "paid")
    with pytest.raises(ValidationError):
        services.hold_payout(stored.users["finance"], paid, reason="late")


@pytest.mark.parametrize("state", ["reviewed", "approved"])
def test_a_recalculation_that_changes_the_amount_returns_to_calculated(stored, state):
    through(stored, "r1", state)
    store(stored, {"r1": {"commission": "1100.10", "bonus": "200.00"}})
    p = payout(stored, "r1")
    assert p.state == "calculated" and p.amount == Decimal("1300.10")
    assert p.note == {"kind": "returned", "state": state, "before": "1200.10", "after": "1300.10"}
    assert "1,200.10 → 1,300.10" in p.note_text()
    assert p.reviewed_by is None and p.approved_by is None
    event = (
        AuditEvent.objects.filter(content_type__model="payout", object_id=str(p.pk))
        .order_by("-pk")
        .first()
    )
    assert event.after["state"] == "calculated" and event.reason == p.note_text()


def test_a_recalculation_with_the_same_numbers_keeps_the_state(stored):
    through(stored, "r1", "approved")
    store(stored, AMOUNTS)
    assert payout(stored, "r1").state == "approved"


def test_a_person_moved_to_another_unit_with_the_same_money_moves_their_payout(stored):
    # r1 moves from east to west: the recalculation pays the same, but the register's
    # unit totals and payroll's cost centre must follow; the approval stays, audited
    through(stored, "r1", "approved")
    through(stored, "r2", "paid")
    pks = [
        store_person(
            stored, code, AMOUNTS[code], period=PERIOD, start=START, end=END, unit=stored.west
        )
        for code in ("r1", "r2")
    ]
    results_stored.send(sender=PeriodResult, people=pks, periods=[PERIOD])
    r1 = payout(stored, "r1")
    assert (r1.unit, r1.state, r1.amount) == (stored.west, "approved", Decimal("1200.10"))
    payroll = selectors.payroll(stored.users["finance"], PERIOD)
    assert [row[4] for row in payroll.rows] == ["west"]  # the cost centre
    event = AuditEvent.objects.filter(content_type__model="payout", object_id=str(r1.pk)).latest(
        "pk"
    )
    assert (event.before, event.after) == ({"unit": "east"}, {"unit": "west"})
    assert payout(stored, "r2").unit == stored.east  # what was paid stays as paid


def test_a_sync_with_nothing_changed_reads_rows_not_model_instances(stored):
    # a run's sync reads every payout and line of the year: instances only where
    # something changes (at 10,000 people, building them was most of the sync)
    built: list[type] = []

    def count(sender, **kwargs):
        built.append(sender)

    signals.post_init.connect(count, sender=Payout)
    signals.post_init.connect(count, sender=PayoutLine)
    try:
        report = services.sync_payouts(None)
    finally:
        signals.post_init.disconnect(count, sender=Payout)
        signals.post_init.disconnect(count, sender=PayoutLine)
    assert report == services.SyncReport() and built == []


def test_a_paid_payout_keeps_what_was_paid_and_notes_the_difference(stored):
    through(stored, "r1", "paid")
    store(stored, {"r1": {"commission": "900.00"}})
    p = payout(stored, "r1")
    assert (p.state, p.amount, p.recalculated_amount) == (
        "paid",
        Decimal("1200.10"),
        Decimal("900.00"),
    )
    assert {line.component for line in p.lines.all()} == {"commission", "bonus"}


def test_register_total_equals_payroll_total_equals_approved_sum(stored):
    finance = stored.users["finance"]
    for code in ["r1", "r2", "r3", "r4"]:
        through(stored, code, "approved")
    services.hold_payout(finance, payout(stored, "r4"), reason="dispute")
    register = selectors.register(finance, period=PERIOD)
    payroll = selectors.payroll(finance, PERIOD)
    approved = sum(
        (p.amount for p in Payout.objects.filter(state="approved", held=False)), Decimal(0)
    )
    assert approved == Decimal("1200.10") + Decimal("333.34") + Decimal("500.55")
    assert register.totals.payable == payroll.total == approved
    assert isinstance(payroll.total, Decimal)
    amount_column = payroll.header.index("amount")
    assert sum((row[amount_column] for row in payroll.rows), Decimal(0)) == approved
    assert register.totals.total == sum(
        (Decimal(v) for c in stored.people for v in AMOUNTS.get(c, {}).values()), Decimal(0)
    )


def test_register_follows_the_visibility_rule_and_filters(stored):
    users = stored.users
    codes = lambda user, **f: sorted(p.person.code for p in selectors.payouts(user, **f))  # noqa: E731
    assert codes(users["rep"]) == ["r1"]
    assert codes(users["manager"]) == ["m1", "r1", "r2", "r3"]
    assert codes(users["executive"]) == ["m1", "r1", "r2", "r3", "r4"]
    assert codes(users["finance"], unit=stored.west) == ["r4"]
    through(stored, "r2", "reviewed")
    assert codes(users["finance"], state="reviewed") == ["r2"]
    services.hold_payout(users["finance"], payout(stored, "r3"), reason="x")
    assert codes(users["finance"], held=True) == ["r3"]
    register = selectors.register(users["finance"])
    assert {code for code, _name, _t in register.by_unit} == {"east", "west"}


@pytest.mark.parametrize(
    ("header", "pay_code", "field"),
    [("金\n额", "COMM", "columns"), ("金额\t", "C\tM", "pay_code"), ("x", "A\nB,C", "pay_code")],
)
def test_a_payroll_header_or_pay_code_with_a_line_break_is_refused(stored, header, pay_code, field):
    # the API stored them: every row of the bank's file then broke across two lines, and
    # the page's text box showed the header as two lines, which no longer saved
    with pytest.raises(ValidationError) as error:
        services.set_payroll_mapping(
            stored.users["sales_ops"], [{"header": header, "source": "amount"}], pay_code
        )
    assert field in error.value.message_dict


def test_payroll_mapping_is_validated_and_used(stored):
    ops = stored.users["sales_ops"]
    with pytest.raises(ValidationError):
        services.set_payroll_mapping(ops, [{"header": "工号", "source": "employee_id"}], "C1")
    with pytest.raises(ValidationError):
        services.set_payroll_mapping(ops, [{"header": "x", "source": "salary"}], "C1")
    with pytest.raises(PermissionDenied):
        services.set_payroll_mapping(stored.users["manager"], [], "C1")
    services.set_payroll_mapping(
        ops,
        [
            {"header": "工号", "source": "employee_id"},
            {"header": "金额", "source": "amount"},
            {"header": "代码", "source": "pay_code"},
            {"header": "成本中心", "source": "cost_centre"},
        ],
        "BONUS",
    )
    through(stored, "r1", "approved")
    payroll = selectors.payroll(stored.users["finance"], PERIOD)
    assert payroll.header == ["工号", "金额", "代码", "成本中心"]
    assert payroll.rows == [["r1", Decimal("1200.10"), "BONUS", "east"]]


def test_a_recalculation_of_a_calculated_payout_replaces_amount_and_lines(stored):
    store(stored, {"r2": {"commission": "400.00", "extra": "1.00"}})
    p = payout(stored, "r2")
    assert (p.state, p.amount) == ("calculated", Decimal("401.00"))
    assert {(line.component, line.amount) for line in p.lines.all()} == {
        ("commission", Decimal("400.00")),
        ("extra", Decimal("1.00")),
    }
    assert p.note == {"kind": "recalculated", "before": "333.34", "after": "401.00"}
    events = AuditEvent.objects.filter(content_type__model="payout", object_id=str(p.pk))
    event = events.order_by("pk").last()
    assert event.before["amount"] == "333.34" and event.after["amount"] == "401.00"


@pytest.mark.django_db(transaction=True)
def test_an_integrity_hold_holds_the_payout_and_lifting_it_releases_it(company):
    """Sales ops confirms an integrity alert with a hold: the rep's unpaid payout for the
    alert's period is held with the reason, audited as theirs; lifting the alert's hold
    releases only what it held."""
    from attain.integrity import services as integrity
    from attain.integrity.models import Alert

    store(company, AMOUNTS)
    alert = _alert(company, "r1", PERIOD)
    ops = company.users["sales_ops"]
    integrity.decide(ops, alert, confirm=True, reason="刷单 confirmed", hold=True)
    held = payout(company, "r1")
    assert held.held and "刷单 confirmed" in held.hold_reason
    assert held.hold_source == f"integrity:{alert.pk}"
    assert not payout(company, "r2").held
    with pytest.raises(ValidationError):
        services.approve_payouts(company.users["finance"], [held])
    integrity.release_hold(ops, Alert.objects.get(pk=alert.pk), reason="cleared")
    assert not payout(company, "r1").held


def _alert(company, code: str, period: str, detector: str = "wash_orders"):
    """An integrity alert of ``detector`` about ``code`` in ``period``, not yet decided."""
    from attain.integrity.models import Alert

    alert = Alert.objects.create(
        key=f"t-{detector}-{code}-{period}",
        detector=detector,
        period=period,
        score=Decimal("0.9"),
        reason_en="e",
        reason_zh="z",
        people_codes=[code],
    )
    alert.people.set([company.people[code]])
    return alert


def _store_month(company, code: str, month: int) -> None:
    import calendar
    import datetime

    from attain.incentives.events import results_stored
    from attain.incentives.models import PeriodResult

    from .payout_factories import store_person

    last = calendar.monthrange(2026, month)[1]
    pk = store_person(
        company,
        code,
        {"commission": "100.00"},
        period=f"2026-{month:02d}",
        start=datetime.date(2026, month, 1),
        end=datetime.date(2026, month, last),
        unit=company.east,
    )
    results_stored.send(sender=PeriodResult, people=[pk], periods=[f"2026-{month:02d}"])


@pytest.mark.django_db(transaction=True)
def test_an_integrity_hold_on_a_quarter_holds_a_monthly_plans_payouts(company):
    """A company paying monthly: an alert on 2026-Q1 confirmed with a hold holds the
    rep's payouts of January to March (not April's); lifting it releases them."""
    from attain.integrity import services as integrity
    from attain.integrity.models import Alert

    for month in (1, 2, 3, 4):
        _store_month(company, "r1", month)
    alert = _alert(company, "r1", "2026-Q1")
    ops = company.users["sales_ops"]
    integrity.decide(ops, alert, confirm=True, reason="刷单", hold=True)
    held = {p.period: p.held for p in Payout.objects.filter(person=company.people["r1"])}
    assert held == {"2026-01": True, "2026-02": True, "2026-03": True, "2026-04": False}
    integrity.release_hold(ops, Alert.objects.get(pk=alert.pk), reason="cleared")
    assert not Payout.objects.filter(held=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_payout_calculated_after_the_hold_is_held_too(company):
    """The alert is confirmed with a hold before the quarter is calculated: the payout
    the calculation then creates is held for it, not payable."""
    from attain.integrity import services as integrity

    alert = _alert(company, "r1", PERIOD)
    integrity.decide(company.users["sales_ops"], alert, confirm=True, reason="虚报客户", hold=True)
    store(company, AMOUNTS)
    held = payout(company, "r1")
    assert held.held and held.hold_source == f"integrity:{alert.pk}"
    assert "虚报客户" in held.hold_reason
    assert not payout(company, "r2").held
    with pytest.raises(ValidationError):
        services.approve_payouts(company.users["finance"], [held])


def test_the_payroll_paid_api_pays_only_the_people_of_the_export(stored):
    from rest_framework.test import APIClient

    for code in ["r1", "r2"]:
        through(stored, code, "approved")
    api = APIClient()
    api.force_authenticate(stored.users["finance"])
    exported = api.get(f"/api/pay/payroll/?period={PERIOD}").json()
    people = [row[0] for row in exported["rows"]]
    assert sorted(people) == ["r1", "r2"]
    through(stored, "r3", "approved")  # approved after the export
    body = {"period": PERIOD, "reference": "B-9", "paid_on": "2026-04-15", "people": people}
    answer = api.post("/api/pay/payroll/paid/", body, format="json")
    assert answer.status_code == 200 and answer.json() == {"changed": 2}
    assert payout(stored, "r3").state == "approved"
    body["people"] = ["r9"]
    answer = api.post("/api/pay/payroll/paid/", body, format="json")
    assert answer.status_code == 400 and "r9" in str(answer.json())


@pytest.mark.parametrize(
    "back",
    [
        {"commission": "1100.10", "bonus": "100.00"},  # split otherwise
        {"commission": "1000.10", "bonus": "200.00"},  # split as it was paid
    ],
)
def test_a_paid_payout_recalculated_back_to_its_total_drops_the_later_amount(stored, back):
    """Paid 1200.10 (commission 1000.10 + bonus 200.00), recalculated to 900.00, then
    back to 1200.10: the register no longer shows 900.00 as the amount after a later
    recalculation, nor the note that says so."""
    through(stored, "r1", "paid")
    store(stored, {"r1": {"commission": "900.00"}})
    assert payout(stored, "r1").recalculated_amount == Decimal("900.00")
    store(stored, {"r1": back})
    p = payout(stored, "r1")
    assert (p.state, p.amount, p.recalculated_amount, p.note) == (
        "paid",
        Decimal("1200.10"),
        None,
        {},
    )


@pytest.mark.django_db(transaction=True)
def test_an_integrity_hold_is_lifted_on_its_alert_not_in_the_register(company):
    """A finance login that is also the flagged person cannot release the hold from the
    payout register: the alert decides (and would still say it holds the payout)."""
    from attain.integrity import services as integrity

    store(company, AMOUNTS)
    alert = _alert(company, "r1", PERIOD)
    integrity.decide(company.users["sales_ops"], alert, confirm=True, reason="刷单", hold=True)
    held = payout(company, "r1")
    with pytest.raises(ValidationError):
        services.release_payout(company.users["finance"], held, reason="mine")
    assert payout(company, "r1").held


@pytest.mark.django_db(transaction=True)
def test_lifting_one_alert_keeps_the_hold_of_another_on_the_same_payout(company):
    """Two confirmed alerts hold r1's payout: lifting the first leaves it held for the
    second (audited); lifting the second releases it."""
    from attain.integrity import services as integrity
    from attain.integrity.models import Alert

    store(company, AMOUNTS)
    ops = company.users["sales_ops"]
    first = _alert(company, "r1", PERIOD)
    second = _alert(company, "r1", PERIOD, detector="shell_customers")
    integrity.decide(ops, first, confirm=True, reason="刷单", hold=True)
    integrity.decide(ops, second, confirm=True, reason="虚报客户", hold=True)
    integrity.release_hold(ops, Alert.objects.get(pk=first.pk), reason="cleared")
    held = payout(company, "r1")
    assert held.held and held.hold_source == f"integrity:{second.pk}"
    assert "虚报客户" in held.hold_reason
    integrity.release_hold(ops, Alert.objects.get(pk=second.pk), reason="cleared too")
    assert not payout(company, "r1").held


@pytest.mark.django_db(transaction=True)
def test_a_register_hold_released_under_a_confirmed_alert_stays_held_for_the_alert(company):
    """Finance held r1's payout (bank details) before an alert on r1 was confirmed with
    a hold: releasing the register's hold leaves it held, now for the alert."""
    from attain.integrity import services as integrity

    store(company, AMOUNTS)
    finance = company.users["finance"]
    services.hold_payout(finance, payout(company, "r1"), reason="bank details missing")
    alert = _alert(company, "r1", PERIOD)
    integrity.decide(company.users["sales_ops"], alert, confirm=True, reason="刷单", hold=True)
    services.release_payout(finance, payout(company, "r1"), reason="bank details in")
    held = payout(company, "r1")
    assert held.held and held.hold_source == f"integrity:{alert.pk}"
    with pytest.raises(ValidationError):
        services.approve_payouts(finance, [held])


def test_the_payroll_paid_api_refuses_an_amount_changed_since_the_export(stored):
    """The export's amounts sent back with ``amounts``: r1's payout recalculated and
    approved again since is refused by name with both amounts, and nothing is paid."""
    from rest_framework.test import APIClient

    for code in ["r1", "r2"]:
        through(stored, code, "approved")
    api = APIClient()
    api.force_authenticate(stored.users["finance"])
    exported = api.get(f"/api/pay/payroll/?period={PERIOD}").json()
    amounts = {row[0]: row[2] for row in exported["rows"]}
    assert amounts == {"r1": "1200.10", "r2": "333.34"}
    store(stored, {"r1": {"commission": "1500.10", "bonus": "200.00"}})  # meanwhile
    through(stored, "r1", "approved")
    body = {"period": PERIOD, "reference": "B-9", "paid_on": "2026-04-15"}
    body |= {"people": sorted(amounts), "amounts": amounts}
    answer = api.post("/api/pay/payroll/paid/", body, format="json")
    assert answer.status_code == 400, answer.content
    assert "1,200.10" in str(answer.json()) and "1,700.10" in str(answer.json())
    assert not Payout.objects.filter(state="paid").exists()
    body["amounts"] = {"r1": "1700.10", "r2": "333.34"}
    answer = api.post("/api/pay/payroll/paid/", body, format="json")
    assert answer.status_code == 200 and answer.json() == {"changed": 2}


@pytest.mark.django_db(transaction=True)
def test_a_hold_on_payouts_already_paid_says_so(company, client):
    """January and February of the alert's quarter are paid: the hold can stop only
    March's. The reviewer is told which payouts were already paid (and how to take the
    money back) instead of reading that the payout is held."""
    from attain.integrity import services as integrity

    from .payout_factories import through

    for month in (1, 2, 3):
        _store_month(company, "r1", month)
    for month in (1, 2):
        through(company, "r1", "paid", f"2026-{month:02d}")
    alert = _alert(company, "r1", "2026-Q1")
    ops = company.users["sales_ops"]
    client.force_login(ops)
    response = client.post(
        f"/integrity/{alert.pk}/",
        {"decision": "confirm", "reason": "刷单", "hold": "on"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        follow=True,
    )
    page = response.content.decode()
    held = {p.period: p.held for p in Payout.objects.filter(person=company.people["r1"])}
    assert held == {"2026-01": False, "2026-02": False, "2026-03": True}
    r1 = company.people["r1"]
    assert "2 笔已发放的奖金无法暂扣" in page, page[page.find("messages") :][:800]
    assert f"{r1.name}（2026-01、2026-02）" in page
    # the same in English, from the service itself
    other = _alert(company, "r1", "2026-Q1-b")
    other.period = "2026-Q1"
    other.save()
    with translation.override("en"):
        said = integrity.decide(ops, other, confirm=True, reason="again", hold=True)
    assert said == [
        f"2 payouts already paid cannot be held: {r1.name} (2026-01, 2026-02). To take "
        "the money back, confirm with “Stop these records counting” (the clawback)."
    ]
    # a hold that catches everything says nothing more
    third = _alert(company, "r2", "2026-Q1")
    assert integrity.decide(ops, third, confirm=True, reason="x", hold=True) == []


def test_a_calculation_audits_each_payout_by_person_and_period(stored):
    # the audit trail names the payout a calculation created or changed ("r1 2026-Q1",
    # as a review or a hold does), not its database id, which tells a reader nothing
    r1 = payout(stored, "r1")
    label = f"{r1.person.code} {PERIOD}"
    created = AuditEvent.objects.get(
        content_type__model="payout", object_id=str(r1.pk), action="create"
    )
    assert created.object_repr == label
    store(stored, {"r1": {"commission": "1100.10", "bonus": "200.00"}})
    changed = AuditEvent.objects.filter(content_type__model="payout", object_id=str(r1.pk)).latest(
        "pk"
    )
    assert changed.reason == "Recalculated" and changed.object_repr == label
