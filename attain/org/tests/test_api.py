"""API behaviour beyond visibility: error bodies, history, tokens, OpenAPI."""

from __future__ import annotations

import pytest
from django.test import Client

from attain.org.models import Person


@pytest.fixture
def ops(company) -> Client:
    client = Client()
    client.force_login(company.users["sales_ops"])
    return client


def test_bad_input_is_a_400_naming_each_field(ops):
    response = ops.post(
        "/api/people/",
        {
            "code": "n1",
            "name": "x",
            "unit": "nowhere",
            "manager": "ghost",
            "title": "rep",
            "start": "2025-13-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["unit"] == ["Unknown unit “nowhere”."]
    assert error["fields"]["manager"] == ["Unknown person “ghost”."]
    assert "start" in error["fields"]
    assert not Person.objects.filter(code="n1").exists()


def test_service_validation_errors_become_field_errors(ops):
    response = ops.post(
        "/api/people/r1/transfer/",
        {"on": "2023-01-01", "unit": "west"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["on"]


def test_manager_cycle_through_the_api(ops):
    response = ops.post(
        "/api/people/m1/transfer/",
        {"on": "2025-01-01", "manager": "r3"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "manager" in response.json()["error"]["fields"]


def test_transfer_and_history(ops):
    response = ops.post(
        "/api/people/r3/transfer/",
        {"on": "2025-03-01", "unit": "west", "manager": "m3", "reason": "调岗"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["unit"] == {"code": "west", "name": "华西"}
    history = ops.get("/api/people/r3/history/").json()
    assert [(h["unit"], h["manager"], h["valid_from"], h["valid_to"]) for h in history] == [
        ("east", "m2", "2024-01-01", "2025-03-01"),
        ("west", "m3", "2025-03-01", None),
    ]
    # "who was where on a day"
    before = ops.get("/api/people/r3/?on=2025-02-28").json()
    assert before["manager"]["code"] == "m2"


def test_bad_date_parameter_is_a_400(ops):
    response = ops.get("/api/people/?on=yesterday")
    assert response.status_code == 400
    assert "on" in response.json()["error"]["fields"]


def test_token_authentication(company):
    response = Client().post("/api/auth/token/", {"username": "ops", "password": "pw-ops-1"})
    assert response.status_code == 200
    token = response.json()["token"]
    me = Client().get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["role"] == "sales_ops"
    assert Client().get("/api/me/", HTTP_AUTHORIZATION="Token wrong").status_code == 401


def test_me_for_a_rep(company):
    client = Client()
    client.force_login(company.users["rep"])
    me = client.get("/api/me/").json()
    assert me["person"]["code"] == "r1"
    assert me["person"]["manager"]["code"] == "m1"


def test_openapi_document_and_docs(company):
    client = Client()
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/people/" in paths and "/api/people/{code}/transfer/" in paths
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn" not in docs.content.lower()


def test_search_and_unit_filter(ops):
    codes = {p["code"] for p in ops.get("/api/people/?unit=west").json()["results"]}
    assert codes == {"m3", "r4"}
    codes = {p["code"] for p in ops.get("/api/people/?q=R").json()["results"]}
    assert codes == {"r1", "r2", "r3", "r4"}


def test_a_unit_filter_naming_no_unit_is_a_400(ops):
    """A typo in ``?unit=`` answered an empty list, which looks like an empty unit (the
    payout register's ``?unit=`` already said "No such unit."); a filter given twice is a
    400 too, as every query parameter."""
    response = ops.get("/api/people/?unit=wset", headers={"accept-language": "zh-hans"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"unit": ["没有这个组织单元。"]}
    for query in ["unit=west&unit=east", "q=r&q=m"]:
        response = ops.get(f"/api/people/?{query}")
        assert response.status_code == 400, query
    assert ops.get("/api/people/?unit=&q=").status_code == 200


def test_a_unit_created_closed_through_the_api(ops):
    """Regression (issue 11): ``closed`` in ``POST /api/units/`` was a 500."""
    response = ops.post(
        "/api/units/",
        {
            "code": "north",
            "name": "华北",
            "parent": "hq",
            "opened": "2024-01-01",
            "closed": "2025-06-30",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["closed"] == "2025-06-30"
    response = ops.patch(
        "/api/units/north/", {"opened": "2024-02-01"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["opened"] == "2024-02-01"


def test_a_unit_closing_before_it_opens_is_a_400_naming_closed(ops):
    response = ops.post(
        "/api/units/",
        {"code": "north", "name": "华北", "opened": "2025-01-01", "closed": "2024-06-30"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["closed"]
