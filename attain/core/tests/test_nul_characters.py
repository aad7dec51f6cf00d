"""A NUL character in a request's address (a query parameter's name or value, or the
path) is refused before any view reads it: PostgreSQL cannot hold NUL in text, so every
list filter, search box and record id that reached the database with one failed the
request with a server error (SQLite silently matched nothing)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from attain.conftest import Company

API_PARAMETERS = [
    ("/api/customers/", "q"),
    ("/api/customers/", "owner"),
    ("/api/contacts/", "customer"),
    ("/api/opportunities/", "stage"),
    ("/api/orders/", "status"),
    ("/api/tickets/", "status"),
    ("/api/surveys/", "person"),
    ("/api/training-scores/", "person"),
    ("/api/peer-ratings/", "person"),
    ("/api/products/", "line"),
    ("/api/people/", "q"),
    ("/api/people/", "unit"),
]
PAGES = [
    "/crm/customers/?q=%00",
    "/crm/customers/?owner=%00",
    "/crm/orders/?status=%00",
    "/crm/tickets/?status=%00",
    "/crm/surveys/?person=%00",
    "/search/?q=%00",
    "/audit/?actor=%00",
    "/pay/payouts/?unit=%00",
    "/pay/disputes/?period=%00",
    "/crm/customers/?q=ok&%00=x",
]


def test_a_nul_in_an_api_parameter_is_a_400_naming_it(company: Company) -> None:
    client = APIClient()
    client.force_authenticate(company.users["admin"])
    for url, name in API_PARAMETERS:
        response = client.get(url, {name: "a\x00b"}, headers={"accept-language": "zh-hans"})
        assert response.status_code == 400, (url, name, response.content[:300])
        error = response.json()["error"]
        assert error["code"] == "invalid"
        assert error["fields"] == {name: ["不能包含空字符（NUL）。"]}, (url, error)


def test_a_nul_in_an_api_path_is_the_apis_404(company: Company) -> None:
    client = APIClient()
    client.force_authenticate(company.users["admin"])
    for url in ["/api/customers/%00/", "/api/people/E%00/", "/api/orders/x%00y/"]:
        response = client.get(url)
        assert response.status_code == 404, (url, response.content[:300])
        assert response.json()["error"]["status"] == 404


def test_a_nul_in_a_pages_address_is_a_400_page(company: Company) -> None:
    client = Client()
    client.force_login(company.users["admin"])
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 400, (url, response.status_code)
    assert client.get("/crm/customers/%00/").status_code == 404
    assert client.get("/crm/customers/?q=ok").status_code == 200


# Forms posted to pages and to the API: a view that reads request.POST itself (a
# merge's customer ids, a close's period, a note) passed the NUL to the database.
POSTED = [
    ("/crm/customers/duplicates/", {"keep": "C\x001", "duplicate": "C2"}),
    ("/pay/periods/2026-01/", {"action": "close", "period": "2026-01", "reason": "a\x00b"}),
    ("/notifications/read/", {"id": "1", "x\x00": "y"}),
]


def test_a_nul_in_a_posted_form_is_a_400_before_the_view(company: Company) -> None:
    client = Client()
    client.force_login(company.users["admin"])
    for url, data in POSTED:
        response = client.post(url, data)
        assert response.status_code == 400, (url, response.status_code)


@pytest.mark.parametrize("body", ["multipart", "json"])
def test_a_nul_in_a_form_posted_to_the_api_is_a_400_naming_it(company: Company, body: str) -> None:
    """A form body is Attain's to check; a JSON body is DRF's (Django's message, now
    read right in Chinese)."""
    client = APIClient()
    client.force_authenticate(company.users["admin"])
    response = client.post(
        "/api/customers/",
        {"external_id": "C9", "name": "a\x00b"},
        format=body,
        headers={"accept-language": "zh-hans"},
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["fields"] == {"name": ["不能包含空字符（NUL）。"]}


def test_a_nul_byte_inside_an_uploaded_file_is_the_files_business(company: Company) -> None:
    """Only the form's fields are read: a file's bytes are the importer's to judge."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    client.force_login(company.users["admin"])
    upload = SimpleUploadedFile("orders.xlsx", b"PK\x03\x04\x00\x00binary")
    response = client.post("/import/", {"file": upload, "table": "orders"})
    assert response.status_code != 400
