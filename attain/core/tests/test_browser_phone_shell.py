"""The shell on a 375 × 812 phone (iPhone), in Chinese: the dark bar at the top (logo
and menu button) keeps its own height on a short page. Before, the one-column grid gave
the bar a share of the screen's free height, so on 我的结算单 without statements it
filled a third of the screen (about 250 px) above the page's title."""

from __future__ import annotations

import pytest

from attain.conftest import sign_in

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser


def test_the_top_bar_keeps_its_height_on_a_short_page(
    transactional_db, company, live_server, browser
):
    context, page = sign_in(browser, live_server, "rep", locale="zh-CN")
    try:
        page.set_viewport_size({"width": 375, "height": 812})
        page.goto(f"{live_server.url}/pay/statements/mine/")
        bar = page.locator(".sidebar").bounding_box()
        assert bar is not None and bar["height"] < 80, bar
        toggle = page.locator(".menu-toggle")
        assert toggle.is_visible()
        toggle.click()
        assert page.locator(".sidebar nav").is_visible()
    finally:
        context.close()
