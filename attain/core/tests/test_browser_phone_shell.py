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
        # Escape closes it again, the focus back on the button (it stayed open)
        page.keyboard.press("Escape")
        assert not page.locator(".sidebar nav").is_visible()
        assert toggle.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")
    finally:
        context.close()


def test_a_required_fields_star_stands_beside_its_label(
    transactional_db, company, live_server, browser
):
    """Every form's required field: its red * was a line of its own under the label (the
    label is a column of its text, the star, the input), on a phone and a desktop."""
    context, page = sign_in(browser, live_server, "rep", locale="zh-CN")
    try:
        page.set_viewport_size({"width": 375, "height": 812})
        page.goto(f"{live_server.url}/crm/ratings/new/")
        label = page.locator("label.field", has=page.locator(".req")).first
        star = label.locator(".req").bounding_box()
        box = label.bounding_box()
        assert star is not None and box is not None
        assert star["y"] - box["y"] < 5, (star, box)  # on the label's first line
    finally:
        context.close()
