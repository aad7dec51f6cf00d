"""Creating a record whose ``external_id`` exists is a 400 naming the field (it was a
500 from the database's unique constraint), for every CRM table the API creates; the
services refuse it first, and the API's create mixin catches a constraint failure as a
last line."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from attain.conftest import client_for
from attain.crm import services
from attain.crm.models import (
    Activity,
    Contact,
    Customer,
    Opportunity,
    Order,
    Payment,
    PeerRating,
    Survey,
    TrainingScore,
)
from attain.crm.services import common
from attain.crm.tests import make
from attain.web.forms import apply_service

D = datetime.date


@pytest.fixture
def taken(company: Any, crm: Any) -> dict[str, str]:
    """One existing record per table, each with a known external id."""
    p, c = company.people, crm.customers
    services.create_contact(None, customer=c["c_r1"], name="Li Lei", external_id="K-1")
    make.activity(c["c_r1"], p["r1"], "call", external_id="A-1")
    services.record_survey(
        None, customer=c["c_r1"], person=p["r1"], date=D(2026, 5, 4), score=Decimal(4),
        external_id="S-1",
    )  # fmt: skip
    services.record_training_score(
        None, person=p["r1"], course="CRM", date=D(2026, 5, 4), score=Decimal(80),
        external_id="T-1",
    )  # fmt: skip
    services.record_peer_rating(
        None, rater=p["r2"], person=p["r1"], date=D(2026, 5, 4), score=Decimal(4),
        external_id="G-1",
    )  # fmt: skip
    return {
        "customers": c["c_r1"].external_id,
        "contacts": "K-1",
        "activities": "A-1",
        "orders": crm.orders["o_r1"].external_id,
        "payments": crm.payments["p_r1"].external_id,
        "surveys": "S-1",
        "training-scores": "T-1",
        "peer-ratings": "G-1",
    }


MODELS = {
    "customers": Customer,
    "contacts": Contact,
    "activities": Activity,
    "orders": Order,
    "payments": Payment,
    "surveys": Survey,
    "training-scores": TrainingScore,
    "peer-ratings": PeerRating,
}


def payload(endpoint: str, customer: str) -> dict[str, Any]:
    """A request that would be accepted but for its external id."""
    return {
        "customers": {"name": "全新客户有限公司"},
        "contacts": {"customer": customer, "name": "Han Meimei"},
        "activities": {
            "kind": "visit",
            "customer": customer,
            "owner": "r1",
            "occurred_at": "2026-05-05T10:00:00+08:00",
        },
        "orders": {"customer": customer, "owner": "r1", "date": "2026-05-05", "amount": "10"},
        "payments": {"customer": customer, "collector": "r1", "date": "2026-05-05", "amount": "5"},
        "surveys": {"customer": customer, "person": "r1", "date": "2026-06-01", "score": "5"},
        "training-scores": {
            "person": "r1",
            "course": "Funnel",
            "date": "2026-06-01",
            "score": "90",
        },
        "peer-ratings": {"rater": "r3", "person": "r1", "date": "2026-06-01", "score": "5"},
    }[endpoint]


@pytest.mark.parametrize("endpoint", sorted(MODELS))
def test_an_existing_external_id_is_a_400_naming_the_field(company, crm, taken, endpoint):
    client = client_for(company, "admin")
    model = MODELS[endpoint]
    before = model.objects.count()
    body = payload(endpoint, crm.customers["c_r1"].external_id)

    def post(external_id: str) -> Any:
        data = {**body, "external_id": external_id}
        return client.post(f"/api/{endpoint}/", data, content_type="application/json")

    refused = post(taken[endpoint])
    assert refused.status_code == 400, refused.content
    error = refused.json()["error"]
    assert error["code"] == "invalid"
    assert taken[endpoint] in error["fields"]["external_id"][0]
    assert model.objects.count() == before
    assert post("NEW-1").status_code == 201  # the same request with a free id is kept
    assert model.objects.filter(external_id="NEW-1").exists()


def test_an_opportunity_with_an_existing_external_id_is_refused(company, crm):
    make.opportunity(
        crm.customers["c_r1"], company.people["r1"], "Deal", Decimal(1), external_id="OP-1"
    )
    with pytest.raises(ValidationError) as refused:
        make.opportunity(
            crm.customers["c_r1"],
            company.people["r1"],
            "Deal again",
            Decimal(1),
            external_id="OP-1",
        )
    assert "external_id" in refused.value.message_dict
    assert Opportunity.objects.filter(external_id="OP-1").count() == 1


def test_the_api_turns_a_constraint_failure_into_a_400(company, crm, monkeypatch):
    """The last line: were the service's check missing, the database refuses the
    duplicate and the create mixin answers 400 at the named field, not 500."""
    monkeypatch.setattr(common, "external_id_taken", lambda *args: None)
    client = client_for(company, "admin")
    existing = crm.orders["o_r1"].external_id
    body = {**payload("orders", crm.customers["c_r1"].external_id), "external_id": existing}
    response = client.post("/api/orders/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == ["external_id"]
    assert Order.objects.filter(external_id=existing).count() == 1


class ExternalIdForm(forms.Form):
    external_id = forms.CharField()


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ("UNIQUE constraint failed: crm_order.external_id", "external_id"),
        (
            'duplicate key value violates unique constraint "crm_order_external_id_key"\n'
            "DETAIL:  Key (external_id)=(O-1) already exists.",
            "external_id",
        ),
        ("CHECK constraint failed: amount_positive", "__all__"),
    ],
)
def test_pages_show_a_constraint_failure_on_the_field_it_names(message, field):
    form = ExternalIdForm({"external_id": "O-1"})
    assert form.is_valid()

    def service(data: dict[str, Any]) -> Any:
        raise IntegrityError(message)

    assert apply_service(form, service) is None
    assert list(form.errors) == [field]
