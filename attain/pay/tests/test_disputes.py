"""Disputes: opening on a payout line or a record, files, the thread, the steps and
their refusals, the adjustment in the first open payout, notifications and the counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from attain.audit.models import AuditEvent
from attain.incentives.models import PeriodResult
from attain.notify.kinds import render
from attain.notify.models import Notification
from attain.pay import selectors_disputes as selectors
from attain.pay import services_disputes as services
from attain.pay import services_payouts as payouts
from attain.pay.models import PayoutState
from attain.pay.models_disputes import (
    Dispute,
    DisputeAdjustment,
    DisputeMessage,
    DisputeStatus,
)

from .payout_factories import PERIOD, dispute_line, payout, store

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def audit_count(dispute):
    return AuditEvent.objects.filter(
        content_type__model="dispute", object_id=str(dispute.pk)
    ).count()


def test_a_rep_opens_a_dispute_on_a_line(stored):
    before = timezone.now()
    dispute = dispute_line(stored, files=[SimpleUploadedFile("proof.pdf", PDF)])
    assert dispute.status == DisputeStatus.OPEN
    assert dispute.person == stored.people["r1"]
    assert dispute.line_amount == Decimal("1000.10")
    assert dispute.payout == payout(stored, "r1")
    assert dispute.assignee == stored.users["sales_ops"]  # the one sales operations login
    hours = (dispute.due_at - before).total_seconds() / 3600
    assert 71.9 < hours <= 72.1
    message = dispute.messages.get()
    assert message.event == "opened" and message.attachments.get().size == len(PDF)
    assert audit_count(dispute) == 1
    assert AuditEvent.objects.filter(content_type__model="disputeattachment").count() == 1
    note = Notification.objects.get(recipient=stored.users["sales_ops"])
    assert note.kind == "dispute_opened" and note.params["number"] == dispute.pk


def test_a_double_submitted_dispute_is_opened_once(stored, client):
    # a double click on "Open dispute" sent the form twice: two disputes, two
    # notifications to sales operations; the second now lands on the first
    client.force_login(stored.users["rep"])
    form = {
        "period": PERIOD,
        "line": "rep.commission",
        "title": "佣金少算了",
        "text": "订单 SO-42 的佣金没有算进来。",
    }
    first = client.post("/pay/disputes/new/", form)
    second = client.post("/pay/disputes/new/", form)
    dispute = Dispute.objects.get()
    assert first.url == second.url == f"/pay/disputes/{dispute.pk}/"
    assert audit_count(dispute) == 1 and dispute.messages.count() == 1
    assert Notification.objects.filter(kind="dispute_opened").count() == 1
    # another dispute on the same line, said otherwise, is a dispute of its own
    client.post("/pay/disputes/new/", {**form, "text": "还有 SO-43。"})
    assert Dispute.objects.count() == 2


def test_a_rep_opens_a_dispute_on_a_missing_record(stored):
    dispute = services.open_dispute(
        stored.users["rep"],
        subject="record",
        period="2026-Q2",
        title="Order missing",
        text="SO-77 of 12 May is not counted.",
        record_table="orders",
        record_ref="SO-77",
    )
    assert dispute.record_ref == "SO-77" and dispute.payout is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"component": "nothing"}, "component"),
        ({"title": "  "}, "title"),
        ({"text": ""}, "text"),
        ({"period": "2026 Q1\n"}, "period"),
        ({"subject": "gossip"}, "subject"),
        ({"subject": "record", "record_table": "orders", "record_ref": ""}, "record_ref"),
        ({"subject": "record", "record_table": "nope", "record_ref": "X"}, "record_table"),
    ],
)
def test_bad_input_names_the_field_and_opens_nothing(stored, fields, field):
    values = {
        "subject": "line",
        "period": PERIOD,
        "plan": "rep",
        "component": "commission",
        "title": "t",
        "text": "x",
        **fields,
    }
    with pytest.raises(ValidationError) as error:
        services.open_dispute(stored.users["rep"], **values)
    assert field in error.value.message_dict
    assert not Dispute.objects.exists()


def test_files_follow_the_evidence_rules(stored):
    html = SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError) as error:
        dispute_line(stored, files=[html])
    assert "files" in error.value.message_dict
    many = [SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(6)]
    with pytest.raises(ValidationError):
        dispute_line(stored, files=many)
    assert not Dispute.objects.exists()


def test_files_are_served_as_attachments_to_those_who_see_the_dispute(stored, client):
    dispute = dispute_line(stored, files=[SimpleUploadedFile("proof.html", PDF)])
    row = dispute.messages.get().attachments.get()
    client.force_login(stored.users["manager"])  # r1's manager reads
    answer = client.get(f"/pay/disputes/files/{row.pk}/")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"].startswith("attachment")
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert 'filename="proof.pdf"' in answer["Content-Disposition"]
    client.force_login(stored.users["executive"])
    assert client.get(f"/pay/disputes/files/{row.pk}/").status_code == 404


def test_only_the_person_opens_about_their_own_pay(stored):
    for role in ("admin", "sales_ops", "finance", "executive"):
        with pytest.raises(PermissionDenied):
            dispute_line(stored, by=role)


def test_the_thread_and_resolution_with_an_adjustment(stored):
    ops, rep = stored.users["sales_ops"], stored.users["rep"]
    dispute = dispute_line(stored)
    services.start(ops, dispute)
    services.add_message(ops, dispute, text="请提供订单号")
    services.add_message(rep, dispute, text="SO-42", files=[SimpleUploadedFile("order.pdf", PDF)])
    services.resolve(ops, dispute, amount="150.25", reason="SO-42 split corrected")
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.RESOLVED
    assert dispute.adjustment_amount == Decimal("150.25") and dispute.closed_by == ops
    events = list(dispute.messages.values_list("event", flat=True))
    assert events == ["opened", "started", "message", "message", "resolved"]
    adjustment = DisputeAdjustment.objects.get(dispute=dispute)
    assert adjustment.period == PERIOD  # the disputed payout is still open
    r1 = payout(stored, "r1")
    assert r1.amount == Decimal("1200.10") + Decimal("150.25")
    lines = {(line.plan, line.component): line.amount for line in r1.lines.all()}
    assert lines[("adjustment", f"dispute-{dispute.pk}")] == Decimal("150.25")
    # a recalculation keeps the adjustment line
    store(stored, {"r1": {"commission": "1100.10", "bonus": "200.00"}})
    r1 = payout(stored, "r1")
    assert r1.amount == Decimal("1300.10") + Decimal("150.25")
    assert r1.lines.filter(plan="adjustment").count() == 1
    # the rep is told, in their language
    note = Notification.objects.filter(recipient=rep, kind="dispute_resolved").get()
    with translation.override("zh-hans"):
        title, text = render(note.kind, note.params)
    assert title == f"您的申诉 #{dispute.pk} 已解决" and "150.25" in text
    assert audit_count(dispute) == 3  # opened, started, resolved


def test_the_adjustment_stays_in_its_payout_when_the_periods_results_go(stored):
    """The period is recalculated without results for r1 (taken off the plan for it):
    the payout drops the plan's lines but keeps the resolved dispute's line and amount
    (they vanished, and the adjustment the rep was told about was never paid)."""
    from attain.incentives.events import results_stored
    from attain.incentives.models import ComponentResult

    dispute = dispute_line(stored)
    services.resolve(stored.users["sales_ops"], dispute, amount="50.00", reason="补发")
    r1 = stored.people["r1"]
    ComponentResult.objects.filter(person=r1, period=PERIOD).delete()
    PeriodResult.objects.filter(person=r1, period=PERIOD).delete()
    results_stored.send(sender=PeriodResult, people=[r1.pk], periods=[PERIOD])
    paid = payout(stored, "r1")
    lines = {(line.plan, line.component): line.amount for line in paid.lines.all()}
    assert lines == {("adjustment", f"dispute-{dispute.pk}"): Decimal("50.00")}
    assert paid.amount == Decimal("50.00")


def test_an_adjustment_on_a_reviewed_payout_sends_it_back_to_calculated(stored):
    r1 = payout(stored, "r1")
    payouts.review_payouts(stored.users["manager"], [r1])
    dispute = dispute_line(stored)
    services.resolve(stored.users["sales_ops"], dispute, amount="-10.00", reason="double count")
    r1 = payout(stored, "r1")
    assert r1.state == PayoutState.CALCULATED and r1.amount == Decimal("1190.10")


def test_an_adjustment_waits_for_the_first_open_period(stored):
    users = stored.users
    r1 = payout(stored, "r1")
    payouts.review_payouts(users["manager"], [r1])
    payouts.approve_payouts(users["finance"], [r1])
    payouts.mark_paid(users["finance"], [r1], reference="B-1", paid_on=datetime.date(2026, 4, 15))
    dispute = dispute_line(stored)
    services.resolve(users["sales_ops"], dispute, amount="80.00", reason="missed order")
    adjustment = DisputeAdjustment.objects.get(dispute=dispute)
    assert adjustment.period == ""  # Q1 is paid, Q2 not calculated yet
    assert payout(stored, "r1").amount == Decimal("1200.10")  # nothing paid changes
    store(stored, {"r1": {"commission": "10.00"}}, period="2026-Q2")
    PeriodResult.objects.filter(period="2026-Q2").update(
        start=datetime.date(2026, 4, 1), end=datetime.date(2026, 6, 30)
    )
    payouts.sync_payouts(None)
    adjustment.refresh_from_db()
    assert adjustment.period == "2026-Q2"
    placed = AuditEvent.objects.get(
        content_type__model="disputeadjustment", object_id=str(adjustment.pk), action="update"
    )
    assert placed.after == {"period": "2026-Q2"}
    q2 = payout(stored, "r1", "2026-Q2")
    assert q2.amount == Decimal("90.00")
    assert q2.lines.filter(plan="adjustment", amount=Decimal("80.00")).exists()


def test_illegal_steps_are_refused_and_change_nothing(stored):
    ops = stored.users["sales_ops"]
    dispute = dispute_line(stored)
    services.reject(ops, dispute, explanation="The split follows the policy.")
    dispute.refresh_from_db()
    counted = (audit_count(dispute), DisputeMessage.objects.count())
    for step in (
        lambda: services.start(ops, dispute),
        lambda: services.resolve(ops, dispute, amount="1.00", reason="x"),
        lambda: services.reject(ops, dispute, explanation="again"),
        lambda: services.withdraw(stored.users["rep"], dispute),
        lambda: services.add_message(ops, dispute, text="hi"),
    ):
        with pytest.raises(ValidationError) as error:
            step()
        assert "rejected" in str(error.value)
    after = Dispute.objects.get(pk=dispute.pk)
    assert after.status == DisputeStatus.REJECTED and after.resolution == dispute.resolution
    assert (audit_count(dispute), DisputeMessage.objects.count()) == counted
    assert not DisputeAdjustment.objects.exists()


@pytest.mark.parametrize("typed", ["12,34", "1,2,3", "1,0000.00", ",5", "5,"])
def test_an_adjustment_with_misplaced_commas_is_refused_not_read_as_another_number(typed):
    # "12,34" (a decimal comma, or a slip) was paid as 1,234.00: a hundred times more
    with pytest.raises(ValidationError) as error:
        services.parse_amount(typed)
    assert "amount" in error.value.message_dict


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("1,234.50", "1234.50"), ("-1,000", "-1000.00"), ("12,345,678", "12345678.00"), ("7", "7.00")],
)
def test_an_adjustment_grouped_by_thousands_is_read(typed, amount):
    assert services.parse_amount(typed) == Decimal(amount)


def test_rejecting_needs_an_explanation_and_resolving_a_valid_amount(stored):
    ops = stored.users["sales_ops"]
    dispute = dispute_line(stored)
    with pytest.raises(ValidationError) as error:
        services.reject(ops, dispute, explanation="  ")
    assert "reason" in error.value.message_dict
    for amount in ("abc", "1.234", "NaN", "1e12"):
        with pytest.raises(ValidationError) as error:
            services.resolve(ops, dispute, amount=amount, reason="x")
        assert "amount" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.resolve(ops, dispute, amount="5", reason="")
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN and audit_count(dispute) == 1


def test_a_resolution_of_zero_writes_no_adjustment(stored):
    dispute = dispute_line(stored)
    services.resolve(stored.users["sales_ops"], dispute, amount="0", reason="Right after all")
    assert not DisputeAdjustment.objects.exists()
    assert payout(stored, "r1").amount == Decimal("1200.10")


def test_the_rep_withdraws_and_the_assignee_is_told(stored):
    dispute = dispute_line(stored)
    services.withdraw(stored.users["rep"], dispute, note="found it")
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.WITHDRAWN
    assert Notification.objects.filter(
        recipient=stored.users["sales_ops"], kind="dispute_withdrawn"
    ).exists()


def test_the_response_time_target_is_a_setting_and_overdue_is_shown(stored):
    ops = stored.users["sales_ops"]
    services.set_policy(ops, response_hours=24, assignee=stored.users["admin"])
    dispute = dispute_line(stored)
    assert dispute.assignee == stored.users["admin"]
    assert 23.9 < (dispute.due_at - dispute.opened_at).total_seconds() / 3600 <= 24
    assert not dispute.overdue
    Dispute.objects.filter(pk=dispute.pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert list(selectors.disputes(ops, overdue=True)) == [Dispute.objects.get(pk=dispute.pk)]
    assert selectors.open_counts(ops) == {"active": 1, "overdue": 1}
    with pytest.raises(ValidationError) as error:
        services.set_policy(ops, response_hours=0)
    assert "response_hours" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.set_policy(ops, response_hours=5, assignee=stored.users["rep"])
    with pytest.raises(PermissionDenied):
        services.set_policy(stored.users["finance"], response_hours=5)


def test_counts_and_time_to_resolution_per_period(stored):
    ops = stored.users["sales_ops"]
    first = dispute_line(stored)
    second = dispute_line(stored, component="bonus")
    Dispute.objects.filter(pk__in=[first.pk, second.pk]).update(
        opened_at=timezone.now() - datetime.timedelta(hours=10)
    )
    dispute_line(stored)  # as the first, 10 hours later: a dispute of its own
    services.resolve(ops, first, amount="1.00", reason="ok")
    services.reject(ops, second, explanation="no")
    (row,) = selectors.stats()
    assert (row.period, row.opened, row.active, row.resolved, row.rejected) == (PERIOD, 3, 1, 1, 1)
    assert row.adjusted == Decimal("1.00")
    assert Decimal("9.9") <= row.hours <= Decimal("10.1")


def test_visibility_of_the_list(stored):
    dispute = dispute_line(stored)
    users = stored.users
    assert list(selectors.disputes(users["manager"])) == [dispute]
    assert list(selectors.disputes(users["executive"])) == []
    assert list(selectors.disputes(users["finance"])) == [dispute]


def test_the_api_opens_with_files_and_refuses_an_illegal_step(stored):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(stored.users["rep"])
    body = {
        "subject": "line",
        "period": PERIOD,
        "plan": "rep",
        "component": "bonus",
        "title": "奖金",
        "text": "少了",
        "files": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.txt", b"note")],
    }
    answer = api.post("/api/pay/disputes/", body, format="multipart")
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert data["status"] == "open" and data["line_amount"] == "200.00"
    assert [a["name"] for a in data["messages"][0]["attachments"]] == ["a.pdf", "b.txt"]
    bad = {**body, "files": [SimpleUploadedFile("x.svg", b"<svg onload=alert(1)>")]}
    answer = api.post("/api/pay/disputes/", bad, format="multipart")
    assert answer.status_code == 400 and "files" in answer.json()["error"]["fields"]
    assert Dispute.objects.count() == 1
    ops = APIClient()
    ops.force_authenticate(stored.users["sales_ops"])
    url = f"/api/pay/disputes/{data['id']}/actions/"
    answer = ops.post(url, {"action": "resolve", "amount": "12.50", "reason": "ok"}, format="json")
    assert answer.status_code == 200 and answer.json()["adjustment_period"] == PERIOD
    answer = ops.post(url, {"action": "reject", "reason": "no"}, format="json")
    assert answer.status_code == 400
    assert "resolved" in str(answer.json()["error"]["fields"]["action"])
    assert Dispute.objects.get().status == "resolved"
    answer = ops.post(url, {"action": "resolve", "reason": "x"}, format="json")
    assert answer.status_code == 400 and "amount" in answer.json()["error"]["fields"]


def test_of_payouts_ending_the_same_day_the_shortest_takes_the_adjustment(stored):
    store(stored, {"r1": {"commission": "5.00"}}, period="2026-03")
    PeriodResult.objects.filter(period="2026-03").update(
        period_kind="month", start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 31)
    )
    dispute = dispute_line(stored)  # on the quarter, which ends on the same day
    services.resolve(stored.users["sales_ops"], dispute, amount="3.00", reason="x")
    assert DisputeAdjustment.objects.get().period == "2026-03"
    assert payout(stored, "r1", "2026-03").amount == Decimal("8.00")


def test_a_huge_amount_typed_on_the_page_is_refused_by_name(stored, client):
    dispute = dispute_line(stored)
    client.force_login(stored.users["sales_ops"])
    url = f"/pay/disputes/{dispute.pk}/"
    for amount in ("1e400", "99999999999999999999999999999", "-1e400"):
        answer = client.post(
            url, {"action": "resolve", "amount": amount, "reason": "x"}, follow=True
        )
        assert answer.status_code == 400, amount  # the page again, with what was typed
        assert "100,000,000.00" in answer.content.decode(), amount
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN and not DisputeAdjustment.objects.exists()


def test_minus_zero_is_read_as_zero():
    """The amount is told to the person as typed back (the notification): never -0.00."""
    assert str(services.parse_amount("-0")) == "0.00"


def test_the_list_page_filters_overdue_as_the_docs_write_it(stored, client):
    late = dispute_line(stored)
    dispute_line(stored, component="bonus")  # not late
    Dispute.objects.filter(pk=late.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(stored.users["sales_ops"])
    for value in ("true", "yes"):
        rows = client.get(f"/pay/disputes/?overdue={value}").context["rows"]
        assert [d.pk for d in rows] == [late.pk], value


def test_a_record_disputes_adjustment_counts_from_the_day_it_was_raised(stored):
    """A record dispute about 2026-Q1 (r1 has an open Q1 payout) raised on 10 May: its
    adjustment is paid in a payout ending on or after 10 May, not the Q1 payout's last
    day (31 March), so it does not land in a payout that ended before it was raised."""
    dispute = services.open_dispute(
        stored.users["rep"],
        subject="record",
        period=PERIOD,
        title="Order missing",
        text="SO-77 of 12 March is not counted.",
        record_table="orders",
        record_ref="SO-77",
    )
    raised = datetime.datetime(2026, 5, 10, 9, 30, tzinfo=datetime.UTC)
    Dispute.objects.filter(pk=dispute.pk).update(opened_at=raised)
    services.resolve(stored.users["sales_ops"], dispute, amount="40.00", reason="SO-77 counts")
    adjustment = DisputeAdjustment.objects.get(dispute=dispute)
    assert adjustment.after == timezone.localdate(raised)
    assert adjustment.period == ""  # no payout ends on or after 10 May yet
    assert payout(stored, "r1").amount == Decimal("1200.10")  # Q1 ended before it was raised


def test_the_thread_calls_the_opening_the_opening_in_chinese(stored, client):
    # the thread's first entry was "设立日期" ("date founded", a unit's "Opened")
    dispute = dispute_line(stored)
    client.force_login(stored.users["rep"])
    page = client.get(f"/pay/disputes/{dispute.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "设立日期" not in text and "提出申诉" in text


@pytest.mark.parametrize(
    ("form", "field", "selector"),
    [
        ({"action": "resolve", "amount": "120.005"}, "reason", 'id="resolve-form"'),
        ({"action": "reject", "reason": ""}, "reason", 'id="reject-form"'),
        ({"action": "message", "text": ""}, "text", 'id="reply"'),
    ],
)
def test_a_refused_step_keeps_what_the_handler_typed(stored, client, form, field, selector):
    # a handler wrote a long reason, mistyped the amount (or the file was refused):
    # the page said why, but the reason they wrote was gone
    dispute = dispute_line(stored)
    client.force_login(stored.users["sales_ops"])
    typed = "我核对了三张订单 <b>&</b> 😀 and wrote this carefully"
    data = {**form}
    if form["action"] == "reject":  # an explanation of blanks only: refused, kept
        typed = "   "
    data[field] = data.get(field) or typed
    if form["action"] == "message":  # a file the evidence rules refuse
        data["text"] = typed
        data["files"] = SimpleUploadedFile("x.html", b"<html><script></script></html>")
    answer = client.post(f"/pay/disputes/{dispute.pk}/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 400
    text = answer.content.decode()
    form_html = text[text.index(selector) :]
    form_html = form_html[: form_html.index("</form>")]
    if typed.strip():
        assert "我核对了三张订单 &lt;b&gt;&amp;&lt;/b&gt; 😀 and wrote this carefully" in form_html
    if form["action"] == "resolve":
        assert 'value="120.005"' in form_html
        assert "调整金额精确到分" in text
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.OPEN and not DisputeAdjustment.objects.exists()


def test_a_disputed_line_recalculated_since_shows_its_amount_now(stored, client):
    # r1 disputed commission 1,000.10; a corrected order since made it 1,100.10: the
    # handler saw only 1,000.10 and could pay the 100.00 a second time as an adjustment
    dispute = dispute_line(stored)
    assert dispute.line_amount == Decimal("1000.10")
    url = f"/pay/disputes/{dispute.pk}/"
    client.force_login(stored.users["sales_ops"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="line-now"' not in page  # unchanged: nothing more to say
    store(stored, {"r1": {"commission": "1100.10", "bonus": "200.00"}})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    now = page[page.index('id="line-now"') :]
    assert "recalculated since, now 1,100.10" in now[: now.index("</span>")]
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "此后已重新计算，现为 1,100.10" in page
    answer = client.get(f"/api{url}")
    assert (answer.json()["line_amount"], answer.json()["line_amount_now"]) == (
        "1000.10",
        "1100.10",
    )


def test_the_hours_to_the_answer_are_in_full_width_brackets_in_chinese(stored, client):
    # "2026年12月7日 19:31 (0.0 小时)": Chinese text takes full-width brackets
    dispute = dispute_line(stored)
    services.reject(stored.users["sales_ops"], dispute, explanation="数字无误")
    client.force_login(stored.users["rep"])
    url = f"/pay/disputes/{dispute.pk}/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "（0.0 小时）" in page and "(0.0 小时)" not in page
    assert "(0.0 hours)" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_refused_files_message_lists_the_kinds_with_chinese_punctuation(stored):
    # "图片（JPEG、PNG、WebP、GIF、HEIC）; PDF、纯文本…; 音频…": half-width semicolons
    dispute = dispute_line(stored)
    page = SimpleUploadedFile("x.html", b"<html><script></script></html>")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.add_message(stored.users["rep"], dispute, text="附件", files=[page])
    text = " ".join(refused.value.messages)
    assert "HEIC）；PDF" in text and "; " not in text
