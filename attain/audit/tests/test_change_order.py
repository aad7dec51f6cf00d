"""The rows of an audit event's before/after table come in the order of the model's
fields, on SQLite and PostgreSQL alike. They came in the order of the stored JSON's keys:
SQLite keeps the order they were written in, PostgreSQL's jsonb its own (shortest key
first), so the history of one person listed its fields in another order on each
(seen comparing the demo company on both)."""

from __future__ import annotations

from attain.audit.models import AuditEvent
from attain.audit.services import record_change


def test_changes_follow_the_models_fields_whatever_the_stored_order(company):
    person = company.people["r1"]
    before = {"zz_extra": 1, "end": None, "phone": "1", "name": "甲", "code": "a", "aa": 1}
    after = {"zz_extra": 2, "end": "2026-01-31", "phone": "2", "name": "乙", "code": "b", "aa": 2}
    event = record_change(None, "update", person, before=before, after=after)
    stored = AuditEvent.objects.get(pk=event.pk)
    # the model's fields in its order, then any other key by name
    expected = ["code", "name", "phone", "end", "aa", "zz_extra"]
    assert [field for field, _b, _a in stored.changes()] == expected
    assert stored.changes()[0] == ("code", "a", "b")
