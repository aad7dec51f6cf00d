"""A company of thousands: the plan pages stay readable (found on a generated company of
2,000 people)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from attain.audit.models import Action, AuditEvent
from attain.audit.services import append_many, record_change
from attain.conftest import Company
from attain.targets.models import TargetPlan
from attain.web.views import PAGE_SIZE


def test_the_change_log_is_paged_and_reaches_the_first_change(
    company: Company, plan: TargetPlan, client: Client
) -> None:
    """The change log rendered the newest 500 events in one page (3,000 table rows and
    400 KB for a plan everyone had acknowledged) and silently dropped the older ones.
    It is paged like the audit trail now, and the last page holds the first change."""
    first = record_change(None, Action.UPDATE, plan, reason="the very first change")
    append_many(
        [
            AuditEvent(
                actor_name="system",
                action=Action.UPDATE,
                content_type=first.content_type,
                object_id=str(plan.pk),
                object_repr=str(plan),
                reason=f"change {n}",
            )
            for n in range(500)
        ]
    )
    client.force_login(company.users["sales_ops"])
    url = reverse("targets:changes", args=[plan.pk])
    page = client.get(url).content.decode()
    assert page.count('<tr>\n  <td class="nowrap">') == PAGE_SIZE
    assert 'class="pager"' in page and "change 499" in page
    total = AuditEvent.objects.filter(object_id=str(plan.pk), content_type=first.content_type)
    last = -(-total.count() // PAGE_SIZE)
    oldest = client.get(url, {"page": last}).content.decode()
    assert "the very first change" in oldest and "change 499" not in oldest
