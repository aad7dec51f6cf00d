"""Client-side regressions of the CRM and designer pages in real Chromium (zh-CN)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attain.conftest import sign_in
from attain.crm import services
from attain.crm.models import Stage
from attain.crm.tests import make

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser


def test_funnel_bars_have_a_visible_width(transactional_db, company, live_server, browser):
    """Issue 12 bug 7: the bar column of the funnel on /crm/opportunities/ was empty (the
    outer .bar was an inline span, so its 100%-high inner bar had no height)."""
    if not Stage.objects.exists():
        Stage.objects.create(code="lead", name="线索", position=1, probability=Decimal("0.1"))
        Stage.objects.create(code="quote", name="报价", position=2, probability=Decimal("0.5"))
    customer = services.create_customer(None, name="甲一科技", owner=company.people["r1"])
    for i in range(3):
        make.opportunity(customer, company.people["r1"], f"商机{i}", Decimal(1000))
    context, page = sign_in(browser, live_server, "admin", locale="zh-CN")
    page.goto(f"{live_server.url}/crm/opportunities/")
    sizes = page.eval_on_selector_all(
        "#funnel .bar > span",
        "els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])",
    )
    assert sizes and max(width for width, _ in sizes) > 10
    assert all(height > 0 for width, height in sizes if width > 0)
    context.close()


def test_plan_id_pattern_validates_in_the_browser(transactional_db, company, live_server, browser):
    """Issue 12 bug 9: the plan id's pattern attribute was a SyntaxError under the v flag
    Chromium compiles it with, so client-side validation never ran."""
    context, page = sign_in(browser, live_server, "admin", locale="zh-CN")
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/performance/plans/new/")
    field = page.locator("input[name=id]")
    field.fill("bad id!")
    assert field.evaluate("e => e.validity.patternMismatch") is True
    field.fill("rep-2026_a")
    assert field.evaluate("e => e.validity.valid") is True
    assert not [p for p in problems if "pattern" in p.lower()], problems
    context.close()
