"""CRM services: dedupe and merge, credit splits, funnel rules, hand-off, follow-ups."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attain.crm import dedupe, selectors, services
from attain.crm.models import (
    ActivityKind,
    Customer,
    FollowUpRule,
    Order,
    Reminder,
    ServiceTicket,
    Stage,
    StageKind,
)
from attain.crm.tests import make
from attain.org import services as org

D = datetime.date
VALID_CODE = dedupe.with_check_digit("91310000MA1FL0000")


@pytest.fixture
def funnel(db):
    Stage.objects.all().delete()  # the default funnel from migration 0002, and its rule
    stages = [
        Stage.objects.create(code="lead", name="线索", position=1, probability=Decimal("0.1")),
        Stage.objects.create(
            code="quote",
            name="报价",
            position=2,
            probability=Decimal("0.5"),
            required_activity=ActivityKind.VISIT,
        ),
        Stage.objects.create(
            code="won", name="赢单", position=3, probability=1, kind=StageKind.WON
        ),
        Stage.objects.create(
            code="lost", name="输单", position=4, probability=0, kind=StageKind.LOST
        ),
    ]
    return {s.code: s for s in stages}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("上海华信（集团）有限公司", "上海 华信集团"),
        ("ＡＢＣ科技股份有限公司", "abc科技"),
        ("Acme Co., Ltd.", "ACME"),
        # The English name as printed on Chinese business licences and invoices.
        ("ABC CO.,LTD.", "ABC Co., Ltd."),
        ("ＡＢＣ　ＣＯ．，ＬＴＤ．", "abc"),
        ("Acme Co.Ltd", "Acme Limited"),
    ],
)
def test_name_keys_match_the_same_company(a, b):
    assert dedupe.name_key(a) == dedupe.name_key(b)


def test_phone_and_email_keys():
    assert dedupe.phone_key("+86 138-0013-8000") == dedupe.phone_key("13800138000")
    assert dedupe.email_key(" Li@Example.COM ") == "li@example.com"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("010-62345678", "62345678"),
        ("(010) 6234 5678", "+86 10 62345678"),
        ("0086 755 8765 4321", "0755-87654321"),
        ("+86 138 0013 8000", "13800138000"),
        ("００８６ １３８００１３８０００", "138-0013-8000"),
    ],
)
def test_phone_keys_match_the_integrity_scans_reading(a, b):
    """The duplicate check reads a phone as the integrity scans do (one normaliser):
    a landline by its local number, a mobile without +86 / 0086."""
    assert dedupe.phone_key(a) == dedupe.phone_key(b)


def test_a_landline_with_and_without_its_area_code_is_a_duplicate(company):
    old = services.create_customer(None, name="北京华信有限公司", phone="010-62345678")
    other = Customer(name="华信科技", phone="62345678")
    assert services.find_duplicates(other) == [(old, ["same phone"])]
    services.create_customer(None, name="华信科技", phone="6234 5678", allow_duplicate=True)
    services.create_customer(None, name="远大贸易", phone="+86 138 0013 8000")
    services.create_customer(None, name="星河电子", phone="13800138000", allow_duplicate=True)
    pairs = [(a.name, b.name, reasons) for a, b, reasons in selectors.duplicate_pairs()]
    assert pairs == [
        ("北京华信有限公司", "华信科技", ["same phone"]),
        ("远大贸易", "星河电子", ["same phone"]),
    ]


def test_one_local_number_in_two_cities_is_two_lines(company):
    """Beijing's 010-62345678 and Shanghai's 021-62345678 share a key (the local number,
    as the integrity scans read it) but are two lines: not duplicates of each other,
    while 62345678 without an area code may be either."""
    beijing = services.create_customer(None, name="北京华信有限公司", phone="010-62345678")
    assert services.find_duplicates(Customer(name="上海远大", phone="021-62345678")) == []
    shanghai = services.create_customer(None, name="上海远大", phone="(021) 6234 5678")
    bare = Customer(name="星河电子", phone="6234-5678")
    assert services.find_duplicates(bare) == [
        (beijing, ["same phone"]),
        (shanghai, ["same phone"]),
    ]
    services.create_customer(None, name="星河电子", phone="+86 21 62345678", allow_duplicate=True)
    pairs = [(a.name, b.name, reasons) for a, b, reasons in selectors.duplicate_pairs()]
    assert pairs == [("上海远大", "星河电子", ["same phone"])]


def test_landlines_in_other_cities_do_not_hide_a_real_duplicate(company):
    for n in range(21):
        Customer.objects.create(name=f"上海客户{n}", phone="021-62345678", phone_key="62345678")
    beijing = services.create_customer(None, name="北京华信有限公司", phone="010-62345678")
    found = services.find_duplicates(Customer(name="华信科技", phone="(010) 6234 5678"))
    assert found == [(beijing, ["same phone"])]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("010-62345678", "021-62345678", False),
        ("010-62345678", "+86 10 6234 5678", True),
        ("0755-87654321", "87654321", True),
        ("+86 138 0013 8000", "13800138000", True),
        ("010-62345678", "010-62345679", False),
        ("", "", False),
    ],
)
def test_same_phone(a, b, same):
    assert dedupe.same_phone(a, b) is same


def test_credit_code_check_digit():
    assert dedupe.credit_code_is_valid(VALID_CODE)
    broken = VALID_CODE[:-1] + ("0" if VALID_CODE[-1] != "0" else "1")
    assert not dedupe.credit_code_is_valid(broken)
    assert not dedupe.credit_code_is_valid("123")


def test_a_likely_duplicate_is_refused_unless_confirmed(company):
    services.create_customer(None, name="上海华信有限公司", phone="021-5555 0001")
    with pytest.raises(ValidationError) as error:
        services.create_customer(None, name="华信科技", phone="02155550001")
    assert "same phone" in error.value.message_dict["name"][0]
    services.create_customer(None, name="华信科技", phone="02155550001", allow_duplicate=True)
    assert Customer.objects.count() == 2


def test_an_invalid_or_taken_credit_code_names_the_field(company):
    with pytest.raises(ValidationError) as error:
        services.create_customer(None, name="甲", credit_code="91310000MA1FL00000")
    assert list(error.value.message_dict) == ["credit_code"]
    services.create_customer(None, name="甲", credit_code=VALID_CODE.lower())
    with pytest.raises(ValidationError) as error:
        services.create_customer(None, name="乙", credit_code=VALID_CODE, allow_duplicate=True)
    assert list(error.value.message_dict) == ["credit_code"]


def test_merge_keeps_both_histories(company):
    r1 = company.people["r1"]
    keep = services.create_customer(None, name="华信", owner=r1)
    dup = services.create_customer(None, name="华信贸易", email="a@hx.cn", allow_duplicate=True)
    make.order(keep, r1, D(2025, 1, 5), Decimal(100))
    make.order(dup, r1, D(2025, 2, 5), Decimal(200))
    make.payment(dup, r1, D(2025, 2, 9), Decimal(50))
    services.merge_customers(company.users["sales_ops"], keep, dup)
    keep.refresh_from_db()
    dup.refresh_from_db()
    assert sorted(o.amount for o in keep.orders.all()) == [100, 200]
    assert keep.payments.count() == 1
    assert keep.email == "a@hx.cn"
    assert dup.merged_into == keep
    with pytest.raises(PermissionDenied):
        services.merge_customers(company.users["rep"], keep, dup)


def test_credit_shares_must_sum_to_one(company):
    c = services.create_customer(None, name="客户")
    r1, r2 = company.people["r1"], company.people["r2"]
    with pytest.raises(ValidationError) as error:
        make.order(c, r1, D(2025, 1, 1), Decimal(10), credits=make.shares(r1, "0.6", r2, "0.3"))
    assert "0.9" in error.value.message_dict["credits"][0]
    assert Order.objects.count() == 0
    order = make.order(c, r1, D(2025, 1, 1), Decimal(10), credits=make.shares(r1, "0.5", r2, "0.5"))
    assert sorted(order.credits.values_list("share", flat=True)) == [Decimal("0.5"), Decimal("0.5")]


def test_reps_record_only_for_people_they_see(company):
    c = services.create_customer(None, name="客户")
    rep = company.users["rep"]
    services.record_order(
        rep, customer=c, owner=company.people["r1"], date=D(2025, 1, 1), amount=Decimal(1)
    )
    with pytest.raises(PermissionDenied):
        services.record_order(
            rep, customer=c, owner=company.people["r2"], date=D(2025, 1, 1), amount=Decimal(1)
        )
    with pytest.raises(PermissionDenied):
        services.record_order(
            company.users["executive"],
            customer=c,
            owner=company.people["r1"],
            date=D(2025, 1, 1),
            amount=Decimal(1),
        )


def test_no_quote_without_a_logged_visit(company, funnel):
    r1 = company.people["r1"]
    c = services.create_customer(None, name="客户")
    opp = make.opportunity(c, r1, "一期", Decimal(1000))
    assert opp.stage == funnel["lead"]
    with pytest.raises(ValidationError) as error:
        services.move_opportunity(None, opp, funnel["quote"])
    assert "stage" in error.value.message_dict
    make.activity(c, r1, opportunity=opp)
    services.move_opportunity(None, opp, funnel["quote"])
    with pytest.raises(ValidationError) as error:
        services.move_opportunity(None, opp, funnel["won"])
    assert "reason" in error.value.message_dict
    services.move_opportunity(None, opp, funnel["won"], reason="价格优势")
    history = list(opp.stage_changes.values_list("from_stage__code", "to_stage__code"))
    assert history == [(None, "lead"), ("lead", "quote"), ("quote", "won")]


def test_a_confirmed_order_is_handed_off_to_the_least_busy_after_sales_person(company):
    a = org.create_person(
        None, code="as1", name="售后一", unit=company.east, title="after_sales", start=D(2024, 1, 1)
    )
    b = org.create_person(
        None, code="as2", name="售后二", unit=company.east, title="after_sales", start=D(2024, 1, 1)
    )
    c = services.create_customer(None, name="客户")
    first = make.order(c, company.people["r1"], D(2025, 1, 1), Decimal(1))
    second = make.order(c, company.people["r1"], D(2025, 1, 2), Decimal(1))
    owners = [ServiceTicket.objects.get(order=o).owner for o in (first, second)]
    assert owners == [a, b]


def test_follow_up_reminders_for_owner_and_manager_raised_once(company, funnel):
    FollowUpRule.objects.create(stage=funnel["lead"], days=7)
    r1 = company.people["r1"]
    c = services.create_customer(None, name="客户")
    make.opportunity(c, r1, "新线索", Decimal(1), created_on=D(2025, 1, 1))
    assert services.check_follow_ups(D(2025, 1, 5)) == 0
    assert services.check_follow_ups(D(2025, 1, 10)) == 2
    assert services.check_follow_ups(D(2025, 1, 11)) == 0
    assert set(Reminder.objects.values_list("person__code", flat=True)) == {"r1", "m1"}


def test_merge_announces_the_moved_records_of_everyone_credited(
    company, django_capture_on_commit_callbacks
):
    """Merging moves records to another customer, which changes what measures read (the
    distinct customers of a rep who sold to both): the people those records are credited
    to are announced, not only the two customers' owners."""
    from attain.crm.events import records_changed

    p = company.people
    keep = services.create_customer(None, name="华信", owner=p["r1"])
    dup = services.create_customer(None, name="华信贸易", allow_duplicate=True)
    make.order(keep, p["r2"], D(2025, 1, 5), Decimal(100))
    make.order(
        dup,
        p["r2"],
        D(2025, 2, 5),
        Decimal(300),
        credits=make.shares(p["r2"], "0.5", p["r3"], "0.5"),
    )
    make.payment(dup, p["r4"], D(2025, 3, 9), Decimal(50))
    seen: list[frozenset] = []

    def receiver(sender, changes, **kwargs):
        seen.append(changes)

    records_changed.connect(receiver, dispatch_uid="test-merge-announces")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.merge_customers(company.users["sales_ops"], keep, dup)
    finally:
        records_changed.disconnect(dispatch_uid="test-merge-announces")
    changes = set().union(*seen)
    assert {(p["r2"].pk, D(2025, 2, 5)), (p["r3"].pk, D(2025, 2, 5))} <= changes
    assert (p["r4"].pk, D(2025, 3, 9)) in changes


def _admin_change(client, customer, **changes):
    """Post Django admin's change form of ``customer`` with ``changes``."""
    data = {
        "external_id": customer.external_id,
        "name": customer.name,
        "credit_code": customer.credit_code,
        "phone": customer.phone,
        "email": customer.email,
        "industry": customer.industry,
        "city": customer.city,
        "source": customer.source,
        "owner": customer.owner_id or "",
        "created_on": customer.created_on.isoformat(),
        "verification": customer.verification,
        "merged_into": "",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        **changes,
    }
    return client.post(f"/admin/crm/customer/{customer.pk}/change/", data)


def test_a_customer_edited_in_admin_keeps_its_duplicate_keys(company):
    """Django admin is where a customer is renamed: the new name, phone and email are
    what the duplicate check and review compare, and a credit code typed in lower case
    or with spaces is the same code (a wrong one is refused)."""
    from django.test import Client

    client = Client()
    client.force_login(company.users["admin"])
    old = services.create_customer(None, name="旧名字贸易", owner=company.people["r1"])
    response = _admin_change(
        client,
        old,
        name="上海华信有限责任公司",
        phone="+86 138 0000 1111",
        credit_code=" " + VALID_CODE.lower()[:9] + " " + VALID_CODE.lower()[9:],
    )
    errors = re.findall(r"errorlist.*?</ul>", response.content.decode(), re.S)
    assert response.status_code == 302, errors
    old.refresh_from_db()
    assert (old.name_key, old.phone_key, old.credit_code) == ("上海华信", "13800001111", VALID_CODE)
    with pytest.raises(ValidationError) as error:
        services.create_customer(None, name="上海华信有限公司")
    assert "上海华信有限责任公司" in error.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as error:
        services.create_customer(None, name="别的", credit_code=VALID_CODE, allow_duplicate=True)
    assert "credit_code" in error.value.message_dict
    response = _admin_change(client, old, credit_code="91310000MA1FL00001")
    assert response.status_code == 200
    assert "not a valid unified social credit code" in response.content.decode()
    old.refresh_from_db()
    assert old.credit_code == VALID_CODE


def test_migration_0009_gives_old_customers_the_new_keys(db):
    """Customers keyed before (“ABC CO.,LTD.” as “abccoltd”, or renamed in admin) get the
    keys of their present name, phone and email."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("attain.crm.migrations.0009_customer_keys_again")
    old = services.create_customer(None, name="ABC CO.,LTD.", phone="021-5555 1234")
    Customer.objects.filter(pk=old.pk).update(name_key="abccoltd", phone_key="")
    migration.recompute_keys(apps, None)
    old.refresh_from_db()
    assert (old.name_key, old.phone_key) == ("abc", "55551234")
    assert services.find_duplicates(Customer(name="Abc Co., Ltd."))[0][0] == old


def test_a_merge_keeps_in_the_audit_trail_which_records_came_from_the_duplicate(company):
    """Both customers have orders, payments, a ticket and a visit: after the merge the
    audit trail names every record that moved (so a mistaken merge can be undone record
    by record), in the merger's language, with the reason given as well as the counts."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import translation

    from attain.audit.models import AuditEvent

    r1, r4 = company.people["r1"], company.people["r4"]
    keep = services.create_customer(None, name="上海华信有限公司", owner=r1)
    dup = services.create_customer(
        None, name="上海华信有限责任公司", owner=r4, allow_duplicate=True
    )
    make.order(keep, r1, D(2025, 1, 5), Decimal(100))
    orders = [make.order(dup, r4, D(2025, 2, day), Decimal(200)) for day in (5, 6)]
    payment = make.payment(dup, r4, D(2025, 2, 9), Decimal(50), order=orders[0])
    visit = make.activity(dup, r4, summary="拜访")
    ticket = services.open_ticket(None, customer=dup, kind="repair", summary="维修", owner=r4)
    with translation.override("zh-hans"):
        services.merge_customers(company.users["sales_ops"], keep, dup, reason="同一家公司")
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Customer), object_id__in=[keep.pk, dup.pk]
    ).filter(reason__contains="同一家公司")
    assert events.count() == 2
    for event in events:
        assert "订单 2" in event.reason and "records moved" not in event.reason
        records = event.after["merged"]["records"]
        assert records["orders"] == [o.external_id for o in orders]
        assert records["payments"] == [payment.external_id]
        assert records["activities"] == [visit.external_id]
        assert ticket.external_id in records["tickets"]  # with the orders' hand-offs
        assert event.after["merged"]["duplicate"] == dup.external_id


def _order_change(client, order, credits, **changes):
    """Post Django admin's change form of ``order`` with ``credits``: (credit pk or None,
    person pk, share, delete) rows."""
    data = {
        "external_id": order.external_id,
        "customer": order.customer_id,
        "owner": order.owner_id,
        "date": order.date.isoformat(),
        "amount": str(order.amount),
        "status": order.status,
        "verification": order.verification,
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "credits-TOTAL_FORMS": str(len(credits)),
        "credits-INITIAL_FORMS": str(sum(1 for c in credits if c[0])),
        "credits-MIN_NUM_FORMS": "0",
        "credits-MAX_NUM_FORMS": "1000",
        **changes,
    }
    for n, (pk, person, share, delete) in enumerate(credits):
        data |= {
            f"credits-{n}-id": pk or "",
            f"credits-{n}-order": order.pk,
            f"credits-{n}-person": person,
            f"credits-{n}-share": share,
        }
        if delete:
            data[f"credits-{n}-DELETE"] = "on"
    return client.post(f"/admin/crm/order/{order.pk}/change/", data)


def test_a_credit_split_edited_in_admin_is_checked_and_audited(company):
    """An administrator changes the split of a verified order in Django admin: a split
    that does not sum to 1 is refused; a good one is in the audit trail, row by row
    (pay follows it, so who changed it must be on record)."""
    from django.contrib.contenttypes.models import ContentType
    from django.test import Client

    from attain.audit.models import AuditEvent
    from attain.crm.models import OrderCredit

    p = company.people
    c = services.create_customer(None, name="三方客户", owner=p["r1"])
    order = make.order(
        c, p["r1"], D(2025, 3, 1), Decimal(900), credits=make.shares(p["r1"], "0.5", p["r4"], "0.5")
    )
    r1, r4 = (order.credits.get(person=p[code]) for code in ("r1", "r4"))
    client = Client()
    client.force_login(company.users["admin"])
    bad = [(r1.pk, p["r1"].pk, "0.5", False), (r4.pk, p["r4"].pk, "0.4", False)]
    response = _order_change(client, order, bad)
    assert response.status_code == 200
    assert "0.9" in response.content.decode()
    assert sorted(order.credits.values_list("share", flat=True)) == [Decimal("0.5")] * 2
    good = [
        (r1.pk, p["r1"].pk, "0.34", False),
        (r4.pk, p["r4"].pk, "0.5", True),
        (None, p["r2"].pk, "0.33", False),
        (None, p["r3"].pk, "0.33", False),
    ]
    response = _order_change(client, order, good)
    assert response.status_code == 302
    credit_type = ContentType.objects.get_for_model(OrderCredit)
    events = AuditEvent.objects.filter(content_type=credit_type, actor=company.users["admin"])
    assert sorted(events.values_list("action", flat=True)) == [
        "create",
        "create",
        "delete",
        "update",
    ]
    assert OrderCredit.objects.filter(order=order).count() == 3


def test_migration_0011_gives_old_customers_the_integrity_scans_phone_key(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("attain.crm.migrations.0011_customer_phone_keys")
    old = services.create_customer(None, name="北京华信", phone="010-6234 5678")
    Customer.objects.filter(pk=old.pk).update(phone_key="01062345678")
    migration.recompute_phone_keys(apps, None)
    old.refresh_from_db()
    assert old.phone_key == "62345678"


def test_migration_0011_writes_each_changed_key_by_its_id_not_a_case_per_batch(db):
    """0011 rewrites the phone key of every landline: ``bulk_update`` sent each 1,000 as
    one ``CASE WHEN id = … THEN …`` over the batch, which the database evaluates for each
    row (100,000 customers: 137 s on SQLite). Each changed key is now one plain
    ``UPDATE … WHERE id = …`` (sent together with ``executemany``)."""
    import importlib

    from django.apps import apps
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    migration = importlib.import_module("attain.crm.migrations.0011_customer_phone_keys")
    made = [
        services.create_customer(None, name=f"公司{n}", phone=f"010-6234 56{n:02d}")
        for n in range(3)
    ]
    Customer.objects.filter(pk__in=[c.pk for c in made]).update(phone_key="stale")
    with CaptureQueriesContext(connection) as queries:
        migration.recompute_phone_keys(apps, None)
    updates = [q["sql"] for q in queries.captured_queries if "UPDATE" in q["sql"]]
    assert updates and not any("CASE" in sql for sql in updates)
    keys = set(Customer.objects.filter(pk__in=[c.pk for c in made]).values_list("phone_key"))
    assert keys == {("623456" + f"{n:02d}",) for n in range(3)}


def test_a_number_with_an_extension_is_a_duplicate_of_the_number(company):
    """A shell customer hid behind an extension: "138 0013 8000 转 123" was another
    number than 13800138000 for the duplicate check and the integrity scans."""
    old = services.create_customer(None, name="远大贸易", phone="13800138000")
    other = Customer(name="星河电子", phone="138 0013 8000 转 123")
    assert services.find_duplicates(other) == [(old, ["same phone"])]


def test_stored_phone_keys_are_computed_again_without_the_extension(company):
    from importlib import import_module

    from django.apps import apps

    customer = services.create_customer(None, name="远大贸易", phone="010-62345678 ext. 12")
    Customer.objects.filter(pk=customer.pk).update(phone_key="6234567812")  # as stored before
    migration = import_module("attain.crm.migrations.0012_customer_phone_keys_extensions")
    migration.recompute_phone_keys(apps, None)
    customer.refresh_from_db()
    assert customer.phone_key == "62345678"


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("0769-8888 1234；186 1234 5678", "18612345678"),
        ("0769-8888 1234；186 1234 5678", "0769 8888 1234"),
        ("010-1234567 / 13912345678", "+86 139 1234 5678"),
        ("138 0013 8000,021-5555 6666", "(021) 5555 6666 转 8"),
        ("１３８ ００１３ ８０００、０２１－５５５５ ６６６６", "86-138-0013-8000"),
        ("13800138000 021-5555 6666", "021 55556666；13900000000"),
    ],
)
def test_a_customer_sharing_either_of_two_numbers_is_a_duplicate(company, stored, typed):
    """A phone field holding two numbers (a landline and a mobile) was read as one run
    of digits, so a new customer with either number was not flagged; each number is
    now read on its own, as the integrity scans read it (attain.engine.phones)."""
    old = services.create_customer(None, name="东莞华信有限公司", phone=stored)
    assert services.find_duplicates(Customer(name="华信科技", phone=typed)) == [
        (old, ["same phone"])
    ]
    services.create_customer(None, name="华信科技", phone=typed, allow_duplicate=True)
    pairs = [(a.name, b.name, reasons) for a, b, reasons in selectors.duplicate_pairs()]
    assert pairs == [("东莞华信有限公司", "华信科技", ["same phone"])]


def test_two_numbers_in_another_city_or_a_placeholder_are_not_a_duplicate(company):
    services.create_customer(None, name="上海远大", phone="138 0013 8000,021-5555 6666")
    services.create_customer(None, name="占位客户", phone="0000000")
    assert services.find_duplicates(Customer(name="北京华信", phone="010-5555 6666")) == []
    assert services.find_duplicates(Customer(name="星河电子", phone="0000000；无")) == []
    services.create_customer(None, name="北京华信", phone="010-5555 6666")
    services.create_customer(None, name="星河电子", phone="0000000")
    assert selectors.duplicate_pairs() == []


def test_search_finds_a_customer_by_either_number(company):
    old = services.create_customer(None, name="东莞华信", phone="0769-8888 1234；186 1234 5678")
    for query in ("18612345678", "186 1234", "88881234"):
        found = list(Customer.objects.filter(selectors.customer_search(query)))
        assert found == [old], query
