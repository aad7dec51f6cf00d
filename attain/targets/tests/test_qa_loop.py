"""QA of commitments on the audit trail (loopqa)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from attain.targets import services

pytestmark = pytest.mark.django_db


def test_the_audit_trail_names_who_committed_in_the_readers_language(company, plan, client):
    """A commitment is audited with its ``by``; the trail showed that field as "by" to a
    Chinese reader (the field has no name of its own and it was not in the catalogue)."""
    services.submit_commitment(
        company.users["rep"], plan, measure="revenue", who="r1", value=5, comment="能完成"
    )
    client.force_login(company.users["admin"])
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("audit"), {"type": "targets.commitment"}).content.decode()
    assert "<th>经办人</th>" in page and "<th>by</th>" not in page


def test_a_commitment_on_the_audit_trail_is_named_without_english_words(company, plan, client):
    """The trail names the object as it was when written (kept with the event): a
    commitment read "r1 commits 5.00 revenue" to every reader; now employee id, measure
    and value, like a review pack's "m1 2026-Q1 · r1"."""
    services.submit_commitment(company.users["rep"], plan, measure="revenue", who="r1", value=5)
    client.force_login(company.users["admin"])
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("audit"), {"type": "targets.commitment"}).content.decode()
    assert "commits" not in page and "r1 · revenue · 5.00" in page
