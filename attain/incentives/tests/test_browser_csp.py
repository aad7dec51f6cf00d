"""The strict Content-Security-Policy in real Chromium: the main pages of each area load
with no policy violation, and what used to be inline (bar widths, tree depths, selects
that submit their form) still works through the static page.js."""

from __future__ import annotations

import pytest

from .conftest import YEAR

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/people/",
    "/units/",
    "/audit/",
    "/crm/customers/",
    "/crm/opportunities/",
    "/crm/orders/",
    "/intake/",
    "/targets/",
    "/performance/",
    "/performance/dashboard/",
    f"/performance/leaderboards/?period={YEAR}-Q1",
    "/performance/plans/",
    "/performance/plans/new/",
    "/api/docs",
]


def test_main_pages_have_no_csp_violations(transactional_db, calculated, live_server, browser):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "pw-admin-1")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")
    widths: list[str] = []
    for url in PAGES:
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200, url
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
        page.wait_for_load_state("load")
        widths += page.eval_on_selector_all("[data-width]", "els => els.map(e => e.style.width)")
    assert problems == []
    assert widths and all(width.endswith("%") for width in widths)  # page.js ran
    # A select with data-autosubmit submits its form (was an inline onchange).
    page.goto(f"{live_server.url}/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    context.close()
