"""Scans store alerts from the records; reviewers assign, confirm with a hold or dismiss,
every change audited; the rep sees only their own hold notice."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from attain.audit.models import AuditEvent
from attain.crm.models import Contact, Customer, Order
from attain.integrity import services
from attain.integrity.models import Alert, Status


@pytest.fixture
def gamed(company):
    """r1 books the same order twice (customer, amount and day): a duplicate."""
    customer = Customer.objects.create(
        external_id="C1",
        name="客户一",
        owner=company.people["r1"],
        created_on=datetime.date(2025, 10, 1),
    )
    Contact.objects.create(external_id="K1", customer=customer, name="王", phone="13900000000")
    for number in (1, 2):
        Order.objects.create(
            external_id=f"O{number}",
            customer=customer,
            owner=company.people["r1"],
            date=datetime.date(2025, 11, 5),
            amount=Decimal("1234.56"),
        )
    return company


def test_scan_stores_alerts_once(gamed):
    outcome = services.scan(None, periods=["2025-Q4"])
    assert outcome.created == 1
    alert = Alert.objects.get()
    assert (alert.detector, alert.people_codes, alert.period) == ("amounts", ["r1"], "2025-Q4")
    assert {r["external_id"] for r in alert.records} == {"O1", "O2"}
    assert "完全相同" in alert.reason_zh and "customer, amount and day" in alert.reason_en
    assert services.scan(None, periods=["2025-Q4"]).created == 0  # a rescan adds no copy
    assert AuditEvent.objects.filter(reason="integrity scan").count() == 1


def test_small_or_empty_data_raise_nothing(company):
    assert services.scan(None, periods=["2025-Q4"]).created == 0


def test_unknown_period_is_refused(company):
    with pytest.raises(ValidationError):
        services.scan(None, periods=["not-a-period"])


def test_review_workflow_is_audited(gamed):
    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    ops, rep = gamed.users["sales_ops"], gamed.users["rep"]
    with pytest.raises(PermissionDenied):
        services.decide(rep, alert, confirm=True, reason="x")
    with pytest.raises(ValidationError):
        services.decide(ops, alert, confirm=True, reason=" ")
    services.assign(ops, alert, gamed.users["finance"])
    services.decide(ops, alert, confirm=True, reason="Duplicate booking confirmed", hold=True)
    alert.refresh_from_db()
    assert (alert.status, alert.hold, alert.assignee) == (
        Status.CONFIRMED,
        True,
        gamed.users["finance"],
    )
    with pytest.raises(ValidationError):
        services.decide(ops, alert, confirm=False, reason="again")
    reasons = list(AuditEvent.objects.values_list("reason", flat=True))
    assert "assign" in reasons and "Duplicate booking confirmed" in reasons


def test_hold_notice_only_for_the_rep_concerned(gamed, client):
    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    services.decide(None, alert, confirm=True, reason="Duplicate booking", hold=True)
    client.force_login(gamed.users["rep"])  # r1
    page = client.get("/performance/")
    assert b"integrity-hold" in page.content and b"Duplicate booking" in page.content
    assert client.get("/integrity/").status_code == 403
    assert client.get(f"/integrity/{alert.pk}/").status_code == 403
    client.force_login(gamed.users["manager"])
    page = client.get("/performance/?person=r1")
    assert b"integrity-hold" not in page.content


def test_review_pages(gamed, client):
    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    client.force_login(gamed.users["sales_ops"])
    assert b"r1" in client.get("/integrity/").content
    page = client.post(
        f"/integrity/{alert.pk}/", {"decision": "dismiss", "reason": "Two real deliveries"}
    )
    assert page.status_code == 302
    alert.refresh_from_db()
    assert alert.status == Status.DISMISSED and not alert.hold
    assert client.get("/integrity/over-time/?unit=east").status_code == 200


def test_cli_scan_refuses_a_json_file_it_cannot_write_before_scanning(gamed, tmp_path):
    """A folder as --json was a traceback after the alerts had been stored."""
    from django.core.management.base import CommandError

    from attain.integrity.models import Alert

    with pytest.raises(CommandError, match="is a folder") as raised:
        call_command("integrity", "scan", "--period", "2025-Q4", "--json", str(tmp_path))
    assert raised.value.returncode == 2
    assert not Alert.objects.exists()


def test_cli_scan_writes_the_document(gamed, tmp_path):
    target = tmp_path / "alerts.json"
    call_command("integrity", "scan", "--period", "2025-Q4", "--json", str(target))
    document = json.loads(target.read_text())
    (alert,) = document["alerts"]
    assert alert["detector"] == "amounts" and alert["people"] == ["r1"]
    assert alert["period"] == "2025-Q4" and 0 <= alert["score"] <= 1
    assert {"table": "orders", "external_id": "O1"} in alert["records"]
    assert isinstance(alert["reason"], str) and alert["reason"]


def test_scans_are_queued_on_changes_and_after_a_full_run(gamed, settings, monkeypatch):
    from attain.integrity import signals, tasks

    queued: list[list[str]] = []

    class Queue:
        @staticmethod
        def enqueue(periods: list[str]) -> None:
            queued.append(periods)

    monkeypatch.setattr(tasks, "scan_task", Queue())
    settings.ATTAIN_INTEGRITY_ON_CHANGE = True
    signals.on_records_changed(
        None, changes=frozenset({(1, datetime.date(2025, 11, 5))}), tables=frozenset({"orders"})
    )
    assert queued == [["2025-Q4"]]

    class Finished:
        class task:
            module_path = signals.CALCULATION_TASK

        status = "SUCCESSFUL"

    signals.on_task_finished(None, task_result=Finished())
    assert queued[-1] == []
    settings.ATTAIN_INTEGRITY_ON_CHANGE = False
    signals.on_task_finished(None, task_result=Finished())
    assert len(queued) == 2


def test_confirming_can_stop_the_records_counting(gamed):
    """The duplicate orders are rejected (audited with the alert's number); a dismissal
    cannot reject, and an alert without records that count says so."""
    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    ops = gamed.users["sales_ops"]
    with pytest.raises(ValidationError):
        services.decide(ops, alert, confirm=False, reason="real", reject_records=True)
    alert.refresh_from_db()
    assert alert.status == Status.OPEN
    services.decide(ops, alert, confirm=True, reason="同一订单重复录入", reject_records=True)
    states = dict(Order.objects.values_list("external_id", "verification"))
    assert states == {"O1": "rejected", "O2": "rejected"}
    events = AuditEvent.objects.filter(content_type__model="order", action="update")
    assert events.count() == 2
    assert all(f"{alert.pk}" in e.reason and "同一订单重复录入" in e.reason for e in events)
    empty = Alert.objects.create(
        key="x",
        detector="rating_rings",
        period="2025-Q4",
        records=[],
        score=Decimal("0.9"),
        reason_en="x",
        reason_zh="x",
    )
    with pytest.raises(ValidationError):
        services.decide(ops, empty, confirm=True, reason="ring", reject_records=True)
    empty.refresh_from_db()
    assert empty.status == Status.OPEN  # nothing half-applied


def test_a_reviewer_lifts_a_hold_on_the_alert_page(gamed, client):
    """The hold a confirmed alert placed is lifted on its page, with a reason, by a
    reviewer (audited as theirs); the rep's notice goes; a rep cannot lift it."""
    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    ops, finance = gamed.users["sales_ops"], gamed.users["finance"]
    services.decide(ops, alert, confirm=True, reason="重复录入", hold=True)
    client.force_login(gamed.users["rep"])
    assert (
        client.post(f"/integrity/{alert.pk}/", {"release": "1", "release_reason": "x"}).status_code
        == 403
    )
    client.force_login(finance)
    page = client.get(f"/integrity/{alert.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "解除暂扣" in page.content.decode()
    page = client.post(f"/integrity/{alert.pk}/", {"release": "1", "release_reason": " "})
    assert page.status_code == 200
    alert.refresh_from_db()
    assert alert.hold
    page = client.post(
        f"/integrity/{alert.pk}/", {"release": "1", "release_reason": "客户确认两笔都是真实订单"}
    )
    assert page.status_code == 302
    alert.refresh_from_db()
    assert alert.hold is False and alert.status == Status.CONFIRMED
    event = AuditEvent.objects.filter(reason="客户确认两笔都是真实订单").get()
    assert event.actor == finance and event.before["hold"] and not event.after["hold"]
    with pytest.raises(ValidationError):  # nothing left to lift
        services.release_hold(finance, alert, reason="again")
    client.force_login(gamed.users["rep"])
    assert b"integrity-hold" not in client.get("/performance/").content


def test_the_evidence_names_its_tables_in_the_readers_language(gamed, client):
    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    client.force_login(gamed.users["sales_ops"])
    page = client.get(f"/integrity/{alert.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    evidence = page.split('id="evidence"')[1].split("</table>")[0]
    # the table's name as its readers know it (an order's link has /orders/ in it)
    assert "<td>订单</td>" in evidence and "<td>orders</td>" not in evidence


def test_a_reviewer_never_reviews_an_alert_about_themself(gamed, client):
    """A sales operations login that is also r1 (who sells): the alert about r1 is not in
    their queue, its page is not found, and they can neither decide, assign nor be
    assigned it; another reviewer can."""
    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    ops, finance = gamed.users["sales_ops"], gamed.users["finance"]
    r1 = gamed.people["r1"]
    r1.user = ops
    r1.save(update_fields=["user"])
    ops.refresh_from_db()
    for decide in (
        lambda: services.decide(ops, alert, confirm=False, reason="我自己的订单没问题"),
        lambda: services.assign(ops, alert, finance),
    ):
        with pytest.raises(PermissionDenied):
            decide()
    with pytest.raises(ValidationError):
        services.assign(finance, alert, ops)
    client.force_login(ops)
    queue = client.get("/integrity/").content.decode()
    # r1 not as a word, nor the alert's link (not: two letters of a random CSRF token)
    assert re.search(r"\br1\b", queue) is None and f"/integrity/{alert.pk}/" not in queue
    assert client.get(f"/integrity/{alert.pk}/").status_code == 404
    page = client.post(f"/integrity/{alert.pk}/", {"decision": "dismiss", "reason": "x"})
    assert page.status_code == 404
    alert.refresh_from_db()
    assert alert.status == Status.OPEN
    services.decide(finance, alert, confirm=True, reason="重复录入")


def test_cli_notes_follow_the_commands_language(gamed, tmp_path):
    """r2's three orders, one cancelled just after the quarter: too few to judge, a
    "not enough data" note, in the command's language like the alerts' reasons."""
    from django.utils import translation

    customer = Customer.objects.get(external_id="C1")
    for number in (1, 2, 3):
        Order.objects.create(
            external_id=f"N{number}",
            customer=customer,
            owner=gamed.people["r2"],
            date=datetime.date(2025, 12, 20),
            amount=Decimal("500.00"),
            status="cancelled" if number == 1 else "confirmed",
            status_changed_on=datetime.date(2026, 1, 5) if number == 1 else None,
        )
    target = tmp_path / "alerts.json"
    with translation.override("zh-hans"):
        call_command("integrity", "scan", "--period", "2025-Q4", "--json", str(target))
    document = json.loads(target.read_text())
    (note,) = [n for n in document["not_enough_data"] if n["person"] == "r2"]
    assert note["reason"].startswith("数据不足") and note["reason_en"].startswith("Not enough")
    assert document["alerts"][0]["reason"] == document["alerts"][0]["reason_zh"]


def test_a_rep_who_met_the_published_target_and_pushed_orders_out_is_found(company, settings):
    """拉单/压单 in the product: a fiscal year from April (2025-Q3 is October to
    December), published month targets of revenue; r1 reaches the quarter's target by
    November, then dates nine orders in the first days of January. The scan reads the
    targets and finds the push-out; r2, who did not reach theirs, is left alone."""
    from attain.targets.models import Kind, PlanStatus, TargetCell, TargetPlan

    settings.ATTAIN_FISCAL_YEAR_START = 4
    plan = TargetPlan.objects.create(
        name="FY2025", fiscal_year=2025, root_unit=company.hq, status=PlanStatus.PUBLISHED
    )
    for who in ("r1", "r2", "r3"):
        for month in ("2025-10", "2025-11", "2025-12"):
            TargetCell.objects.create(
                plan=plan,
                measure="revenue",
                who=who,
                kind=Kind.PERSON,
                parent="east",
                period=month,
                value=Decimal("30000"),
                engine_value=Decimal("30000"),
            )
    number = 0

    def book(code: str, day: datetime.date, amount: str) -> None:
        nonlocal number
        number += 1
        customer, _new = Customer.objects.get_or_create(
            external_id=f"K-{code}",
            defaults={"name": f"客户{code}", "owner": company.people[code]},
        )
        Order.objects.create(
            external_id=f"S{number:04d}",
            customer=customer,
            owner=company.people[code],
            date=day,
            amount=Decimal(amount),
        )

    for i in range(10):  # 100,000 by mid-November: the 90,000 target met
        book("r1", datetime.date(2025, 10, 3) + datetime.timedelta(days=4 * i), "10000.00")
    for i in range(9):
        book("r1", datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 6), "8800.00")
    for code in ("r2", "r3"):
        for i in range(13):
            book(code, datetime.date(2025, 10, 2) + datetime.timedelta(days=7 * i), "3000.00")
        book(code, datetime.date(2026, 1, 5), "3000.00")
    found = services.detect(services.scan_periods(["2025-Q3"]))
    pushes = [a for a in found.alerts if a.pattern == "push_out"]
    assert [(a.people, a.period) for a in pushes] == [(("r1",), "2025-Q3")]
    assert "reached" in pushes[0].reason_en and "目标" in pushes[0].reason_zh


def test_orders_split_just_above_a_configured_spiff_level_are_found(gamed, settings):
    """A spiff for every order of 50,000 or more: r1 splits deals into orders just above
    it. With the level configured (ATTAIN_INTEGRITY_THRESHOLDS) the scan says so; a
    wrong setting is a clear configuration error."""
    from django.core.exceptions import ImproperlyConfigured

    customer = Customer.objects.get(external_id="C1")
    for number in range(6):
        Order.objects.create(
            external_id=f"T{number}",
            customer=customer,
            owner=gamed.people["r1"],
            date=datetime.date(2025, 11, 6 + number),
            amount=Decimal("50300.00") + number,
        )
    for code in ("r2", "r3"):
        for number in range(20):
            Order.objects.create(
                external_id=f"T{code}{number}",
                customer=customer,
                owner=gamed.people[code],
                date=datetime.date(2025, 10, 2 + number),
                amount=Decimal("7300.00") * (number + 1) + Decimal("0.45"),
            )
    periods = services.scan_periods(["2025-Q4"])
    assert not [a for a in services.detect(periods).alerts if a.pattern == "above_threshold"]
    settings.ATTAIN_INTEGRITY_THRESHOLDS = "50000; 十万"
    with pytest.raises(ImproperlyConfigured):
        services.detect(periods)
    settings.ATTAIN_INTEGRITY_THRESHOLDS = "50000，100000"
    found = [a for a in services.detect(periods).alerts if a.pattern == "above_threshold"]
    assert [(a.people, len(a.records)) for a in found] == [(("r1",), 6)]


def _shell_customer_of_r2(company):
    """r2 with a mobile (as the HR file gives it, without +86) and a customer SH1 whose
    contact phone is that mobile."""
    r2 = company.people["r2"]
    r2.phone = "139 0000 1234"
    r2.save(update_fields=["phone"])
    customer = Customer.objects.create(
        external_id="SH1", name="空壳贸易", owner=r2, created_on=datetime.date(2025, 10, 8)
    )
    Contact.objects.create(external_id="SK1", customer=customer, name="李", phone="+8613900001234")
    return r2, customer


def test_a_customer_with_the_reps_own_mobile_is_found(company):
    """虚报客户: r2 records a customer whose contact phone is r2's own mobile (as the HR
    file gives it, without +86): one customer is enough."""
    r2, customer = _shell_customer_of_r2(company)
    Order.objects.create(
        external_id="SO1",
        customer=customer,
        owner=r2,
        date=datetime.date(2025, 10, 9),
        amount=Decimal("36000.00"),
    )
    found = services.detect(services.scan_periods(["2025-Q4"]))
    assert [(a.people, a.pattern) for a in found.alerts] == [(("r2",), "identity")]


def test_the_audit_trail_says_who_assigned_and_decided_in_the_readers_language(gamed, client):
    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    ops = gamed.users["sales_ops"]
    services.assign(ops, alert, gamed.users["finance"])
    services.decide(gamed.users["finance"], alert, confirm=False, reason="两次真实发货")
    client.force_login(gamed.users["admin"])
    html = client.get(
        "/audit/", {"type": "integrity.alert"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "原因: 指派" in html or "原因：指派" in html
    assert "两次真实发货" in html and "诚信扫描" in html
    events = AuditEvent.objects.filter(content_type__model="alert").order_by("pk")
    assert [(e.actor_id, e.reason) for e in events][1:] == [
        (ops.pk, "assign"),
        (gamed.users["finance"].pk, "两次真实发货"),
    ]


def test_an_open_alert_the_rescan_no_longer_finds_is_withdrawn_and_comes_back(gamed, client):
    """The duplicate is corrected (one copy cancelled): the rescan withdraws the open
    alert, audited, so nobody confirms it on stale evidence; booked again, the next scan
    opens it again. A decided alert is never touched."""
    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    Order.objects.filter(external_id="O2").update(
        status="cancelled", status_changed_on=datetime.date(2025, 11, 5)
    )
    outcome = services.scan(None, periods=["2025-Q4"])
    assert (outcome.created, outcome.withdrawn) == (0, 1)
    alert.refresh_from_db()
    assert alert.status == Status.WITHDRAWN
    event = AuditEvent.objects.filter(content_type__model="alert").order_by("pk").last()
    assert event.reason == "no longer found" and event.after["status"] == "withdrawn"
    client.force_login(gamed.users["sales_ops"])
    page = client.get("/integrity/?status=withdrawn", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "已不再发现" in page.content.decode()
    with pytest.raises(ValidationError):
        services.decide(gamed.users["sales_ops"], alert, confirm=True, reason="stale")
    Order.objects.filter(external_id="O2").update(status="confirmed", status_changed_on=None)
    services.scan(None, periods=["2025-Q4"])
    alert.refresh_from_db()
    assert alert.status == Status.OPEN
    services.decide(gamed.users["sales_ops"], alert, confirm=False, reason="两次真实发货")
    Order.objects.filter(external_id="O2").update(status="cancelled")
    assert services.scan(None, periods=["2025-Q4"]).withdrawn == 0
    alert.refresh_from_db()
    assert alert.status == Status.DISMISSED


def test_the_queue_is_paged_and_reaches_every_alert(gamed, client, monkeypatch):
    """The queue showed the first 500 alerts and said so: in a company of 2,000 people
    with 615 open alerts the others could not be reached (500 rows, 150 KB). It is paged
    like the other lists now (50 a page; 2 here)."""
    from attain.integrity import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2, raising=False)
    r1 = gamed.people["r1"]
    for n in range(3):
        alert = Alert.objects.create(
            key=f"k{n}",
            detector="amounts",
            period="2025-Q4",
            score=Decimal(f"0.{9 - n}"),
            reason_en="e",
            reason_zh="z",
            people_codes=["r1"],
        )
        alert.people.set([r1])
    client.force_login(gamed.users["finance"])
    html = client.get("/integrity/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "第 1–2 条，共 3 条" in html and "下一页" in html
    assert "0.90" in html and "0.70" not in html
    assert "page=2" in html
    last = client.get("/integrity/?status=open&page=2", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "0.70" in last.content.decode() and "0.90" not in last.content.decode()


def test_the_scan_reads_where_each_person_sat_when(company):
    """r3 moves from east to west on 1 November 2025: the scan's records give east for
    October and west from November (a pair's teams are those of the period), while the
    people frame gives the unit on the scan's last day."""
    from attain.calc.integrity import load_records
    from attain.org.services import transfer_person

    transfer_person(None, company.people["r3"], on=datetime.date(2025, 11, 1), unit=company.west)
    records = load_records(start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31))
    assert records.units()["r3"] == "west"
    assert records.units(datetime.date(2025, 10, 31))["r3"] == "east"
    assert records.units(datetime.date(2025, 11, 1))["r3"] == "west"
    assert records.units(datetime.date(2025, 10, 31))["r1"] == "east"


def _alert(key, period, *people):
    row = Alert.objects.create(
        key=key,
        detector="amounts",
        pattern="duplicate",
        period=period,
        people_codes=[p.code for p in people],
        score=Decimal("0.8"),
        reason_en="x",
        reason_zh="x",
    )
    row.people.set(people)
    return row


def test_integrity_over_time_of_a_unit_counts_its_teams_and_who_sat_there_then(company):
    """A region's page counts the alerts of the teams below it (the company's unit tree:
    hq above east and west); an alert counts for the unit its person sat in during the
    alert's period: r3's 2025-Q4 alert stays east's after r3 moved west in 2026, and
    r3's 2026-Q1 alert is west's."""
    from attain.integrity import selectors
    from attain.org.services import transfer_person

    people = company.people
    transfer_person(None, people["r3"], on=datetime.date(2026, 1, 1), unit=company.west)
    _alert("a", "2025-Q4", people["r1"])
    _alert("b", "2025-Q4", people["r3"])
    _alert("c", "2026-Q1", people["r3"])
    ops = company.users["sales_ops"]

    def total(unit):
        periods, rows = selectors.over_time(ops, unit)
        return {p: sum(r["counts"][i] for r in rows) for i, p in enumerate(periods)}

    assert total(None) == {"2025-Q4": 2, "2026-Q1": 1}
    assert total(company.hq) == {"2025-Q4": 2, "2026-Q1": 1}
    assert total(company.east) == {"2025-Q4": 2}
    assert total(company.west) == {"2026-Q1": 1}


def test_the_alert_page_shows_what_each_record_is(gamed, client):
    """The reviewer follows the alert down to its records: each with its date, person,
    customer (a link to the customer's page) and amount, in the reader's language; a
    record since deleted shows its id only."""
    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    alert.records = [*alert.records, {"table": "orders", "external_id": "GONE"}]
    alert.save()
    client.force_login(gamed.users["sales_ops"])
    page = client.get(f"/integrity/{alert.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    evidence = text[text.index('id="evidence"') :]
    assert "2025年11月5日" in evidence and "2025-11-05" not in evidence
    assert "1,234.56" in evidence
    assert "R1 (r1)" in evidence and '<a href="/crm/customers/C1/">客户一</a>' in evidence
    assert "已确认" in evidence  # the order's status
    assert "记录中已不存在" in evidence


def test_the_alert_page_shows_who_rated_whom_and_the_score(company, client):
    """A rating ring's evidence: each peer rating with its rater, rated person and score."""
    from attain.crm.models import PeerRating

    r1, r2 = company.people["r1"], company.people["r2"]
    PeerRating.objects.create(
        external_id="G1", date=datetime.date(2025, 11, 3), person=r2, rater=r1, score=Decimal("5")
    )
    alert = _alert("ring", "2025-Q4", r1, r2)
    alert.detector, alert.records = "rating_rings", [{"table": "peer_ratings", "external_id": "G1"}]
    alert.save()
    client.force_login(company.users["sales_ops"])
    text = client.get(f"/integrity/{alert.pk}/").content.decode()
    evidence = text[text.index('id="evidence"') :]
    assert "R1 (r1) → R2 (r2)" in evidence and ">5<" in evidence


@pytest.mark.parametrize(
    ("period", "day"),
    [
        ("0001-Q1", datetime.date(1, 2, 10)),
        ("0001-Q1", datetime.date(1, 1, 3)),  # (a year is no scan period: quarters only)
        ("9998-Q4", datetime.date(9998, 12, 30)),
    ],
)
def test_the_first_and_last_quarters_are_scanned_without_overflow(company, tmp_path, period, day):
    """The history read before the first period stops at the first day records can
    have: a scan of 0001-Q1 (by hand or queued by a record dated then) finds the same
    as any other quarter instead of overflowing."""
    customer = Customer.objects.create(
        external_id="X1", name="远古客户", owner=company.people["r2"], created_on=day
    )
    Contact.objects.create(external_id="KX1", customer=customer, name="李", phone="13911112222")
    for number in (1, 2):
        Order.objects.create(
            external_id=f"X{number}",
            customer=customer,
            owner=company.people["r2"],
            date=day,
            amount=Decimal("777.77"),
        )
    target = tmp_path / "extreme.json"
    call_command("integrity", "scan", "--period", period, "--json", str(target))
    document = json.loads(target.read_text(encoding="utf-8"))
    assert [(a["detector"], a["people"], a["period"]) for a in document["alerts"]] == [
        ("amounts", ["r2"], period)
    ]


def _split_quarter(company, quarter_start, pairs, plain=("r3", "m1"), per_rep=5):
    """A quarter of orders: each (a, b) of ``pairs`` books ``per_rep`` orders shared
    half and half with the other (a documented account split), the ``plain`` people
    book as many orders alone."""
    from attain.crm.models import OrderCredit

    n = Order.objects.count()
    for owner, partner, count in (
        [(a, b, per_rep) for a, b in pairs]
        + [(b, a, per_rep) for a, b in pairs]
        + [(p, None, per_rep) for p in plain]
    ):
        customer, _new = Customer.objects.get_or_create(
            external_id=f"SC-{owner}",
            defaults={
                "name": f"{owner} 的客户",
                "owner": company.people[owner],
                "created_on": datetime.date(2025, 1, 2),
            },
        )
        Contact.objects.get_or_create(
            external_id=f"SK-{owner}",
            customer=customer,
            defaults={"name": "张", "phone": f"1380000{n % 10}{len(owner)}{owner[-1]}00"},
        )
        for i in range(count):
            n += 1
            order = Order.objects.create(
                external_id=f"SO{n}",
                customer=customer,
                owner=company.people[owner],
                date=quarter_start + datetime.timedelta(days=3 + 11 * i),
                amount=Decimal(1000 + 37 * n),
            )
            if partner:
                for who in (owner, partner):
                    OrderCredit.objects.create(
                        order=order, person=company.people[who], share=Decimal("0.5")
                    )


def test_a_dismissed_steady_split_is_not_raised_again_but_a_new_pairing_is(company):
    """r1 and r2 share their accounts every quarter (half each, as the plan's split
    rule allows). The 2025-Q3 alert is dismissed as that; the same split in 2025-Q4 is
    recorded as a recurrence of the dismissed alert, already dismissed, not a new case
    for the queue. r3 and m2, who never split before, are a new case; and r1 and r2
    splitting three times as much in 2026-Q1 are a case again."""
    q3, q4, q1 = datetime.date(2025, 7, 1), datetime.date(2025, 10, 1), datetime.date(2026, 1, 1)
    _split_quarter(company, q3, [("r1", "r2")])
    services.scan(None, periods=["2025-Q3"])
    first = Alert.objects.get(detector="reciprocal_credit", period="2025-Q3")
    assert first.people_codes == ["r1", "r2"]
    services.decide(
        company.users["sales_ops"],
        first,
        confirm=False,
        reason="Documented account split, plan rule 4 (分单)",
    )
    _split_quarter(company, q4, [("r1", "r2"), ("r3", "m2")], plain=("m1",))
    services.scan(None, periods=["2025-Q4"])
    again = Alert.objects.get(
        detector="reciprocal_credit", period="2025-Q4", people_codes=["r1", "r2"]
    )
    assert again.status == Status.DISMISSED and again.recurs == first
    assert "plan rule 4" in again.resolution
    assert AuditEvent.objects.filter(reason="known pattern").count() == 1
    new = Alert.objects.get(
        detector="reciprocal_credit", period="2025-Q4", people_codes=["m2", "r3"]
    )
    assert new.status == Status.OPEN and new.recurs is None
    _split_quarter(company, q1, [("r1", "r2")], plain=("r3", "m1"), per_rep=15)
    services.scan(None, periods=["2026-Q1"])
    grown = Alert.objects.get(detector="reciprocal_credit", period="2026-Q1")
    assert grown.status == Status.OPEN


def _known_pattern_again(company):
    """r1 and r2 split in 2025-Q3 and 2025-Q4; the 2025-Q3 alert is dismissed before
    2025-Q4 is scanned: that alert and the 2025-Q4 one, filed as the known pattern."""
    _split_quarter(company, datetime.date(2025, 7, 1), [("r1", "r2")])
    _split_quarter(company, datetime.date(2025, 10, 1), [("r1", "r2")])
    services.scan(None, periods=["2025-Q3"])
    first = Alert.objects.get(detector="reciprocal_credit")
    services.decide(None, first, confirm=False, reason="分单协议")
    services.scan(None, periods=["2025-Q4"])
    return first, Alert.objects.get(detector="reciprocal_credit", period="2025-Q4")


def test_the_page_of_a_known_pattern_links_the_dismissed_alert(company, client):
    first, again = _known_pattern_again(company)
    client.force_login(company.users["sales_ops"])
    page = client.get(f"/integrity/{again.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'href="/integrity/{first.pk}/"' in page and "已知模式" in page
    page = client.get(f"/integrity/{again.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<a href="/integrity/{first.pk}/">alert {first.pk}</a> of 2025-Q3' in page
    assert "分单协议" in page  # the reviewer's reason, carried over


def test_a_split_found_open_in_several_quarters_at_once_follows_the_first_dismissal(company):
    """The first scan covers several quarters, so r1 and r2's steady split is open in
    2025-Q3 and 2025-Q4 at once. The reviewer dismisses 2025-Q3 as the documented split;
    the next scan files 2025-Q4 as the known pattern too, instead of leaving the reviewer
    one alert per quarter to dismiss again."""
    _split_quarter(company, datetime.date(2025, 7, 1), [("r1", "r2")])
    _split_quarter(company, datetime.date(2025, 10, 1), [("r1", "r2")])
    services.scan(None, periods=["2025-Q3", "2025-Q4"])
    first = Alert.objects.get(detector="reciprocal_credit", period="2025-Q3")
    assert Alert.objects.get(detector="reciprocal_credit", period="2025-Q4").status == Status.OPEN
    services.decide(company.users["sales_ops"], first, confirm=False, reason="分单协议")
    services.scan(None, periods=["2025-Q3", "2025-Q4"])
    again = Alert.objects.get(detector="reciprocal_credit", period="2025-Q4")
    assert again.status == Status.DISMISSED and again.recurs == first
    assert again.resolution == "分单协议"
    assert AuditEvent.objects.filter(reason="known pattern").count() == 1


def test_the_held_rep_disputes_the_decision_from_the_notice(gamed, client):
    """The whole loop from the rep's side: the hold notice links the prefilled dispute
    form (in the rep's language), and posting it opens a dispute about the alert."""
    import html
    import re

    from django.apps import apps

    Dispute = apps.get_model("pay", "Dispute")  # integrity sits below pay

    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    services.decide(None, alert, confirm=True, reason="重复下单", hold=True)
    client.force_login(gamed.users["rep"])
    page = client.get("/performance/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    link = html.unescape(re.search(r'id="hold-dispute-\d+"><a href="([^"]+)"', page).group(1))
    form = client.get(link, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert form.status_code == 200
    fields = dict(
        re.findall(
            r'name="(period|title|record_table|record_ref)"[^>]*value="([^"]*)"',
            form.content.decode(),
        )
    )
    assert fields.get("period") == "2025-Q4" and str(alert.pk) in fields.get("record_ref", "")
    assert "被暂扣" in fields.get("title", "") and "诚信预警" in fields.get("record_ref", "")
    posted = client.post(
        link,
        {**fields, "subject": "record", "text": "两笔是两次真实的发货"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    dispute = Dispute.objects.get()
    assert dispute.person == gamed.people["r1"] and str(alert.pk) in dispute.record_ref


@pytest.mark.parametrize("label", ["2025-10", "2025", "2025-H2", "Q4", "2025-Q5"])
def test_cli_scan_takes_quarters_only(gamed, tmp_path, label):
    """A month or a year was scanned and its alerts stored under that key, beside the
    same findings under the quarter's (alerts are kept per quarter)."""
    from django.core.management.base import CommandError

    from attain.integrity.models import Alert

    with pytest.raises(CommandError, match="Give a quarter such as 2025-Q4"):
        call_command("integrity", "scan", "--period", label)
    assert not Alert.objects.exists()


def test_cli_scan_of_one_quarter_given_twice_scans_it_once(gamed, tmp_path):
    target = tmp_path / "alerts.json"
    call_command(
        "integrity", "scan", "--period", "2025-Q4", "--period", "2025-Q4", "--json", str(target)
    )
    assert json.loads(target.read_text())["periods"] == ["2025-Q4"]


def test_a_decided_alert_is_reopened_with_a_reason(gamed, client):
    """A reviewer dismissed r1's duplicate by mistake (or confirmed it, then the rep's
    dispute showed it was right): another look needs the alert open again. Reopening
    takes a reason, is audited, clears the decision and puts the alert back in the open
    queue; a held payout must be lifted first; nobody reopens their own case, and a rep
    cannot reopen anything."""
    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    ops, finance, rep = gamed.users["sales_ops"], gamed.users["finance"], gamed.users["rep"]
    with pytest.raises(ValidationError):  # nothing decided yet
        services.reopen(ops, alert, reason="再看一次")
    services.decide(ops, alert, confirm=False, reason="看错了")
    with pytest.raises(PermissionDenied):
        services.reopen(rep, alert, reason="x")
    with pytest.raises(ValidationError):
        services.reopen(ops, alert, reason=" ")
    services.reopen(finance, alert, reason="客户确认是重复下单，需要重新审核")
    alert.refresh_from_db()
    assert (alert.status, alert.resolution, alert.decided_at) == (Status.OPEN, "", None)
    assert AuditEvent.objects.filter(reason="客户确认是重复下单，需要重新审核").exists()
    # a rescan leaves it open (not decided: a scan never decides)
    services.scan(None, periods=["2025-Q4"])
    alert.refresh_from_db()
    assert alert.status == Status.OPEN
    # confirmed with a hold: the hold is lifted first
    services.decide(ops, alert, confirm=True, reason="重复下单", hold=True)
    with pytest.raises(ValidationError):
        services.reopen(ops, alert, reason="再审")
    services.release_hold(ops, alert, reason="争议成立")
    services.reopen(ops, alert, reason="再审")
    alert.refresh_from_db()
    assert alert.status == Status.OPEN and not alert.hold
    # the page: a decided alert offers "Reopen"; posting it reopens
    services.decide(ops, alert, confirm=False, reason="误报")
    client.force_login(finance)
    page = client.get(f"/integrity/{alert.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'name="reopen"' in page and "重新开放" in page
    response = client.post(f"/integrity/{alert.pk}/", {"reopen": "1", "reopen_reason": "复核"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == Status.OPEN
    # the person concerned, as a reviewer, cannot reopen their own case
    services.decide(ops, alert, confirm=False, reason="误报")
    r1 = gamed.people["r1"]
    r1.user = ops
    r1.save(update_fields=["user"])
    ops.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.reopen(ops, alert, reason="我自己的")


def test_a_reopened_known_pattern_is_left_open_for_review(company):
    """A reciprocal-credit alert filed as a known pattern (dismissed before) that a
    reviewer reopens stays open on the next scan: the reviewer wants to look at it."""
    first, again = _known_pattern_again(company)
    assert again.status == Status.DISMISSED and again.recurs == first
    services.reopen(company.users["sales_ops"], again, reason="协议已于十月终止")
    services.scan(None, periods=["2025-Q4"])
    again.refresh_from_db()
    assert again.status == Status.OPEN and again.recurs is None


def test_the_alert_page_names_its_people(gamed, client):
    """A reviewer reads who the alert is about by name, not only by employee id."""
    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    r1 = gamed.people["r1"]
    r1.name = "欧阳 明"
    r1.save(update_fields=["name"])
    client.force_login(gamed.users["sales_ops"])
    page = client.get(f"/integrity/{alert.pk}/").content.decode()
    assert "欧阳 明 (r1)" in page.split('id="evidence"')[0]


def test_the_evidence_links_each_order(gamed, client):
    """Each order of the evidence opens in the orders list, that order alone (its credit
    split and status), so the reviewer checks the source record itself."""
    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    client.force_login(gamed.users["sales_ops"])
    page = client.get(f"/integrity/{alert.pk}/").content.decode()
    assert '<a href="/crm/orders/?order=O1">O1</a>' in page
    listed = client.get("/crm/orders/?order=O1").content.decode()
    assert "1–1 of 1" in listed and "/crm/orders/O1/" in listed
    assert "/crm/orders/O2/" not in listed  # no row of O2 (not: two letters of a random token)


def test_a_dismissed_alert_whose_finding_grows_is_opened_again(gamed):
    """r1's duplicate (O1, O2) is dismissed; a rescan of the same records leaves it
    dismissed, but when the same order is booked a third time the finding names a record
    the reviewer never saw: the alert is opened again (audited) with the new evidence,
    instead of the dismissal hiding it for good."""
    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    services.decide(gamed.users["sales_ops"], alert, confirm=False, reason="两次真实发货")
    assert services.scan(None, periods=["2025-Q4"]).updated == 0
    alert.refresh_from_db()
    assert alert.status == Status.DISMISSED
    first = Order.objects.get(external_id="O1")
    Order.objects.create(
        external_id="O3",
        customer=first.customer,
        owner=first.owner,
        date=first.date,
        amount=first.amount,
    )
    outcome = services.scan(None, periods=["2025-Q4"])
    assert (outcome.created, outcome.updated) == (0, 1)
    alert.refresh_from_db()
    assert alert.status == Status.OPEN and alert.resolution == "" and alert.decided_at is None
    assert {r["external_id"] for r in alert.records} == {"O1", "O2", "O3"}
    event = AuditEvent.objects.filter(content_type__model="alert").order_by("pk").last()
    assert event.reason == "found again with new records"
    assert (event.before["status"], event.after["status"]) == ("dismissed", "open")
    assert services.scan(None, periods=["2025-Q4"]).updated == 0  # nothing new: no change


def test_a_dismissed_split_reopens_only_when_it_grows_well_beyond_what_was_dismissed(company):
    """Reciprocal credit keeps its known-pattern tolerance within the period too: a few
    more shared orders after the dismissal leave it dismissed, a
    split grown beyond 1.5 times what the reviewer saw is opened again."""
    q3 = datetime.date(2025, 7, 1)
    _split_quarter(company, q3, [("r1", "r2")])
    services.scan(None, periods=["2025-Q3"])
    alert = Alert.objects.get(detector="reciprocal_credit", period="2025-Q3")
    seen = len(alert.records)
    services.decide(company.users["sales_ops"], alert, confirm=False, reason="分单协议")
    _split_quarter(company, q3, [("r1", "r2")], plain=(), per_rep=1)
    services.scan(None, periods=["2025-Q3"])
    alert.refresh_from_db()
    assert alert.status == Status.DISMISSED
    _split_quarter(company, q3, [("r1", "r2")], plain=("r3", "m1"), per_rep=5)
    services.scan(None, periods=["2025-Q3"])
    alert.refresh_from_db()
    assert len(alert.records) > 1.5 * seen
    assert alert.status == Status.OPEN


def test_a_dismissed_shell_alert_stays_dismissed_when_its_customer_orders_again(company):
    """The identity alert names the customer and its orders. The reviewer dismisses it
    (the rep's spouse runs the shop); the customer's next order in the quarter adds an
    order to the alert's records but no new finding: it stays dismissed. A second
    customer with the rep's mobile is a new finding: the alert is opened again."""
    r2, customer = _shell_customer_of_r2(company)
    for number, day in ((1, 9), (2, 20)):
        Order.objects.create(
            external_id=f"SO{number}",
            customer=customer,
            owner=r2,
            date=datetime.date(2025, 10, day),
            amount=Decimal("36000.00") + number,
        )
        if number == 1:
            services.scan(None, periods=["2025-Q4"])
            alert = Alert.objects.get(detector="shell_customers")
            services.decide(None, alert, confirm=False, reason="配偶经营，已报备")
    services.scan(None, periods=["2025-Q4"])
    alert.refresh_from_db()
    assert alert.status == Status.DISMISSED
    other = Customer.objects.create(
        external_id="SH2", name="空壳二号", owner=r2, created_on=datetime.date(2025, 11, 8)
    )
    Contact.objects.create(external_id="SK2", customer=other, name="李", phone="13900001234")
    services.scan(None, periods=["2025-Q4"])
    alert.refresh_from_db()
    assert alert.status == Status.OPEN
    assert {"SH1", "SH2"} <= {r["external_id"] for r in alert.records}


def test_a_split_reopened_by_a_scan_is_not_filed_as_a_known_pattern_next(company):
    """r1 and r2's split is open in 2025-Q3 and 2025-Q4 at once; the reviewer dismisses
    2025-Q4 (8 orders) and then 2025-Q3 (10). 2025-Q4 then grows to 14 orders, beyond
    1.5 times what was dismissed for it: the scan opens it again, and the next scan
    leaves it open for the reviewer rather than filing it under 2025-Q3's dismissal
    (14 orders, within 1.5 times the 10 dismissed there)."""
    q3, q4 = datetime.date(2025, 7, 1), datetime.date(2025, 10, 1)
    _split_quarter(company, q3, [("r1", "r2")])
    _split_quarter(company, q4, [("r1", "r2")], per_rep=4)
    services.scan(None, periods=["2025-Q3", "2025-Q4"])
    first = Alert.objects.get(detector="reciprocal_credit", period="2025-Q3")
    later = Alert.objects.get(detector="reciprocal_credit", period="2025-Q4")
    services.decide(None, later, confirm=False, reason="分单协议（四季度）")
    services.decide(None, first, confirm=False, reason="分单协议")
    _split_quarter(company, q4, [("r1", "r2")], plain=(), per_rep=3)
    services.scan(None, periods=["2025-Q4"])
    later.refresh_from_db()
    assert later.status == Status.OPEN
    services.scan(None, periods=["2025-Q4"])
    later.refresh_from_db()
    assert later.status == Status.OPEN and later.recurs is None
