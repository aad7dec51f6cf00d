"""CRM visibility as a matrix of roles × endpoints (see the data in conftest.py): which
customers, orders and payments each role sees, 404 for invisible records, and refused
writes that change nothing."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from attain.audit.models import AuditEvent
from attain.conftest import client_for
from attain.crm import access, selectors, services
from attain.crm.models import Activity, Customer, Order, Payment
from attain.crm.tests import make
from attain.org.models import Person

ROLES = ["admin", "sales_ops", "finance", "executive", "manager", "rep"]
ALL_CUSTOMERS = {"c_r1", "c_r2", "c_r3", "c_r4", "c_shared", "c_credit", "c_none"}
ORG_WIDE = {"admin", "sales_ops", "finance", "executive"}
CUSTOMERS = {
    **dict.fromkeys(ORG_WIDE, ALL_CUSTOMERS),
    "manager": {"c_r1", "c_r2", "c_r3", "c_shared", "c_credit"},
    "rep": {"c_r1", "c_shared"},
}
ORDERS = {
    **dict.fromkeys(ORG_WIDE, frozenset({"o_r1", "o_r4", "o_split"})),
    "manager": {"o_r1", "o_split"},
    "rep": {"o_r1"},
}
PAYMENTS = {
    **dict.fromkeys(ORG_WIDE, frozenset({"p_r1", "p_r4"})),
    "manager": {"p_r1"},
    "rep": {"p_r1"},
}


def names(crm, external_ids) -> set[str]:
    by_id = {c.external_id: key for key, c in crm.customers.items()}
    return {by_id[e] for e in external_ids}


def database_state() -> tuple:
    return (
        Customer.objects.count(),
        Order.objects.count(),
        Payment.objects.count(),
        Activity.objects.count(),
        list(Order.objects.order_by("pk").values_list("status", flat=True)),
        AuditEvent.objects.count(),
    )


# Reads ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_customer_lists_are_exactly_the_visible_customers(company, crm, role):
    client = client_for(company, role)
    api = client.get("/api/customers/")
    web = client.get("/crm/customers/")
    assert names(crm, (row["external_id"] for row in api.json()["results"])) == CUSTOMERS[role]
    assert names(crm, (c.external_id for c in web.context["page"])) == CUSTOMERS[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(ALL_CUSTOMERS))
def test_customer_360_page_and_api(company, crm, role, key):
    client = client_for(company, role)
    external_id = crm.customers[key].external_id
    expected = 200 if key in CUSTOMERS[role] else 404
    web = client.get(f"/crm/customers/{external_id}/")
    api = client.get(f"/api/customers/{external_id}/")
    api_360 = client.get(f"/api/customers/{external_id}/360/")
    form = client.get(f"/crm/customers/{external_id}/activities/new/")
    assert (web.status_code, api.status_code, api_360.status_code) == (expected,) * 3
    # an executive reads the customer but records nothing: no form to fill in
    assert form.status_code == (403 if expected == 200 and role == "executive" else expected)


@pytest.mark.parametrize("role", ROLES)
def test_order_and_payment_lists(company, crm, role):
    client = client_for(company, role)
    orders = {o.external_id: k for k, o in crm.orders.items()}
    payments = {p.external_id: k for k, p in crm.payments.items()}
    api_orders = client.get("/api/orders/").json()["results"]
    web_orders = client.get("/crm/orders/").context["page"]
    assert {orders[r["external_id"]] for r in api_orders} == ORDERS[role]
    assert {orders[o.external_id] for o in web_orders} == ORDERS[role]
    api_payments = client.get("/api/payments/").json()["results"]
    web_payments = client.get("/crm/payments/").context["page"]
    assert {payments[r["external_id"]] for r in api_payments} == PAYMENTS[role]
    assert {payments[p.external_id] for p in web_payments} == PAYMENTS[role]
    for key, order in crm.orders.items():
        expected = 200 if key in ORDERS[role] else 404
        assert client.get(f"/api/orders/{order.external_id}/").status_code == expected


@pytest.mark.parametrize(
    "url",
    [
        "/api/customers/",
        "/api/orders/",
        "/api/payments/",
        "/api/opportunities/",
        "/api/tickets/",
        "/api/surveys/",
        "/api/training-scores/",
        "/api/peer-ratings/",
        "/api/product-lines/",
    ],
)
def test_api_requires_authentication(company, url):
    response = Client().get(url)
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "url",
    [
        "/crm/customers/",
        "/crm/opportunities/",
        "/crm/orders/",
        "/crm/reminders/",
        "/crm/surveys/",
        "/crm/training/",
        "/crm/ratings/",
        "/crm/products/",
        "/crm/pipeline/",
        "/search/?q=r",
        "/search/pick/person/?q=r",
        "/search/pick/customer/?q=r",
    ],
)
def test_pages_require_login(company, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# Each branch of can_view_customer -------------------------------------------------


def _branch(company, branch: str) -> Customer:
    """A customer owned by r4 (invisible to r1) that r1 reaches only through ``branch``."""
    p = company.people
    r1, r4 = p["r1"], p["r4"]
    customer = services.create_customer(None, name=f"分支{branch}", owner=r4)
    day = timezone.localdate()
    if branch == "owner":
        customer = services.create_customer(None, name="自有", owner=r1)
    elif branch == "opportunity":
        make.opportunity(customer, r1, "机会", 1)
    elif branch == "activity":
        make.activity(customer, r1, "call")
    elif branch == "order":
        make.order(customer, r1, day, Decimal(1))
    elif branch == "order_credit":
        make.order(customer, r4, day, Decimal(1), credits=make.shares(r4, "0.5", r1, "0.5"))
    elif branch == "payment":
        make.payment(customer, r1, day, 1)
    elif branch == "payment_credit":
        make.payment(customer, r4, day, Decimal(1), credits=make.shares(r4, "0.5", r1, "0.5"))
    elif branch == "ticket":
        services.open_ticket(None, customer=customer, kind="repair", owner=r1)
    elif branch == "survey":
        services.record_survey(None, customer=customer, person=r1, date=day, score=Decimal(5))
    return customer


BRANCHES = [
    "owner",
    "opportunity",
    "activity",
    "order",
    "order_credit",
    "payment",
    "payment_credit",
    "ticket",
    "survey",
]


@pytest.mark.parametrize("branch", BRANCHES)
def test_each_branch_of_the_customer_rule(company, branch):
    customer = _branch(company, branch)
    rep = company.users["rep"]
    assert access.can_view_customer(rep, customer)
    assert selectors.visible_customers(rep).filter(pk=customer.pk).exists()


def test_no_branch_no_customer_and_anonymous_sees_nothing(company):
    from django.contrib.auth.models import AnonymousUser

    customer = _branch(company, "none")
    assert not access.can_view_customer(company.users["rep"], customer)
    assert not selectors.visible_customers(company.users["rep"]).exists()
    assert not access.can_view_customer(AnonymousUser(), customer)
    assert access.can_view_customer(company.users["executive"], customer)


# Writes --------------------------------------------------------------------------


def _writes(crm, company):
    c_r1 = crm.customers["c_r1"].external_id
    c_r4 = crm.customers["c_r4"].external_id
    return [
        ("post", "/api/customers/?allow_duplicate=true", {"name": "新客户", "owner": "r4"}),
        (
            "post",
            "/api/activities/",
            {"kind": "call", "customer": c_r4, "owner": "r4", "occurred_at": "2026-11-20T10:00"},
        ),
        (
            "post",
            "/api/orders/",
            {"customer": c_r4, "owner": "r4", "date": "2026-11-20", "amount": "10"},
        ),
        (
            "post",
            "/api/payments/",
            {"customer": c_r1, "collector": "r4", "date": "2026-11-20", "amount": "10"},
        ),
    ]


WRITERS = {"admin", "sales_ops", "finance"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("index", range(4))
def test_api_writes_for_r4(company, crm, role, index):
    """Writing records for r4 (west): org-wide writers may; the executive, the east
    manager and r1 may not, and nothing changes."""
    method, url, body = _writes(crm, company)[index]
    client = client_for(company, role)
    before = database_state()
    response = getattr(client, method)(url, body, content_type="application/json")
    if role in WRITERS:
        assert response.status_code == 201, response.content
    else:
        assert response.status_code in (400, 403, 404), response.content
        assert database_state() == before


@pytest.mark.parametrize("role", ROLES)
def test_web_order_status_change(company, crm, role):
    """Cancelling r4's order: org-wide writers may; others get 404 (invisible) or 403."""
    order = crm.orders["o_r4"]
    client = client_for(company, role)
    before = database_state()
    response = client.post(
        f"/crm/orders/{order.external_id}/status/", {"status": "cancelled", "on": "2026-11-26"}
    )
    order.refresh_from_db()
    if role in WRITERS:
        assert response.status_code == 302
        assert order.status == "cancelled"
    else:
        assert response.status_code in (403, 404)
        assert database_state() == before


@pytest.mark.parametrize(
    ("next_page", "lands"),
    [("/crm/customers/", "/crm/customers/"), ("https://evil.example/x", "/crm/orders/"),
     ("//evil.example/x", "/crm/orders/")],
)  # fmt: skip
def test_the_order_status_form_goes_back_only_to_this_site(company, crm, next_page, lands):
    order = crm.orders["o_r4"]
    response = client_for(company, "sales_ops").post(
        f"/crm/orders/{order.external_id}/status/",
        {"status": "cancelled", "on": "2026-11-26", "next": next_page},
    )
    assert response.status_code == 302 and response["Location"] == lands


def test_a_rep_does_not_cancel_an_order_shared_with_another_team(company, crm):
    """An order belongs to its owner and to everyone credited a share: r1 owns it but a
    third goes to r4 (another team, recorded by sales operations), so r1 may not cancel
    it and change r4's pay (recording such a split was refused to r1 too)."""
    p = company.people
    order = make.order(
        crm.customers["c_r1"],
        p["r1"],
        datetime.date(2026, 5, 1),
        Decimal(900),
        credits=make.shares(p["r1"], "0.34", p["r2"], "0.33", p["r4"], "0.33"),
    )
    before = database_state()
    response = client_for(company, "rep").post(
        f"/crm/orders/{order.external_id}/status/", {"status": "cancelled", "on": "2026-05-20"}
    )
    assert response.status_code == 403
    assert database_state() == before
    with pytest.raises(PermissionDenied):
        services.change_order_status(
            company.users["rep"], order, "cancelled", on=datetime.date(2026, 5, 20)
        )
    order.refresh_from_db()
    assert order.status == "confirmed"


def test_a_rep_confirming_their_cancelled_order_again_waits_for_verification(company, crm):
    """Sales operations cancelled r1's order; r1 confirming it again puts it back in r1's
    pay only once finance or sales operations verify it (docs/pay.md: a record changed by
    the person paid for it waits again)."""
    order = crm.orders["o_r1"]
    services.change_order_status(
        company.users["sales_ops"], order, "cancelled", on=datetime.date(2026, 3, 20)
    )
    order.refresh_from_db()
    assert (order.status, order.verification) == ("cancelled", "verified")
    response = client_for(company, "rep").post(
        f"/crm/orders/{order.external_id}/status/", {"status": "confirmed", "on": "2026-03-25"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.verification) == ("confirmed", "pending")
    services.verify_records(company.users["finance"], Order, [order.pk])
    order.refresh_from_db()
    assert order.verification == "verified"


def test_customer_360_links_only_the_opportunities_the_reader_may_open(company, crm):
    """r1 sees c_shared (one visit) and so all its opportunities on the 360 page, r4's
    too; r4's opportunity page is 404 for r1, so the 360 page does not link to it."""
    p = company.people
    customer = crm.customers["c_shared"]
    theirs = make.opportunity(customer, p["r4"], "二期项目", Decimal(5000))
    mine = make.opportunity(customer, p["r1"], "一期项目", Decimal(3000))
    rep = client_for(company, "rep")
    page = rep.get(f"/crm/customers/{customer.external_id}/").content.decode()
    assert "二期项目" in page and "一期项目" in page
    assert f"/crm/opportunities/{mine.external_id}/" in page
    assert rep.get(f"/crm/opportunities/{mine.external_id}/").status_code == 200
    assert f"/crm/opportunities/{theirs.external_id}/" not in page
    assert rep.get(f"/crm/opportunities/{theirs.external_id}/").status_code == 404
    admin = client_for(company, "admin").get(f"/crm/customers/{customer.external_id}/")
    assert f"/crm/opportunities/{theirs.external_id}/" in admin.content.decode()


def test_customer_360_offers_no_writes_to_an_executive(company, crm):
    """Executives read only (a write of theirs is 403): the 360 page shows them the
    customer without the buttons to log, record or open anything."""
    p = company.people
    customer = crm.customers["c_shared"]
    make.order(customer, p["r4"], datetime.date(2026, 3, 1), Decimal(10))  # its hand-off
    assert customer.tickets.exists()
    links = ("/activities/new/", "/orders/new/", "/payments/new/", "/surveys/new/")
    for role, offered in (("executive", False), ("rep", True), ("finance", True)):
        html = client_for(company, role).get(f"/crm/customers/{customer.external_id}/")
        page = html.content.decode()
        assert html.status_code == 200
        for link in links:
            assert (f"/crm/customers/{customer.external_id}{link}" in page) is offered, (role, link)


@pytest.mark.parametrize("api", [False, True])
def test_a_manager_recording_training_for_another_team_learns_no_employee_ids(company, crm, api):
    """m1 naming r4 (west, not theirs to see) for a training score is refused as an
    unknown person, exactly as an employee id nobody has: a 403 against a form error
    told which ids exist. Nothing is written."""
    client = client_for(company, "manager")
    before = database_state()

    def answer(code: str) -> tuple[int, str]:
        body = {"person": code, "course": "安全培训", "date": "2026-11-20", "score": "80"}
        if api:
            response = client.post("/api/training-scores/", body, content_type="application/json")
        else:
            response = client.post("/crm/training/new/", body)
        text = response.content.decode()
        if not api:  # the page's own tokens differ from request to request
            text = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]*"', "", text)
            text = re.sub(r'nonce="[^"]*"', "", text)
            text = re.sub(r'name="sent_once" value="[^"]*"', "", text)  # the form's one-time key
        return response.status_code, text.replace(code, "CODE")

    hidden, unknown = answer("r4"), answer("zz9")
    assert hidden == unknown
    assert hidden[0] == (400 if api else 200)
    assert database_state() == before


@pytest.mark.parametrize("role", ["manager", "rep"])
@pytest.mark.parametrize("table", ["orders", "payments"])
def test_a_refused_credit_split_does_not_name_someone_the_writer_may_not_see(
    company, crm, role, table
):
    """Crediting r4 (west) is refused for the east manager and r1; the refusal gives
    back the employee id they typed, never the name behind it (typing ids one by one
    read the names of the whole company)."""
    Person.objects.filter(code="r4").update(name="王秘密")
    customer = crm.customers["c_r1"].external_id
    body = {
        "customer": customer,
        "date": "2026-11-20",
        "amount": "10",
        "credits": [{"person": "r1", "share": "0.5"}, {"person": "r4", "share": "0.5"}],
        "owner" if table == "orders" else "collector": "r1",
    }
    before = database_state()
    response = client_for(company, role).post(
        f"/api/{table}/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    message = response.json()["error"]["fields"]["credits"][0]
    assert "r4" in message
    assert "王秘密" not in message
    assert database_state() == before


def test_rating_someone_who_left_does_not_name_them_to_who_may_not_see_them(company, crm):
    """Everyone rates any colleague by employee id; r1 naming r4 (west), who has left,
    is told the id is not employed, without the name behind it."""
    from attain.org import services as org_services

    Person.objects.filter(code="r4").update(name="王秘密")
    r4 = Person.objects.get(code="r4")
    org_services.end_employment(None, r4, on=timezone.localdate() - datetime.timedelta(days=40))
    body = {"person": "r4", "date": timezone.localdate().isoformat(), "score": "3"}
    response = client_for(company, "rep").post(
        "/api/peer-ratings/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    message = response.json()["error"]["fields"]["person"][0]
    assert "r4" in message and "王秘密" not in message


@pytest.mark.parametrize("role", ["manager", "rep", "admin"])
def test_an_order_cannot_hang_on_another_customers_opportunity(company, crm, role):
    """An order of c_r1 naming r4's opportunity on c_r4 (its external id guessed) is
    refused as in an activity or a payment, whoever records it: it tied a record of one
    customer to another team's deal. Nothing is written."""
    deal = make.opportunity(crm.customers["c_r4"], company.people["r4"], "西部大单", 1000)
    body = {
        "customer": crm.customers["c_r1"].external_id,
        "owner": "r1",
        "date": "2026-11-20",
        "amount": "10",
        "opportunity": deal.external_id,
    }
    before = database_state()
    response = client_for(company, role).post("/api/orders/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "opportunity" in response.json()["error"]["fields"]
    assert database_state() == before
