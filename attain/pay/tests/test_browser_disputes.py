"""Disputes in real Chromium, in Chinese: the rep disputes a line of their payout from
the register (with a file), sales operations take it in hand and resolve it with an
adjustment; the rep sees the resolution and the adjustment line in their payout."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attain.conftest import sign_in
from attain.pay.models import Payout
from attain.pay.models_disputes import Dispute

from .payout_factories import PERIOD

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect
pytestmark = pytest.mark.browser


@pytest.mark.usefixtures("stored")
def test_rep_disputes_a_line_and_ops_resolves_it_with_an_adjustment(
    transactional_db, company, live_server, browser, tmp_path
):
    proof = tmp_path / "订单截图.pdf"
    proof.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    context, page = sign_in(browser, live_server, "rep", locale="zh-CN")
    page.goto(f"{live_server.url}/pay/payouts/?period={PERIOD}")
    row = page.locator("tr[data-person='r1']")
    row.get_by_role("link", name="对此行提出申诉").first.click()  # rep.bonus, then commission
    expect(page.locator("h1")).to_have_text("提出申诉")
    expect(page.locator("#disputed-line")).to_contain_text("rep.bonus")
    page.fill("input[name=title]", "奖金少算了")
    page.fill("textarea[name=text]", "十月的订单 SO-42 没有计入。")
    page.set_input_files("input[name=files]", str(proof))
    page.click("#open-dispute")
    expect(page.locator("#dispute-status")).to_have_text("待处理")
    expect(page.locator("#thread")).to_contain_text("订单截图.pdf")
    dispute = Dispute.objects.get()
    context.close()

    context, page = sign_in(browser, live_server, "sales_ops", locale="zh-CN")
    page.goto(f"{live_server.url}/pay/disputes/")
    expect(page.locator(f"tr[data-dispute='{dispute.pk}']")).to_contain_text("奖金少算了")
    page.click(f"tr[data-dispute='{dispute.pk}'] a >> nth=0")
    page.click("#start-dispute")
    expect(page.locator("#dispute-status")).to_have_text("处理中")
    page.fill("#resolve-form input[name=amount]", "150.25")
    page.fill("#resolve-form textarea[name=reason]", "SO-42 已补录，差额在本期补发")
    page.click("#resolve-dispute")
    expect(page.locator("#dispute-status")).to_have_text("已解决")
    expect(page.locator("#dispute-adjustment")).to_contain_text(f"计入 {PERIOD} 发放")
    context.close()

    payout = Payout.objects.get(person=company.people["r1"], period=PERIOD)
    assert payout.amount == Decimal("1200.10") + Decimal("150.25")

    context, page = sign_in(browser, live_server, "rep", locale="zh-CN")
    page.goto(f"{live_server.url}/pay/disputes/{dispute.pk}/")
    expect(page.locator("#dispute-resolution")).to_contain_text("SO-42 已补录")
    page.goto(f"{live_server.url}/pay/payouts/?period={PERIOD}")
    expect(page.locator("tr[data-person='r1']")).to_contain_text(f"申诉 {dispute.pk} 调整")
    expect(page.locator("tr[data-person='r1']")).to_contain_text("1,350.35")
    context.close()
