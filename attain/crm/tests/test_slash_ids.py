"""A record's id may hold a slash (an ERP's contract number, HT/2026/118, kept as the
customer's or order's id by the API and imports): the customers list and the global
search failed with a server error for everyone who could see such a record (its link
could not be written), and its pages could not be opened."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.test import Client

from attain.conftest import Company
from attain.crm import services
from attain.crm.tests import make


def test_pages_link_and_open_records_whose_id_holds_a_slash(company: Company) -> None:
    rep = company.people["r1"]
    customer = services.create_customer(
        None, name="斜杠贸易有限公司", owner=rep, external_id="HT/2026/118"
    )
    make.order(customer, rep, datetime.date(2026, 3, 1), Decimal(100))
    odd = services.create_customer(None, name="百分号科技", owner=rep, external_id="50%off/a")
    client = Client()
    client.force_login(company.users["sales_ops"])
    for url in ["/crm/customers/?q=斜杠", "/search/?q=HT", "/crm/customers/", "/crm/orders/"]:
        assert client.get(url).status_code == 200, url
    for record in (customer, odd):
        listing = client.get("/crm/customers/", {"q": record.name}).content.decode()
        link = next(
            part.split('"')[0]
            for part in listing.split('href="')[1:]
            if part.startswith("/crm/customers/") and "%252F" in part.split('"')[0]
        )
        page = client.get(link)
        assert page.status_code == 200, link
        assert page.context["customer"].pk == record.pk


def test_the_product_list_links_a_product_whose_code_holds_a_slash(company: Company) -> None:
    from attain.crm.services.products import create_product, create_product_line

    ops = company.users["sales_ops"]
    line = create_product_line(ops, code="control", name="控制系统")
    product = create_product(ops, code="SKU/2026/01", name="斜杠产品", line=line)
    client = Client()
    client.force_login(ops)
    listing = client.get("/crm/products/")
    assert listing.status_code == 200
    link = next(
        part.split('"')[0]
        for part in listing.content.decode().split('href="')[1:]
        if part.startswith("/crm/products/SKU")
    )
    page = client.get(link)
    assert page.status_code == 200, link
    assert page.context["form"].initial["code"] == product.code


def test_the_api_reaches_records_whose_id_holds_a_slash(company: Company) -> None:
    """Detail endpoints answered 404 for such a record: the address's one segment
    cannot hold a slash, however escaped, since the server decodes ``%2F`` before the
    routes are matched. As in the pages' links, the id's ``/`` and ``%`` are escaped
    once more inside the segment (``HT%252F2026%252F118``)."""
    from urllib.parse import quote

    from rest_framework.test import APIClient

    rep = company.people["r1"]
    customer = services.create_customer(
        None, name="斜杠贸易有限公司", owner=rep, external_id="HT/2026/118"
    )
    odd = services.create_customer(None, name="百分号科技", owner=rep, external_id="50%off/a")
    plain = services.create_customer(None, name="普通客户", owner=rep, external_id="C-1")
    make.order(customer, rep, datetime.date(2026, 3, 1), Decimal(100), external_id="SO/7")
    client = APIClient()
    client.force_authenticate(company.users["sales_ops"])
    for record in (customer, odd, plain):
        segment = quote(quote(record.external_id, safe=""), safe="")
        answer = client.get(f"/api/customers/{segment}/")
        assert answer.status_code == 200, segment
        assert answer.json()["external_id"] == record.external_id
        assert client.get(f"/api/customers/{segment}/360/").status_code == 200, segment
    assert client.get("/api/orders/SO%252F7/").json()["external_id"] == "SO/7"
    assert client.get("/api/customers/HT%2F2026%2F118/").status_code == 404
