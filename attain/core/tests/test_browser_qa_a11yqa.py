"""Keyboard focus in real Chromium (accessibility QA)."""

from __future__ import annotations

import pytest

from attain.conftest import sign_in

playwright_sync = pytest.importorskip("playwright.sync_api")

expect = playwright_sync.expect
pytestmark = pytest.mark.browser


def _luminance(rgb: str) -> float:
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (float(x) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_a_focused_check_box_shows_a_ring_that_can_be_seen(
    transactional_db, company, live_server, browser
):
    """Tabbing onto a check box (the notification settings, payout reviews, …) drew a
    2 px ring in #e8efff on white (contrast 1.1:1): the box looked the same focused or
    not, so a keyboard user could not tell where they were. The ring now contrasts with
    the page at least 3:1 (WCAG 1.4.11)."""
    context, page = sign_in(browser, live_server, "rep")
    page.goto(f"{live_server.url}/notifications/settings/")
    box = page.locator("main input[type=checkbox]").first
    box.focus()
    expect(box).to_be_focused()
    style = box.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineColor,"
        " parseFloat(s.outlineWidth)] }"
    )
    assert style[0] != "none" and style[2] >= 2, style
    contrast = (1 + 0.05) / (_luminance(style[1]) + 0.05)
    assert contrast >= 3, style
    context.close()


def test_background_work_says_when_its_state_changes(
    transactional_db, company, live_server, browser
):
    """An import's panel polls its state: a screen reader heard nothing when it ended
    (the panel is replaced every second, and a live region swapped in with its text is
    not read). The page's one live region now says the new state, in the reader's
    language."""
    from attain.intake.models import BatchStatus, ImportBatch

    batch = ImportBatch.objects.create(
        table="customers",
        file_name="c.csv",
        file_path="c.csv",
        status=BatchStatus.QUEUED,
        created_by=company.users["sales_ops"],
    )
    context, page = sign_in(browser, live_server, "sales_ops", locale="zh-CN")
    page.goto(f"{live_server.url}/intake/{batch.pk}/")
    announcer = page.locator("#announcer")
    expect(announcer).to_have_attribute("role", "status")
    page.wait_for_timeout(1500)  # a poll or two with nothing new: nothing said
    expect(announcer).to_have_text("")
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.DONE)
    expect(announcer).to_have_text("完成", timeout=5000)
    context.close()
