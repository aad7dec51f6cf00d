"""Two people acting on one alert at once: two reviewers deciding it, a reviewer
deciding while a (background) scan refreshes it. The second never overwrites the
first's decision, and a payout is never left held by a dismissed alert."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from attain.audit.models import AuditEvent
from attain.integrity import services
from attain.integrity.models import Alert, Status
from attain.web.testing import at_once

from .test_services import gamed  # noqa: F401 (fixture)


def test_a_second_reviewer_with_the_page_open_cannot_decide_it_again(gamed):  # noqa: F811
    """Two reviewers open the same alert; the first confirms with a hold, the second
    (whose page still shows it open) dismisses: refused, the hold stays."""
    services.scan(None, periods=["2025-Q4"])
    first, second = Alert.objects.get(), Alert.objects.get()
    services.decide(gamed.users["sales_ops"], first, confirm=True, reason="刷单", hold=True)
    with pytest.raises(ValidationError):
        services.decide(gamed.users["finance"], second, confirm=False, reason="looks fine")
    alert = Alert.objects.get()
    assert (alert.status, alert.hold, alert.resolution) == (Status.CONFIRMED, True, "刷单")
    assert not AuditEvent.objects.filter(reason="looks fine").exists()


def test_a_hold_lifted_twice_at_once_is_lifted_once(gamed):  # noqa: F811
    services.scan(None, periods=["2025-Q4"])
    services.decide(
        gamed.users["sales_ops"], Alert.objects.get(), confirm=True, reason="x", hold=True
    )
    first, second = Alert.objects.get(), Alert.objects.get()
    services.release_hold(gamed.users["sales_ops"], first, reason="cleared")
    with pytest.raises(ValidationError):
        services.release_hold(gamed.users["finance"], second, reason="cleared too")
    assert not AuditEvent.objects.filter(reason="cleared too").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_decision_during_a_rescan_is_not_overwritten(gamed, monkeypatch):  # noqa: F811
    """A background scan refreshes an open alert while a reviewer confirms it: the
    decision stands (the scan never writes the alert back open)."""
    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    Alert.objects.filter(pk=alert.pk).update(score="0.1000")  # the rescan will refresh it
    decided = threading.Event()

    def reviewer() -> None:
        try:
            services.decide(
                gamed.users["sales_ops"],
                Alert.objects.get(pk=alert.pk),
                confirm=True,
                reason="刷单",
                hold=True,
            )
        finally:
            connection.close()
            decided.set()

    real = services._dismissed_before
    started: list[threading.Thread] = []

    def in_the_middle(values):
        if not started:  # the scan has read the open alert: the reviewer decides now
            started.append(threading.Thread(target=reviewer))
            started[0].start()
            decided.wait(timeout=3)
        return real(values)

    monkeypatch.setattr(services, "_dismissed_before", in_the_middle)
    services.scan(None, periods=["2025-Q4"])
    started[0].join()
    alert.refresh_from_db()
    assert (alert.status, alert.hold, alert.resolution) == (Status.CONFIRMED, True, "刷单")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_scans_of_a_quarter_at_once_store_each_alert_once(gamed, monkeypatch):  # noqa: F811
    """ "Scan now" while a background scan of the same quarter stores its alerts: both
    finish, each alert stored once (before, the second failed on the alert's key)."""
    real = services.detect
    both = threading.Barrier(2)

    def detect(*args, **kwargs):
        found = real(*args, **kwargs)
        both.wait(timeout=30)  # both store at once
        return found

    monkeypatch.setattr(services, "detect", detect)
    outcomes = at_once(lambda: services.scan(None, periods=["2025-Q4"]).created)
    assert outcomes in ([0, 1], [1, 0]), outcomes
    assert Alert.objects.count() == 1
    assert AuditEvent.objects.filter(reason="integrity scan").count() == 1


def test_the_second_reviewer_is_told_on_the_page_that_it_was_decided(gamed, client):  # noqa: F811
    """Two tabs: the alert is confirmed with a hold in one; dismissing it in the other
    (its form still shown there) says why nothing changed, in the reader's language;
    so does lifting a hold already lifted."""
    services.scan(None, periods=["2025-Q4"])
    alert = Alert.objects.get()
    client.force_login(gamed.users["finance"])
    url = f"/integrity/{alert.pk}/"
    services.decide(gamed.users["sales_ops"], alert, confirm=True, reason="刷单", hold=True)
    page = client.post(
        url, {"decision": "dismiss", "reason": "fine"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert page.status_code == 200 and "该预警已处理。" in page.content.decode()
    services.release_hold(gamed.users["sales_ops"], Alert.objects.get(), reason="cleared")
    page = client.post(url, {"release": "1", "release_reason": "again"})
    assert page.status_code == 200 and "This alert holds no payout." in page.content.decode()
