"""The pay pages of a company paying in yen show whole yen, as its statements do."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from attain.org import company as company_module
from attain.org.models import CompanySettings
from attain.org.services_company import clean_company, store_company
from attain.pay.models import Payout
from attain.pay.services_payouts import review_payouts
from attain.web.testing import read_page

from .payout_factories import PERIOD, store, through


def _pay_in(currency: str) -> None:
    if CompanySettings.objects.exists():
        CompanySettings.objects.update(currency=currency)
    else:
        values = clean_company(
            name="Sakura KK",
            fiscal_year_start="4",
            currency=currency,
            time_zone="America/New_York",
            languages=["en", "zh-hans"],
        )
        store_company(None, values)
    company_module.forget()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_pay_pages_show_yen_without_decimals(company, language):
    """The register, accrual report, payroll export and pay periods of a Japanese
    company read 120,000.00 and 0.00 where the payouts are whole yen."""
    _pay_in("JPY")
    store(company, {"r1": {"commission": "120000"}, "r2": {"commission": "35500"}})
    through(company, "r1", "approved")
    review_payouts(company.users["admin"], list(Payout.objects.filter(state="calculated")))
    finance = company.users["finance"]
    for url, shown in (
        (f"/pay/payouts/?period={PERIOD}", "120,000"),
        ("/pay/accrual/", "35,500"),
        (f"/pay/payroll/?period={PERIOD}", "120000"),
        ("/pay/periods/", "155,500"),
    ):
        text = read_page(finance, url, language)
        assert shown in text, url
        assert not re.search(r"\d\.\d\d\b", text), (url, re.findall(r"\S*\d\.\d\d\b", text))
    # the payroll file and the register's, for the payroll system and for people
    client = Client()
    client.force_login(finance)
    for url in (
        f"/pay/payroll/?period={PERIOD}&export=csv",
        f"/pay/payouts/?period={PERIOD}&export=csv",
    ):
        text = client.get(url).content.decode("utf-8-sig")
        assert "120000" in text and "120000.00" not in text and "35500.00" not in text, url


def test_the_pay_pages_keep_cents_for_dollars(company):
    _pay_in("USD")
    store(company, {"r1": {"commission": "1234.5"}})
    text = read_page(company.users["finance"], f"/pay/payouts/?period={PERIOD}", "en")
    assert "1,234.50" in text
