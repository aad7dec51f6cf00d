"""Surveys, training scores, peer ratings, contacts, tickets and the product catalogue:
pages and API per role (see the data in conftest.py), refused writes change nothing.

people's data    person   seen by (besides org-wide roles)
survey s_r1      r1       m1, r1
survey s_r4      r4       —
training t_r1    r1       m1, r1
training t_r3    r3       m1
training t_r4    r4       —
rating g_r2_r1   r2 → r1  m1, r1
rating g_r1_r4   r1 → r4  r1 (the rater sees the ratings they gave)
rating g_r4_r3   r4 → r3  m1
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from attain.audit.models import AuditEvent
from attain.crm import services
from attain.crm.models import (
    Contact,
    PeerRating,
    Product,
    ProductLine,
    ServiceTicket,
    Survey,
    TrainingScore,
)

from .test_visibility import ORG_WIDE, ROLES, client_for

D = datetime.date
WRITERS = {"admin", "sales_ops", "finance"}
CATALOGUE = {"admin", "sales_ops"}

SURVEYS = {
    **dict.fromkeys(ORG_WIDE, frozenset({"s_r1", "s_r4"})),
    "manager": {"s_r1"},
    "rep": {"s_r1"},
}
TRAINING = {
    **dict.fromkeys(ORG_WIDE, frozenset({"t_r1", "t_r3", "t_r4"})),
    "manager": {"t_r1", "t_r3"},
    "rep": {"t_r1"},
}
RATINGS = {
    **dict.fromkeys(ORG_WIDE, frozenset({"g_r2_r1", "g_r1_r4", "g_r4_r3"})),
    "manager": {"g_r2_r1", "g_r4_r3"},
    "rep": {"g_r2_r1", "g_r1_r4"},
}


@dataclass
class People:
    surveys: dict[str, Survey]
    training: dict[str, TrainingScore]
    ratings: dict[str, PeerRating]
    ticket_r4: ServiceTicket


@pytest.fixture
def people_data(company: Any, crm: Any) -> People:
    p = company.people
    day = D(2026, 5, 4)
    surveys = {
        "s_r1": services.record_survey(
            None, customer=crm.customers["c_r1"], person=p["r1"], date=day, score=Decimal(4)
        ),
        "s_r4": services.record_survey(
            None, customer=crm.customers["c_r4"], person=p["r4"], date=day, score=Decimal(5)
        ),
    }
    training = {
        f"t_{code}": services.record_training_score(
            None, person=p[code], course="产品知识", date=day, score=Decimal(88)
        )
        for code in ("r1", "r3", "r4")
    }
    ratings = {
        f"g_{a}_{b}": services.record_peer_rating(
            None, rater=p[a], person=p[b], date=day, score=Decimal(4)
        )
        for a, b in (("r2", "r1"), ("r1", "r4"), ("r4", "r3"))
    }
    ticket = services.open_ticket(
        None, customer=crm.customers["c_r4"], kind="repair", owner=p["r4"], summary="坏了"
    )
    return People(surveys, training, ratings, ticket)


def state() -> tuple:
    return (
        Contact.objects.count(),
        ServiceTicket.objects.count(),
        list(ServiceTicket.objects.order_by("pk").values_list("status", flat=True)),
        Survey.objects.count(),
        TrainingScore.objects.count(),
        PeerRating.objects.count(),
        Product.objects.count(),
        ProductLine.objects.count(),
        AuditEvent.objects.count(),
    )


# Reads ---------------------------------------------------------------------------

LISTS = [
    ("surveys", "/api/surveys/", "/crm/surveys/", SURVEYS),
    ("training", "/api/training-scores/", "/crm/training/", TRAINING),
    ("ratings", "/api/peer-ratings/", "/crm/ratings/", RATINGS),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("what", "api_url", "page_url", "expected"), LISTS)
def test_people_data_lists_and_details(
    company, people_data, role, what, api_url, page_url, expected
):
    records = getattr(people_data, what)
    by_id = {r.external_id: key for key, r in records.items()}
    client = client_for(company, role)
    api = client.get(api_url)
    page = client.get(page_url)
    assert api.status_code == page.status_code == 200
    assert {by_id[r["external_id"]] for r in api.json()["results"]} == expected[role]
    assert {by_id[r.external_id] for r in page.context["page"]} == expected[role]
    for key, record in records.items():
        status = 200 if key in expected[role] else 404
        assert client.get(f"{api_url}{record.external_id}/").status_code == status


def test_list_filters(company, people_data):
    client = client_for(company, "admin")
    page = client.get("/crm/training/", {"person": "r3"})
    assert [t.person.code for t in page.context["page"]] == ["r3"]
    page = client.get("/crm/surveys/", {"q": "丁四"})
    assert [s.person.code for s in page.context["page"]] == ["r4"]
    rep = client_for(company, "rep")
    page = rep.get("/crm/ratings/", {"given": "1"})
    assert [r.person.code for r in page.context["page"]] == ["r4"]
    api = client.get("/api/peer-ratings/", {"person": "r1"}).json()["results"]
    assert [(r["rater"], r["person"]) for r in api] == [("r2", "r1")]


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_the_catalogue(company, role):
    line = services.create_product_line(None, code="pumps", name="水泵")
    services.create_product(None, code="P-1", name="离心泵", line=line)
    client = client_for(company, role)
    assert [p["code"] for p in client.get("/api/products/").json()["results"]] == ["P-1"]
    assert client.get("/api/product-lines/pumps/").json() == {"code": "pumps", "name": "水泵"}
    assert [p.code for p in client.get("/crm/products/").context["page"]] == ["P-1"]
    lines = client.get("/crm/product-lines/").context["page"]
    assert [(x.code, x.product_count) for x in lines] == [("pumps", 1)]


# Writes: role × endpoint -----------------------------------------------------------


def _writes(crm: Any, data: People) -> dict[str, tuple[str, dict[str, Any], set[str]]]:
    """Writes about r4 / c_r4 (west): url, body, roles allowed."""
    c_r4 = crm.customers["c_r4"].external_id
    ticket = data.ticket_r4.external_id
    day = "2026-11-20"
    return {
        "contact": ("/api/contacts/", {"customer": c_r4, "name": "王经理"}, WRITERS),
        "ticket": (
            "/api/tickets/",
            {"customer": c_r4, "kind": "question", "owner": "r4", "summary": "咨询"},
            WRITERS,
        ),
        "ticket_status": (f"/api/tickets/{ticket}/status/", {"status": "resolved"}, WRITERS),
        "survey": (
            "/api/surveys/",
            {"customer": c_r4, "person": "r4", "date": day, "score": "4.5"},
            WRITERS,
        ),
        "training": (
            "/api/training-scores/",
            {"person": "r4", "course": "安全", "date": day, "score": "90"},
            CATALOGUE,
        ),
        "rating_for_r2": (
            "/api/peer-ratings/",
            {"rater": "r2", "person": "r4", "date": day, "score": "3"},
            CATALOGUE,
        ),
        "product_line": ("/api/product-lines/", {"code": "valves", "name": "阀门"}, CATALOGUE),
    }


WRITE_KEYS = [
    "contact",
    "ticket",
    "ticket_status",
    "survey",
    "training",
    "rating_for_r2",
    "product_line",
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", WRITE_KEYS)
def test_api_writes_about_r4(company, crm, people_data, role, key):
    url, body, allowed = _writes(crm, people_data)[key]
    client = client_for(company, role)
    before = state()
    response = client.post(url, body, content_type="application/json")
    if role in allowed:
        assert response.status_code in (200, 201), response.content
        assert state() != before
    else:
        assert response.status_code in (400, 403, 404), response.content
        assert "error" in response.json()
        assert state() == before


def test_refusals_are_403_or_404_as_the_rule_says(company, crm, people_data):
    writes = _writes(crm, people_data)
    executive, rep = client_for(company, "executive"), client_for(company, "rep")
    url, body, _ = writes["contact"]
    assert executive.post(url, body, content_type="application/json").status_code == 403
    response = rep.post(url, body, content_type="application/json")  # c_r4 is invisible
    assert response.status_code == 400
    assert "customer" in response.json()["error"]["fields"]
    url, body, _ = writes["ticket_status"]
    assert rep.post(url, body, content_type="application/json").status_code == 404
    assert executive.post(url, body, content_type="application/json").status_code == 403
    url, body, _ = writes["training"]
    assert client_for(company, "finance").post(url, body, "application/json").status_code == 403


def test_product_create_by_catalogue_editors_only(company):
    services.create_product_line(None, code="pumps", name="水泵")
    body = {"code": "P-9", "name": "计量泵", "line": "pumps", "list_price": "99.00"}
    for role in ROLES:
        before = state()
        response = client_for(company, role).post("/api/products/", body, "application/json")
        if role in CATALOGUE:
            assert response.status_code == 201, response.content
            Product.objects.filter(code="P-9").delete()
        else:
            assert response.status_code == 403
            assert state() == before
    response = client_for(company, "admin").post(
        "/api/products/", {**body, "line": "nope"}, "application/json"
    )
    assert response.status_code == 400
    assert "line" in response.json()["error"]["fields"]


def test_manager_records_training_for_the_team_only(company):
    client = client_for(company, "manager")
    body = {"course": "谈判", "date": "2026-11-20", "score": "75"}
    ok = client.post("/api/training-scores/", {**body, "person": "r3"}, "application/json")
    assert ok.status_code == 201
    assert ok.json()["person"] == "r3"
    mine = client.post("/api/training-scores/", {**body, "person": "m1"}, "application/json")
    assert mine.status_code == 403
    rep = client_for(company, "rep")
    own = rep.post("/api/training-scores/", {**body, "person": "r1"}, "application/json")
    assert own.status_code == 403
    bad = client.post(
        "/api/training-scores/", {**body, "person": "r1", "score": "101"}, "application/json"
    )
    assert bad.status_code == 400


def test_any_employee_rates_a_colleague_once_a_month_and_not_themself(company):
    rep = client_for(company, "rep")
    body = {"person": "r4", "date": "2026-11-20", "score": "5", "comment": "配合好"}
    first = rep.post("/api/peer-ratings/", body, "application/json")
    assert first.status_code == 201, first.content
    assert (first.json()["rater"], first.json()["person"]) == ("r1", "r4")
    again = rep.post("/api/peer-ratings/", {**body, "date": "2026-11-02"}, "application/json")
    assert again.status_code == 400
    assert "person" in again.json()["error"]["fields"]
    next_month = rep.post("/api/peer-ratings/", {**body, "date": "2026-12-01"}, "application/json")
    assert next_month.status_code == 201
    me = rep.post("/api/peer-ratings/", {**body, "person": "r1"}, "application/json")
    assert me.status_code == 400
    out_of_range = rep.post(
        "/api/peer-ratings/", {**body, "person": "r2", "score": "6"}, "application/json"
    )
    assert out_of_range.status_code == 400
    # A login without a person must name the rater, and only editors may.
    finance = client_for(company, "finance").post("/api/peer-ratings/", body, "application/json")
    assert finance.status_code == 400
    assert "rater" in finance.json()["error"]["fields"]


def test_survey_rules(company, crm, people_data):
    c_r1 = crm.customers["c_r1"].external_id
    rep = client_for(company, "rep")
    body = {"customer": c_r1, "person": "r1", "date": "2026-11-20", "score": "5"}
    me = rep.post("/api/surveys/", body, "application/json")
    assert me.status_code == 400  # nobody records a survey about themself
    ticket = people_data.ticket_r4.external_id  # c_r4's ticket
    manager = client_for(company, "admin")
    wrong = manager.post("/api/surveys/", {**body, "ticket": ticket}, "application/json")
    assert wrong.status_code == 400
    assert "ticket" in wrong.json()["error"]["fields"]
    c_r4 = crm.customers["c_r4"].external_id
    right = manager.post(
        "/api/surveys/",
        {**body, "customer": c_r4, "person": "r4", "ticket": ticket},
        "application/json",
    )
    assert right.status_code == 201
    assert right.json()["ticket"] == ticket
    assert AuditEvent.objects.filter(action="create").exists()


def test_ticket_create_and_status_round_trip(company, crm):
    c_r1 = crm.customers["c_r1"].external_id
    rep = client_for(company, "rep")
    created = rep.post(
        "/api/tickets/",
        {"customer": c_r1, "kind": "complaint", "owner": "r1", "summary": "交付晚了"}
        | {"opened_on": "2026-11-20"},  # resolved the next day
        "application/json",
    )
    assert created.status_code == 201, created.content
    ticket = created.json()["external_id"]
    done = rep.post(
        f"/api/tickets/{ticket}/status/",
        {"status": "resolved", "on": "2026-11-21"},
        "application/json",
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["resolved_on"]) == ("resolved", "2026-11-21")
    bad = rep.post(f"/api/tickets/{ticket}/status/", {"status": "nope"}, "application/json")
    assert bad.status_code == 400


def test_a_ticket_is_not_resolved_before_it_was_opened(company, crm):
    """A ticket opened on 20 November was accepted as resolved on 1 January 2000 (and so
    counted in a long-closed period by a measure placed by ``resolved_on``)."""
    rep = client_for(company, "rep")
    created = rep.post(
        "/api/tickets/",
        {"customer": crm.customers["c_r1"].external_id, "kind": "repair", "owner": "r1"}
        | {"opened_on": "2026-11-20"},
        "application/json",
    )
    url = f"/api/tickets/{created.json()['external_id']}/status/"
    early = rep.post(url, {"status": "resolved", "on": "2000-01-01"}, "application/json")
    assert early.status_code == 400
    assert "2026-11-20" in early.json()["error"]["fields"]["on"][0]
    same_day = rep.post(url, {"status": "resolved", "on": "2026-11-20"}, "application/json")
    assert same_day.json()["resolved_on"] == "2026-11-20"


def test_contacts_api_create_and_filter(company, crm):
    c_r1 = crm.customers["c_r1"].external_id
    rep = client_for(company, "rep")
    created = rep.post("/api/contacts/", {"customer": c_r1, "name": "李总"}, "application/json")
    assert created.status_code == 201
    listed = rep.get("/api/contacts/", {"customer": c_r1}).json()["results"]
    assert [c["name"] for c in listed] == ["李总"]


# Pages ------------------------------------------------------------------------------


def test_ticket_and_survey_from_the_customer_page(company, crm):
    customer = crm.customers["c_r1"]
    client = client_for(company, "manager")
    page = client.get(f"/crm/customers/{customer.external_id}/")
    assert f"/crm/customers/{customer.external_id}/tickets/new/" in page.content.decode()
    response = client.post(
        f"/crm/customers/{customer.external_id}/tickets/new/",
        {"kind": "repair", "summary": "漏水", "owner": "r1", "opened_on": "2026-11-20"},
    )
    assert response.status_code == 302
    ticket = ServiceTicket.objects.get(summary="漏水")
    form = client.get(
        f"/crm/customers/{customer.external_id}/surveys/new/", {"ticket": ticket.external_id}
    )
    assert form.context["form"].initial == {"ticket": ticket.external_id, "person": "r1"}
    response = client.post(
        f"/crm/customers/{customer.external_id}/surveys/new/?ticket={ticket.external_id}",
        {"person": "r1", "score": "4", "date": "2026-11-22", "ticket": ticket.external_id},
    )
    assert response.status_code == 302
    survey = Survey.objects.get(ticket=ticket)
    assert (survey.person.code, survey.score) == ("r1", Decimal(4))
    # Out of range: shown on the form, nothing saved.
    response = client.post(
        f"/crm/customers/{customer.external_id}/surveys/new/",
        {"person": "r1", "score": "9", "date": "2026-11-22"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["score"]


def test_invisible_customer_forms_are_404(company, crm):
    c_r4 = crm.customers["c_r4"].external_id
    rep = client_for(company, "rep")
    for form in ("tickets", "surveys"):
        assert rep.get(f"/crm/customers/{c_r4}/{form}/new/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_training_page_form_by_role(company, role):
    client = client_for(company, role)
    before = state()
    response = client.post(
        "/crm/training/new/",
        {"person": "r1", "course": "产品", "date": "2026-11-20", "score": "80"},
    )
    if role in CATALOGUE | {"manager"}:
        assert response.status_code == 302
        assert TrainingScore.objects.filter(person__code="r1", course="产品").exists()
    else:
        assert response.status_code == 403
        assert state() == before
    page = client.get("/crm/training/")
    assert page.context["can_record"] == (role in CATALOGUE | {"manager"})


def test_peer_rating_page(company):
    rep = client_for(company, "rep")
    response = rep.post("/crm/ratings/new/", {"person": "r2", "score": "4", "date": "2026-11-20"})
    assert response.status_code == 302
    again = rep.post("/crm/ratings/new/", {"person": "r2", "score": "4", "date": "2026-11-25"})
    assert again.status_code == 200
    assert again.context["form"].errors["person"]
    assert "rater" not in again.context["form"].fields
    ops = client_for(company, "sales_ops")
    form = ops.get("/crm/ratings/new/")
    assert form.context["form"].fields["rater"].required
    response = ops.post(
        "/crm/ratings/new/", {"rater": "r3", "person": "r2", "score": "3", "date": "2026-11-20"}
    )
    assert response.status_code == 302
    assert client_for(company, "finance").get("/crm/ratings/new/").status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_catalogue_pages_by_role(company, role):
    client = client_for(company, role)
    before = state()
    line = client.post("/crm/product-lines/new/", {"code": "pumps", "name": "水泵"})
    product = client.post(
        "/crm/products/new/",
        {"code": "P-1", "name": "离心泵", "line": "pumps", "list_price": "10", "active": "on"},
    )
    if role in CATALOGUE:
        assert (line.status_code, product.status_code) == (302, 302)
        edit = client.post(
            "/crm/products/P-1/edit/", {"name": "离心泵二代", "line": "pumps", "list_price": ""}
        )
        assert edit.status_code == 302
        saved = Product.objects.get(code="P-1")
        assert (saved.name, saved.list_price, saved.active) == ("离心泵二代", None, False)
        rename = client.post("/crm/product-lines/pumps/edit/", {"name": "泵"})
        assert rename.status_code == 302
        assert ProductLine.objects.get(code="pumps").name == "泵"
        assert AuditEvent.objects.filter(action="update").count() >= 2
    else:
        assert (line.status_code, product.status_code) == (403, 403)
        assert state() == before
    assert client.get("/crm/products/").status_code == 200


def test_catalogue_duplicate_code_is_a_form_error(company):
    services.create_product_line(None, code="pumps", name="水泵")
    client = client_for(company, "admin")
    response = client.post("/crm/product-lines/new/", {"code": "pumps", "name": "又一个"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_sidebar_links(company):
    html = client_for(company, "rep").get("/crm/customers/").content.decode()
    for url in ("/crm/surveys/", "/crm/training/", "/crm/ratings/", "/crm/products/"):
        assert f'href="{url}"' in html


def test_an_order_is_not_cancelled_before_it_was_made(company, crm):
    """An order of 1 March 2026 was cancelled “effective 1 January 2000” from the orders
    page: a clawback placed 26 years before the sale by a measure on status_changed_on."""
    order = crm.orders["o_r1"]
    page = client_for(company, "sales_ops").post(
        f"/crm/orders/{order.external_id}/status/",
        {"status": "cancelled", "on": "2000-01-01"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "不能早于下单日期（2026-03-01）" in page.content.decode()
    order.refresh_from_db()
    assert (order.status, order.status_changed_on) == ("confirmed", None)
    services.change_order_status(None, order, "cancelled", on=D(2026, 3, 1))
    order.refresh_from_db()
    assert (order.status, order.status_changed_on) == ("cancelled", D(2026, 3, 1))
