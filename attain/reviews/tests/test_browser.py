"""Issue 16, "Done when", in real Chromium: a manager (in Chinese) opens the team's
quarterly review, sees each rep's forecast range and weak stage, records comments and
actions; the next quarter's review opens with those actions, which the rep (in English,
on a 390 px phone) sees and ticks done."""

from __future__ import annotations

import pytest

from attain.conftest import sign_in
from attain.reviews.models import ReviewAction, ReviewComment

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect
pytestmark = pytest.mark.browser


def _open(page, live_server, period):
    page.goto(f"{live_server.url}/reviews/")
    page.fill("#open-review input[name=period]", period)
    page.click("#open-review button[type=submit]")
    page.wait_for_url(f"{live_server.url}/reviews/*/")


def test_quarterly_review_then_the_next_quarter_opens_with_its_actions(
    transactional_db, team, live_server, browser
):
    context, page = sign_in(browser, live_server, "manager", locale="zh-CN")
    page.click("nav >> text=复盘")
    expect(page.locator("h1")).to_have_text("复盘")
    _open(page, live_server, "2026-Q1")
    summary = page.locator("#team-summary")
    expect(summary.locator("thead")).to_contain_text("预测（P10–P90）")
    for code in ("r1", "r2"):  # the reps; m2 has no target, so no forecast
        expect(summary.locator(f"tr[data-person='{code}'] td.forecast-range")).to_contain_text("%")
    expect(summary.locator("tr[data-person='m2'] td.forecast-range")).to_have_text("无预测")
    expect(summary.locator("tr[data-person='r1'] td.weak-stage")).to_have_text("线索 → 需求确认")
    expect(page.locator("#chart-forecast-range canvas")).to_be_visible()  # ECharts drew it
    summary.locator("tr[data-person='r1'] a").click()
    expect(page.locator("#weak-stage")).to_contain_text("线索 → 需求确认")
    expect(page.locator("#measures")).to_contain_text("大单延期")
    page.fill("#comment-text", "第一阶段转化太低，要多做需求确认。")
    page.click("#comment-form button[type=submit]")
    expect(page.locator(".message.success")).to_contain_text("您的意见已记录")
    expect(page.locator("#comments")).to_contain_text("第一阶段转化太低")
    page.fill("#action-text", "每周两次需求确认拜访")
    page.select_option("#action-form select[name=owner]", "r1")
    page.fill("#action-form input[name=due_on]", "2026-05-31")
    page.click("#action-form button[type=submit]")
    expect(page.locator("#actions")).to_contain_text("每周两次需求确认拜访")
    _open(page, live_server, "2026-Q2")
    page.locator("#team-summary tr[data-person='r1'] a").click()
    expect(page.locator("#last-actions")).to_contain_text("每周两次需求确认拜访")
    expect(page.locator("#last-actions")).to_contain_text("未完成")
    context.close()

    context, page = sign_in(browser, live_server, "rep")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/reviews/")
    page.locator("#reviews a", has_text="2026-Q2").click()
    expect(page.locator("#team-summary tbody tr")).to_have_count(1)  # their own pack only
    page.locator("#team-summary tr[data-person='r1'] a").click()
    last = page.locator("#last-actions")
    expect(last).to_contain_text("每周两次需求确认拜访")
    last.locator("button.tick-button").click()
    expect(page.locator("#last-actions")).to_contain_text("Done")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    page.fill("#comment-text", "Twice a week since April.")
    page.click("#comment-form button[type=submit]")
    expect(page.locator("#comments")).to_contain_text("Twice a week since April.")
    context.close()
    assert ReviewAction.objects.get().done
    assert ReviewComment.objects.filter(side="person").count() == 1
