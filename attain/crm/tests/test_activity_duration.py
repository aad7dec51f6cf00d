"""An activity's duration is stored in an integer column (at most 2,147,483,647
minutes, as the import already checks): a bigger one through the API or the page was a
server error (Python's int too large for SQLite; out of range on PostgreSQL), and is a
400 / the form's error on the field."""

from __future__ import annotations

from django.test import Client
from rest_framework.test import APIClient

from attain.conftest import Company
from attain.crm import services
from attain.crm.models import Activity

TOO_LONG = [2**31, 2**63, 10**20]


def test_a_duration_too_long_to_store_is_a_400(company: Company) -> None:
    rep = company.people["r1"]
    customer = services.create_customer(None, name="甲一科技", owner=rep)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(company.users["rep"])
    body = {"kind": "call", "customer": customer.external_id, "occurred_at": "2026-03-02T10:00"}
    for minutes in TOO_LONG:
        response = client.post("/api/activities/", {**body, "duration_minutes": minutes}, "json")
        assert response.status_code == 400, (minutes, response.content[:200])
        assert list(response.json()["error"]["fields"]) == ["duration_minutes"]
    response = client.post("/api/activities/", {**body, "duration_minutes": 2**31 - 1}, "json")
    assert response.status_code == 201
    page = Client(raise_request_exception=False)
    page.force_login(company.users["rep"])
    url = f"/crm/customers/{customer.external_id}/activities/new/"
    for minutes in TOO_LONG:
        response = page.post(
            url, {"kind": "call", "occurred_at": "2026-03-02T10:00", "duration_minutes": minutes}
        )
        assert response.status_code == 200, (minutes, response.status_code)
        assert response.context["form"].errors["duration_minutes"]
    assert Activity.objects.filter(customer=customer).count() == 1
