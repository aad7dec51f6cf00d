"""The order form and the API refuse an amount with decimals in a currency without them
(1000.5 yen), as an import does (attain/intake/tests/test_whole_yen.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.test import Client

from attain.crm import services
from attain.crm.models import Order

D = datetime.date


def client_for(company, role: str) -> Client:
    client = Client()
    client.force_login(company.users[role])
    return client


def test_the_order_form_refuses_yen_decimals(company, crm, settings):
    settings.ATTAIN_CURRENCY = "JPY"
    before = Order.objects.count()
    url = f"/crm/customers/{crm.customers['c_r1'].external_id}/orders/new/"
    form = {"date": "2026-11-20", "amount": "1000.5", "lines-TOTAL_FORMS": "0"}
    form["lines-INITIAL_FORMS"] = "0"
    response = client_for(company, "manager").post(url, form)
    assert response.status_code == 200
    errors = response.context["form"].errors["amount"]
    assert any("amounts in JPY are whole numbers" in error for error in errors), errors
    assert Order.objects.count() == before


def test_the_api_refuses_yen_decimals(company, crm, settings):
    settings.ATTAIN_CURRENCY = "JPY"
    client = client_for(company, "admin")
    body = {
        "customer": crm.customers["c_r1"].external_id,
        "owner": "r1",
        "date": "2026-11-20",
        "amount": "1000.5",
    }
    response = client.post("/api/orders/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "whole numbers" in str(response.json()["error"]["fields"]["amount"])
    body["amount"] = "1000"
    assert client.post("/api/orders/", body, content_type="application/json").status_code == 201


def test_a_payment_in_yen_with_decimals_is_refused_by_the_service(company, crm, settings):
    import pytest
    from django.core.exceptions import ValidationError

    settings.ATTAIN_CURRENCY = "JPY"
    with pytest.raises(ValidationError) as refused:
        services.record_payment(
            None,
            customer=crm.customers["c_r1"],
            collector=company.people["r1"],
            date=D(2026, 3, 5),
            amount=Decimal("99.9"),
        )
    assert "amount" in refused.value.message_dict
