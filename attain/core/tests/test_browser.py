"""The web shell in real Chromium (Debian's build, driven by Playwright)."""

from __future__ import annotations

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")

expect = playwright_sync.expect
pytestmark = pytest.mark.browser


def sign_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.parametrize(("locale", "text"), [("zh-CN", "登录"), ("en-US", "Sign in")])
def test_login_page_in_the_browsers_language(transactional_db, live_server, browser, locale, text):
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    assert page.locator("button.primary").inner_text() == text
    context.close()


def test_rep_signs_in_switches_language_and_sees_only_themself(
    transactional_db, company, live_server, browser
):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    sign_in(page, live_server, "r1", "pw-r1-1")
    expect(page.locator("h2", has_text="My profile")).to_be_visible()
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    expect(page.locator("h2", has_text="我的资料")).to_be_visible()
    page.click("nav >> text=人员")
    rows = page.locator("#people-table tbody tr")
    expect(rows).to_have_count(1)
    assert "R1" in rows.first.inner_text()
    response = page.goto(f"{live_server.url}/people/r4/")
    assert response is not None and response.status == 404
    context.close()


def test_manager_searches_their_team(transactional_db, company, live_server, browser):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    sign_in(page, live_server, "m1", "pw-m1-1")
    page.click("nav >> text=People")
    expect(page.locator("#people-table tbody tr")).to_have_count(5)
    page.fill("main input[name=q]", "R3")  # not the header's global search
    expect(page.locator("#people-table tbody tr")).to_have_count(1)
    assert "R3" in page.locator("#people-table tbody tr").first.inner_text()
    context.close()


@pytest.mark.parametrize(("locale", "text"), [("zh-CN", "跳到正文"), ("en-US", "Skip to content")])
def test_the_first_tab_offers_to_skip_to_the_content(
    transactional_db, company, live_server, browser, locale, text
):
    """A keyboard user's first Tab shows "Skip to content"; Enter puts the focus on the
    page's content (before, every page began with the logo, the menu, search, language and
    sign out)."""
    context = browser.new_context(locale=locale)
    page = context.new_page()
    sign_in(page, live_server, "r1", "pw-r1-1")
    skip = page.locator("a.skip-link")
    expect(skip).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert skip.inner_text() == text
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
    context.close()
