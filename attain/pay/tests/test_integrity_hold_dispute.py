"""The integrity hold notice leads the held person into the dispute flow (the notice
is integrity's, the disputes pay's: tested here, where both are importable)."""

from __future__ import annotations

from decimal import Decimal
from html import unescape
from urllib.parse import parse_qsl

import pytest

from attain.integrity import services as integrity
from attain.integrity.models import Alert
from attain.pay.models_disputes import Dispute

pytestmark = pytest.mark.django_db


def _held(company, reason, **fields) -> Alert:
    """An alert about r1 (``fields``), confirmed by sales operations for ``reason`` with
    r1's payout held."""
    alert = Alert.objects.create(people_codes=["r1"], **fields)
    alert.people.set([company.people["r1"]])
    integrity.decide(company.users["sales_ops"], alert, confirm=True, reason=reason, hold=True)
    return alert


def test_the_hold_notice_links_the_held_person_to_a_prefilled_dispute(company, client) -> None:
    """r1's payout is held for a confirmed wash-order finding; the notice on *My
    performance* offers r1 (in Chinese) the dispute flow, prefilled with the period and
    the alert, and the dispute opens from it; a reviewer sees the notice, no link."""
    alert = _held(
        company,
        "刷单",
        key="hold-dispute",
        detector="wash_orders",
        period="2025-Q2",
        score=Decimal("0.8"),
        reason_en="Cancelled after the quarter",
        reason_zh="季度结束后取消",
        records=[{"table": "orders", "external_id": "W-7"}],
    )
    client.force_login(company.users["rep"])
    page = client.get("/performance/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "integrity-hold" in page
    start = page.index('class="hold-dispute"')
    link = unescape(
        page[page.index('href="', start) + 6 : page.index('"', page.index('href="', start) + 6)]
    )
    assert link.startswith("/pay/disputes/new/?") and "申诉" in page[start : start + 400]
    form = client.get(link, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'value="2025-Q2"' in form and f"预警 {alert.pk}" in unescape(form)
    fields = dict(parse_qsl(link.partition("?")[2]))
    fields["text"] = "订单 W-7 是客户真实退货，不是刷单。"
    opened = client.post("/pay/disputes/new/", fields, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert opened.status_code == 302
    dispute = Dispute.objects.get()
    assert (dispute.period, dispute.record_table, dispute.person) == (
        "2025-Q2",
        "orders",
        company.people["r1"],
    )
    client.force_login(company.users["sales_ops"])
    page = client.get("/performance/?person=r1").content.decode()
    assert "integrity-hold" in page and "hold-dispute" not in page


def test_the_hold_notification_leads_the_person_to_the_notice_not_to_a_closed_page(
    company, client
) -> None:
    """The notification of a hold goes to the held rep and their manager, neither of
    whom may open the review queue: the rep's link is their *My performance* page, where
    the notice and the dispute link are; the manager's the payout register, where the
    rep's hold shows (their own *My performance* page says nothing of it)."""
    from django.urls import reverse

    from attain.notify.kinds import link
    from attain.notify.models import Notification
    from attain.notify.selectors import reader_code

    _held(
        company,
        "虚报",
        key="hold-link",
        detector="shell_customers",
        period="2025-Q3",
        score=Decimal("0.9"),
        reason_en="Customers share the rep's phone",
        reason_zh="客户与销售电话相同",
        records=[{"table": "customers", "external_id": "SH-1"}],
    )
    links = {}
    for role in ("rep", "manager"):
        user = company.users[role]
        note = Notification.objects.get(recipient=user, kind="integrity_hold")
        links[role] = link(note.kind, note.params, reader_code(user))
        client.force_login(user)
        page = client.get(links[role])
        assert page.status_code == 200, role
    assert links == {"rep": reverse("incentives:mine"), "manager": reverse("pay:register")}
    client.force_login(company.users["rep"])
    assert "hold-dispute" in client.get(links["rep"]).content.decode()
