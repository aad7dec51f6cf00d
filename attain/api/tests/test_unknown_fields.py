"""A field of a request body that the endpoint's serializer does not have is a 400
naming it, on every write (docs/architecture.md, "API"). Before, it was dropped unseen:
``PATCH /api/units/east/ {"nmae": "…"}`` answered 200 and changed nothing, and a
mistyped optional field (``"extrenal_id"``) created the record without it."""

from __future__ import annotations

import importlib
import inspect

from django.urls import get_resolver
from rest_framework import serializers

from attain.conftest import Company, api_client_for
from attain.crm.models import Customer
from attain.web.api import ModelSerializer, Serializer


def test_a_mistyped_field_of_an_update_is_a_400_and_nothing_changes(company: Company) -> None:
    client = api_client_for(company)
    zh = {"accept-language": "zh-hans"}
    response = client.patch("/api/units/east/", {"nmae": "华东大区"}, format="json", headers=zh)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["fields"] == {"nmae": ["未知字段。"]}
    company.east.refresh_from_db()
    assert company.east.name != "华东大区"


def test_a_mistyped_field_of_a_create_saves_nothing(company: Company) -> None:
    client = api_client_for(company)
    before = Customer.objects.count()
    response = client.post(
        "/api/customers/", {"name": "新客户", "extrenal_id": "ERP-1", "cty": "杭州"}, format="json"
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["fields"] == {
        "cty": ["Unknown field."],
        "extrenal_id": ["Unknown field."],
    }
    assert Customer.objects.count() == before


def test_a_nested_row_with_a_mistyped_field_is_named_by_its_path(company: Company) -> None:
    client = api_client_for(company)
    made = client.post("/api/customers/", {"name": "甲公司", "external_id": "C1"}, format="json")
    assert made.status_code == 201, made.content[:300]
    response = client.post(
        "/api/orders/",
        {
            "customer": "C1",
            "amount": "100.00",
            "date": "2026-03-01",
            "credits": [{"person": "r1", "shair": "1"}],
        },
        format="json",
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["fields"] == {"credits.0.shair": ["Unknown field."]}


def test_what_a_read_showed_may_be_sent_back(company: Company) -> None:
    """``id`` and the other fields a GET shows are known: a client that edits the record
    it read and sends it all back is not refused for the read-only ones."""
    client = api_client_for(company)
    unit = client.get("/api/units/east/").json()
    unit["name"] = "华东一区"
    response = client.patch("/api/units/east/", unit, format="json")
    assert response.status_code == 200, response.content[:300]
    company.east.refresh_from_db()
    assert company.east.name == "华东一区"


def test_every_serializer_of_the_api_refuses_unknown_fields() -> None:
    """Every serializer the API's modules define derives from the strict ones (a new
    one written from DRF's own would silently drop unknown fields again)."""
    get_resolver().url_patterns  # noqa: B018 (imports every API module)
    found = []
    for name in [
        "attain.accounts.api",
        "attain.api.audit",
        "attain.crm.api",
        "attain.incentives.api",
        "attain.incentives.effectiveness_api",
        "attain.incentives.governance_api",
        "attain.intake.api",
        "attain.notify.api",
        "attain.org.api",
        "attain.pay.api",
        "attain.pay.api_close",
        "attain.pay.api_disputes",
        "attain.pay.api_payouts",
        "attain.pay.api_statements",
        "attain.reviews.api",
        "attain.targets.api",
    ]:
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, serializers.Serializer) and value.__module__ == name:
                found.append(value)
                assert issubclass(value, Serializer | ModelSerializer), value
    assert len(found) > 100
