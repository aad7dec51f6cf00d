"""Accessibility of the CRM forms (QA): a field's error is tied to its field."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

from attain.conftest import client_for
from attain.crm import services


class _Ids(HTMLParser):
    """Each element's id with its text, and each described input's aria-describedby."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, list[str]] = {}
        self.open: list[str] = []
        self.described: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("aria-describedby") and a.get("aria-invalid") == "true":
            self.described[a.get("name") or ""] = a["aria-describedby"] or ""
        if tag in ("input", "br", "img", "meta", "link"):
            return
        self.open.append(a.get("id") or "")
        if a.get("id"):
            self.ids[a["id"] or ""] = []

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("input", "br", "img", "meta", "link") and self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for i in self.open:
            if i:
                self.ids[i].append(data)


def described(page: str) -> dict[str, str]:
    """Each invalid field's name and the text its aria-describedby points at."""
    parser = _Ids()
    parser.feed(page)
    return {
        name: " ".join("".join(parser.ids.get(i, ["<missing>"])) for i in ref.split())
        for name, ref in parser.described.items()
    }


def test_a_customer_fields_error_is_its_description(company, crm):
    """An empty name: the input is aria-invalid and its aria-describedby named an id
    that no element had (Django points at '<id>_error'; our form template wrote the
    message without it), so a screen reader on the field did not read why."""
    client = client_for(company, "manager")
    response = client.post(
        "/crm/customers/new/", {"name": "", "source": "other"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    errors = described(response.content.decode())
    assert "name" in errors and "该字段是必填项。" in errors["name"], errors


def test_an_order_lines_error_is_its_description(company, crm):
    line = services.create_product_line(None, code="hw", name="硬件")
    services.create_product(None, code="P-1", name="服务器", line=line)
    customer = crm.customers["c_r1"]
    form = {
        "date": "2026-11-20",
        "owner": "r1",
        "credits": "r1 1",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "P-1",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "9.999",
    }
    client = client_for(company, "manager")
    url = f"/crm/customers/{customer.external_id}/orders/new/"
    page = client.post(url, form, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    errors = described(page)
    assert re.search("小数", errors.get("lines-0-unit_price", "")), errors


def test_the_order_form_headings_do_not_skip_a_level(company, crm):
    """The order form went from the page's h1 to an h3 ("Order lines (optional)"): a
    screen reader's list of headings showed a missing level, as if a section were lost."""
    customer = crm.customers["c_r1"]
    client = client_for(company, "manager")
    page = client.get(f"/crm/customers/{customer.external_id}/orders/new/").content.decode()
    levels = [int(h) for h in re.findall(r"<h([1-6])[\s>]", page)]
    assert levels and levels[0] == 1, levels
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, levels
