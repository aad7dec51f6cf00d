"""Stranded dispute adjustments (a leaver's, nothing later pays them) over the API, as on
the pay periods page: the list for whoever sees the periods, settling for finance (and
administrators) with how it was settled (required, audited)."""

from __future__ import annotations

from rest_framework.test import APIClient

from attain.audit.models import AuditEvent
from attain.pay import adjustments

from .test_stranded_adjustments import _adjustment, stranded  # noqa: F401  (the fixture)

LIST = "/api/pay/adjustments/stranded/"
SETTLE = "/api/pay/adjustments/stranded/settle/"


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_list_shows_what_waits_for_a_leaver(stranded):  # noqa: F811
    adjustment = _adjustment()
    answer = _api(stranded.users["sales_ops"]).get(LIST)
    assert answer.status_code == 200
    [row] = answer.json()
    assert row["id"] == adjustment.pk and row["dispute"] == adjustment.dispute_id
    assert row["person"] == "r1" and row["amount"] == "80.00"
    assert row["left_on"] == "2026-03-31" and row["source_period"] == adjustment.source_period
    assert _api(stranded.users["rep"]).get(LIST).status_code == 403


def test_finance_settle_it_with_a_reason(stranded):  # noqa: F811
    adjustment = _adjustment()
    finance = _api(stranded.users["finance"])
    answer = finance.post(SETTLE, {"adjustment": adjustment.pk, "reason": " "}, format="json")
    assert answer.status_code == 400
    assert "Say how the adjustment was settled" in answer.content.decode()
    body = {"adjustment": adjustment.pk, "reason": "final pay, PAY-77"}
    sales_ops = _api(stranded.users["sales_ops"]).post(SETTLE, body, format="json")
    assert sales_ops.status_code == 403
    answer = finance.post(SETTLE, body, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["settled_reason"] == "final pay, PAY-77"
    adjustment.refresh_from_db()
    assert adjustment.settled_reason == "final pay, PAY-77"
    assert adjustment.settled_by == stranded.users["finance"]
    assert AuditEvent.objects.filter(
        content_type__model="disputeadjustment", object_id=str(adjustment.pk), action="update"
    ).exists()
    assert not adjustments.stranded().exists()
    again = finance.post(SETTLE, body, format="json")
    assert again.status_code == 400
    assert "not waiting for someone who has left" in again.content.decode()
    assert finance.post(SETTLE, {**body, "adjustment": 0}, format="json").status_code == 400
