"""Plan effectiveness in real Chromium: sales operations open the page on a phone and run
a what-if of a draft over history; the charts are drawn and named."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attain.conftest import PHONE, sign_in
from attain.incentives import services
from attain.incentives.documents import level_bonus, marginal_commission, plan_document

from .conftest import YEAR

playwright_sync = pytest.importorskip("playwright.sync_api")

expect = playwright_sync.expect
pytestmark = pytest.mark.browser


def test_sales_ops_run_a_what_if_on_a_phone(transactional_db, sales, live_server, browser):
    services.run_calculation(None, YEAR)
    draft = plan_document(
        "rep",
        "Rep plan",
        "rep",
        YEAR,
        [
            marginal_commission("commission", [(0, Decimal("0.10"))]),
            level_bonus("levels", [(Decimal("0.8"), 100), (Decimal("1.0"), 200)]),
        ],
    )
    services.save_plan_version(None, draft)
    context, page = sign_in(browser, live_server, "sales_ops", locale="zh-CN")
    page.set_viewport_size(PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/performance/effectiveness/?period={YEAR}-Q1")
    expect(page.locator("h1")).to_contain_text("方案成效")
    chart = page.locator("#chart-dist-0")
    expect(chart).to_have_attribute("role", "img")
    expect(chart).to_have_attribute("data-drawn", "1")  # ECharts drew it
    expect(chart.locator("canvas")).to_have_count(1)
    expect(page.locator("#fairness")).to_contain_text("没有记录市场潜力")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.fill("input[name=from]", f"{YEAR}-Q1")
    page.fill("input[name=to]", f"{YEAR}-Q1")
    page.click("#run-what-if")
    expect(page.locator(".run-state")).to_have_text("完成", timeout=30000)
    expect(page.locator("#what-if-people")).to_contain_text("R1")
    expect(page.locator("#what-if-people")).to_contain_text("1,400.00")
    expect(page.locator("div[id^=chart-what-if-periods]")).to_have_attribute("data-drawn", "1")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert errors == []
    context.close()


def test_a_drawn_chart_keeps_its_name_for_screen_readers(
    transactional_db, sales, live_server, browser
):
    """ECharts wrote its own description over the chart's name once it drew it: "这是一个
    图表，图表类型是柱状图……的数据是0，38，50%–80%的数据是1，24" (indices and raw
    numbers, 152.0735 for 152.07%); the figures are in the table beside it."""
    services.run_calculation(None, YEAR)
    context, page = sign_in(browser, live_server, "sales_ops", locale="zh-CN")
    page.goto(f"{live_server.url}/performance/effectiveness/?period={YEAR}-Q1")
    chart = page.locator("#chart-dist-0")
    expect(chart).to_have_attribute("data-drawn", "1")
    label = chart.get_attribute("aria-label") or ""
    assert label.endswith("的达成率分布") and "这是一个图表" not in label, label
    context.close()
