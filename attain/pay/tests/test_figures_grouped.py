"""Counts of people on the payout pages are grouped like the amounts beside them
(1,234 people, not 1234), in English and Chinese."""

from __future__ import annotations

import pytest

from attain.pay import selectors_payouts
from attain.pay.selectors_payouts import AccrualRow, Register, Totals
from attain.web.testing import read_page


def read(company, url: str, language: str) -> str:
    return read_page(company.users["finance"], url, language)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_accrual_groups_the_people_counted(company, monkeypatch, language):
    row = AccrualRow("2026-Q1", "east", "华东", people=1234)
    monkeypatch.setattr(selectors_payouts, "accrual", lambda user, period=None: [row])
    text = read(company, "/pay/accrual/", language)
    assert "1,234" in text and "1234" not in text


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_register_totals_group_the_people_counted(company, monkeypatch, language):
    unit, everyone = Totals(count=1234), Totals(count=5678)
    register = Register(rows=[], totals=everyone, by_unit=[("east", "华东", unit)])
    monkeypatch.setattr(selectors_payouts, "register", lambda user, page=None, **f: register)
    text = read(company, "/pay/payouts/", language)
    assert "1,234" in text and "5,678" in text
    assert "1234" not in text and "5678" not in text
