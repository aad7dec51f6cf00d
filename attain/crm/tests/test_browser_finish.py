"""Pickers, the global search and the pipeline board in real Chromium: zh-CN, a 390 px
phone, no English outside data, no overflow, no console error."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from attain.conftest import PHONE, sign_in
from attain.crm import services
from attain.crm.models import Opportunity
from attain.crm.tests import make

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

WORD = re.compile(r"[A-Za-z]{3,}")
# The page's words as the walk reads them (attain/demo/tests/test_browser_walk.py): the
# visible text without code, plus placeholders and labels.
VISIBLE_TEXT = """() => {
  let t = document.body.innerText;
  for (const el of document.querySelectorAll('code, .mono')) t = t.split(el.innerText).join(' ');
  for (const el of document.querySelectorAll('[placeholder],[aria-label]')) {
    t += ' ' + (el.getAttribute('placeholder') || '');
    t += ' ' + (el.getAttribute('aria-label') || '');
  }
  return t;
}"""


def _phone_page(browser, live_server, role):
    context, page = sign_in(browser, live_server, role, locale="zh-CN")
    page.set_viewport_size(PHONE)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


def _checks(page, allowed: set[str]) -> tuple[list[str], int]:
    text = page.evaluate(VISIBLE_TEXT)
    words = sorted({w for w in WORD.findall(text) if w.lower() not in allowed})
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    return words, overflow


def _opportunities(company):
    customer = services.create_customer(None, name="甲一科技", owner=company.people["r1"])
    return [
        make.opportunity(customer, company.people["r1"], f"商机{i}", Decimal(1500))
        for i in range(2)
    ]


def test_person_picker_suggests_visible_people(transactional_db, company, live_server, browser):
    context, page, errors = _phone_page(browser, live_server, "manager")
    page.goto(f"{live_server.url}/crm/ratings/new/")
    field = page.locator("input[name=person]")
    field.fill("r")
    # focusing fetched every visible person; typing narrows to the matches
    page.wait_for_function(
        "() => { const v = Array.from(document.querySelectorAll('#id_person-options option'))"
        ".map(e => e.value); return v.length > 0 && !v.includes('m1'); }"
    )
    values = page.eval_on_selector_all("#id_person-options option", "els => els.map(e => e.value)")
    assert set(values) == {"r1", "r2", "r3"}  # m1's subtree only, never r4
    words, overflow = _checks(page, {"attain", "english"})
    assert (words, overflow, errors) == ([], 0, [])
    context.close()


def test_global_search_on_a_phone(transactional_db, company, live_server, browser):
    context, page, errors = _phone_page(browser, live_server, "rep")
    page.fill("header input[name=q]", "R")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=R"))
    assert page.locator("#search-people").count() == 1
    assert page.locator(".search-hits a").all_inner_texts() == ["R1"]
    words, overflow = _checks(page, {"attain", "english", "r1"})
    assert (words, overflow, errors) == ([], 0, [])
    context.close()


def test_board_moves_a_card_by_button_and_by_drag(transactional_db, company, live_server, browser):
    first, second = _opportunities(company)
    context, page, errors = _phone_page(browser, live_server, "rep")
    page.goto(f"{live_server.url}/crm/pipeline/")
    words, overflow = _checks(page, {"attain", "english"})
    assert (words, overflow, errors) == ([], 0, [])
    card = page.locator(f"[data-card='{first.external_id}']")
    card.locator("select[name=stage]").select_option("qualify")
    card.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert Opportunity.objects.get(pk=first.pk).stage.code == "qualify"
    assert page.locator(".message.success").count() == 1
    # drag-and-drop (desktop width: columns side by side)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.drag_and_drop(f"[data-card='{second.external_id}']", "[data-stage='solution'] .board-head")
    page.wait_for_load_state("load")
    page.wait_for_function("() => document.querySelector('.message.success')")
    assert Opportunity.objects.get(pk=second.pk).stage.code == "solution"
    assert errors == []
    context.close()
