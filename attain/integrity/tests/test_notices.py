"""An integrity hold is notified (attain.notify)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attain.integrity import services as integrity
from attain.integrity.models import Alert
from attain.notify.models import Notification
from attain.notify.testing import kinds_of

pytestmark = pytest.mark.django_db


def _held(company, key: str, detector: str, period: str, codes: list[str], reason: str) -> None:
    """An alert on the people ``codes`` that sales operations confirm with a hold."""
    alert = Alert.objects.create(
        key=key,
        detector=detector,
        period=period,
        score=Decimal("0.9"),
        reason_en="x",
        reason_zh="x",
        people_codes=codes,
    )
    alert.people.set([company.people[code] for code in codes])
    integrity.decide(company.users["sales_ops"], alert, confirm=True, reason=reason, hold=True)


def test_an_integrity_hold_tells_the_people_and_their_manager(company) -> None:
    _held(company, "k", "duplicates", "2026-Q1", ["r1"], reason="Dup")
    note = Notification.objects.get(recipient=company.users["rep"])
    assert note.kind == "integrity_hold" and note.params["reason"] == "Dup"
    assert kinds_of(company.users["manager"]) == ["integrity_hold"]  # m1 leads r1


def test_a_manager_hears_of_the_hold_of_their_own_people_only(company) -> None:
    """A ring across units (r1 in east under m1, r4 in west under m3): m1 is told of
    r1's hold, not of r4's, who is no one of theirs."""
    _held(company, "k2", "reciprocal_credit", "2026-Q1", ["r1", "r4"], reason="Ring")
    told = Notification.objects.filter(recipient=company.users["manager"])
    assert [n.params["who"] for n in told] == ["R1"]


def test_a_reviewer_reads_the_hold_on_a_reps_page_as_about_the_rep(company, client) -> None:
    """Sales operations opening r1's performance page read the hold as r1's, not as
    "your records", and are offered no dispute (only r1 disputes)."""
    _held(company, "k3", "amounts", "2025-Q4", ["r1"], reason="Dup")
    client.force_login(company.users["sales_ops"])
    page = client.get("/performance/?person=r1").content.decode()
    notice = page[page.index('id="integrity-hold"') :]
    assert "your records" not in notice and "R1" in notice
    assert "hold-dispute" not in notice
    page = client.get("/performance/?person=r1", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "对 R1 2025-Q4 记录的审核发现了问题" in page
