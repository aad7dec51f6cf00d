"""A query parameter the OpenAPI document does not list for the operation is a 400
naming it, on every endpoint (docs/architecture.md, "API"). Before, the lists silently
ignored it: ``/api/payments/?customer=HX`` (payments have no such filter) or a mistyped
``?custmer=`` answered every record the caller may see, which an integrator takes for
the filtered list; a mistyped ``?allow_duplicat=true`` was ignored likewise."""

from __future__ import annotations

from rest_framework.test import APIClient

from attain.conftest import Company, api_client_for
from attain.crm.models import Customer


def test_an_unknown_filter_on_a_list_is_a_400_naming_it(company: Company) -> None:
    client = api_client_for(company)
    for url, name in [
        ("/api/payments/", "customer"),
        ("/api/activities/", "source"),
        ("/api/contacts/", "custmer"),
        ("/api/people/", "team"),
        ("/api/audit/", "nonsense"),
    ]:
        response = client.get(url, {name: "x"}, headers={"accept-language": "zh-hans"})
        assert response.status_code == 400, (url, response.content[:300])
        error = response.json()["error"]
        assert error["code"] == "invalid"
        assert error["fields"] == {name: ["未知参数。"]}, url
        assert "未知参数。".encode() in response.content  # as DRF writes: no \u escapes


def test_the_documented_parameters_are_still_read(company: Company) -> None:
    client = api_client_for(company)
    assert client.get("/api/customers/", {"q": "x", "owner": "x", "page": 1}).status_code == 200
    assert client.get("/api/contacts/", {"customer": "x", "page_size": 5}).status_code == 200
    assert client.get("/api/me/").status_code == 200
    assert client.head("/api/customers/").status_code == 200


def test_an_unknown_parameter_on_a_create_is_refused_before_saving(company: Company) -> None:
    client = api_client_for(company)
    before = Customer.objects.count()
    response = client.post("/api/customers/?allow_duplicat=true", {"name": "新客户"}, format="json")
    assert response.status_code == 400, response.content[:300]
    assert list(response.json()["error"]["fields"]) == ["allow_duplicat"]
    assert Customer.objects.count() == before


def test_the_audit_trail_documents_and_reads_its_filters(company: Company) -> None:
    client = api_client_for(company)
    paths = client.get("/api/openapi.json").json()["paths"]
    names = {p["name"] for p in paths["/api/audit/"]["get"]["parameters"]}
    assert {"type", "actor", "action", "object", "batch", "q", "since", "until"} <= names
    found = client.get("/api/audit/", {"type": "crm.order", "since": "2026-01-01"})
    assert found.status_code == 200
    response = client.get("/api/audit/", {"since": "2026-13-01"})  # was ignored: everything
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["since"]


def test_without_a_login_the_answer_is_401_whatever_the_parameters(company: Company) -> None:
    """A caller with no login got 400 "Unknown parameter." before being told to sign in."""
    response = APIClient().get("/api/customers/", {"custmer": "x"})
    assert response.status_code in (401, 403) and response.status_code == (
        APIClient().get("/api/customers/").status_code
    )
    bad_token = APIClient().get(
        "/api/customers/", {"custmer": "x"}, headers={"authorization": "Token nonsense"}
    )
    assert bad_token.status_code in (400, 401)  # a credential was given: either is fair
