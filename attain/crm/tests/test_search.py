"""Pickers and the global search (attain.core.search) over the small company and its CRM
data (conftest.py): each role finds exactly what it may see; forms still take a typed
code and name an unknown one in the user's language."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from attain.crm.models import Product, ProductLine
from attain.crm.tests.test_visibility import CUSTOMERS, ORDERS, client_for, names

ROLES = ["admin", "sales_ops", "finance", "executive", "manager", "rep"]
EVERYONE = {"m1", "r1", "r2", "m2", "r3", "m3", "r4"}
PEOPLE = {
    **dict.fromkeys(["admin", "sales_ops", "finance", "executive"], EVERYONE),
    "manager": {"m1", "r1", "r2", "m2", "r3"},
    "rep": {"r1"},
}
OPTION = re.compile(r'<option value="([^"]*)">')


def options(client: Client, kind: str, text: str, field: str = "q") -> set[str]:
    response = client.get(f"/search/pick/{kind}/", {"field": field, field: text})
    assert response.status_code == 200
    return set(OPTION.findall(response.content.decode()))


@pytest.mark.parametrize("role", ROLES)
def test_person_picker_offers_only_visible_people(company, role):
    client = client_for(company, role)
    assert options(client, "person", "") == PEOPLE[role]
    # by name or code, whatever the input's own name is (htmx sends it under that name)
    assert options(client, "person", "R", field="owner") == PEOPLE[role] - {"m1", "m2", "m3"}


@pytest.mark.parametrize("role", ROLES)
def test_customer_picker_offers_only_visible_customers(company, crm, role):
    client = client_for(company, role)
    assert names(crm, options(client, "customer", "")) == CUSTOMERS[role]
    assert names(crm, options(client, "customer", "甲一")) == {"c_r1"} & CUSTOMERS[role]


def test_unit_and_product_pickers(company):
    client = client_for(company, "rep")
    assert options(client, "unit", "") == {"hq", "east", "west"}
    assert options(client, "unit", "华东") == {"east"}
    line = ProductLine.objects.create(code="hw", name="硬件")
    Product.objects.create(code="p-100", name="服务器", line=line)
    Product.objects.create(code="p-200", name="旧款", line=line, active=False)
    assert options(client, "product", "") == {"p-100"}
    assert options(client, "product", "服务") == {"p-100"}


def test_pickers_need_a_login_and_a_known_kind(company):
    assert Client().get("/search/pick/person/?q=r").status_code == 302
    assert client_for(company, "admin").get("/search/pick/secret/?q=r").status_code == 404


def test_form_inputs_are_pickers_and_still_take_codes(company):
    client = client_for(company, "admin")
    page = client.get("/crm/training/new/").content.decode()
    assert 'list="id_person-options"' in page
    assert '<datalist id="id_person-options"></datalist>' in page
    assert 'hx-get="/search/pick/person/?field=person"' in page
    response = client.post(
        "/crm/training/new/",
        {"person": "r2", "course": "产品知识", "date": "2026-03-01", "score": "90"},
    )
    assert response.status_code == 302
    unit_page = client.get("/people/new/").content.decode()
    assert 'hx-get="/search/pick/unit/?field=unit"' in unit_page


@pytest.mark.parametrize(
    ("language", "person_error", "unit_error"),
    [
        ("en", "Unknown person “nobody”.", "Unknown unit “nowhere”."),
        ("zh-hans", "未知人员“nobody”。", "未知单位“nowhere”。"),
    ],
)
def test_unknown_codes_are_named_in_the_users_language(company, language, person_error, unit_error):
    client = client_for(company, "admin")
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = client.post(
        "/crm/training/new/",
        {"person": "nobody", "course": "x", "date": "2026-03-01", "score": "90"},
    )
    assert response.status_code == 200
    assert person_error in response.content.decode()
    response = client.post(
        "/people/new/",
        {
            "code": "n1",
            "name": "新人",
            "unit": "nowhere",
            "title": "rep",
            "start": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert unit_error in response.content.decode()


# The global search -------------------------------------------------------------------


def groups(client: Client, text: str) -> dict[str, list[str]]:
    response = client.get("/search/", {"q": text})
    assert response.status_code == 200
    return {g.kind: [h.detail for h in g.hits] for g in response.context["groups"]}


@pytest.mark.parametrize("role", ROLES)
def test_global_search_finds_only_what_the_role_may_see(company, crm, role):
    client = client_for(company, role)
    found = groups(client, "R")
    assert set(found.get("people", [])) == PEOPLE[role] - {"m1", "m2", "m3"}
    # customers by name (Chinese), under the visibility rule
    found = groups(client, "科技")
    assert names(crm, found.get("customers", [])) == {"c_r1"} & CUSTOMERS[role]
    # orders by external id
    for key, order in crm.orders.items():
        found = groups(client, order.external_id)
        assert bool(found.get("orders")) == (key in ORDERS[role]), key


def test_global_search_groups_units_and_opportunities(company, crm):
    from attain.crm.tests import make

    client = client_for(company, "manager")
    make.opportunity(crm.customers["c_r1"], company.people["r1"], "年度框架协议", 1000)
    found = groups(client, "框架")
    assert list(found) == ["opportunities"]
    assert list(groups(client, "华")) == ["units"]
    page = client.get("/search/", {"q": "华"}).content.decode()
    assert "华东" in page and 'role="search"' in page


def test_global_search_empty_and_nothing_found(company):
    client = client_for(company, "rep")
    assert groups(client, "") == {}
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get("/search/", {"q": "没有这个"}).content.decode()
    assert "没有您可查看的内容与“没有这个”匹配。" in page
    assert Client().get("/search/?q=r").status_code == 302


def test_header_has_the_search_box(company):
    page = client_for(company, "rep").get("/").content.decode()
    assert 'action="/search/"' in page


def test_customers_are_found_however_the_name_phone_or_code_is_typed(company):
    """Users type what they have at hand: a full-width or English licence name, the
    other legal suffix, a phone with spaces, a credit code in lower case with spaces.
    The customers page, the API and the global search find the customer (under the
    visibility rule: the rep finds only the customer of theirs)."""
    from attain.crm import dedupe, services

    code = dedupe.with_check_digit("91310000MA1FL7777")
    p = company.people
    services.create_customer(
        None,
        name="上海华信有限责任公司",
        owner=p["r1"],
        phone="+86 138-0000-1111",
        credit_code=code,
    )
    services.create_customer(None, name="ABC Co., Ltd.", owner=p["r1"])
    services.create_customer(None, name="上海华信贸易", owner=p["r4"], allow_duplicate=True)
    typed = {
        "上海华信有限公司": "上海华信有限责任公司",
        "138 0000 1111": "上海华信有限责任公司",
        code.lower()[:8] + " " + code.lower()[8:]: "上海华信有限责任公司",
        "ＡＢＣ": "ABC Co., Ltd.",
        "abc co.,ltd.": "ABC Co., Ltd.",
    }
    client = client_for(company, "rep")
    for text, name in typed.items():
        page = client.get("/crm/customers/", {"q": text}).content.decode()
        assert name in page, text
        assert "上海华信贸易" not in page  # r4's customer stays out of r1's results
        api = client.get("/api/customers/", {"q": text}).json()
        assert [row["name"] for row in api["results"]] == [name], text
        found = client.get("/search/", {"q": text}).content.decode()
        assert name in found, text
