"""Each role in real Chromium (Debian's build, driven by Playwright)."""

from __future__ import annotations

import pytest

from attain.conftest import sign_in
from attain.incentives.models import PlanVersion

from .conftest import YEAR

playwright_sync = pytest.importorskip("playwright.sync_api")

expect = playwright_sync.expect
pytestmark = pytest.mark.browser
Q1 = f"{YEAR}-Q1"


def test_sales_ops_builds_a_plan_in_the_designer_and_runs_it(
    transactional_db, sales, live_server, browser
):
    context, page = sign_in(browser, live_server, "sales_ops")
    page.click("nav >> text=Plans")
    page.click("text=New plan")
    page.fill("input[name=id]", "spring-spiff")
    page.fill("input[name=name]", "Spring plan")
    page.fill("input[name=applies_value]", "rep")
    page.fill("input[name=effective_from]", f"{YEAR}-01-01")
    page.click("button.add-commission")
    page.fill("input[name=c0-rate]", "0.02")
    page.click("button.add-bonus")
    expect(page.locator("input[name=c1-l2-label]")).to_have_value("卓越")
    page.click("#preview-plan")
    expect(page.locator("#preview")).to_contain_text("would have paid")
    page.fill("input[name=c0-rate]", "2")  # outside [0, 1]: the engine's message
    page.click("#save-plan")
    expect(page.locator(".problems").first).to_contain_text("components[0].rate")
    page.fill("input[name=c0-rate]", "0.02")
    page.click("#save-plan")
    expect(page.locator(".message.success")).to_contain_text("version 1")
    page.click("button.submit")  # sales operations propose, an executive approves
    expect(page.locator(".message.success")).to_contain_text("submitted for approval")
    expect(page.locator("#plan-overlaps")).to_contain_text("“Spring plan”")  # and the rep plan
    boss_context, boss = sign_in(browser, live_server, "executive", locale="zh-CN")
    boss.click('nav >> text="方案"')  # exactly: not 方案成效 (plan effectiveness)
    expect(boss.locator("#plan-overlaps")).to_contain_text("重复计酬")
    boss.click("li.version-submitted button.approve")
    expect(boss.locator(".message.success")).to_contain_text("已审批")
    boss_context.close()
    page.reload()
    page.click("button.activate")
    expect(page.locator(".message.success")).to_contain_text("is active")
    assert PlanVersion.objects.get(plan__code="spring-spiff").status == "active"
    page.fill("input[name=year]", str(YEAR))
    page.click("#run-button")
    expect(page.locator(".run-state")).to_have_text("Done", timeout=30000)
    context.close()


def test_rep_verifies_their_payout_and_estimates(
    transactional_db, calculated, live_server, browser
):
    context, page = sign_in(browser, live_server, "rep")
    page.goto(f"{live_server.url}/performance/?period={Q1}")
    expect(page.locator("#payout")).to_have_text("¥1,100.00")
    page.click("#components >> text=¥700.00")
    explanation = page.locator("#explanation")
    expect(explanation).to_contain_text("o-r1-0")
    expect(explanation).to_contain_text("700.00")
    page.fill("input[name=amount]", "1000")
    page.click("text=Estimate")
    expect(page.locator(".estimate-result")).to_contain_text("¥100.00")
    response = page.goto(f"{live_server.url}/performance/explain/r2/{Q1}/")
    assert response is not None and response.status == 404
    context.close()


def test_manager_sees_who_is_behind_and_why(transactional_db, calculated, live_server, browser):
    context, page = sign_in(browser, live_server, "manager")
    with page.expect_navigation():  # the menu leads there
        page.click("nav >> text=My team")
    page.goto(f"{live_server.url}/performance/team/?period={Q1}")
    heatmap = page.locator("#heatmap")
    expect(heatmap).to_contain_text("R3")
    expect(heatmap).not_to_contain_text("R4")
    expect(page.locator("#behind")).to_contain_text("R3")  # 30% of target: missed
    context.close()


def test_executive_dashboard_and_leaderboard(transactional_db, calculated, live_server, browser):
    context, page = sign_in(browser, live_server, "executive")
    with page.expect_navigation():  # the menu leads there
        page.click("nav >> text=Dashboard")
    page.goto(f"{live_server.url}/performance/dashboard/?period={Q1}")
    expect(page.locator("#share")).to_have_text("25.0%")
    page.goto(f"{live_server.url}/performance/leaderboards/?period={Q1}")
    expect(page.locator("#ranking tbody tr").first).to_contain_text("R1")
    context.close()


CLIPPED = """() => Array.from(document.querySelectorAll('#designer button, #designer select'))
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
  .map(el => el.name + '=' + (el.value || el.innerText).slice(0, 30))"""


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_designer_fits_a_375_px_phone(transactional_db, sales, live_server, browser, locale):
    """In English a tier's Mode select ("whole (everything at the highest rate reached)")
    widened its component past the card, which cut it off: each tier's ✕, the rates and
    "+ Tier" lay beyond the screen's edge, out of reach (the page itself did not scroll)."""
    context, page = sign_in(browser, live_server, "sales_ops", locale=locale)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/performance/plans/rep/")
    expect(page.locator("button.add-tier")).to_be_visible()
    assert page.evaluate(CLIPPED) == []
    context.close()
