"""CRM pages and API flows: Customer 360, bounded queries, the duplicate confirm and merge
flows, funnel stage rules, reminders, evidence upload, credit splits."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from attain.conftest import client_for
from attain.crm import selectors, services
from attain.crm.models import (
    Activity,
    Customer,
    Evidence,
    FollowUpRule,
    Opportunity,
    Product,
    Reminder,
    Stage,
    StageChange,
)
from attain.crm.tests import make
from attain.web.testing import M4A_BYTES, image_bytes

D = datetime.date


def test_default_funnel_from_the_migration(db):
    stages = list(Stage.objects.values_list("code", "probability", "kind", "required_activity"))
    assert [s[0] for s in stages] == [
        "lead",
        "qualify",
        "solution",
        "quote",
        "negotiate",
        "won",
        "lost",
    ]
    assert stages[3] == ("quote", Decimal("0.600"), "open", "visit")
    assert FollowUpRule.objects.get().days == 7


def test_customer_360_shows_everything_across_departments(company, crm):
    """r1 sees c_shared through one visit, and then sees all of it, r4's records too."""
    p = company.people
    customer = crm.customers["c_shared"]
    opportunity = make.opportunity(customer, p["r4"], "二期项目", Decimal(5000))
    make.order(
        customer,
        p["r4"],
        D(2026, 5, 1),
        Decimal(900),
        credits=make.shares(p["r4"], "0.7", p["r3"], "0.3"),
    )
    make.payment(customer, p["r4"], D(2026, 6, 1), Decimal(400))
    services.record_survey(None, customer=customer, person=p["r4"], date=D(2026, 7, 1), score=4)
    services.create_contact(None, customer=customer, name="王经理", title="采购")
    response = client_for(company, "rep").get(f"/crm/customers/{customer.external_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["二期项目", "900.00", "400.00", "王经理", "R3", "30%", "拜访"]:
        assert text in html, text
    assert response.context["opportunities"] == [opportunity]
    assert len(response.context["tickets"]) == 1  # the hand-off of the order
    kinds = {e["department"] for e in response.context["timeline"]}
    assert {"Sales", "Finance", "After-sales", "Marketing"} <= {str(k) for k in kinds}
    api = client_for(company, "rep").get(f"/api/customers/{customer.external_id}/360/").json()
    assert [o["name"] for o in api["opportunities"]] == ["二期项目"]
    assert {c["person"] for c in api["orders"][0]["credits"]} == {"r4", "r3"}
    # But r4's orders stay out of r1's own order list (the people rule).
    assert client_for(company, "rep").get("/api/orders/").json()["count"] == 1


def test_the_timeline_dates_an_early_morning_call_on_its_own_day(company, crm, settings):
    """A call at 07:30 in Shanghai is 23:30 the day before in UTC: the timeline dated it
    by the stored UTC moment (2 May's call under 1 May), the activities table beside it
    by the local time."""
    settings.TIME_ZONE = "Asia/Shanghai"
    customer = crm.customers["c_r1"]
    morning = datetime.datetime(2026, 5, 2, 7, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    make.activity(customer, company.people["r1"], "call", morning, summary="清晨电话")
    timeline = selectors.customer_360(customer)["timeline"]
    assert [e["on"] for e in timeline if e["text"] == "清晨电话"] == [D(2026, 5, 2)]


def test_the_timeline_writes_a_stage_change_in_the_readers_punctuation(company, crm):
    """A Chinese reader's timeline read "上海中科化工 · 运维服务: 方案 → 报价", an English
    colon in a Chinese sentence; in English it stays "…: Solution → Quote"."""
    customer = crm.customers["c_r1"]
    opportunity = make.opportunity(customer, company.people["r1"], "二期项目", Decimal(5000))
    lead, quote = Stage.objects.order_by("position")[:2]
    StageChange.objects.create(opportunity=opportunity, from_stage=lead, to_stage=quote)
    for language, colon in (("zh-hans", "："), ("en", ": ")):
        with translation.override(language):
            timeline = selectors.customer_360(customer)["timeline"]
            step = f"{lead.shown_name} → {quote.shown_name}"  # 线索 → 需求确认, Lead → …
        texts = [e["text"] for e in timeline if str(e["kind"]) in ("Stage", "阶段")]
        assert f"二期项目{colon}{step}" in texts, (language, texts)


def _many_records(company, customer, n: int) -> None:
    r1, r2 = company.people["r1"], company.people["r2"]
    for i in range(n):
        opp = make.opportunity(customer, r1, f"机会{i}", Decimal(i))
        activity = make.activity(customer, r1, opportunity=opp)
        Evidence.objects.create(activity=activity, kind="photo", file=f"evidence/x{i}.jpg")
        make.order(
            customer, r1, D(2026, 1, 1), Decimal(10), credits=make.shares(r1, "0.5", r2, "0.5")
        )
        make.payment(
            customer, r1, D(2026, 1, 2), Decimal(5), credits=make.shares(r1, "0.5", r2, "0.5")
        )
        services.create_contact(None, customer=customer, name=f"联系人{i}")
        services.record_survey(None, customer=customer, person=r1, date=D(2026, 1, 3), score=5)


@pytest.mark.parametrize("role", ["admin", "manager", "rep"])
def test_bounded_queries_on_the_customer_list_and_360(
    company, crm, role, django_assert_max_num_queries
):
    customer = crm.customers["c_r1"]
    _many_records(company, customer, 12)
    for i in range(60):
        services.create_customer(None, name=f"客户{i:02d}", owner=company.people["r1"])
    client = client_for(company, role)
    with django_assert_max_num_queries(12):
        response = client.get("/crm/customers/")
    assert len(response.context["page"]) == 50
    # 31: one of them asks which of the opportunities shown the reader may open
    with django_assert_max_num_queries(31):
        response = client.get(f"/crm/customers/{customer.external_id}/")
    assert len(response.context["orders"]) == 13
    with django_assert_max_num_queries(30):
        client.get(f"/api/customers/{customer.external_id}/360/")
    with django_assert_max_num_queries(15):
        client.get("/api/orders/")


def test_customer_list_search_and_filters(company, crm):
    client = client_for(company, "admin")
    assert [c.name for c in client.get("/crm/customers/?q=甲一").context["page"]] == ["甲一科技"]
    owned = client.get("/crm/customers/?owner=r4").context["page"]
    assert {c.name for c in owned} == {"丁四物流", "戊五医药"}
    assert len(client.get("/crm/customers/?source=marketing").context["page"]) == 0
    partial = client.get("/crm/customers/?q=甲一", headers={"HX-Request": "true"})
    assert b"<html" not in partial.content


def test_new_customer_shows_duplicates_then_creates_anyway(company, crm):
    client = client_for(company, "rep")
    form = {"name": "甲一科技有限公司", "source": "sales"}
    response = client.post("/crm/customers/new/", form)
    assert response.status_code == 200
    assert [c.name for c, _r, _v in response.context["duplicates"]] == ["甲一科技"]
    assert "Create anyway" in response.content.decode()
    assert Customer.objects.filter(name="甲一科技有限公司").count() == 0
    response = client.post("/crm/customers/new/", {**form, "allow_duplicate": "on"})
    assert response.status_code == 302
    created = Customer.objects.get(name="甲一科技有限公司")
    assert created.owner == company.people["r1"]
    assert response["Location"] == f"/crm/customers/{created.external_id}/"


def test_api_duplicate_check(company, crm):
    client = client_for(company, "admin")
    response = client.post("/api/customers/", {"name": "甲一科技"}, content_type="application/json")
    assert response.status_code == 400
    assert "甲一科技" in response.json()["error"]["fields"]["name"][0]
    response = client.post(
        "/api/customers/?allow_duplicate=true",
        {"name": "甲一科技"},
        content_type="application/json",
    )
    assert response.status_code == 201


def test_the_reasons_of_a_duplicate_are_listed_with_the_readers_separator(company, crm):
    """Before: “疑似与 华信 重复（名称相同, 电话相同）” (an English comma in Chinese), on
    the API, the Add a customer page and the duplicate review."""
    services.create_customer(None, name="华信", phone="021-62345678", external_id="HX-1")
    services.create_customer(
        None, name="华信", phone="62345678", external_id="HX-2", allow_duplicate=True
    )
    client = client_for(company, "admin")
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    data = {"name": "华信", "phone": "(021) 6234 5678"}
    api = client.post("/api/customers/", data, content_type="application/json", **zh)
    assert "名称相同、电话相同" in api.json()["error"]["fields"]["name"][0]
    page = client.post("/crm/customers/new/", {**data, "source": "sales"}, **zh)
    assert "名称相同、电话相同" in page.content.decode()
    review = client_for(company, "sales_ops").get("/crm/customers/duplicates/", **zh)
    assert "名称相同、电话相同" in review.content.decode()


def test_duplicates_review_and_merge(company, crm):
    keep = crm.customers["c_r1"]
    duplicate = services.create_customer(
        None, name="甲一科技（集团）", owner=company.people["r2"], allow_duplicate=True
    )
    make.order(duplicate, company.people["r2"], D(2026, 8, 1), 7)
    assert client_for(company, "rep").get("/crm/customers/duplicates/").status_code == 403
    assert client_for(company, "finance").get("/crm/customers/duplicates/").status_code == 403
    client = client_for(company, "sales_ops")
    pairs = client.get("/crm/customers/duplicates/").context["pairs"]
    assert [(a.pk, b.pk) for a, b, _r in pairs] == [(keep.pk, duplicate.pk)]
    response = client.post(
        "/crm/customers/duplicates/",
        {"keep": keep.external_id, "duplicate": duplicate.external_id},
    )
    assert response.status_code == 302
    assert keep.orders.count() == 2
    assert client.get("/crm/customers/duplicates/").context["pairs"] == []
    # The merged customer is gone from lists and its page redirects to the kept one.
    listed = {c.pk for c in client.get("/crm/customers/").context["page"]}
    assert duplicate.pk not in listed
    response = client.get(f"/crm/customers/{duplicate.external_id}/")
    assert response["Location"] == f"/crm/customers/{keep.external_id}/"
    api = client.get(f"/api/customers/{duplicate.external_id}/").json()
    assert api["merged_into"] == keep.external_id


def test_merging_two_customers_of_one_name_says_which_was_kept(company, crm):
    """Duplicates often share their name: the message read “已将 华信 合并至 华信。”,
    not saying which of the two records was kept."""
    keep = services.create_customer(None, name="华信", city="上海", external_id="HX-SH")
    twin = services.create_customer(
        None, name="华信", city="北京", external_id="HX-BJ", allow_duplicate=True
    )
    page = client_for(company, "sales_ops").post(
        "/crm/customers/duplicates/",
        {"keep": keep.external_id, "duplicate": twin.external_id},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "已将 华信（HX-BJ）合并至 华信（HX-SH）。" in page.content.decode()


def test_stage_requirement_error_is_shown_and_history_kept(company, crm):
    customer = crm.customers["c_r1"]
    opp = make.opportunity(customer, company.people["r1"], "报价项目", 1000)
    client = client_for(company, "rep")
    url = f"/crm/opportunities/{opp.external_id}/"
    response = client.post(url, {"stage": "quote"})
    assert response.status_code == 200
    assert "Log a Visit" in response.content.decode()
    assert Opportunity.objects.get(pk=opp.pk).stage.code == "lead"
    api = client.post(
        f"/api/opportunities/{opp.external_id}/move/", {"stage": "quote"}, "application/json"
    )
    assert api.status_code == 400
    assert "stage" in api.json()["error"]["fields"]
    client.post(
        f"/crm/customers/{customer.external_id}/activities/new/",
        {
            "kind": "visit",
            "occurred_at": "2026-11-25T10:00",
            "opportunity": opp.external_id,
            "summary": "现场拜访",
        },
    )
    assert client.post(url, {"stage": "quote"}).status_code == 302
    response = client.post(
        f"/api/opportunities/{opp.external_id}/move/", {"stage": "won"}, "application/json"
    )
    assert response.json()["error"]["fields"]["reason"]
    response = client.post(
        f"/api/opportunities/{opp.external_id}/move/",
        {"stage": "won", "reason": "方案领先"},
        "application/json",
    )
    assert response.status_code == 200
    history = client.get(f"/api/opportunities/{opp.external_id}/history/").json()
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [
        (None, "lead"),
        ("lead", "quote"),
        ("quote", "won"),
    ]


def test_funnel_counts_amounts_and_weighted_amounts(company, crm):
    customer = crm.customers["c_r1"]
    r1 = company.people["r1"]
    make.opportunity(customer, r1, "a", 1000)
    make.opportunity(customer, r1, "b", 500)
    negotiate = Stage.objects.get(code="negotiate")
    make.opportunity(customer, r1, "c", 2000, stage=negotiate)
    response = client_for(company, "manager").get("/crm/opportunities/")
    rows = {r["stage"].code: r for r in response.context["funnel"]}
    assert (rows["lead"]["count"], rows["lead"]["amount"], rows["lead"]["weighted"]) == (
        2,
        Decimal(1500),
        Decimal("150.00"),
    )
    assert rows["negotiate"]["weighted"] == Decimal("1600.00")
    assert response.context["open_weighted"] == Decimal("1750.00")


def test_reminders_page_raises_once_a_day_and_marks_done(company, crm, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    customer = crm.customers["c_r1"]
    opp = make.opportunity(
        customer,
        company.people["r1"],
        "沉睡线索",
        1,
        created_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    rep, manager = client_for(company, "rep"), client_for(company, "manager")
    response = rep.get("/crm/reminders/")
    assert [r.opportunity for r in response.context["reminders"]] == [opp]
    assert [r.opportunity for r in manager.get("/crm/reminders/").context["reminders"]] == [opp]
    assert services.check_follow_ups_once_a_day() is None  # already ran today
    reminder = Reminder.objects.get(person=company.people["r1"])
    assert manager.post(f"/crm/reminders/{reminder.pk}/done/").status_code == 403
    assert rep.post(f"/crm/reminders/{reminder.pk}/done/").status_code == 302
    assert list(rep.get("/crm/reminders/").context["reminders"]) == []


def test_a_reminder_is_written_in_its_readers_language(company, crm):
    """Issue 12: raised by an English-speaking worker, a reminder still reads in Chinese
    to a Chinese reader, and in English to an English one."""
    opp = make.opportunity(
        crm.customers["c_r1"],
        company.people["r1"],
        "沉睡线索",
        1,
        created_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    with translation.override("en"):
        assert services.check_follow_ups() == 2
    reminder = Reminder.objects.get(person=company.people["r1"])
    assert reminder.params == {
        "customer": opp.customer.name,
        "name": "沉睡线索",
        "days": 7,
        "stage": "线索",
    }
    rep, manager = client_for(company, "rep"), client_for(company, "manager")
    rep.cookies["django_language"] = "zh-hans"
    chinese = rep.get("/crm/reminders/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"{opp.customer.name} · 沉睡线索：在“线索”阶段已 7 天未联系。" in chinese
    assert "no contact for" not in chinese
    manager.cookies["django_language"] = "en"
    english = manager.get("/crm/reminders/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{opp.customer.name} · 沉睡线索: no contact for 7 days in stage Lead." in english


def test_a_reminder_kept_before_its_parameters_shows_its_message(company, crm):
    opp = make.opportunity(crm.customers["c_r1"], company.people["r1"], "旧提醒", 1)
    rule = FollowUpRule.objects.get()
    old = Reminder.objects.create(
        person=company.people["r1"], opportunity=opp, rule=rule, message="Call them"
    )
    with translation.override("zh-hans"):
        assert old.text == str(old) == "Call them"


def test_crm_remind_command(company, crm, capsys):
    make.opportunity(
        crm.customers["c_r1"], company.people["r1"], "线索", 1, created_on=D(2026, 1, 1)
    )
    call_command("crm_remind", "--on", "2026-02-01")
    assert "2 reminder(s) raised" in capsys.readouterr().out


JPEG = image_bytes()


def test_activity_with_evidence_upload_and_location(company, crm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    customer = crm.customers["c_r1"]
    client = client_for(company, "rep")
    response = client.post(
        f"/crm/customers/{customer.external_id}/activities/new/",
        {
            "kind": "visit",
            "occurred_at": "2026-11-25T09:30",
            "summary": "现场拜访，拍照留证",
            "photo": SimpleUploadedFile("door.jpg", JPEG, content_type="image/jpeg"),
            "recording": SimpleUploadedFile("call.m4a", M4A_BYTES, content_type="audio/mp4"),
            "latitude": "31.230416",
            "longitude": "121.473701",
            "place": "上海市黄浦区",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    activity = Activity.objects.get(summary="现场拜访，拍照留证")
    assert activity.latitude == Decimal("31.230416")
    assert sorted(activity.evidence.values_list("kind", flat=True)) == ["photo", "recording"]
    photo = activity.evidence.get(kind="photo")
    page = client.get(f"/crm/customers/{customer.external_id}/").content.decode()
    assert f"/crm/evidence/{photo.pk}/" in page
    assert "31.230416" in page
    download = client.get(f"/crm/evidence/{photo.pk}/")
    assert b"".join(download.streaming_content) == JPEG
    assert client_for(company, "manager").get(f"/crm/evidence/{photo.pk}/").status_code == 200
    # Evidence of a customer r1 may not see is a 404 for r1.
    hidden = make.activity(
        crm.customers["c_r4"],
        company.people["r4"],
        evidence=[("file", SimpleUploadedFile("offer.pdf", b"%PDF-1.4\n"))],
    )
    assert client.get(f"/crm/evidence/{hidden.evidence.get().pk}/").status_code == 404


def test_api_activity_multipart_upload(company, crm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client_for(company, "rep").post(
        "/api/activities/",
        {
            "kind": "call",
            "customer": crm.customers["c_r1"].external_id,
            "occurred_at": "2026-11-25T09:30:00+08:00",
            "recording": SimpleUploadedFile("call.m4a", M4A_BYTES),
        },
    )
    assert response.status_code == 201, response.content
    assert [e["kind"] for e in response.json()["evidence"]] == ["recording"]


def test_order_form_with_lines_and_credit_split(company, crm):
    line = services.create_product_line(None, code="hw", name="硬件")
    services.create_product(None, code="P-1", name="服务器", line=line)
    customer = crm.customers["c_r1"]
    client = client_for(company, "manager")
    form = {
        "date": "2026-11-20",
        "owner": "r1",
        "credits": "r1 0.6\nr2 0.3",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": Product.objects.get().code,
        "lines-0-quantity": "2",
        "lines-0-unit_price": "150.50",
    }
    url = f"/crm/customers/{customer.external_id}/orders/new/"
    response = client.post(url, form)
    assert response.status_code == 200
    assert "sum to 0.9" in response.content.decode()
    response = client.post(url, {**form, "credits": "r1 0.6\nr2 0.4"})
    assert response.status_code == 302
    order = customer.orders.get(date=D(2026, 11, 20))
    assert order.amount == Decimal("301.00")
    assert {c.person.code: c.share for c in order.credits.all()} == {
        "r1": Decimal("0.6"),
        "r2": Decimal("0.4"),
    }


@pytest.mark.parametrize(
    ("amount", "words"),
    [("100.123", "确认小数不超过 2 位。"), ("1234567890123456789.5", "确认总共不超过 18 个数字。")],
)
def test_an_amount_with_too_many_digits_is_refused_with_chinese_punctuation(
    company, crm, amount, words
):
    """Django's own Chinese catalogue ends these two messages with an English full stop
    (“确认小数不超过 2 位.”), shown on the order form under an amount with three decimals."""
    client = client_for(company, "manager")
    url = f"/crm/customers/{crm.customers['c_r1'].external_id}/orders/new/"
    form = {"date": "2026-11-20", "amount": amount, "lines-TOTAL_FORMS": "0"}
    form["lines-INITIAL_FORMS"] = "0"
    response = client.post(url, form, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert words in response.context["form"].errors["amount"]


def test_api_order_credits_must_sum_to_one(company, crm):
    client = client_for(company, "admin")
    body = {
        "customer": crm.customers["c_r1"].external_id,
        "owner": "r1",
        "date": "2026-11-20",
        "amount": "100",
        "credits": [{"person": "r1", "share": "0.5"}, {"person": "r2", "share": "0.4"}],
    }
    response = client.post("/api/orders/", body, content_type="application/json")
    assert response.status_code == 400
    assert "credits" in response.json()["error"]["fields"]
    body["credits"][1]["share"] = "0.5"
    response = client.post("/api/orders/", body, content_type="application/json")
    assert response.status_code == 201
    assert len(response.json()["credits"]) == 2


def test_tickets_my_tickets_and_status_change(company, crm):
    from attain.org import services as org

    person = org.create_person(
        None, code="as1", name="售后", unit=company.east, title="after_sales", start=D(2024, 1, 1)
    )
    user = org.create_login(None, username="as1", role="rep", password="pw-as1-1", person=person)
    order = make.order(crm.customers["c_r1"], company.people["r1"], D(2026, 11, 1), Decimal(1))
    client = Client()
    client.force_login(user)
    tickets = list(client.get("/crm/tickets/").context["page"])
    assert [t.order for t in tickets] == [order]
    response = client.post(f"/crm/tickets/{tickets[0].external_id}/", {"status": "resolved"})
    assert response.status_code == 302
    tickets[0].refresh_from_db()
    assert tickets[0].status == "resolved"
    assert tickets[0].resolved_on == timezone.localdate()


@pytest.mark.parametrize("kind", ["orders", "payments"])
def test_rep_crediting_someone_else_sees_the_form_again_with_a_field_error(company, crm, kind):
    """Issue 12 bug 6: a rep's credit split naming a colleague was a bare 403 that lost
    what they typed; now the form comes back with a translated error on the split."""
    customer = crm.customers["c_r1"]
    client = client_for(company, "rep")
    url = f"/crm/customers/{customer.external_id}/{kind}/new/"
    form = {"date": "2026-11-20", "amount": "123.45", "credits": "r1 0.5\nr2 0.5"}
    if kind == "orders":
        form |= {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0"}
    before = customer.orders.count() + customer.payments.count()
    response = client.post(url, form, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    # translated, names the colleague by the id typed (not by name: a rep sees only
    # themself, and the name would tell who is behind any id)
    # (whole words: the page's random CSRF token may hold "R2")
    assert "您不能给 r2 分配业绩" in page and not re.search(r"\bR2\b", page)
    assert "123.45" in page and "r2 0.5" in page  # what the rep typed is kept
    assert customer.orders.count() + customer.payments.count() == before
    response = client.post(url, {**form, "credits": "r1 1"})
    assert response.status_code == 302


def test_empty_lists_say_why_and_what_to_do(db, company):
    """Issue 12: an empty list says what is missing and the next step (not a bare "None."),
    and a filtered list that matches nothing offers to clear the filters."""
    client = client_for(company, "sales_ops")
    page = client.get("/crm/orders/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "尚无订单：可在客户页面录入" in page
    page = client.get("/crm/orders/", {"q": "nothing-like-this"}, HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "Nothing matches these filters." in text
    assert 'href="/crm/orders/">Clear the filters</a>' in text
    page = client.get("/crm/orders/", {"page": "1"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing matches" not in page  # the page number is not a filter
    customer = services.create_customer(None, name="丙三", owner=company.people["r1"])
    page = client.get(f"/crm/customers/{customer.external_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "这个客户还没有订单。" in text
    assert "尚无联系人" in text


def test_evidence_whose_file_is_gone_is_not_found(company) -> None:
    customer = services.create_customer(None, name="客户乙", owner=company.people["r1"])
    activity = make.activity(customer, company.people["r1"])
    evidence = Evidence.objects.create(activity=activity, kind="photo", file="evidence/gone.jpg")
    client = client_for(company, "admin")
    assert client.get(f"/crm/evidence/{evidence.pk}/").status_code == 404
    assert client.get(f"/crm/evidence/{evidence.pk}/?preview=1").status_code == 404


def test_a_hand_off_ticket_reads_in_the_readers_language(company):
    """The order was recorded through the API or an import in English; the after-sales
    engineer reads the hand-off ticket in Chinese (pages, Customer 360, the API follow
    the reader's language, as reminders do), and an old stored sentence is cleared by
    migration 0010."""
    import importlib

    from django.apps import apps

    from attain.conftest import client_for
    from attain.crm.models import ServiceTicket
    from attain.org import services as org

    org.create_person(
        None, code="as1", name="售后一", unit=company.east, title="after_sales", start=D(2024, 1, 1)
    )
    customer = services.create_customer(None, name="华东客户", owner=company.people["r1"])
    with translation.override("en"):
        order = make.order(customer, company.people["r1"], D(2025, 1, 2), Decimal(10))
    ticket = ServiceTicket.objects.get(order=order)
    chinese = f"订单 {order.external_id} 由 R1 赢单"
    client = client_for(company, "admin")
    for url in ("/crm/tickets/?mine=0", f"/crm/customers/{customer.external_id}/"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert chinese in page, url
        assert "deliver and onboard" not in page
    api = client.get(f"/api/tickets/{ticket.external_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert api.json()["summary"].startswith(chinese)
    english = client.get(f"/api/tickets/{ticket.external_id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "deliver and onboard" in english.json()["summary"]
    # Raised before: the stored English sentence goes, a summary someone wrote stays.
    stored = f"Order {order.external_id} won by R1: deliver and onboard."
    ServiceTicket.objects.filter(pk=ticket.pk).update(summary=stored)
    migration = importlib.import_module(
        "attain.crm.migrations.0010_handoff_summary_in_reader_language"
    )
    migration.clear_sentences(apps, None)
    ticket.refresh_from_db()
    assert ticket.summary == ""
    ServiceTicket.objects.filter(pk=ticket.pk).update(summary="客户要求周五上门安装")
    migration.clear_sentences(apps, None)
    ticket.refresh_from_db()
    assert ticket.summary == "客户要求周五上门安装"


def test_customer_360_counts_every_record_of_a_big_customer(company, monkeypatch):
    """A key account with more records than a section shows: the figures at the top
    count them all, and each cut section says how many it shows (in Chinese too)."""
    from attain.conftest import client_for
    from attain.crm import selectors

    monkeypatch.setattr(selectors, "SECTION_LIMIT", 3)
    r1 = company.people["r1"]
    customer = services.create_customer(None, name="大客户", owner=r1)
    for day in range(1, 6):
        make.order(customer, r1, D(2025, 1, day), Decimal(10))
        make.activity(customer, r1, summary=f"拜访 {day}")
    page = client_for(company, "rep").get(
        f"/crm/customers/{customer.external_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    html = page.content.decode()
    stats = re.findall(r'<div class="stat"><span>([^<]*)</span><strong>([^<]*)</strong>', html)
    assert dict(stats)["活动"] == "5", stats
    assert html.count("显示最近的 3 条，共 5 条。") >= 2  # orders and activities (tickets too)


def test_an_activity_before_the_first_storable_moment_is_refused_not_a_server_error(company, crm):
    """0001-01-01 00:00 in the company's time zone (+08:00) is before the first moment
    UTC can hold: the API and the page refuse it on the field (it was a 500 on both)."""
    customer = crm.customers["c_r1"].external_id
    client = client_for(company, "rep")
    api = client.post(
        "/api/activities/",
        {"kind": "call", "customer": customer, "occurred_at": "0001-01-01T00:00"},
        "application/json",
        headers={"accept-language": "zh-hans"},
    )
    assert api.status_code == 400
    assert api.json()["error"]["fields"]["occurred_at"] == ["时间数值超出有效范围。"]
    page = client.post(
        f"/crm/customers/{customer}/activities/new/",
        {"kind": "call", "occurred_at": "0001-01-01T00:00", "summary": "古代"},
    )
    assert page.status_code == 200
    assert "When 0001-01-01 is out of range." in page.content.decode()
    assert not Activity.objects.filter(summary="古代").exists()


def test_customer_360_says_when_a_section_shows_only_the_latest(company, crm, monkeypatch):
    """Each section shows the latest SECTION_LIMIT records; the page says so for every
    section (surveys and contacts too), and the API gives the counts and the totals of
    all records, so a client does not take the first records for all of them."""
    from attain.crm import selectors

    monkeypatch.setattr(selectors, "SECTION_LIMIT", 2)
    r1 = company.people["r1"]
    customer = crm.customers["c_r1"]  # already one order (100) and one payment (60)
    for i in range(3):
        make.order(customer, r1, D(2026, 5, 1 + i), Decimal(10))
        make.payment(customer, r1, D(2026, 6, 1 + i), Decimal(5))
        services.create_contact(None, customer=customer, name=f"联系人{i}")
        services.record_survey(
            None, customer=customer, person=company.people["r2"], date=D(2026, 1, 3), score=5
        )
    page = client_for(company, "rep").get(f"/crm/customers/{customer.external_id}/")
    html = page.content.decode()
    assert html.count("Showing the latest 2 of 3.") == 2  # contacts, surveys
    assert "Showing the latest 2 of 4." in html  # orders, payments
    api = client_for(company, "rep").get(f"/api/customers/{customer.external_id}/360/").json()
    assert len(api["orders"]) == 2 and len(api["surveys"]) == 2
    assert api["counts"] == {
        "contacts": 3,
        "opportunities": 0,
        "activities": 0,
        "orders": 4,
        "payments": 4,
        "tickets": 4,  # the hand-off of each order
        "surveys": 3,
    }
    assert api["totals"] == {"confirmed_orders": "130.00", "collected": "75.00"}


def test_credit_split_shows_each_share_as_it_is(company, crm):
    """A share of 12.5% or 0.5% is shown as such (it was rounded to a whole percent,
    half to even: 12%, 0%), so the split shown adds up to 100%."""
    p = company.people
    customer = crm.customers["c_r1"]
    make.order(
        customer,
        p["r1"],
        D(2026, 5, 1),
        Decimal(80),
        credits=make.shares(p["r1"], "0.125", p["r2"], "0.875"),
    )
    make.payment(
        customer,
        p["r1"],
        D(2026, 5, 2),
        Decimal(80),
        credits=make.shares(p["r1"], "0.995", p["r2"], "0.005"),
    )
    for url in (f"/crm/customers/{customer.external_id}/", "/crm/orders/", "/crm/payments/"):
        html = client_for(company, "admin").get(url).content.decode()
        shares = set(re.findall(r'<span class="muted">([^<]*%)</span>', html))
        assert shares >= ({"12.5%", "87.5%"} if "payments" not in url else set()), url
        if "orders" not in url:
            assert {"99.5%", "0.5%"} <= shares, url


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ({"product": "NO-SUCH", "quantity": "1", "unit_price": "10"}, "未知产品“NO-SUCH”。"),
        ({"product": "P-1", "quantity": "1", "unit_price": "9.999"}, "确认小数不超过 2 位"),
    ],
)
def test_an_order_line_says_which_of_its_fields_is_wrong(company, crm, line, shown):
    """A line's own field errors were not shown: a product code that does not exist, or a
    price with three decimals, came back as "请填写产品、数量和单价" although all three were
    given. Each input of a line is named for screen readers (the table's columns)."""
    services.create_product(
        None,
        code="P-1",
        name="服务器",
        line=services.create_product_line(None, code="hw", name="硬件"),
    )
    customer = crm.customers["c_r1"]
    form = {
        "date": "2026-11-20",
        "owner": "r1",
        "credits": "r1 1",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        **{f"lines-0-{k}": v for k, v in line.items()},
    }
    url = f"/crm/customers/{customer.external_id}/orders/new/"
    client = client_for(company, "manager")
    response = client.post(url, form, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    assert shown in page and "请填写产品、数量和单价" not in page
    for name in ("product", "quantity", "unit_price"):
        assert re.search(rf'<input[^>]*name="lines-0-{name}"[^>]*aria-label="', page) or re.search(
            rf'<input[^>]*aria-label="[^"]+"[^>]*name="lines-0-{name}"', page
        ), name


def test_customer_360_totals_count_only_verified_records(company, crm):
    """Pending and rejected records are shown, marked, but never counted (docs/pay.md):
    the customer's "Confirmed orders" and "Collected" leave them out, as pay does."""
    from attain.crm.models import Order, Payment, Verification

    r1 = company.people["r1"]
    customer = crm.customers["c_r1"]  # one verified order (100) and payment (60)
    for state in (Verification.PENDING, Verification.REJECTED):
        found = make.order(customer, r1, D(2026, 5, 1), Decimal(1000))
        Order.objects.filter(pk=found.pk).update(verification=state)
        paid = make.payment(customer, r1, D(2026, 6, 1), Decimal(500))
        Payment.objects.filter(pk=paid.pk).update(verification=state)
    api = client_for(company, "rep").get(f"/api/customers/{customer.external_id}/360/").json()
    assert api["counts"]["orders"] == 3 and api["counts"]["payments"] == 3  # still shown
    assert api["totals"] == {"confirmed_orders": "100.00", "collected": "60.00"}


def test_duplicates_review_shows_what_tells_two_customers_apart_and_keeps_a_reason(company, crm):
    """Two 华信 of one name may be one company or two: the review showed only owner and
    date, not the city, phone or credit code a reviewer decides by, and the merge kept
    no reason in the audit trail although the service takes one."""
    from attain.audit.models import AuditEvent

    keep = services.create_customer(
        None, name="华信", city="上海", phone="021-5555 0101", external_id="HX-SH"
    )
    twin = services.create_customer(
        None, name="华信", city="北京", external_id="HX-BJ", allow_duplicate=True
    )
    client = client_for(company, "sales_ops")
    html = client.get("/crm/customers/duplicates/").content.decode()
    assert "上海" in html and "北京" in html and "021-5555 0101" in html
    assert 'name="reason"' in html
    client.post(
        "/crm/customers/duplicates/",
        {"keep": keep.external_id, "duplicate": twin.external_id, "reason": "同一家公司，电话核实"},
    )
    twin.refresh_from_db()
    assert twin.merged_into_id == keep.pk
    event = AuditEvent.objects.filter(object_id=str(twin.pk)).latest("pk")
    assert event.reason.startswith("同一家公司，电话核实 · ")
