"""Statements in real Chromium, in both languages: finance generates a period (its
progress), the rep downloads their statement (its text read back holds the amounts and
the Chinese) and acknowledges it."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest

from attain.conftest import sign_in
from attain.notify.models import Profile
from attain.pay import services_statements as services
from attain.pay.models_statements import SetStatus, StatementSet

from .payout_factories import AMOUNTS, PERIOD

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect
pytestmark = pytest.mark.browser


@pytest.mark.usefixtures("stored")
def test_generate_download_and_acknowledge_in_chromium(
    transactional_db, company, live_server, browser
):
    Profile.objects.create(user=company.users["rep"], language="zh-hans")
    page_url = f"{live_server.url}/pay/statements/?period={PERIOD}"

    context, page = sign_in(browser, live_server, "finance")
    page.goto(page_url)
    expect(page.locator("h1")).to_have_text("Statements")
    page.click("#generate")
    expect(page.locator(".messages")).to_contain_text("Generating the statements of 2026-Q1")
    expect(page.locator("#statement-set .set-state")).to_have_text("Queued")
    queued = StatementSet.objects.get(period=PERIOD)
    services.generate_statements(queued.pk, processes=1)  # what the worker does
    page.reload()
    expect(page.locator("#statement-set .set-state")).to_have_text("Done")
    expect(page.locator("#statements tbody tr")).to_have_count(len(AMOUNTS))
    assert StatementSet.objects.get(pk=queued.pk).status == SetStatus.DONE
    context.close()

    context, page = sign_in(browser, live_server, "rep", locale="zh-CN")
    page.goto(f"{live_server.url}/pay/statements/mine/")
    expect(page.locator("h1")).to_have_text("我的结算单")
    with page.expect_download() as info:
        page.click("#my-statements a[download]")
    data = Path(info.value.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    for expected in ["薪酬结算单", "1,000.10", "200.00", "1,200.10", "R1（r1）"]:
        assert expected in text, expected
    page.click("#my-statements button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("结算单已确认")
    expect(page.locator("#my-statements button")).to_have_count(0)
    context.close()
