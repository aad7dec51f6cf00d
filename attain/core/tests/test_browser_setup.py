"""The first-run setup in real Chromium: an empty install, the wizard in Chinese, the
administrator signed in on the onboarding checklist."""

from __future__ import annotations

import pytest

from attain.accounts.models import Role, User
from attain.org.models import CompanySettings

playwright_sync = pytest.importorskip("playwright.sync_api")

expect = playwright_sync.expect
pytestmark = pytest.mark.browser


def test_empty_install_wizard_in_chinese_then_the_onboarding_checklist(
    transactional_db, live_server, browser
):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/people/")
    page.wait_for_url(f"{live_server.url}/setup/")

    # 1. the language: Chinese, although the browser asks for English
    page.check("input[name=language][value=zh-hans]")
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/setup/company/")
    expect(page.locator("h1")).to_have_text("设置 Attain")

    # 2. the company: a bad month is named, nothing is kept
    page.fill("input[name=name]", "华东精密仪器有限公司")
    page.select_option("select[name=fiscal_year_start]", "4")
    page.select_option("select[name=currency]", "CNY")
    page.select_option("select[name=time_zone]", "Asia/Shanghai")
    page.uncheck("input[name=languages][value=en]")
    page.uncheck("input[name=languages][value=zh-hans]")
    page.click("button.primary")
    expect(page.locator(".field-error")).to_contain_text("提供的语言")
    page.check("input[name=languages][value=zh-hans]")
    page.check("input[name=languages][value=en]")
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/setup/admin/")

    # 3. the administrator: Django's password validators speak Chinese too
    page.fill("input[name=admin_username]", "boss")
    page.fill("input[name=admin_email]", "boss@example.com")
    page.fill("input[name=admin_password]", "12345678")
    page.fill("input[name=admin_password2]", "12345678")
    page.click("button.primary")
    expect(page.locator(".field-error")).to_contain_text("密码")
    assert not User.objects.exists()
    page.fill("input[name=admin_password]", "Lantern-Harbour-93")
    page.fill("input[name=admin_password2]", "Lantern-Harbour-93")
    page.click("button.primary")

    # signed in, on the checklist, in Chinese
    page.wait_for_url(f"{live_server.url}/onboarding/")
    expect(page.locator("h1")).to_have_text("上线向导")
    expect(page.locator(".who")).to_contain_text("boss")
    expect(page.locator(".checklist")).to_contain_text("导入组织架构")
    expect(page.locator(".sidebar .company-name")).to_have_text("华东精密仪器有限公司")
    page.click(".checklist a[href='/intake/?table=units']")
    page.wait_for_url(f"{live_server.url}/intake/?table=units")
    expect(page.locator("select[name=table]")).to_have_value("units")

    assert User.objects.get().role == Role.ADMIN
    row = CompanySettings.objects.get()
    assert (row.fiscal_year_start, row.language) == (4, "zh-hans")
    # the wizard is gone
    response = page.goto(f"{live_server.url}/setup/")
    assert response is not None and response.status == 404
    context.close()
