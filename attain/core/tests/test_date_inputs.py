"""Issue 12 bug 1: in zh-CN every date input with a default rendered ``2026/12/04``,
which the browser rejects (an empty field; Save silently did nothing on required
fields). Dates are always ISO, whatever the language."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.test import Client
from django.utils import timezone, translation

from attain.crm import forms as crm_forms
from attain.crm import services
from attain.org import forms as org_forms
from attain.web.forms import DateInput

pytestmark = pytest.mark.django_db


def _dates(page: str) -> list[str]:
    inputs = re.findall(r"<input[^>]*type=\"date\"[^>]*>", page)
    return [re.search(r'value="([^"]*)"', i).group(1) for i in inputs if 'value="' in i]


@pytest.mark.parametrize(
    "url",
    [
        lambda company, customer: f"/crm/customers/{customer.external_id}/tickets/new/",
        lambda company, customer: f"/people/{company.people['r1'].code}/",
    ],
    ids=["ticket", "transfer"],
)
def test_ticket_and_transfer_dates_are_iso_in_chinese(company, url) -> None:
    customer = services.create_customer(None, name="甲一科技", owner=company.people["r1"])
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(company.users["admin"])
    response = client.get(url(company, customer))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="zh-hans"' in page
    values = _dates(page)
    assert timezone.localdate().isoformat() in values
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in values), values


def test_every_date_field_of_every_form_uses_the_iso_input() -> None:
    found = []
    for module in (crm_forms, org_forms):
        for form in vars(module).values():
            if isinstance(form, type) and issubclass(form, forms.BaseForm):
                for name, field in form.base_fields.items():
                    if isinstance(field, forms.DateField):
                        found.append((form.__name__, name, type(field.widget)))
    assert found and all(widget is DateInput for _f, _n, widget in found), found
    with translation.override("zh-hans"):
        html = DateInput().render("d", timezone.localdate())
    assert f'value="{timezone.localdate().isoformat()}"' in html
