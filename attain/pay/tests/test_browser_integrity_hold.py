"""Integrity review in real Chromium: sales operations scans (Chinese), opens an alert
with its evidence, confirms it and holds the payout, dismisses a false one with a
reason; the rep (English) sees the hold and its reason on their own page, never the
review queue."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from attain.conftest import sign_in
from attain.crm.models import Customer, Order
from attain.integrity.models import Alert, Status
from attain.pay.models import Payout

from .payout_factories import AMOUNTS, PERIOD, store

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect
pytestmark = pytest.mark.browser


def _duplicates(company, code: str, prefix: str) -> None:
    """The same order booked twice (customer, amount and day): the amounts detector."""
    customer = Customer.objects.create(
        external_id=f"C-{code}",
        name=f"客户 {code}",
        owner=company.people[code],
        created_on=datetime.date(2025, 12, 1),
    )
    for number in (1, 2):
        Order.objects.create(
            external_id=f"{prefix}{number}",
            customer=customer,
            owner=company.people[code],
            date=datetime.date(2026, 2, 5),
            amount=Decimal("1234.56"),
        )


def test_confirm_with_hold_and_dismiss_in_chromium(transactional_db, company, live_server, browser):
    store(company, AMOUNTS)
    _duplicates(company, "r1", "O-R1-")
    _duplicates(company, "r2", "O-R2-")

    context, page = sign_in(browser, live_server, "sales_ops", locale="zh-CN")
    page.goto(f"{live_server.url}/integrity/")
    page.get_by_role("button", name="立即扫描").click()
    expect(page.locator("main")).to_contain_text("r1")
    alerts = {a.people_codes[0]: a for a in Alert.objects.filter(period=PERIOD)}
    assert set(alerts) >= {"r1", "r2"}

    page.goto(f"{live_server.url}/integrity/{alerts['r1'].pk}/")
    expect(page.locator("#evidence")).to_contain_text("O-R1-1")
    expect(page.locator("#evidence")).to_contain_text("O-R1-2")
    page.select_option("[name=decision]", "confirm")
    page.fill("[name=reason]", "同一订单重复录入")
    page.check("[name=hold]")
    page.get_by_role("button", name="保存处理结果").click()
    expect(page.locator("#alert")).to_contain_text("已确认")

    page.goto(f"{live_server.url}/integrity/{alerts['r2'].pk}/")
    page.select_option("[name=decision]", "dismiss")
    page.fill("[name=reason]", "两次真实发货")
    page.get_by_role("button", name="保存处理结果").click()
    expect(page.locator("#alert")).to_contain_text("两次真实发货")
    context.close()

    assert Alert.objects.get(pk=alerts["r1"].pk).status == Status.CONFIRMED
    assert Alert.objects.get(pk=alerts["r2"].pk).status == Status.DISMISSED
    held = {p.person.code: p.held for p in Payout.objects.filter(period=PERIOD)}
    assert held["r1"] is True and held["r2"] is False

    context, page = sign_in(browser, live_server, "rep")  # r1, in English
    page.goto(f"{live_server.url}/performance/")
    expect(page.locator("#integrity-hold")).to_contain_text("同一订单重复录入")
    assert page.goto(f"{live_server.url}/integrity/").status == 403
    context.close()
