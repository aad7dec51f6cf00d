"""Period close: frozen snapshots, prior-period adjustments, reopening, and who may."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attain.audit.models import AuditEvent
from attain.incentives.events import results_stored
from attain.incentives.models import PeriodResult
from attain.pay import selectors_payouts as selectors
from attain.pay import services_close as close
from attain.pay.models import Payout, PayoutState
from attain.pay.models_close import Adjustment, ClosedResult, PayPeriod, PeriodState

from .payout_factories import payout, store_person, through

QUARTERS = {
    "2026-Q1": (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)),
    "2026-Q2": (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
    "2026-Q3": (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
    "2026-Q4": (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)),
    "2026": (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
}
PAID_ON = datetime.date(2026, 10, 15)


def store(company, code: str, period: str, components: dict[str, str]) -> None:
    """Stored results of ``code`` for ``period`` (plan "rep"), as a calculation stores
    them, then ``results_stored`` as incentives sends it."""
    start, end = QUARTERS[period]
    total = sum((Decimal(v) for v in components.values()), Decimal(0))
    pk = store_person(
        company,
        code,
        components,
        period=period,
        start=start,
        end=end,
        unit=company.east,
        explanation=f'{{"payout": "{total}"}}',
    )
    results_stored.send(sender=PeriodResult, people=[pk], periods=[period])


def closed(company, period, role="sales_ops"):
    row = close.close_period(company.users[role], period)
    return close.run_close(row.pk)


@pytest.fixture
def quarters(company):
    for code, q1, q2, q3 in [
        ("r1", "1000.10", "500.00", "300.00"),
        ("r2", "333.33", "100.00", "0.01"),
    ]:
        store(company, code, "2026-Q1", {"commission": q1, "bonus": "50.00"})
        store(company, code, "2026-Q2", {"commission": q2})
        store(company, code, "2026-Q3", {"commission": q3})
    return company


def lines(p):
    return {(line.plan, line.component): line.amount for line in p.lines.all()}


def test_closing_freezes_a_snapshot_per_person_and_component(quarters):
    row = closed(quarters, "2026-Q1")
    assert row.state == PeriodState.CLOSED and row.progress == 100
    assert row.people == 2 and row.total == Decimal("1050.10") + Decimal("383.33")
    assert row.plan_versions == {} and len(row.data_fingerprint) == 64
    assert len(row.results_fingerprint) == 64 and row.closed_at is not None
    r1 = ClosedResult.objects.get(pay_period=row, person=quarters.people["r1"])
    assert r1.amount == Decimal("1050.10") and r1.explanation == '{"payout": "1050.10"}'
    assert {(c.component, c.amount) for c in r1.lines.all()} == {
        ("commission", Decimal("1000.10")),
        ("bonus", Decimal("50.00")),
    }
    assert close.is_closed("2026-Q1") and not close.is_closed("2026-Q2")
    events = AuditEvent.objects.filter(content_type__model="payperiod", object_id=str(row.pk))
    assert [e.after["state"] for e in events.order_by("pk")] == ["closing", "closed"]


def test_a_change_into_a_closed_period_makes_one_adjustment_in_the_next_open(quarters):
    closed(quarters, "2026-Q1")
    q1_before = payout(quarters, "r1", "2026-Q1")
    store(quarters, "r1", "2026-Q1", {"commission": "1200.35", "bonus": "50.00"})
    q1 = payout(quarters, "r1", "2026-Q1")
    assert (q1.amount, lines(q1), q1.updated_at) == (
        Decimal("1050.10"),
        {("rep", "commission"): Decimal("1000.10"), ("rep", "bonus"): Decimal("50.00")},
        q1_before.updated_at,
    )
    q2 = payout(quarters, "r1", "2026-Q2")
    assert q2.amount == Decimal("700.25")
    assert lines(q2) == {
        ("rep", "commission"): Decimal("500.00"),
        ("", "2026-Q1"): Decimal("200.25"),
    }
    [adjustment] = Adjustment.objects.all()
    assert adjustment.payout == q2 and adjustment.amount == Decimal("200.25")
    assert adjustment.components == [
        {
            "plan": "rep",
            "component": "commission",
            "kind": "commission",
            "before": "1000.10",
            "after": "1200.35",
            "amount": "200.25",
        }
    ]
    assert [line.component for line in close.adjustment_lines(q2)] == ["2026-Q1"]
    # Editing again updates the same adjustment, never a second one.
    store(quarters, "r1", "2026-Q1", {"commission": "900.00", "bonus": "60.00"})
    [again] = Adjustment.objects.all()
    assert again.pk == adjustment.pk and again.amount == Decimal("-90.10")
    assert {c["component"]: c["amount"] for c in again.components} == {
        "commission": "-100.10",
        "bonus": "10.00",
    }
    q2 = payout(quarters, "r1", "2026-Q2")
    assert q2.amount == Decimal("409.90") and lines(q2)[("", "2026-Q1")] == Decimal("-90.10")
    # Back to the closed numbers: the adjustment is withdrawn.
    store(quarters, "r1", "2026-Q1", {"commission": "1000.10", "bonus": "50.00"})
    assert not Adjustment.objects.exists()
    q2 = payout(quarters, "r1", "2026-Q2")
    assert q2.amount == Decimal("500.00") and ("", "2026-Q1") not in lines(q2)


def test_an_approved_target_goes_back_and_totals_agree_to_the_cent(quarters):
    users = quarters.users
    closed(quarters, "2026-Q1")
    through(quarters, "r2", "approved", "2026-Q2")
    store(quarters, "r2", "2026-Q1", {"commission": "333.34", "bonus": "50.00"})
    q2 = payout(quarters, "r2", "2026-Q2")
    assert q2.state == PayoutState.CALCULATED and q2.note["kind"] == "returned"
    assert q2.amount == Decimal("100.01")
    through(quarters, "r2", "approved", "2026-Q2")
    register = selectors.register(users["finance"], period="2026-Q2")
    payroll = selectors.payroll(users["finance"], "2026-Q2")
    approved = sum(
        (p.amount for p in Payout.objects.filter(period="2026-Q2", state="approved")), Decimal(0)
    )
    assert register.totals.payable == payroll.total == approved == Decimal("100.01")
    table = selectors.register_rows(register.rows)
    assert ["adjustment", "2026-Q1", Decimal("0.01")] in [row[7:10] for row in table]
    accrual = selectors.accrual(users["finance"], "2026-Q2")
    assert sum((r.total for r in accrual), Decimal(0)) == Decimal("600.01")


def test_a_paid_adjustment_is_settled_and_a_later_change_adds_what_is_missing(quarters):
    closed(quarters, "2026-Q1")
    store(quarters, "r1", "2026-Q1", {"commission": "1100.10", "bonus": "50.00"})
    through(quarters, "r1", "paid", "2026-Q2", paid_on=PAID_ON)
    store(quarters, "r1", "2026-Q1", {"commission": "1150.10", "bonus": "50.00"})
    q2 = payout(quarters, "r1", "2026-Q2")
    assert q2.amount == Decimal("600.00") and q2.state == "paid"
    first, second = Adjustment.objects.order_by("pk")
    assert (first.payout, first.amount) == (q2, Decimal("100.00"))
    assert second.payout == payout(quarters, "r1", "2026-Q3") and second.amount == Decimal("50.00")
    assert second.components[0]["before"] == "1100.10"
    assert payout(quarters, "r1", "2026-Q3").amount == Decimal("350.00")


def test_a_paid_payout_in_an_open_period_is_adjusted_in_the_next(quarters):
    through(quarters, "r2", "paid", "2026-Q1", paid_on=PAID_ON)
    store(quarters, "r2", "2026-Q1", {"commission": "333.33", "bonus": "40.00"})
    q1 = payout(quarters, "r2", "2026-Q1")
    assert q1.amount == Decimal("383.33") and q1.recalculated_amount == Decimal("373.33")
    assert payout(quarters, "r2", "2026-Q2").amount == Decimal("90.00")


def test_results_in_a_closed_period_without_a_payout_are_adjusted(quarters):
    closed(quarters, "2026-Q1")
    store(quarters, "r3", "2026-Q2", {"commission": "10.00"})
    store(quarters, "r3", "2026-Q1", {"commission": "25.50"})
    assert not Payout.objects.filter(person=quarters.people["r3"], period="2026-Q1").exists()
    assert payout(quarters, "r3", "2026-Q2").amount == Decimal("35.50")


def test_reopening_needs_a_reason_and_then_the_period_follows_the_results(quarters):
    users = quarters.users
    closed(quarters, "2026-Q1")
    store(quarters, "r1", "2026-Q1", {"commission": "1200.35", "bonus": "50.00"})
    assert payout(quarters, "r1", "2026-Q2").amount == Decimal("700.25")
    with pytest.raises(ValidationError) as error:
        close.reopen_period(users["sales_ops"], "2026-Q1", reason="  ")
    assert set(error.value.message_dict) == {"reason"}
    assert close.is_closed("2026-Q1")
    close.reopen_period(users["sales_ops"], "2026-Q1", reason="审计更正")
    assert not close.is_closed("2026-Q1") and not Adjustment.objects.exists()
    assert payout(quarters, "r1", "2026-Q1").amount == Decimal("1250.35")
    assert payout(quarters, "r1", "2026-Q2").amount == Decimal("500.00")
    row = PayPeriod.objects.get(period="2026-Q1")
    event = AuditEvent.objects.filter(content_type__model="payperiod").order_by("pk").last()
    assert event.reason == "审计更正" and event.after["state"] == "open"
    assert row.reopened_by == users["sales_ops"]
    # Closed again: a fresh snapshot of the numbers now.
    row = closed(quarters, "2026-Q1")
    assert ClosedResult.objects.get(pay_period=row, person=quarters.people["r1"]).amount == Decimal(
        "1250.35"
    )


@pytest.mark.parametrize(
    ("period", "field", "message"),
    [
        ("2026-Q4", "period", "no payouts"),
        ("not a period!", "period", "2026-Q3"),
        ("2026-Q1", "period", "already closed"),
    ],
)
def test_illegal_closes_are_refused_and_change_nothing(quarters, period, field, message):
    closed(quarters, "2026-Q1")
    count = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        close.close_period(quarters.users["finance"], period)
    assert message in " ".join(error.value.message_dict[field])
    assert AuditEvent.objects.count() == count
    assert PayPeriod.objects.count() == 1


def test_a_period_that_has_not_ended_cannot_be_closed(quarters, monkeypatch):
    monkeypatch.setattr(
        "attain.pay.services_close.timezone.localdate", lambda: datetime.date(2026, 6, 30)
    )
    with pytest.raises(ValidationError) as error:
        close.close_period(quarters.users["finance"], "2026-Q2")
    assert "only after it ends" in error.value.message_dict["period"][0]
    assert not PayPeriod.objects.exists()


def test_reopening_an_open_period_is_refused(quarters):
    with pytest.raises(ValidationError) as error:
        close.reopen_period(quarters.users["admin"], "2026-Q1", reason="x")
    assert "not closed" in error.value.message_dict["period"][0]


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_the_api_asks_for_the_reason_for_reopening_in_its_own_words(quarters, body):
    # before: "This field is required." / "This field may not be blank." (DRF's words,
    # spaces trimmed to blank), not the ones docs/pay.md gives
    from rest_framework.test import APIClient

    closed(quarters, "2026-Q1")
    api = APIClient()
    api.force_authenticate(quarters.users["sales_ops"])
    answer = api.post(
        "/api/pay/periods/reopen/",
        {"period": "2026-Q1", **body},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["reason"] == ["请填写重新开放该期间的原因。"]
    assert close.is_closed("2026-Q1")


ROLE_MATRIX = [
    # role, close, reopen
    ("admin", True, True),
    ("sales_ops", True, True),
    ("finance", True, False),
    ("executive", False, False),
    ("manager", False, False),
    ("rep", False, False),
]


@pytest.mark.parametrize(("role", "may_close", "may_reopen"), ROLE_MATRIX)
def test_who_may_close_and_reopen(quarters, role, may_close, may_reopen):
    user = quarters.users[role]
    if may_close:
        assert close.run_close(close.close_period(user, "2026-Q1").pk).state == "closed"
    else:
        with pytest.raises(PermissionDenied):
            close.close_period(user, "2026-Q1")
        closed(quarters, "2026-Q1")
    count = AuditEvent.objects.count()
    if may_reopen:
        assert close.reopen_period(user, "2026-Q1", reason="fix").state == "open"
    else:
        with pytest.raises(PermissionDenied):
            close.reopen_period(user, "2026-Q1", reason="fix")
        assert close.is_closed("2026-Q1") and AuditEvent.objects.count() == count


def test_the_adjustment_goes_to_the_shortest_period_among_those_ending_first(quarters):
    store(quarters, "r2", "2026", {"annual": "1000.00"})
    store(quarters, "r2", "2026-Q4", {"commission": "10.00"})
    closed(quarters, "2026-Q3")
    store(quarters, "r2", "2026-Q3", {"commission": "5.01"})
    [adjustment] = Adjustment.objects.all()
    assert adjustment.payout.period == "2026-Q4" and adjustment.amount == Decimal("5.00")
    assert payout(quarters, "r2", "2026").amount == Decimal("1000.00")


def test_a_close_whose_worker_died_goes_back_to_open_and_can_be_closed_again(quarters):
    row = close.close_period(quarters.users["finance"], "2026-Q1")
    PayPeriod.objects.filter(pk=row.pk).update(worker="elsewhere:1", heartbeat_at=None)
    assert close.fail_abandoned_closes() == 0  # another host, no heartbeat yet: waits
    PayPeriod.objects.filter(pk=row.pk).update(
        heartbeat_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    assert close.fail_abandoned_closes() == 1
    row.refresh_from_db()
    assert row.state == "open" and "stopped before it finished" in row.problems[0]
    assert not ClosedResult.objects.exists()
    assert closed(quarters, "2026-Q1").state == "closed"


def test_a_dispute_on_a_reopened_period_a_paid_adjustment_froze_is_paid_in_an_open_payout(
    quarters,
):
    """Reopened, 2026-Q1 stays frozen for r1 (a paid adjustment settled it): a dispute
    resolved on it is paid in the first payout that still takes changes, not written
    into the frozen one, where it was never paid."""
    from attain.pay import services_disputes
    from attain.pay.models_disputes import DisputeAdjustment

    users = quarters.users
    closed(quarters, "2026-Q1")
    store(quarters, "r1", "2026-Q1", {"commission": "1100.10", "bonus": "50.00"})
    through(quarters, "r1", "paid", "2026-Q2", paid_on=PAID_ON)
    close.reopen_period(users["sales_ops"], "2026-Q1", reason="审计更正")
    assert payout(quarters, "r1", "2026-Q1").amount == Decimal("1050.10")  # still frozen
    dispute = services_disputes.open_dispute(
        users["rep"],
        subject="line",
        period="2026-Q1",
        plan="rep",
        component="bonus",
        title="奖金少算了",
        text="应为 80.00",
    )
    services_disputes.resolve(users["sales_ops"], dispute, amount="30.00", reason="补发")
    [row] = DisputeAdjustment.objects.all()
    assert row.period == "2026-Q3"
    q3 = payout(quarters, "r1", "2026-Q3")
    assert lines(q3)[("adjustment", f"dispute-{dispute.pk}")] == Decimal("30.00")
    assert q3.amount == Decimal("330.00")


@pytest.mark.parametrize(
    ("language", "day"), [("en", "June 30, 2026"), ("zh-hans", "2026年6月30日")]
)
def test_the_refusal_writes_the_last_day_for_the_reader(quarters, monkeypatch, language, day):
    from django.utils import translation

    monkeypatch.setattr(
        "attain.pay.services_close.timezone.localdate", lambda: datetime.date(2026, 6, 30)
    )
    with translation.override(language), pytest.raises(ValidationError) as error:
        close.close_period(quarters.users["finance"], "2026-Q2")
    message = error.value.message_dict["period"][0]
    assert day in message and "2026-06-30" not in message


def _approved_rep_plan(effective_from: str, effective_to: str):
    import copy

    from attain.incentives import governance
    from attain.incentives import services as plans
    from attain.incentives.tests.conftest import REP_PLAN

    document = copy.deepcopy(REP_PLAN)
    document["effective"] = {"from": effective_from, "to": effective_to}
    version = plans.save_plan_version(None, document)
    governance.submit_plan_version(None, version)
    governance.approve_plan_version(None, version)
    return version


def test_activating_a_version_effective_in_a_closed_period_warns_on_the_page(quarters, client):
    """docs/pay.md, "Period close": a closed period's payouts are frozen; what a new
    plan version changes there is paid as a prior-period adjustment. Activating one
    effective in a closed period says so, in the reader's language."""
    closed(quarters, "2026-Q1")
    version = _approved_rep_plan("2026-03-01", "2026-12-31")
    client.force_login(quarters.users["sales_ops"])
    answer = client.post(
        f"/performance/plans/{version.plan.code}/v{version.number}/activate/",
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    version.refresh_from_db()
    assert version.status == "active"
    warnings = [str(m) for m in answer.context["messages"] if m.level_tag == "warning"]
    [warning] = [w for w in warnings if "2026-Q1" in w]
    assert "closed" in warning and "will not change" in warning
    assert "March 1, 2026" in warning and "2026-Q2" not in warning


def test_the_api_warns_in_chinese_and_not_for_open_periods(quarters):
    from rest_framework.test import APIClient

    closed(quarters, "2026-Q1")
    api = APIClient()
    api.force_authenticate(quarters.users["sales_ops"])
    later = _approved_rep_plan("2026-04-01", "2026-12-31")  # after the closed Q1
    answer = api.post(
        f"/api/plans/{later.plan.code}/versions/{later.number}/activate/", {}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert not [w for w in answer.json()["warnings"] if "2026-Q1" in w]
    closed(quarters, "2026-Q2")
    earlier = _approved_rep_plan("2026-01-01", "2026-12-31")
    answer = api.post(
        f"/api/plans/{earlier.plan.code}/versions/{earlier.number}/activate/",
        {},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert answer.status_code == 200, answer.content
    [warning] = [w for w in answer.json()["warnings"] if "2026-Q1" in w]
    assert "已关账" in warning and "2026年1月1日" in warning
    assert "2026-Q1、2026-Q2" in warning and earlier.plan.name in warning


def test_the_audit_trail_names_an_adjustment_by_person_and_period(quarters):
    # "r1 2026-Q1", not the person's database id ("7 2026-Q1"), for each of its events
    closed(quarters, "2026-Q1")
    store(quarters, "r1", "2026-Q1", {"commission": "1200.35", "bonus": "50.00"})
    store(quarters, "r1", "2026-Q1", {"commission": "1000.10", "bonus": "50.00"})
    events = AuditEvent.objects.filter(content_type__model="adjustment").order_by("pk")
    assert [e.action for e in events] == ["create", "delete"]
    assert {e.object_repr for e in events} == {"r1 2026-Q1"}
