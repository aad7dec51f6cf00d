"""The pay periods page: close with progress, reopen with a reason, the snapshot page,
and adjustment lines on the register, in English and Chinese."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attain.pay.models_close import PayPeriod

from .test_close import quarters, store  # noqa: F401  (the fixture)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_ops_closes_a_period_and_the_register_shows_the_adjustment(
    quarters,  # noqa: F811
    client,
    django_capture_on_commit_callbacks,
):
    client.force_login(quarters.users["sales_ops"])
    page = client.get("/pay/periods/").content.decode()
    assert 'data-close="2026-Q1"' in page and "Close 2026-Q1" in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/pay/periods/", {"action": "close", "period": "2026-Q1"}, follow=True
        ).content.decode()
    # Seen while the task had not run: closing, and the table asks again every second.
    assert 'data-period="2026-Q1" data-state="closing"' in answer and "every 1s" in answer
    assert PayPeriod.objects.get(period="2026-Q1").state == "closed"
    answer = client.get("/pay/periods/", HTTP_HX_REQUEST="true").content.decode()
    assert answer.startswith('<div id="pay-periods"') and 'data-state="closed"' in answer
    store(quarters, "r1", "2026-Q1", {"commission": "1200.35", "bonus": "50.00"})
    client.force_login(quarters.users["rep"])
    register = client.get("/pay/payouts/?period=2026-Q2").content.decode()
    assert "Adjustment for 2026-Q1" in register and "200.25" in register
    assert "1,000.10" in register and "1,200.35" in register
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    register = client.get("/pay/payouts/?period=2026-Q2").content.decode()
    assert "2026-Q1 调整" in register
    client.force_login(quarters.users["finance"])
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    snapshot = client.get("/pay/periods/2026-Q1/").content.decode()
    assert "冻结" in snapshot and 'data-person="r1"' in snapshot
    rows = client.get("/pay/periods/").content.decode()
    assert "已关闭" in rows and "data-reopen" not in rows  # finance may not reopen


def test_reopening_needs_a_reason_on_the_page(quarters, client, django_capture_on_commit_callbacks):  # noqa: F811
    client.force_login(quarters.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/pay/periods/", {"action": "close", "period": "2026-Q1"})
    answer = client.post(
        "/pay/periods/", {"action": "reopen", "period": "2026-Q1", "reason": " "}, follow=True
    ).content.decode()
    assert "Give the reason" in answer
    assert PayPeriod.objects.get(period="2026-Q1").state == "closed"
    client.post("/pay/periods/", {"action": "reopen", "period": "2026-Q1", "reason": "restate"})
    assert PayPeriod.objects.get(period="2026-Q1").state == "open"
    assert PayPeriod.objects.get(period="2026-Q1").total == Decimal("1433.43")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("sales_ops", 200),
        ("finance", 200),
        ("executive", 200),
        ("manager", 403),
        ("rep", 403),
    ],
)
def test_who_sees_the_periods_page(quarters, client, role, status):  # noqa: F811
    client.force_login(quarters.users[role])
    assert client.get("/pay/periods/").status_code == status
    answer = client.post("/pay/periods/", {"action": "close", "period": "2026-Q1"})
    closes = role in {"admin", "sales_ops", "finance"}
    # a login that sees the page but may not close: the refusal in place (400)
    assert answer.status_code == (302 if closes else 400 if status == 200 else 403)
    assert PayPeriod.objects.filter(period="2026-Q1").exists() == closes


def test_an_open_period_has_a_page_and_an_unknown_one_is_404(quarters, client):  # noqa: F811
    client.force_login(quarters.users["finance"])
    page = client.get("/pay/periods/2026-Q2/").content.decode()
    assert "This period is open" in page
    assert client.get("/pay/periods/2031-Q9/").status_code == 404
    client.force_login(quarters.users["rep"])
    assert client.get("/pay/periods/2026-Q2/").status_code == 403
