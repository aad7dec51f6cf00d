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


def test_the_calculation_form_proposes_the_fiscal_year_of_today(
    client, company, february_of_an_april_year
):
    """In February 2027 the form proposed 2027, a fiscal year that starts in April:
    "Calculate" ran a year not begun and left the current one's results as they were."""
    login(client, "sales_ops")
    page = client.get(reverse("incentives:plans")).content.decode()
    assert 'name="year" value="2026"' in page


def test_a_calculation_without_a_year_runs_the_fiscal_year_of_today(
    client, company, february_of_an_april_year, django_capture_on_commit_callbacks
):
    from attain.incentives.models import CalculationRun

    login(client, "sales_ops")
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("incentives:start_run"), {"year": ""})
    assert CalculationRun.objects.get().fiscal_year == 2026


def test_a_new_plan_starts_on_the_first_day_of_the_fiscal_year(
    client, company, february_of_an_april_year
):
    """A new plan was proposed from 1 January of the calendar year (2027-01-01), in the
    middle of fiscal 2026's last quarter."""
    login(client, "sales_ops")
    page = client.get(reverse("incentives:new_plan")).content.decode()
    assert 'name="effective_from" value="2026-04-01"' in page
