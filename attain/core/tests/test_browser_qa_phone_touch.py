"""A phone with a touch screen (390 × 844, Chinese), the second round of phone QA: what a
finger taps is big enough, what is squeezed gets room, and every control has a name.
Each test names what the user met before its fix."""

from __future__ import annotations

import pytest

from attain.conftest import LOGINS
from attain.crm import services as crm

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
FINGER = 44  # px: the touch target WCAG 2.5.5 and Apple ask for


def _touch_phone(browser, live_server, role, locale="zh-CN"):
    username, password = LOGINS[role]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=locale)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.tap("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def _sizes(page, selector):
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].map(e => {
          const r = e.getBoundingClientRect();
          return [e.innerText.trim(), Math.round(r.width), Math.round(r.height)];
        })""",
        selector,
    )


def test_pager_links_are_a_fingers_size_on_a_touch_phone(
    transactional_db, company, live_server, browser
):
    """The pager's 下一页 → and ← 上一页 were text links 23 px tall, hard to hit with a
    thumb under a long list: on a touch screen each is now at least 44 × 44 px (WCAG 2.5.5,
    Apple's guidelines)."""
    rep = company.people["r1"]
    for n in range(52):
        crm.create_customer(None, name=f"客户{n:02d}", owner=rep, city="上海", industry="化工")
    context, page = _touch_phone(browser, live_server, "rep")
    try:
        page.goto(f"{live_server.url}/crm/customers/?page=2")
        links = _sizes(page, "main .pager a")
    finally:
        context.close()
    assert len(links) == 1  # ← 上一页 on the last page
    assert [link for link in links if min(link[1:]) < FINGER] == []
