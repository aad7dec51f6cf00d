"""While single sign-on matches people by email (ATTAIN_SSO_ENABLED, ATTAIN_SSO_MATCH=email)
two active people may not share an address (the sign-in would refuse both): the person
form and the people API refuse it as the roster import does, compared as the import
compares (case, width, surrounding spaces do not matter); otherwise it is allowed."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from attain.org import services
from attain.org.models import Person

EDITORS = ["admin", "sales_ops"]
# the address r1 has, then spellings of it that single sign-on cannot tell apart
TAKEN = "Li.Na@example.com"
SPELLINGS = ["li.na@example.com", "LI.NA@EXAMPLE.COM", " li.na@example.com ", "li.na@ｅxample.com"]


@pytest.fixture
def by_email(company, settings):
    settings.ATTAIN_SSO_ENABLED = True
    settings.ATTAIN_SSO_MATCH = "email"
    services.update_person(None, company.people["r1"], email=TAKEN)
    return company


def _new(email: str, code: str = "n1") -> dict[str, object]:
    return {
        "code": code,
        "name": "New",
        "email": email,
        "unit": "east",
        "title": "rep",
        "start": "2025-01-01",
    }


@pytest.mark.parametrize("email", SPELLINGS)
def test_the_service_refuses_a_second_active_person_with_the_address(by_email, email):
    with pytest.raises(ValidationError) as refused:
        services.create_person(
            None,
            code="n1",
            name="New",
            unit=by_email.east,
            title="rep",
            start=datetime.date(2025, 1, 1),
            email=email,
        )
    assert list(refused.value.message_dict) == ["email"]
    assert "r1" in refused.value.message_dict["email"][0]
    with pytest.raises(ValidationError):
        services.update_person(None, by_email.people["r2"], email=email)
    assert Person.objects.get(code="r2").email == ""


def test_allowed_when_single_sign_on_does_not_match_by_email(by_email, settings):
    settings.ATTAIN_SSO_MATCH = "employee_code"
    services.update_person(None, by_email.people["r2"], email=TAKEN.lower())
    settings.ATTAIN_SSO_MATCH = "email"
    settings.ATTAIN_SSO_ENABLED = False
    services.update_person(None, by_email.people["r3"], email=TAKEN.lower())
    assert Person.objects.filter(email__iexact=TAKEN).count() == 3


def test_a_person_who_has_left_leaves_their_address_free(by_email):
    services.end_employment(None, by_email.people["r1"], on=datetime.date(2025, 6, 30))
    services.update_person(None, by_email.people["r2"], email=TAKEN.lower())
    # and the person keeps their own address when other details change
    services.update_person(None, by_email.people["r2"], name="R2 renamed", email=TAKEN.lower())
    assert Person.objects.get(code="r2").email == TAKEN.lower()


@pytest.mark.parametrize("role", EDITORS)
def test_the_person_form_shows_a_translated_field_error(by_email, role):
    client = Client()
    client.force_login(by_email.users[role])
    client.cookies["django_language"] = "zh-hans"
    page = client.post("/people/new/", _new("LI.NA@example.com"))
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert list(errors) == ["email"]
    assert "r1" in errors["email"][0] and "单点登录" in errors["email"][0]
    assert not Person.objects.filter(code="n1").exists()
    # a free address is taken as before
    answer = client.post("/people/new/", _new("someone.else@example.com"))
    assert answer.status_code == 302
    assert Person.objects.filter(code="n1").exists()


@pytest.mark.parametrize("role", EDITORS)
def test_the_people_api_refuses_it_with_a_field_error(by_email, role):
    client = Client()
    client.force_login(by_email.users[role])
    answer = client.post("/api/people/", _new("li.na@EXAMPLE.com"), content_type="application/json")
    assert answer.status_code == 400, answer.content
    assert list(answer.json()["error"]["fields"]) == ["email"]
    assert "single sign-on" in answer.json()["error"]["fields"]["email"][0]
    answer = client.patch(
        "/api/people/r2/", {"email": "li.na@example.com"}, content_type="application/json"
    )
    assert answer.status_code == 400, answer.content
    assert list(answer.json()["error"]["fields"]) == ["email"]
    assert Person.objects.get(code="r2").email == ""
    ok = client.patch(
        "/api/people/r2/", {"email": "r2@example.com"}, content_type="application/json"
    )
    assert ok.status_code == 200, ok.content
