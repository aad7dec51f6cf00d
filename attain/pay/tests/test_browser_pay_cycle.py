"""Issue 13's whole pay cycle in real Chromium, on a real calculation, in both languages:
sales operations closes 2026-Q3 (Chinese); the rep back-dates an order into Q3 (it waits
for verification) and finance verifies it: Q3's payout stays as closed and Q4 shows an
adjustment line explained before and after; the rep disputes a Q4 line, sales
operations resolves it with an adjustment; the manager reviews and finance approves
(English); the rep downloads the statement PDF, whose text has the amounts; the payroll
export's total equals the register's; an absurd amount typed by the rep is refused and
changes no payout."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest

from attain.conftest import sign_in
from attain.crm.models import Customer, Order
from attain.incentives.tests.conftest import (  # noqa: F401  (fixtures)
    _immediate_tasks,
    calculated,
    sales,
)
from attain.pay.models import Payout, PayoutState
from attain.pay.models_close import Adjustment
from attain.pay.tests.payout_factories import choose_payouts

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _amounts() -> dict[tuple[str, str], Decimal]:
    return {(p.person.code, p.period): p.amount for p in Payout.objects.select_related("person")}


def test_the_pay_cycle_in_chromium(
    transactional_db,
    calculated,  # noqa: F811
    live_server,
    browser,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    url = live_server.url
    customer = Customer.objects.get(name="客户甲")
    q3_closed = Payout.objects.get(person__code="r1", period="2026-Q3").amount

    # Sales operations close 2026-Q3.
    context, page = sign_in(browser, live_server, "sales_ops", locale="zh-CN")
    page.goto(f"{url}/pay/periods/")
    with page.expect_navigation():  # the form posts; reload only once it has answered
        page.click("button[data-close='2026-Q3']")
    page.reload()
    expect(page.locator("tr[data-period='2026-Q3']")).to_have_attribute("data-state", "closed")
    context.close()

    # The rep records an order dated in Q3, and one with an absurd amount.
    context, page = sign_in(browser, live_server, "rep", locale="zh-CN")
    page.goto(f"{url}/crm/customers/{customer.external_id}/orders/new/")
    page.fill("input[name=date]", "2026-08-20")
    page.fill("input[name=amount]", "9000")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已录入")
    before = _amounts()
    page.goto(f"{url}/crm/customers/{customer.external_id}/orders/new/")
    page.fill("input[name=date]", "2026-11-20")
    page.fill("input[name=amount]", "99999999999")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".errorlist, [role=alert]").first).to_be_visible()
    context.close()
    backdated = Order.objects.get(date="2026-08-20", owner__code="r1")
    assert backdated.verification == "pending"
    assert not Order.objects.filter(amount__gt=Decimal("1e9")).exists()
    assert _amounts() == before  # pending and refused records change no payout

    # Finance verifies the back-dated order: Q3 stays as closed, Q4 carries the difference.
    context, page = sign_in(browser, live_server, "finance", locale="zh-CN")
    page.goto(f"{url}/pay/review/?table=orders")
    page.check(f"input[aria-label='{backdated.external_id}']")
    page.select_option("select[name=decision]", "verified")
    page.get_by_role("button", name="应用到所选记录").click()
    context.close()
    assert Payout.objects.get(person__code="r1", period="2026-Q3").amount == q3_closed
    adjustment = Adjustment.objects.get(person__code="r1", source_period="2026-Q3")
    assert adjustment.amount > 0 and adjustment.payout.period == "2026-Q4"

    context, page = sign_in(browser, live_server, "rep", locale="zh-CN")
    page.goto(f"{url}/pay/payouts/?period=2026-Q4")
    line = page.locator("tr[data-person='r1'] details[data-adjustment='2026-Q3']")
    expect(line.locator("summary")).to_contain_text("2026-Q3 调整")
    line.locator("summary").click()
    expect(line.locator("table")).to_be_visible()

    # The rep disputes a Q4 line; sales operations resolve it with an adjustment.
    page.locator("tr[data-person='r1']").get_by_role("link", name="对此行提出申诉").first.click()
    page.fill("input[name=title]", "拜访奖励漏算")
    page.fill("textarea[name=text]", "十一月的两次拜访没有计入。")
    page.click("#open-dispute")
    expect(page.locator("#dispute-status")).to_have_text("待处理")
    dispute_url = page.url
    context.close()
    q4_before = Payout.objects.get(person__code="r1", period="2026-Q4").amount

    context, page = sign_in(browser, live_server, "sales_ops", locale="zh-CN")
    page.goto(dispute_url)
    page.click("#start-dispute")
    page.fill("#resolve-form input[name=amount]", "100.00")
    page.fill("#resolve-form textarea[name=reason]", "两次拜访已补录")
    page.click("#resolve-dispute")
    expect(page.locator("#dispute-status")).to_have_text("已解决")
    context.close()
    q4 = Payout.objects.get(person__code="r1", period="2026-Q4")
    assert q4.amount == q4_before + Decimal("100.00")

    # The manager reviews, finance approves (in English).
    register = f"{url}/pay/payouts/?period=2026-Q4"
    context, page = sign_in(browser, live_server, "manager")
    page.goto(register)
    choose_payouts(page, ["r1", "r2"], "review")
    expect(page.locator("tr[data-person='r1']")).to_contain_text("Reviewed")
    context.close()
    context, page = sign_in(browser, live_server, "finance")
    page.goto(register)
    choose_payouts(page, ["r1", "r2"], "approve")
    expect(page.locator("tr[data-person='r1']")).to_contain_text("Approved")
    payable = page.locator("#payout-totals tfoot [data-payable]").get_attribute("data-payable")
    page.goto(f"{url}/pay/payroll/?period=2026-Q4")
    total = page.locator("[data-total]").get_attribute("data-total")
    approved = sum(
        (p.amount for p in Payout.objects.filter(period="2026-Q4", state=PayoutState.APPROVED)),
        Decimal(0),
    )
    assert Decimal(total) == Decimal(payable) == approved

    # Finance generates the Q4 statements; the rep downloads theirs and reads it back.
    page.goto(f"{url}/pay/statements/?period=2026-Q4")
    with page.expect_navigation():  # the form posts; reload only once it has answered
        page.click("#generate")
    page.reload()
    expect(page.locator("#statement-set .set-state")).to_have_text("Done")
    context.close()
    context, page = sign_in(browser, live_server, "rep", locale="zh-CN")
    page.goto(f"{url}/pay/statements/mine/")
    with page.expect_download() as info:
        page.locator("#my-statements tr", has_text="2026-Q4").locator("a[download]").click()
    data = Path(info.value.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    q4 = Payout.objects.get(person__code="r1", period="2026-Q4")
    for expected in ["Pay statement", f"{q4.amount:,.2f}", f"{adjustment.amount:,.2f}", "100.00"]:
        assert expected in text, (expected, text)
    context.close()
