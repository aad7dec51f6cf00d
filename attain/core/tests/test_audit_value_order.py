"""The audit trail's page writes a value that is itself a mapping (a payout's last
change) by key on SQLite and PostgreSQL alike (jsonb keeps its own key order)."""

from __future__ import annotations

from attain.audit.models import AuditEvent
from attain.audit.services import record_change


def test_a_mapping_in_an_audit_value_is_written_in_its_keys_order(company):
    """A value that is itself a mapping (a payout's last change) was written out in its
    stored order: "after: …; before: …; kind: …" on SQLite, "kind: …; after: …; …" on
    PostgreSQL. By key now, on both."""
    from django.template import Context

    from attain.core.templatetags.core_tags import audit_value

    person = company.people["r1"]
    change = {"kind": "recalculated", "before": "1034.66", "after": "1154.66"}
    event = record_change(None, "update", person, after={"phone": change})
    written = audit_value(Context(), AuditEvent.objects.get(pk=event.pk), "phone", change)
    assert written == "after: 1154.66; before: 1034.66; kind: recalculated"
