"""Tables on a 390 × 844 phone in Chinese (phone QA): a wide table scrolls inside its
card, and its cells keep Chinese words whole. Before, the table was squeezed into the
card's width, so its columns shrank to one character: a customer's name, a date, a
column's title and the 标为已读 button were written one character per line."""

from __future__ import annotations

import pytest

from attain.conftest import PHONE, sign_in
from attain.crm import services as crm
from attain.notify.services import notify

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

# Each short unspaced text in a table (a name, a date, a title, a button's label): on how
# many lines it is written, when more than one.
BROKEN = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (!node.parentElement.closest('.table') || text.length < 2 || text.length > 14) continue;
    if (/\\s/.test(text)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    if (tops.size > 1) broken.push(text + ' on ' + tops.size + ' lines');
  }
  return broken;
}"""


def test_table_cells_keep_chinese_words_whole_on_a_phone(
    transactional_db, company, live_server, browser
):
    rep = company.people["r1"]
    for name in ("上海嘉诚环保科技有限公司", "上海中科化工有限公司"):
        crm.create_customer(None, name=name, owner=rep, city="上海", industry="化工")
    notify("follow_up_due", [rep], opportunity="甲一", message="请尽快联系客户确认需求")
    context, page = sign_in(browser, live_server, "rep", locale="zh-CN")
    try:
        page.set_viewport_size(PHONE)
        found = {}
        for path in ("/crm/customers/", "/notifications/"):
            page.goto(f"{live_server.url}{path}")
            found[path] = page.evaluate(BROKEN)
            # the page itself does not scroll sideways: the table does, inside its card
            assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        assert found == {path: [] for path in found}
    finally:
        context.close()


# Controls a finger taps (check boxes, radios, buttons) smaller than 24 × 24 px.
SMALL = """() => [...document.querySelectorAll(
    'main input[type=checkbox], main input[type=radio], main button')]
  .filter(e => e.getClientRects().length && !e.closest('details:not([open])'))
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([, r]) => r.width < 24 || r.height < 24)
  .map(([e, r]) => (e.name || e.innerText.trim()) + ' ' + Math.round(r.width) + '×'
    + Math.round(r.height))"""


def test_check_boxes_and_row_buttons_can_be_tapped_on_a_phone(
    transactional_db, company, live_server, browser
):
    """On a touch screen the check boxes were the browser's 13 × 13 px (a manager picks
    payouts to review by them, a rep sets notifications) and a row's ✕ in the plan
    designer 12 × 21 px: each now at least 24 × 24 px (WCAG 2.5.8)."""
    context, page = sign_in(browser, live_server, "rep", "zh-CN", phone=True)
    try:
        page.goto(f"{live_server.url}/notifications/settings/")
        assert page.locator("main input[type=checkbox]").count() > 3
        settings = page.evaluate(SMALL)
    finally:
        context.close()
    context, page = sign_in(browser, live_server, "sales_ops", "zh-CN", phone=True)
    try:
        page.goto(f"{live_server.url}/performance/plans/new/")
        page.tap("button.add-bonus")
        playwright_sync.expect(page.locator("input[name=c0-l2-label]")).to_be_visible()
        designer = page.evaluate(SMALL)
    finally:
        context.close()
    assert (settings, designer) == ([], [])


def test_a_period_stays_on_one_line_in_a_phones_table(
    transactional_db, company, live_server, browser
):
    """A period's code broke at its hyphen in a squeezed column: 2026- above Q4 (a rep's
    disputes and statements, payouts, targets, performance, a manager's reviews)."""
    from attain.pay.services_disputes import open_dispute
    from attain.reviews.services import open_review

    open_dispute(
        company.users["rep"],
        subject="record",
        period="2026-Q2",
        title="订单漏计",
        text="5 月 12 日的订单 SO-77 没有计入。",
        record_table="orders",
        record_ref="SO-77",
    )
    context, page = sign_in(browser, live_server, "rep", locale="zh-CN")
    try:
        page.set_viewport_size(PHONE)
        page.goto(f"{live_server.url}/pay/disputes/")
        assert page.locator("main .table td", has_text="2026-Q2").count()
        found = {"/pay/disputes/": page.evaluate(BROKEN)}
    finally:
        context.close()
    # the review's period is a link in the manager's list of reviews
    open_review(company.users["manager"], company.people["m1"], "2026-Q2")
    context, page = sign_in(browser, live_server, "manager", locale="zh-CN")
    try:
        page.set_viewport_size(PHONE)
        page.goto(f"{live_server.url}/reviews/")
        assert page.locator("main .table a", has_text="2026-Q2").count()
        found["/reviews/"] = page.evaluate(BROKEN)
    finally:
        context.close()
    assert found == {"/pay/disputes/": [], "/reviews/": []}


def test_a_badge_is_not_split_across_two_lines_on_a_phone(
    transactional_db, company, live_server, browser
):
    """A state's badge at the end of a line was split in two, half a pill at the end of
    one line and half at the start of the next (a review's 待/处理 under its title)."""
    from attain.reviews.services import open_review

    review = open_review(company.users["manager"], company.people["m1"], "2026-Q2")
    context, page = sign_in(browser, live_server, "manager", locale="zh-CN")
    try:
        page.set_viewport_size(PHONE)
        split = {}
        for width in range(320, 400, 6):  # wherever the line happens to end
            page.set_viewport_size({"width": width, "height": PHONE["height"]})
            page.goto(f"{live_server.url}/reviews/{review.pk}/")
            assert page.locator("main .badge").count()
            lines = page.evaluate(
                "() => [...document.querySelectorAll('main .badge')]"
                ".filter(b => b.getClientRects().length > 1).map(b => b.innerText)"
            )
            if lines:
                split[width] = lines
        assert split == {}
    finally:
        context.close()
