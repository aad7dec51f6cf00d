"""Period close in real Chromium, in both languages: sales operations closes 2026-Q1
(Chinese), a later change to Q1's results leaves Q1 unchanged and the rep sees the
adjustment line with its explanation on Q2; an administrator reopens with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attain.conftest import sign_in
from attain.pay.models import Payout
from attain.pay.models_close import PayPeriod

from .test_close import quarters, store  # noqa: F401  (the fixture)

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect
pytestmark = pytest.mark.browser


@pytest.fixture
def immediate_tasks(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_close_adjust_and_reopen_in_chromium(
    transactional_db,
    immediate_tasks,
    quarters,  # noqa: F811
    live_server,
    browser,
):
    periods = f"{live_server.url}/pay/periods/"
    context, page = sign_in(browser, live_server, "sales_ops", locale="zh-CN")
    page.goto(periods)
    expect(page.locator("h1")).to_have_text("计薪期间")
    with page.expect_navigation():  # the form posts; reload only once it has answered
        page.click("button[data-close='2026-Q1']")
    row = page.locator("tr[data-period='2026-Q1']")
    page.reload()
    expect(row).to_have_attribute("data-state", "closed")
    expect(row).to_contain_text("已关闭")
    context.close()

    store(quarters, "r1", "2026-Q1", {"commission": "1200.35", "bonus": "50.00"})
    q1 = Payout.objects.get(person__code="r1", period="2026-Q1")
    assert q1.amount == Decimal("1050.10")

    context, page = sign_in(browser, live_server, "rep", locale="zh-CN")
    page.goto(f"{live_server.url}/pay/payouts/?period=2026-Q2")
    line = page.locator("tr[data-person='r1'] details[data-adjustment='2026-Q1']")
    expect(line.locator("summary")).to_contain_text("2026-Q1 调整")
    expect(line.locator("summary")).to_contain_text("200.25")
    line.locator("summary").click()
    expect(line.locator("table")).to_contain_text("1,000.10")
    expect(line.locator("table")).to_contain_text("1,200.35")
    expect(page.locator("tr[data-person='r1']")).to_contain_text("700.25")
    page.goto(f"{live_server.url}/pay/payouts/?period=2026-Q1")
    expect(page.locator("tr[data-person='r1']")).to_contain_text("1,050.10")
    context.close()

    context, page = sign_in(browser, live_server, "admin")
    page.goto(periods)
    page.fill("tr[data-period='2026-Q1'] input[name=reason]", "restated after audit")
    page.click("button[data-reopen='2026-Q1']")
    expect(page.locator(".messages")).to_contain_text("2026-Q1 is open again")
    expect(page.locator("tr[data-period='2026-Q1']")).to_have_attribute("data-state", "open")
    assert PayPeriod.objects.get(period="2026-Q1").reopen_reason == "restated after audit"
    assert Payout.objects.get(person__code="r1", period="2026-Q1").amount == Decimal("1250.35")
    context.close()
