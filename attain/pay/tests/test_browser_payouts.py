"""Payouts in real Chromium, in both languages: the manager reviews, finance approves in
bulk, sales operations holds one, the rep sees the hold, finance's payroll export total
equals the register's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attain.conftest import sign_in
from attain.pay.models import Payout

from .payout_factories import AMOUNTS, PERIOD, choose_payouts, store

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect
pytestmark = pytest.mark.browser


def test_review_approve_hold_and_payroll_in_chromium(
    transactional_db, company, live_server, browser
):
    store(company, AMOUNTS)
    register = f"{live_server.url}/pay/payouts/?period={PERIOD}"

    context, page = sign_in(browser, live_server, "manager", locale="zh-CN")
    page.goto(register)
    expect(page.locator("h1")).to_have_text("发放登记簿")
    choose_payouts(page, ["r1", "r2", "r3"], "review")
    expect(page.locator("tr[data-person='r1']")).to_contain_text("已复核")
    context.close()

    context, page = sign_in(browser, live_server, "sales_ops")
    page.goto(register)
    choose_payouts(page, ["r3"], "hold", reason="integrity check")
    expect(page.locator("tr[data-person='r3']")).to_contain_text("integrity check")
    context.close()

    context, page = sign_in(browser, live_server, "finance")
    page.goto(register)
    choose_payouts(page, ["r1", "r2", "r3"], "approve")  # r3 is held: nothing changes
    expect(page.locator(".messages")).to_contain_text("release it first")
    assert not Payout.objects.filter(state="approved").exists()
    # the refused step is shown again as sent (r1, r2, r3 still chosen): leave r3 out
    expect(page.locator("tr[data-person='r3'] input[name=people]")).to_be_checked()
    page.uncheck("tr[data-person='r3'] input[name=people]")
    choose_payouts(page, ["r1", "r2"], "approve")
    expect(page.locator("tr[data-person='r2']")).to_contain_text("Approved")
    payable = page.locator("#payout-totals tfoot [data-payable]").get_attribute("data-payable")
    page.goto(f"{live_server.url}/pay/payroll/?period={PERIOD}")
    total = page.locator("[data-total]").get_attribute("data-total")
    assert Decimal(total) == Decimal(payable) == Decimal("1200.10") + Decimal("333.34")
    context.close()

    context, page = sign_in(browser, live_server, "rep", locale="zh-CN")
    page.goto(register)
    expect(page.locator("tr[data-person='r1']")).to_contain_text("已审批")
    assert page.locator("tr[data-person]").count() == 1
    context.close()
