"""A form sent twice (a double click on "Save", the browser resending the page) records
once: the page carries a one-time key, and the second answer goes where the first did."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from attain.conftest import client_for
from attain.crm.models import Contact, Order, Payment
from attain.web.once import FIELD
from attain.web.testing import at_once


def key_on(page: str) -> str:
    found = re.search(rf'name="{FIELD}" value="([0-9a-f]+)"', page)
    assert found, "the form carries no one-time key"
    return found.group(1)


@pytest.mark.parametrize(
    ("path", "fields", "model"),
    [
        (
            "orders/new/",
            {"date": "2026-11-20", "amount": "1234.00", "lines-TOTAL_FORMS": "0"}
            | {"lines-INITIAL_FORMS": "0"},
            Order,
        ),
        ("payments/new/", {"date": "2026-11-20", "amount": "100.00"}, Payment),
        ("contacts/new/", {"name": "张三"}, Contact),
    ],
)
def test_a_crm_form_sent_twice_records_once(company, crm, path, fields, model):
    client = client_for(company, "manager")
    url = f"/crm/customers/{crm.customers['c_r1'].external_id}/{path}"
    form = {**fields, FIELD: key_on(client.get(url).content.decode())}
    before = model.objects.count()
    first = client.post(url, form)
    second = client.post(url, form, follow=True)
    assert first.status_code == 302, first.content.decode()[:2000]
    assert model.objects.count() == before + 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert "already sent" in second.content.decode()


def test_a_refused_form_can_be_corrected_and_sent_with_its_key(company, crm):
    """The key is spent only when the form is saved: the corrected form goes through."""
    client = client_for(company, "manager")
    url = f"/crm/customers/{crm.customers['c_r1'].external_id}/payments/new/"
    key = key_on(client.get(url).content.decode())
    refused = client.post(url, {"date": "2026-11-20", "amount": "", FIELD: key})
    assert refused.status_code == 200
    assert key_on(refused.content.decode()) == key
    assert client.post(url, {"date": "2026-11-20", "amount": "5", FIELD: key}).status_code == 302
    assert Payment.objects.filter(amount=5).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_double_click_sends_two_requests_at_once_and_records_once(company, crm):
    """Two requests with the same key at the same moment (two web processes): one order."""
    url = f"/crm/customers/{crm.customers['c_r1'].external_id}/orders/new/"
    key = key_on(client_for(company, "manager").get(url).content.decode())
    form = {"date": "2026-11-20", "amount": "77.00", "lines-TOTAL_FORMS": "0"}
    form |= {"lines-INITIAL_FORMS": "0", FIELD: key}
    clients = [client_for(company, "manager") for _ in range(2)]
    answers = at_once(lambda: clients.pop().post(url, form).status_code)
    assert answers == [302, 302]
    assert Order.objects.filter(amount=77).count() == 1


def test_create_anyway_clicked_twice_adds_one_customer(company, crm):
    """The duplicate warning's "Create anyway" sent twice: before, two customers."""
    from attain.crm.models import Customer

    client = client_for(company, "rep")
    form = {"name": "甲一科技有限公司", "source": "sales"}
    warned = client.post(
        "/crm/customers/new/",
        {**form, FIELD: key_on(client.get("/crm/customers/new/").content.decode())},
    )
    anyway = {**form, "allow_duplicate": "on", FIELD: key_on(warned.content.decode())}
    first = client.post("/crm/customers/new/", anyway)
    second = client.post("/crm/customers/new/", anyway)
    assert Customer.objects.filter(name="甲一科技有限公司").count() == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]


def test_a_key_another_user_sent_leads_nowhere_of_theirs(company, crm):
    """A spent key names the sender's next page only to the sender: another user
    sending the same key records nothing and stays on the form."""
    first = client_for(company, "manager")
    url = f"/crm/customers/{crm.customers['c_r1'].external_id}/payments/new/"
    form = {"date": "2026-11-20", "amount": "100.00"}
    form[FIELD] = key_on(first.get(url).content.decode())
    sent = first.post(url, form)
    assert sent.status_code == 302
    before = Payment.objects.count()
    other = client_for(company, "sales_ops").post(url, form)
    assert Payment.objects.count() == before
    assert other.status_code == 302 and other["Location"] == url
    assert other["Location"] != sent["Location"]
