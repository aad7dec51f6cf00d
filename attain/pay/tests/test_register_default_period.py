"""The payout register and the payroll page open on the pay period under way, not on a
future one a calculation of the whole fiscal year stored payouts of zero for."""

from __future__ import annotations

import datetime

import pytest

from attain.org import company as company_module
from attain.org.models import CompanySettings
from attain.org.services_company import clean_company, store_company

from .payout_factories import store


def _fiscal_year_from(month: int) -> None:
    if CompanySettings.objects.exists():
        CompanySettings.objects.update(fiscal_year_start=month)
    else:
        values = clean_company(
            name="Maple Devices",
            fiscal_year_start=str(month),
            currency="USD",
            time_zone="America/New_York",
            languages=["en"],
        )
        store_company(None, values)
    company_module.forget()


@pytest.mark.parametrize("url", ["/pay/payouts/", "/pay/payroll/", "/pay/statements/"])
def test_the_register_opens_on_the_quarter_under_way(company, client, monkeypatch, url):
    """An October fiscal year: on December 7, 2026 the quarter under way is 2026-Q1
    (October–December 2026); calculating the fiscal year 2026 stores payouts up to
    2026-Q4 (July–September 2027), and the register opened on that one, all zeros."""
    _fiscal_year_from(10)
    for period in ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"):
        store(company, {"r1": {"commission": "500.00"}}, period=period)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: datetime.date(2026, 12, 7))
    client.force_login(company.users["finance"])
    page = client.get(url).content.decode()
    assert '<option value="2026-Q1" selected' in page or 'value="2026-Q1" selected' in page
    # a period asked for by name is still shown
    page = client.get(url, {"period": "2026-Q4"}).content.decode()
    assert 'value="2026-Q4" selected' in page
