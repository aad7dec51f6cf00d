"""A new person or unit saved with a double click: before, the second request was
refused with "this employee id is already used" under the form, as if the first had
failed; now it goes to the person (or unit) the first click added."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from attain.org.models import Person, Unit
from attain.web.once import FIELD


@pytest.mark.parametrize(
    ("url", "fields", "model"),
    [
        (
            "/people/new/",
            {"code": "n1", "name": "New", "unit": "east", "title": "rep"} | {"start": "2025-01-01"},
            Person,
        ),
        ("/units/new/", {"code": "north", "name": "华北", "parent": "hq"}, Unit),
    ],
)
def test_a_person_or_unit_saved_twice_is_added_once_without_an_error(company, url, fields, model):
    client = Client()
    client.force_login(company.users["admin"])
    key = re.search(rf'name="{FIELD}" value="([0-9a-f]+)"', client.get(url).content.decode())
    assert key, "the form carries no one-time key"
    form = {**fields, FIELD: key.group(1)}
    before = model.objects.count()
    first = client.post(url, form)
    second = client.post(url, form)
    assert first.status_code == 302, first.context["form"].errors
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert model.objects.count() == before + 1
