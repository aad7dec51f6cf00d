"""The phone in the field, in real Chromium at 390 × 844: a rep logs a visit with a photo
from the file chooser (the camera on a phone) and the browser's location; the pages are
an installable web app (manifest, icons, a service worker that keeps only static files)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attain.conftest import LOGINS
from attain.crm import services
from attain.crm.models import Activity
from attain.web.testing import image_bytes

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

SHANGHAI = {"latitude": 31.230416, "longitude": 121.473701}


def test_a_rep_logs_a_visit_with_a_photo_and_the_location_on_a_phone(
    transactional_db, company, live_server, browser, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    customer = services.create_customer(None, name="甲一科技", owner=company.people["r1"])
    photo = tmp_path / "door.jpg"
    photo.write_bytes(image_bytes(size=(64, 48)))
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation=SHANGHAI,
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server.url}/login/")
        username, password = LOGINS["rep"]
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{live_server.url}/")

        # installable: a manifest with icons, and the service worker running
        manifest = page.get_attribute("link[rel=manifest]", "href")
        answer = page.request.get(f"{live_server.url}{manifest}")
        assert answer.ok
        icons = answer.json()["icons"]
        assert {icon["sizes"] for icon in icons} == {"192x192", "512x512"}
        folder = manifest.rsplit("/", 1)[0]
        for icon in icons:
            assert page.request.get(f"{live_server.url}{folder}/{icon['src']}").ok
        scope = page.evaluate("() => navigator.serviceWorker.ready.then(r => r.active && r.scope)")
        assert scope == f"{live_server.url}/"

        page.goto(f"{live_server.url}/crm/customers/{customer.external_id}/activities/new/")
        page.select_option("select[name=kind]", "visit")
        page.fill("textarea[name=summary]", "现场拜访，拍照留证")
        # the camera on a phone; a file chooser here
        assert page.get_attribute("input[name=photo]", "accept") == "image/*"
        assert page.get_attribute("input[name=photo]", "capture") == "environment"
        with page.expect_file_chooser() as chooser:
            page.click("input[name=photo]")
        chooser.value.set_files(str(photo))
        page.click("button.locate")
        page.wait_for_function("() => document.querySelector('input[name=longitude]').value !== ''")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        invalid = page.evaluate(
            "() => [...document.querySelectorAll('form.form :invalid')]"
            ".map(e => e.name + ': ' + e.validationMessage + ' [' + e.value + ']')"
        )
        assert not invalid, invalid
        with page.expect_navigation():
            page.click("form.form button[type=submit].primary")
        problems = page.locator(".error, .field-error").all_inner_texts()
        assert page.url == f"{live_server.url}/crm/customers/{customer.external_id}/", problems

        activity = Activity.objects.get(summary="现场拜访，拍照留证")
        assert activity.owner == company.people["r1"]
        assert activity.latitude == Decimal("31.230416")
        assert activity.longitude == Decimal("121.473701")
        assert list(activity.evidence.values_list("kind", flat=True)) == ["photo"]
        assert activity.evidence.get().file.read() == photo.read_bytes()
        assert not errors, errors
    finally:
        context.close()


def test_the_service_worker_keeps_static_files_only(client, db):
    answer = client.get("/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/javascript")
    assert answer["Cache-Control"] == "no-cache"
    body = answer.content.decode()
    assert '"/static/attain/app.css"' in body
    # pages (people's data) are never stored: only requests under the static prefix are
    assert "url.pathname.indexOf(STATIC) !== 0) return;" in body
    assert 'var STATIC = "/static/";' in body
