"""Target planning in real Chromium (Debian's build, driven by Playwright), in English
and Chinese: a manager decomposes their unit's target and publishes it, a rep
acknowledges theirs, sales operations reads the change log. Selectors do not depend on
the language; the page's ``lang`` proves which one was served."""

from __future__ import annotations

import re

import pytest

from attain.conftest import sign_in
from attain.targets import services
from attain.targets.models import Acknowledgement, PlanStatus, TargetPlan

from .conftest import new_plan, publish

playwright_sync = pytest.importorskip("playwright.sync_api")

expect = playwright_sync.expect
pytestmark = pytest.mark.browser


def act(page, action: str) -> None:
    with page.expect_navigation():
        page.click(f"form[action$='/do/{action}/'] button")


@pytest.mark.parametrize(("locale", "lang"), [("en-US", "en"), ("zh-CN", "zh-hans")])
def test_decompose_publish_acknowledge_and_read_the_log(
    transactional_db, company, live_server, browser, locale, lang
):
    company_plan = new_plan(company, name="FY2026")
    publish(company, company_plan)

    # The manager decomposes east's target (taken from the published company plan).
    context, page = sign_in(browser, live_server, "manager", locale)
    assert page.locator("html").get_attribute("lang") == lang
    page.click("nav a[href='/targets/']")
    page.fill("input[name=name]", "East 2026")
    page.fill("input[name=fiscal_year]", "2026")
    page.fill("input[name=root_unit]", "east")  # a picker: the code typed or picked
    page.fill("input[name=measure]", "revenue")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    plan = TargetPlan.objects.get(name="East 2026")
    assert page.url.endswith(f"/targets/{plan.pk}/")
    expect(page.locator("tr[data-who='r1']")).to_be_visible()
    expect(page.locator("tr[data-who='r4']")).to_have_count(0)
    year = page.locator("tr[data-who='r1'] input[aria-label='r1 2026']")
    year.fill("300000")
    year.press("Tab")  # htmx posts the change and swaps the grid
    expect(page.locator("tr[data-who='r1'] input[aria-label='r1 2026']")).to_have_class(
        re.compile("edited")
    )
    # the edited year is spread over the months in the engine's proportions
    expect(page.locator("tr[data-who='r1'] input[aria-label='r1 2026-01']")).to_have_value(
        re.compile(r"^2500\d$")
    )
    act(page, "submit")
    expect(page.locator("#plan-status")).to_have_class(re.compile("status-submitted"))
    plan.refresh_from_db()
    services.approve_plan(company.users["executive"], plan)
    page.reload()
    act(page, "publish")
    expect(page.locator("#plan-status")).to_have_class(re.compile("status-published"))
    context.close()

    # The rep sees the notification and acknowledges.
    context, page = sign_in(browser, live_server, "rep", locale)
    expect(page.locator("nav a[href='/targets/mine/'] .badge")).to_be_visible()
    page.click("nav a[href='/targets/mine/']")
    page.fill(f"form[action$='/{plan.pk}/acknowledge/'] textarea", "OK, 全力以赴")
    with page.expect_navigation():
        page.click(f"form[action$='/{plan.pk}/acknowledge/'] button")
    expect(page.locator(f"#acknowledged-{plan.pk}")).to_be_visible()
    assert "300,000" in page.content()
    assert Acknowledgement.objects.get(plan=plan, person__code="r1").comment == "OK, 全力以赴"
    context.close()

    # Sales operations reads the change log of the unit plan.
    context, page = sign_in(browser, live_server, "sales_ops", locale)
    page.goto(f"{live_server.url}/targets/{plan.pk}/")
    page.click(f"a[href='/targets/{plan.pk}/changes/']")
    expect(page.locator("table.events")).to_be_visible()
    log = page.locator("table.events").inner_text()
    assert "East 2026" in log and "300000" in page.content()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    context.close()
