"""A phone with a touch screen (390 × 844, Chinese), the second round of phone QA: what a
finger taps is big enough, what is squeezed gets room, and every control has a name.
Each test names what the user met before its fix."""

from __future__ import annotations

import re

import pytest

from attain.conftest import sign_in
from attain.crm import services as crm

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

FINGER = 44  # px: the touch target WCAG 2.5.5 and Apple ask for


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
    context, page = sign_in(browser, live_server, "rep", "zh-CN", phone=True)
    try:
        page.goto(f"{live_server.url}/crm/customers/?page=2")
        links = _sizes(page, "main .pager a")
    finally:
        context.close()
    assert len(links) == 1  # ← 上一页 on the last page
    assert [link for link in links if min(link[1:]) < FINGER] == []


ROOM = 120  # px: an input of a designer's row shows a rate or an amount like 0.035 or 12000

# Each input and select of the plan designer's rows (tiers, levels, metrics): its width,
# and whether it lies inside its component's box (not cut off at its right edge).
ROWS = """() => [...document.querySelectorAll(
    'table.rows input, table.rows select, table.rows button')]
  .map(e => {
    const r = e.getBoundingClientRect();
    const box = e.closest('fieldset').getBoundingClientRect();
    return [e.name || e.value, Math.round(r.width), r.right <= box.right && r.left >= box.left];
  })"""


def test_the_plan_designers_rows_have_room_on_a_phone(
    transactional_db, company, live_server, browser
):
    """On a phone the tier box was too narrow: the tiers' From and Rate were squeezed to
    117 px, a level's label to 56 px, and a scorecard's row (measure, weight, target,
    direction) overflowed its box, its measure a 62 px select and its ✕ out of sight.
    Each row now wraps its fields inside the box, each field at least 120 px wide."""
    context, page = sign_in(browser, live_server, "sales_ops", "zh-CN", phone=True)
    try:
        page.goto(f"{live_server.url}/performance/plans/new/")
        page.tap("button.add-commission")
        # htmx has bound the swapped-in select's change (its internal data is set)
        page.wait_for_function(
            "() => document.querySelector('select[name=c0-pay]')"
            "?.['htmx-internal-data']?.listenerInfos?.length"
        )
        page.select_option("select[name=c0-pay]", "tiers")
        playwright_sync.expect(page.locator("button.add-tier")).to_be_visible()
        page.tap("button.add-tier")
        playwright_sync.expect(page.locator("input[name=c0-t0-rate]")).to_be_visible()
        page.tap("button.add-bonus")
        playwright_sync.expect(page.locator("input[name=c1-l0-label]")).to_be_visible()
        page.tap("button.add-scorecard")
        playwright_sync.expect(page.locator("select[name=c2-m0-measure]")).to_be_visible()
        fields = page.evaluate(ROWS)
    finally:
        context.close()
    assert {name for name, *_ in fields} >= {"c0-t0-rate", "c1-l0-label", "c2-m0-measure"}
    squeezed = [f for f in fields if f[0] != "action" and f[1] < ROOM]
    cut_off = [f for f in fields if not f[2]]
    assert (squeezed, cut_off) == ([], [])


# A control in an aria snapshot with no name, or one of a symbol only ("✕", "×", "⋯").
UNNAMED = re.compile(
    r"^\s*- (button|textbox|combobox|link|checkbox|radio|spinbutton)"
    r'(?: "[^\w"]*")?(?: \[.*\])?:?\s*$'
)


def _unnamed(page, selector):
    snapshot = page.locator(selector).aria_snapshot()
    return [line.strip() for line in snapshot.splitlines() if UNNAMED.match(line)]


def test_a_scorecards_metric_row_names_its_fields_and_what_its_button_removes(
    transactional_db, company, live_server, browser
):
    """A screen reader read a scorecard metric's remove button as "✕" (or nothing) and
    its measure, weight, target and direction as unnamed boxes. The button is now named
    after the metric it removes (删除 销售额), and follows the measure chosen;
    each field is named by its column and row. A level's button says which level it
    removes (删除第 2 级, not 删除第 2 行)."""
    context, page = sign_in(browser, live_server, "sales_ops", "zh-CN", phone=True)
    try:
        page.goto(f"{live_server.url}/performance/plans/new/")
        page.tap("button.add-scorecard")
        measure = page.locator("select[name=c0-m0-measure]")
        playwright_sync.expect(measure).to_be_visible()
        remove = page.locator("button[value='remove-row:0:m:0']")
        chosen = measure.locator("option:checked").inner_text()
        playwright_sync.expect(remove).to_have_accessible_name(f"删除 {chosen}")
        measure.select_option("revenue")
        playwright_sync.expect(remove).to_have_accessible_name("删除 销售额")  # the reader's name
        playwright_sync.expect(page.locator("input[name=c0-m0-weight]")).to_have_accessible_name(
            "权重 1"
        )
        page.tap("button.add-bonus")
        level = page.locator("button[value='remove-row:1:l:1']")
        playwright_sync.expect(level).to_have_accessible_name("删除第 2 级")
        unnamed = _unnamed(page, "#designer")
    finally:
        context.close()
    assert unnamed == []


# Each word (text between spaces) inside the elements of ``selector`` written on more than
# one line: a header broken at a hyphen or an en dash, or mid-word.
WORDS_BROKEN = """(selector) => {
  const broken = [];
  for (const element of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width)
          .map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(word[0] + ' on ' + tops.size + ' lines');
      }
    }
  }
  return broken;
}"""


def test_headers_and_the_heatmap_legend_wrap_at_spaces_only_on_a_phone(
    transactional_db, company, live_server, browser
):
    """On a phone the payroll export's headers and codes (pay-code, 2026-Q2), the period
    headers of 'integrity over time' (2025-/Q4) and the heat map's legend (50–/80%,
    squeezed into one line of five) broke at their hyphens and dashes. They now wrap at
    spaces only: the table scrolls inside its card, the legend wraps whole entries."""
    import datetime
    from decimal import Decimal

    from attain.integrity.models import Alert
    from attain.pay.models import Payout
    from attain.pay.services_payouts import set_payroll_mapping

    rep = company.people["r1"]
    columns = [
        ("employee-id", "employee_id"),
        ("姓名", "name"),
        ("gross-amount", "amount"),
        ("pay-code", "pay_code"),
        ("cost-centre", "cost_centre"),
        ("pay-period", "period"),
    ]
    set_payroll_mapping(
        company.users["admin"],
        [{"header": header, "source": source} for header, source in columns],
        "COMM-2026",
    )
    Payout.objects.create(
        person=rep,
        period="2026-Q2",
        period_end=datetime.date(2026, 6, 30),
        state="approved",
        amount=Decimal("12345.67"),
    )
    for n, period in enumerate(("2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")):
        alert = Alert.objects.create(
            key=f"phone-{n}",
            detector="amounts",
            pattern="duplicate",
            period=period,
            people_codes=[rep.code],
            score=Decimal("0.8"),
            reason_en="x",
            reason_zh="x",
        )
        alert.people.set([rep])
    found = {}
    for locale in ("zh-CN", "en-US"):
        context, page = sign_in(browser, live_server, "finance", locale, phone=True)
        try:
            page.goto(f"{live_server.url}/pay/payroll/?period=2026-Q2")
            assert page.locator("#payroll td", has_text="COMM-2026").count()
            found[locale, "payroll"] = page.evaluate(WORDS_BROKEN, "#payroll th, #payroll td")
            page.goto(f"{live_server.url}/integrity/over-time/")
            assert page.locator("#over-time th").count() == 6
            found[locale, "over-time"] = page.evaluate(WORDS_BROKEN, "#over-time th")
        finally:
            context.close()
        context, page = sign_in(browser, live_server, "manager", locale, phone=True)
        try:
            page.goto(f"{live_server.url}/performance/team/")
            found[locale, "legend"] = page.evaluate(WORDS_BROKEN, ".legend")
        finally:
            context.close()
    assert found == {key: [] for key in found}


def test_a_big_figure_in_a_stat_box_stays_on_one_line_on_a_phone(
    transactional_db, company, live_server, browser
):
    """A manager's open pipeline of 103,335,930.85 (and finance's revenue on the
    dashboard, ¥49,961,870.39) was broken inside its box at 390 px: a lone 5 under the
    rest. The
    figure now shrinks with its box on a narrow screen and stays on one line."""
    from decimal import Decimal

    rep = company.people["r1"]
    customer = crm.create_customer(None, name="上海嘉诚环保科技有限公司", owner=rep, city="上海")
    for name, amount in (("年度框架", "60000000"), ("二期扩容", "43335930.85")):
        crm.create_opportunity(
            None, customer=customer, name=name, owner=rep, amount=Decimal(amount)
        )
    context, page = sign_in(browser, live_server, "manager", "zh-CN", phone=True)
    try:
        page.goto(f"{live_server.url}/crm/opportunities/")
        figures = page.locator(".stat strong").all_inner_texts()
        broken = page.evaluate(WORDS_BROKEN, ".stat strong")
    finally:
        context.close()
    assert any("103,335,930.85" in figure for figure in figures), figures
    assert broken == []


def test_a_disputes_record_reference_stays_whole_on_a_phone(
    transactional_db, company, live_server, browser
):
    """In the list of disputes a record's reference (HT-2026-118) was written on three
    lines, broken at its hyphens, in the squeezed 'Concerns' column."""
    from attain.pay.services_disputes import open_dispute

    open_dispute(
        company.users["rep"],
        subject="record",
        period="2026-Q2",
        title="合同漏计",
        text="合同 HT-2026-118 没有计入。",
        record_table="orders",
        record_ref="HT-2026-118",
    )
    context, page = sign_in(browser, live_server, "rep", "zh-CN", phone=True)
    try:
        page.goto(f"{live_server.url}/pay/disputes/")
        assert page.locator("#disputes td", has_text="HT-2026-118").count()
        broken = page.evaluate(WORDS_BROKEN, "#disputes td")
    finally:
        context.close()
    assert broken == []


def test_the_audit_trails_object_and_changes_stay_readable_on_a_phone(
    transactional_db, company, live_server, browser
):
    """In the audit trail (sales operations' home and /audit/) a payout's object 奖金
    E0036 2026-Q3 was broken at its period's hyphen (2026- above Q3) in the squeezed
    column, and the changes' summary 1 个字段 was written down the column. The period
    stays whole and the summary on one line; the table scrolls inside its card."""
    import datetime
    from decimal import Decimal

    from django.db import transaction

    from attain.audit.services import record_change
    from attain.pay.models import Payout

    payout = Payout.objects.create(
        person=company.people["r1"],
        period="2026-Q3",
        period_end=datetime.date(2026, 9, 30),
        state="approved",
        amount=Decimal("2272.06"),
    )
    with transaction.atomic():
        record_change(
            company.users["finance"],
            "update",
            payout,
            before={"state": "reviewed"},
            after={"state": "approved"},
        )
    context, page = sign_in(browser, live_server, "sales_ops", "zh-CN", phone=True)
    try:
        page.goto(f"{live_server.url}/audit/")
        assert page.locator("table.events td", has_text="2026-Q3").count()
        broken = page.evaluate(WORDS_BROKEN, "table.events > tbody > tr > td")
        summaries = page.evaluate(
            """() => [...document.querySelectorAll('table.events summary')].map(s => {
              const range = document.createRange();
              range.selectNodeContents(s);
              return new Set([...range.getClientRects()].filter(r => r.width)
                .map(r => Math.round(r.top))).size;
            })"""
        )
    finally:
        context.close()
    assert broken == []
    assert summaries and set(summaries) == {1}, summaries


def test_a_payout_lines_component_code_stays_whole_in_the_register_on_a_phone(
    transactional_db, company, live_server, browser
):
    """The payouts register named each line by its plan and component's code: on a phone
    manager-2026.team-bonus was written on three lines, broken at its hyphens. The code
    stays on one line; the table scrolls inside its card."""
    import datetime
    from decimal import Decimal

    from attain.pay.models import Payout, PayoutLine

    payout = Payout.objects.create(
        person=company.people["r1"],
        period="2026-Q3",
        period_end=datetime.date(2026, 9, 30),
        state="calculated",
        amount=Decimal("27661.82"),
    )
    PayoutLine.objects.create(
        payout=payout,
        plan="manager-2026",
        component="team-bonus",
        kind="bonus",
        amount=Decimal("27661.82"),
    )
    context, page = sign_in(browser, live_server, "finance", "zh-CN", phone=True)
    try:
        page.goto(f"{live_server.url}/pay/payouts/?period=2026-Q3")
        assert page.locator("main .table td", has_text="manager-2026.team-bonus").count()
        broken = page.evaluate(WORDS_BROKEN, "main .table td")
    finally:
        context.close()
    assert [word for word in broken if "manager-2026" in word] == []
