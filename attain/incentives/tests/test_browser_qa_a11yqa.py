"""Keyboard and screen reader use of My performance in real Chromium (accessibility QA)."""

from __future__ import annotations

import pytest

from attain.conftest import sign_in

from .conftest import YEAR

playwright_sync = pytest.importorskip("playwright.sync_api")

expect = playwright_sync.expect
pytestmark = pytest.mark.browser


def test_enter_on_a_number_takes_the_keyboard_to_its_explanation(
    transactional_db, calculated, live_server, browser
):
    """Enter on an amount loads its explanation further down the page (htmx); the focus
    moves to the explanation's heading, as following a link would. Before, the focus
    stayed on the amount: a screen reader said nothing and the next Tab went on through
    the tables, away from what had been loaded."""
    context, page = sign_in(browser, live_server, "rep")
    page.goto(f"{live_server.url}/performance/?period={YEAR}-Q1")
    page.locator("#components a", has_text="¥700.00").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#explanation")).to_contain_text("700.00")
    expect(page.locator("#explanation h2")).to_be_focused()
    context.close()


def test_adding_a_tier_from_the_keyboard_keeps_the_focus_on_the_button(
    transactional_db, sales, live_server, browser
):
    """Enter on "+ Tier" in the plan designer adds a row (htmx swaps the whole designer);
    the focus stays on "+ Tier" so a second Enter adds another. Before, the swap dropped
    the focus to the top of the page."""
    context, page = sign_in(browser, live_server, "sales_ops")
    page.goto(f"{live_server.url}/performance/plans/rep/")
    add = page.locator("button.add-tier").first
    rows = page.locator("[name$='-rate']").count()
    add.focus()
    page.keyboard.press("Enter")
    expect(page.locator("[name$='-rate']")).not_to_have_count(rows)
    expect(page.locator("button.add-tier").first).to_be_focused()
    context.close()
