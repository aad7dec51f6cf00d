"""Records that count (docs/pay.md): the issue's reproductions as regression tests.

A rep's own order waits for verification and is not counted; finance verifies it and
it counts. Absurd amounts, negative quantities and payments and far-future dates are
refused with a 400 naming the field, by the API, the services and the import alike."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from attain.audit.models import AuditEvent
from attain.calc import tables
from attain.conftest import api_client_for
from attain.crm import services
from attain.crm.models import Order, Payment, Product, ProductLine, RecordPolicy, Verification
from attain.intake.importer import import_file
from attain.web.testing import every_row

D = datetime.date


@pytest.fixture
def shop(company: Any) -> dict[str, Any]:
    p = company.people
    line = ProductLine.objects.create(code="sensors", name="传感器")
    return {
        "customer": services.create_customer(None, name="甲一科技", owner=p["r1"]),
        "product": Product.objects.create(code="S-1", name="传感器一号", line=line),
    }


def shop_order(company: Any, shop: dict[str, Any], role: str, **fields: Any) -> Order:
    """An order recorded by ``role`` for the shop's customer, owned by r1: today's, of
    10.00, unless ``fields`` say otherwise."""
    fields = {
        "date": timezone.localdate(),
        "amount": Decimal(10),
        "owner": company.people["r1"],
        **fields,
    }
    return services.record_order(company.users[role], customer=shop["customer"], **fields)


def counted_orders(start: datetime.date, end: datetime.date) -> list[str]:
    frame = tables.load_tables(["orders"], start=start, end=end)["orders"]
    return sorted(frame["id"].to_list())


def test_a_reps_own_order_is_pending_and_not_counted_until_verified(company, shop):
    today = timezone.localdate()
    answer = api_client_for(company, "rep").post(
        "/api/orders/",
        {
            "customer": shop["customer"].external_id,
            "date": today.isoformat(),
            "amount": "5000.00",
            "external_id": "own-1",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["verification"] == "pending"
    assert counted_orders(today, today) == []

    changed = services.verify_records(company.users["finance"], Order, [Order.objects.get().pk])
    assert changed == 1
    order = Order.objects.get()
    assert order.verification == Verification.VERIFIED
    assert order.verified_by == company.users["finance"]
    assert counted_orders(today, today) == ["own-1"]
    events = AuditEvent.objects.filter(object_id=str(order.pk), action="update")
    event = next(e for e in events if (e.after or {}).get("verification") == "verified")
    assert event.before["verification"] == "pending"


def test_entries_by_finance_and_imports_count_at_once(company, shop, tmp_path: Path):
    order = shop_order(company, shop, "finance")
    assert order.verification == Verification.VERIFIED
    manager_order = shop_order(company, shop, "manager")
    assert manager_order.verification == Verification.PENDING  # paid on the team's orders


def test_nobody_makes_their_own_record_count(client, company, shop):
    # a finance login linked to a paid person (r2): its own order counted at once, and
    # its own pending order it could verify itself; now another login verifies it
    company.people["r2"].user = company.users["finance"]
    company.people["r2"].save(update_fields=["user"])
    own = shop_order(company, shop, "finance", owner=company.people["r2"])
    assert own.verification == Verification.PENDING
    assert shop_order(company, shop, "finance").verification == Verification.VERIFIED  # r1's
    with pytest.raises(PermissionDenied):
        services.verify_records(company.users["finance"], Order, [own.pk])
    own.refresh_from_db()
    assert own.verification == Verification.PENDING
    client.force_login(company.users["finance"])
    answer = client.post(
        "/pay/review/?table=orders", {"table": "orders", "ids": [own.pk], "decision": "verified"}
    )
    assert answer.status_code == 200 and "credited to you" in answer.content.decode()
    assert services.verify_records(company.users["sales_ops"], Order, [own.pk]) == 1


def test_an_import_by_finance_verifies_the_pending_record_it_matches(company, shop, tmp_path):
    today = timezone.localdate()
    shop_order(company, shop, "rep", external_id="SO-7")
    assert Order.objects.get(external_id="SO-7").verification == Verification.PENDING
    path = tmp_path / "orders.csv"
    path.write_text(
        "external_id,customer,owner,date,amount\n"
        f"SO-7,{shop['customer'].external_id},r1,{today.isoformat()},10.00\n",
        encoding="utf-8",
    )
    result = import_file(company.users["finance"], "orders", path)
    assert result.rejected == 0
    assert Order.objects.get(external_id="SO-7").verification == Verification.VERIFIED


def test_a_file_imported_again_unchanged_keeps_verified_records_verified(company, shop, tmp_path):
    """A manager uploads the team's orders file again (the same rows): nothing changed,
    so nothing waits again (it sent every verified order back to pending, taking it out
    of pay until finance verified it again); a row that changes a record still waits."""
    today = timezone.localdate()
    for ref in ("SO-8", "SO-9"):
        assert shop_order(company, shop, "finance", external_id=ref).verification == "verified"
    path = tmp_path / "orders.csv"
    path.write_text(
        "external_id,customer,owner,date,amount\n"
        f"SO-8,{shop['customer'].external_id},r1,{today.isoformat()},10.00\n"
        f"SO-9,{shop['customer'].external_id},r1,{today.isoformat()},12.00\n",
        encoding="utf-8",
    )
    result = import_file(company.users["manager"], "orders", path)
    assert (result.rejected, result.updated) == (0, 2)
    states = dict(Order.objects.values_list("external_id", "verification"))
    assert states == {"SO-8": Verification.VERIFIED, "SO-9": Verification.PENDING}
    unchanged = Order.objects.get(external_id="SO-8")
    events = AuditEvent.objects.filter(content_type__model="order", action="update")
    assert not events.filter(object_id=str(unchanged.pk)).exists()


def test_a_visit_imported_again_unchanged_is_no_change(company, shop, tmp_path):
    """A visit's time read back from the database (UTC, without a zone on SQLite) was
    compared with the file's (09:30+08:00): an unchanged row was audited as a new time
    and a manager's re-import sent the verified visit back to pending."""
    from attain.crm.models import Activity

    rows = "外部编号,类型,客户,负责人,时间\n"
    rows += f"V-1,拜访,{shop['customer'].external_id},r1,2026-03-02 09:30\n"
    path = tmp_path / "visits.csv"
    path.write_text(rows, encoding="utf-8")
    assert import_file(company.users["finance"], "activities", path).rejected == 0
    assert import_file(company.users["manager"], "activities", path).rejected == 0
    assert Activity.objects.get(external_id="V-1").verification == Verification.VERIFIED
    assert not AuditEvent.objects.filter(content_type__model="activity", action="update").exists()


def test_a_reimported_visit_with_photo_fingerprints_still_waits(company, shop, tmp_path):
    """Photo fingerprints are evidence the row check does not compare: a manager's row
    that carries them waits for verification as before, even when nothing else changed."""
    from attain.crm.models import Activity

    rows = "外部编号,类型,客户,负责人,时间,照片指纹\n"
    rows += f"V-1,拜访,{shop['customer'].external_id},r1,2026-03-02 09:30,8f3c0a1b2c3d4e5f\n"
    path = tmp_path / "visits.csv"
    path.write_text(rows, encoding="utf-8")
    assert import_file(company.users["finance"], "activities", path).rejected == 0
    assert Activity.objects.get(external_id="V-1").verification == Verification.VERIFIED
    assert import_file(company.users["manager"], "activities", path).rejected == 0
    assert Activity.objects.get(external_id="V-1").verification == Verification.PENDING


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/orders/",
            {"lines": [{"product": "S-1", "quantity": "1", "unit_price": "99999999999"}]},
            "unit_price",
        ),
        (
            "/api/orders/",
            {"lines": [{"product": "S-1", "quantity": "-5", "unit_price": "10"}]},
            "quantity",
        ),
        ("/api/orders/", {"amount": "100", "date": "2099-12-01"}, "date"),
        ("/api/orders/", {"amount": "-100"}, "amount"),
        ("/api/payments/", {"amount": "-100"}, "amount"),
        ("/api/payments/", {"amount": "100", "date": "2099-12-01"}, "date"),
    ],
)
def test_out_of_bounds_values_are_refused_naming_the_field(company, shop, path, body, field):
    data = {"customer": shop["customer"].external_id, "date": "2026-03-01", **body}
    answer = api_client_for(company, "rep").post(path, data, format="json")
    assert answer.status_code == 400, answer.content
    fields = answer.json()["error"]["fields"]
    assert field in fields, fields
    assert Order.objects.count() == 0
    assert Payment.objects.count() == 0


def test_bounds_are_the_same_in_chinese(company, shop):
    answer = api_client_for(company, "rep").post(
        "/api/payments/",
        {"customer": shop["customer"].external_id, "date": "2026-03-01", "amount": "-100"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert answer.status_code == 400
    message = answer.json()["error"]["fields"]["amount"][0]
    assert "金额" in message and "负" in message


def test_the_import_applies_the_same_bounds(company, shop, tmp_path):
    path = tmp_path / "payments.csv"
    path.write_text(
        "external_id,customer,collector,date,amount\n"
        f"P-1,{shop['customer'].external_id},r1,2026-03-01,-100\n"
        f"P-2,{shop['customer'].external_id},r1,2099-12-01,100\n"
        f"P-3,{shop['customer'].external_id},r1,2026-03-01,999999999999\n",
        encoding="utf-8",
    )
    result = import_file(None, "payments", path)
    assert result.rejected == 3
    assert Payment.objects.count() == 0


def test_sales_operations_set_the_policy(company, shop):
    ops = company.users["sales_ops"]
    ahead = timezone.localdate() + datetime.timedelta(days=20)
    services.set_record_policy(
        ops, "orders", review_own=True, max_future_days=5, amount_ceiling=Decimal("50")
    )
    with pytest.raises(ValidationError) as too_far:
        shop_order(company, shop, "rep", date=ahead, amount=Decimal(50))
    assert "date" in too_far.value.message_dict
    services.set_record_policy(
        ops, "orders", review_own=False, max_future_days=25, amount_ceiling=Decimal("50")
    )
    assert RecordPolicy.objects.get(table="orders").max_future_days == 25
    order = shop_order(company, shop, "rep", date=ahead, amount=Decimal(50))
    assert order.verification == Verification.VERIFIED
    with pytest.raises(ValidationError) as refused:
        shop_order(company, shop, "rep", amount=Decimal("50.01"))
    assert "amount" in refused.value.message_dict


def test_rejecting_needs_a_reason_and_changes_nothing_without_one(company, shop):
    order = shop_order(company, shop, "rep")
    with pytest.raises(ValidationError):
        services.verify_records(company.users["finance"], Order, [order.pk], "rejected")
    order.refresh_from_db()
    assert order.verification == Verification.PENDING
    services.verify_records(
        company.users["finance"], Order, [order.pk], "rejected", reason="no contract"
    )
    order.refresh_from_db()
    assert order.verification == Verification.REJECTED


def test_the_review_queue_api_verifies_in_bulk(company, shop):
    for n in range(3):
        shop_order(company, shop, "rep", external_id=f"Q-{n}")
    finance = api_client_for(company, "finance")
    waiting = finance.get("/api/pay/records/?table=orders").json()["results"]
    assert sorted(row["external_id"] for row in waiting) == ["Q-0", "Q-1", "Q-2"]
    answer = finance.post(
        "/api/pay/records/verify/", {"table": "orders", "ids": ["Q-0", "Q-1"]}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"changed": 2}
    assert finance.get("/api/pay/records/?table=orders").json()["results"][0]["external_id"] == (
        "Q-2"
    )
    refused = api_client_for(company, "rep").post(
        "/api/pay/records/verify/", {"table": "orders", "ids": ["Q-2"]}, format="json"
    )
    assert refused.status_code == 403
    assert Order.objects.get(external_id="Q-2").verification == Verification.PENDING


def test_the_review_page_verifies_the_chosen_records(client, company, shop):
    order = shop_order(company, shop, "rep", external_id="W-1")
    client.force_login(company.users["sales_ops"])
    page = client.get("/pay/review/?table=orders")
    assert page.status_code == 200
    assert "W-1" in page.content.decode()
    answer = client.post(
        "/pay/review/", {"table": "orders", "ids": [order.pk], "decision": "verified"}
    )
    assert answer.status_code == 302
    order.refresh_from_db()
    assert order.verification == Verification.VERIFIED
    said = [str(m) for m in client.get(answer.url).context["messages"]]
    assert said == ["1 record changed."]  # not "1 records changed."


def test_web_api_and_import_refuse_a_bound_with_the_same_message(client, company, shop, tmp_path):
    """One bound, three doors: the order page, the API and an import name the amount
    field with the same sentence."""
    import csv

    amount = "999999999999.00"
    client.force_login(company.users["rep"])
    page = client.post(
        f"/crm/customers/{shop['customer'].external_id}/orders/new/",
        {
            "date": "2026-03-01",
            "amount": amount,
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
        },
    )
    assert page.status_code == 200
    web = page.context["form"].errors["amount"]

    answer = api_client_for(company, "rep").post(
        "/api/orders/",
        {"customer": shop["customer"].external_id, "date": "2026-03-01", "amount": amount},
        format="json",
    )
    assert answer.status_code == 400
    by_api = answer.json()["error"]["fields"]["amount"]

    source = tmp_path / "orders.csv"
    source.write_text(
        "external_id,customer,owner,date,amount\n"
        f"SO-9,{shop['customer'].external_id},r1,2026-03-01,{amount}\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"
    result = import_file(company.users["finance"], "orders", source, rejects_path=rejects)
    assert result.rejected == 1
    with rejects.open(encoding="utf-8-sig", newline="") as handle:
        reject_text = " ".join(" ".join(row) for row in csv.reader(handle))

    assert web == by_api
    assert by_api[0] in reject_text
    assert "Amount" in by_api[0] and "ceiling" in by_api[0]
    assert Order.objects.count() == 0


def test_negatives_only_as_returns_through_the_status(company, shop, tmp_path):
    """A rep never enters a negative amount or quantity: an order is taken back through
    its status (returned), which the revenue measure leaves out. The one negative amount
    is a credit note from the system of record (an import by finance)."""
    with pytest.raises(ValidationError) as negative:
        shop_order(company, shop, "rep", date=D(2026, 3, 1), amount=Decimal("-50"))
    assert "amount" in negative.value.message_dict
    with pytest.raises(ValidationError) as quantity:
        shop_order(
            company,
            shop,
            "finance",
            date=D(2026, 3, 1),
            amount=None,
            lines=[(shop["product"], Decimal("-1"), Decimal("10"))],
        )
    assert "quantity" in quantity.value.message_dict
    with pytest.raises(ValidationError) as payment:
        services.record_payment(
            company.users["finance"],
            customer=shop["customer"],
            collector=company.people["r1"],
            date=D(2026, 3, 1),
            amount=Decimal("-5"),
        )
    assert "amount" in payment.value.message_dict

    source = tmp_path / "credit.csv"
    source.write_text(
        "external_id,customer,owner,date,amount\n"
        f"CN-1,{shop['customer'].external_id},r1,2026-03-05,-20.00\n",
        encoding="utf-8",
    )
    assert import_file(company.users["finance"], "orders", source).rejected == 0
    assert Order.objects.get(external_id="CN-1").amount == Decimal("-20.00")


def test_the_verify_endpoint_answers_too_many_form_fields_with_the_error_document(company):
    """Django refuses a form body with more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields
    while DRF parses it: the API's JSON 400, not Django's HTML page."""
    from urllib.parse import urlencode

    from django.conf import settings

    many = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1
    body = urlencode([("table", "orders")] + [("ids", f"X{n}") for n in range(many)])
    answer = api_client_for(company, "finance").post(
        "/api/pay/records/verify/", body, content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("application/json")
    assert answer.json()["error"]["status"] == 400


def test_a_policy_allows_at_most_ten_years_ahead(company):
    answer = api_client_for(company, "sales_ops").put(
        "/api/pay/policies/",
        {
            "table": "orders",
            "review_own": True,
            "max_future_days": 2**40,
            "amount_ceiling": "100.00",
        },
        format="json",
    )
    assert answer.status_code == 400
    assert "max_future_days" in answer.json()["error"]["fields"]
    with pytest.raises(ValidationError) as refused:
        services.set_record_policy(
            company.users["sales_ops"],
            "orders",
            review_own=True,
            max_future_days=100_000,
            amount_ceiling=Decimal(100),
        )
    assert "max_future_days" in refused.value.message_dict
    assert not RecordPolicy.objects.exists()


def test_pending_records_are_shown_and_marked_on_the_crm_pages(client, company, shop):
    """A rep's own order, payment and visit wait: the CRM pages still list them, each
    marked "Pending verification"; once verified the mark is gone."""
    rep = company.users["rep"]
    order = shop_order(company, shop, "rep", external_id="PEND-O")
    services.record_payment(
        rep,
        customer=shop["customer"],
        collector=company.people["r1"],
        date=timezone.localdate(),
        amount=Decimal(5),
        external_id="PEND-P",
    )
    services.log_activity(
        rep,
        kind="visit",
        customer=shop["customer"],
        owner=company.people["r1"],
        occurred_at=timezone.now(),
        summary="拜访",
    )
    mark = 'class="badge" title="Not counted toward pay until verified">Pending verification'
    client.force_login(company.users["manager"])
    customer_page = client.get(f"/crm/customers/{shop['customer'].external_id}/").content.decode()
    assert customer_page.count(mark) == 3  # the visit, the order, the payment
    for path, record in (("/crm/orders/", "PEND-O"), ("/crm/payments/", "PEND-P")):
        page = client.get(path).content.decode()
        row = next(line for line in page.splitlines() if record in line)
        assert mark in row, row
    services.verify_records(company.users["finance"], Order, [order.pk])
    page = client.get("/crm/orders/").content.decode()
    row = next(line for line in page.splitlines() if "PEND-O" in line)
    assert mark not in row


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("role", ["admin", "sales_ops", "finance"])
def test_the_review_queue_shows_dates_for_the_readers_locale(client, company, shop, role, language):
    """The queue showed every date as 2026-03-05, in English and Chinese alike."""
    from django.utils import formats, translation

    day = timezone.localdate() - datetime.timedelta(days=40)
    shop_order(company, shop, "rep", external_id="W-1", date=day)
    client.force_login(company.users[role])
    client.cookies["django_language"] = language
    page = client.get("/pay/review/?table=orders").content.decode()
    row = page.split("W-1</td>")[1].split("</tr>")[0]
    with translation.override(language):
        shown = formats.date_format(day, "SHORT_DATE_FORMAT")
    assert shown != day.isoformat()
    assert f"<td>{shown}</td>" in row
    assert day.isoformat() not in row


def test_the_review_page_does_not_verify_a_record_changed_since_it_was_shown(client, company, shop):
    # finance opens the queue: W-2 of 10.00; meanwhile the rep makes it 9,000,000.00
    # (their import, still pending): the stale page verified the amount nobody looked at
    order = shop_order(company, shop, "rep", external_id="W-2")
    other = shop_order(company, shop, "rep", external_id="W-3")
    client.force_login(company.users["finance"])
    page = client.get("/pay/review/?table=orders").content.decode()
    shown = html.unescape(re.search(r'name="shown" value="([^"]+)"', page).group(1))
    Order.objects.filter(pk=order.pk).update(amount=Decimal("9000000.00"))
    body = {"table": "orders", "ids": [order.pk, other.pk], "decision": "verified"}
    answer = client.post("/pay/review/?table=orders", {**body, "shown": shown}, follow=True)
    assert "W-2" in answer.content.decode()  # refused by name
    states = set(Order.objects.values_list("verification", flat=True))
    assert states == {Verification.PENDING}  # all or nothing: W-3 neither
    page = client.get("/pay/review/?table=orders").content.decode()  # looked at again
    shown = html.unescape(re.search(r'name="shown" value="([^"]+)"', page).group(1))
    client.post("/pay/review/?table=orders", {**body, "shown": shown})
    states = set(Order.objects.values_list("verification", flat=True))
    assert states == {Verification.VERIFIED}


def test_the_review_queue_api_names_the_parameter_it_cannot_read(company):
    """``?state=pendng`` was refused at ``table`` ("Unknown record table or state."), so
    an integrator looked for the mistake in the table; each parameter is now read on
    its own, strictly (given twice, a 400; empty, not given)."""
    finance = api_client_for(company, "finance")
    cases = {"state=pendng": "state", "table=order": "table", "table=orders&table=a": "table"}
    for query, name in cases.items():
        response = finance.get(f"/api/pay/records/?{query}", headers={"accept-language": "zh"})
        assert response.status_code == 400, (query, response.content[:300])
        assert list(response.json()["error"]["fields"]) == [name], query
    assert finance.get("/api/pay/records/?table=&state=").status_code == 200
    assert finance.get("/api/pay/records/?table=payments&state=verified").status_code == 200


@pytest.mark.parametrize("role", ["finance", "sales_ops", "admin"])
def test_the_review_queue_api_comes_a_page_at_a_time(company, shop, role):
    """``GET /api/pay/records/`` returned the first 5,000 records of the queue and said
    nothing of the others (of 200,000 verified orders, 195,000 were out of reach; 0.65 MB
    and 0.48 s of CPU a call); now the common pager's pages (``?page=``,
    ``?page_size=``, 100 a page) over every record, each once."""
    for n in range(5):
        shop_order(company, shop, "rep", external_id=f"Q-{n}")
    client = api_client_for(company, role)
    address: str | None = "/api/pay/records/?table=orders&page_size=2"
    first = client.get(address).json()
    assert first["count"] == 5 and first["next"] and first["previous"] is None
    shown = [row["external_id"] for row in every_row(client, address)]
    assert sorted(shown) == [f"Q-{n}" for n in range(5)]
    assert client.get("/api/pay/records/?table=orders&page=4").status_code == 404
