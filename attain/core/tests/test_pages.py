from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.parametrize(
    ("accept", "text"), [("zh-CN,zh;q=0.9", "登录"), ("en-US,en;q=0.9", "Sign in")]
)
def test_login_page_language_follows_the_browser(db, accept, text):
    response = Client().get(reverse("login"), HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert text in response.content.decode()


def test_language_switch_sticks(company):
    client = Client()
    client.force_login(company.users["rep"])
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "我的资料" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "My profile" in client.get(reverse("home")).content.decode()


def test_login_and_logout(company):
    client = Client()
    response = client.post(reverse("login"), {"username": "r1", "password": "pw-r1-1"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_shows_an_error(company):
    response = Client().post(reverse("login"), {"username": "r1", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_web_form_shows_service_errors_on_the_field(company):
    client = Client()
    client.force_login(company.users["sales_ops"])
    response = client.post(
        reverse("person", args=["m1"]), {"transfer-on": "2025-01-01", "transfer-manager": "r3"}
    )
    assert response.status_code == 200
    assert "manager" in response.context["transfer_form"].errors
    response = client.post(
        reverse("person", args=["m1"]), {"transfer-on": "2025-01-01", "transfer-manager": "ghost"}
    )
    assert "Unknown person" in str(response.context["transfer_form"].errors["manager"])


def test_people_search_returns_a_fragment_for_htmx(company):
    client = Client()
    client.force_login(company.users["sales_ops"])
    response = client.get(reverse("people"), {"q": "R4"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "R4" in body and "R1" not in body


def test_units_page_counts_people(company):
    client = Client()
    client.force_login(company.users["executive"])
    rows = client.get(reverse("units")).context["rows"]
    totals = {unit.code: (direct, total) for _, unit, direct, total in rows}
    assert totals == {"hq": (0, 7), "east": (5, 5), "west": (2, 2)}


def test_static_assets_are_served_locally(company):
    client = Client()
    client.force_login(company.users["rep"])
    body = client.get(reverse("home")).content.decode()
    assert "htmx" in body and "//cdn" not in body and "https://" not in body


def test_every_interface_string_has_a_chinese_translation():
    from pathlib import Path

    from babel.messages.pofile import read_po

    path = Path(__file__).resolve().parents[2] / "locale/zh_Hans/LC_MESSAGES/django.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    missing = [
        m.id
        for m in catalog
        if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    assert missing == []
    # A fuzzy entry is a machine guess (it showed "Most improved" as 不导入): every
    # translation is reviewed, so none may be fuzzy or keep the guess's previous msgid.
    unreviewed = [m.id for m in catalog if m.id and (m.fuzzy or m.previous_id)]
    assert unreviewed == []
    text = path.read_text(encoding="utf-8")
    assert "#| msgid" not in text and "# | msgid" not in text
