"""Keyboard use of the target grid in real Chromium (accessibility QA)."""

from __future__ import annotations

import re

import pytest

from attain.conftest import sign_in

playwright_sync = pytest.importorskip("playwright.sync_api")

expect = playwright_sync.expect
pytestmark = pytest.mark.browser


def test_tab_after_editing_a_cell_keeps_the_keyboard_in_the_grid(
    transactional_db, company, live_server, browser, plan
):
    """Typing a figure and pressing Tab saves the cell (htmx swaps the whole grid): the
    focus is on the next cell afterwards, as Tab asked, not thrown back to the page's
    start (before, the swap removed the focused input and the next Tab began at the
    skip link)."""
    context, page = sign_in(browser, live_server, "sales_ops")
    page.goto(f"{live_server.url}/targets/{plan.pk}/")
    year = page.locator("input[aria-label='r1 2026']")
    year.fill("300000")
    year.press("Tab")
    expect(year).to_have_class(re.compile("edited"))  # saved and swapped in
    expect(page.locator("input[aria-label='r1 2026-01']")).to_be_focused()
    page.keyboard.type("1")
    expect(page.locator("input[aria-label='r1 2026-01']")).to_have_value(re.compile("1$"))
    _close_when_idle(page, context)


def test_a_figure_typed_while_the_last_cell_saves_is_kept_and_saved(
    transactional_db, company, live_server, browser, plan, monkeypatch
):
    """Typing the next cell while the previous one is still saving: the swapped-in grid
    had the next cell's stored value, so the typed figure vanished (and was never
    saved). Now the new grid's cell keeps it, and leaving the cell saves it."""
    import time

    from attain.targets import services

    edit_cell = services.edit_cell

    def slow_edit_cell(*args, **kwargs):
        time.sleep(1.5)  # a slow network or a busy server
        return edit_cell(*args, **kwargs)

    monkeypatch.setattr(services, "edit_cell", slow_edit_cell)
    context, page = sign_in(browser, live_server, "sales_ops")
    page.goto(f"{live_server.url}/targets/{plan.pk}/")
    year = page.locator("input[aria-label='r1 2026']")
    january = page.locator("input[aria-label='r1 2026-01']")
    year.fill("300000")
    year.press("Tab")
    expect(january).to_be_focused()
    page.keyboard.type("24680")  # while the year is still saving
    expect(year).to_have_class(re.compile("edited"))  # the year saved and swapped in
    expect(january).to_have_value("24680")
    expect(january).to_be_focused()
    january.press("Tab")
    expect(january).to_have_class(re.compile("edited"))  # saved in its turn
    expect(january).to_have_value(re.compile(r"^24,?680(\.0+)?$"))
    _close_when_idle(page, context)


def _close_when_idle(page, context) -> None:
    """Close once no request is on its way (leaving the focused cell saves it first): a
    save still running in the live server's thread held the in-memory database while the
    test's flush wanted it ("database table is locked" at teardown)."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")
    context.close()
