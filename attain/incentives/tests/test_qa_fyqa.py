"""A company whose fiscal year starts in April: the pages' "this year" is the fiscal
year of today, not the calendar year."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from attain.conftest import LOGINS

pytestmark = pytest.mark.django_db


def login(client, role):
    username, password = LOGINS[role]
    assert client.login(username=username, password=password)
    return client


@pytest.fixture
def february_of_an_april_year(settings, monkeypatch):
    """10 February 2027 in a company whose fiscal year starts in April: fiscal 2026."""
    settings.ATTAIN_FISCAL_YEAR_START = 4
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2027, 2, 10))


def test_a_new_plan_starts_on_the_first_day_of_the_fiscal_year(
    client, company, february_of_an_april_year
):
    """A new plan was proposed from 1 January of the calendar year (2027-01-01), in the
    middle of fiscal 2026's last quarter."""
    login(client, "sales_ops")
    page = client.get(reverse("incentives:new_plan")).content.decode()
    assert 'name="effective_from" value="2026-04-01"' in page
