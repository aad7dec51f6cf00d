"""The hash chain, the database triggers, per-record bulk events and the record history."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client

from attain.audit import chain, triggers
from attain.audit.models import Action, AuditEvent
from attain.audit.selectors import for_batch, history
from attain.audit.services import record_bulk
from attain.org import services
from attain.org.models import Unit

TABLE = AuditEvent._meta.db_table


def raw(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_every_event_is_chained(company):
    verdict = chain.verify()
    assert verdict.intact
    assert verdict.checked == AuditEvent.objects.count() > 0
    newest = AuditEvent.objects.order_by("-id").first()
    assert verdict.head_id == newest.pk
    assert verdict.head_hash == newest.chain_hash


def test_verify_command_passes_on_an_intact_trail(company, capsys):
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out


@pytest.mark.django_db
def test_verify_command_on_an_empty_trail_says_there_are_no_events(capsys):
    """An empty database printed "audit chain intact: 0 events; head event None hash "."""
    assert not AuditEvent.objects.exists()
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert out.strip() == "audit chain intact: no events yet."
    assert "None" not in out


@pytest.mark.parametrize("batch", ["0", "-5"])
def test_verify_command_refuses_a_batch_below_one(company, capsys, batch):
    """`--batch 0` read no events and said "audit chain intact: 0 events"."""
    with pytest.raises(CommandError, match="at least 1") as raised:
        call_command("audit", "verify", "--batch", batch)
    assert raised.value.returncode == 2
    assert "intact" not in capsys.readouterr().out


def test_raw_update_is_refused_by_the_database(company):
    event = AuditEvent.objects.order_by("id").first()
    with pytest.raises(DatabaseError, match="append-only"):
        raw(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["rewritten", event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == event.reason


def test_raw_delete_is_refused_by_the_database(company):
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError, match="append-only"):
        raw(f"DELETE FROM {TABLE}")
    assert AuditEvent.objects.count() == count


def test_verify_names_a_row_changed_behind_the_triggers(company):
    """An attacker with database access drops the triggers and rewrites a row: the chain
    breaks at that row and `attain audit verify` fails naming it."""
    events = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    target = events[len(events) // 2]
    triggers.drop(connection)
    try:
        raw(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["nothing happened", target])
    finally:
        triggers.create(connection)
    verdict = chain.verify()
    assert verdict.broken_id == target
    with pytest.raises(CommandError, match=f"broken at event {target}") as failure:
        call_command("audit", "verify")
    assert failure.value.returncode == 1


def test_verify_finds_a_deleted_row(company):
    events = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    triggers.drop(connection)
    try:
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [events[2]])
    finally:
        triggers.create(connection)
    assert chain.verify().broken_id == events[3]


def test_record_bulk_writes_one_chained_event_per_record(company):
    units = list(Unit.objects.order_by("pk"))
    rows = [(unit.pk, {"name": unit.name}, {"name": unit.name + "!"}) for unit in units] + [
        (999_999, None, {"name": "new"})
    ]
    written = record_bulk(
        company.users["sales_ops"],
        Action.UPDATE,
        Unit,
        iter(rows),
        reason="import units.csv",
        batch="import:7",
    )
    assert written == len(rows)
    batch = list(for_batch("import:7"))
    assert [e.object_id for e in batch] == [str(r[0]) for r in rows]
    assert batch[0].changes() == [("name", units[0].name, units[0].name + "!")]
    assert all(e.actor_name == "ops" and e.reason == "import units.csv" for e in batch)
    assert chain.verify().intact
    # The record's history: its creation by the service, then the bulk change.
    east = history(company.east)
    assert [e.action for e in east] == [Action.UPDATE, Action.CREATE]
    assert list(history(Unit, 999_999)) == [batch[-1]]


def test_record_bulk_chunks_stay_chained(company, monkeypatch):
    monkeypatch.setattr("attain.audit.services.BULK_CHUNK", 3)
    rows = ((n, None, {"n": n, "x": 1.5, "big": 1e20}) for n in range(10))
    assert record_bulk(None, Action.CREATE, Unit, rows, batch="b") == 10
    services.update_unit(company.users["admin"], company.west, name="西")
    assert chain.verify().intact


def test_history_through_the_api(company):
    record_bulk(None, Action.UPDATE, Unit, [(company.hq.pk, {"a": 1}, {"a": 2})], batch="x")
    client = Client()
    client.force_login(company.users["sales_ops"])
    body = client.get("/api/audit/", {"type": "org.unit", "object": company.hq.pk}).json()
    assert [e["batch"] for e in body["results"]] == ["x", ""]
    assert client.get("/api/audit/", {"batch": "x"}).json()["count"] == 1


def test_failed_login_is_audited_without_the_password(company):
    response = Client().post("/login/", {"username": "r1", "password": "s3cret-guess"})
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).get()
    assert event.object_id == str(company.users["rep"].pk)
    assert event.after["username"] == "r1"
    assert event.after["ip"] == "127.0.0.1"
    assert "s3cret-guess" not in str(event.before) + str(event.after) + event.reason
    Client().post("/login/", {"username": "nobody", "password": "x"})
    unknown = AuditEvent.objects.filter(action=Action.LOGIN_FAILED, object_repr="nobody").get()
    assert unknown.object_id == ""


def test_the_start_of_a_calculation_run_is_audited(company):
    from attain.incentives.services import start_calculation

    run = start_calculation(company.users["sales_ops"], 2024)
    event = history(run).get()
    assert event.action == Action.RUN_STARTED
    assert event.actor_name == "ops"


def test_the_fast_canonical_form_equals_its_definition():
    import datetime

    from hypothesis import given, settings
    from hypothesis import strategies as st

    json_values = st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=8,
    )

    @settings(deadline=None, max_examples=200)
    @given(
        st.none() | json_values,
        st.none() | json_values,
        st.text(),
        st.one_of(st.none(), st.integers(min_value=1)),
    )
    def check(before, after, text, actor_id):
        values = {
            "at": datetime.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=datetime.UTC),
            "actor_id": actor_id,
            "actor_name": text,
            "action": "update",
            "content_type_id": 3,
            "object_id": text,
            "object_repr": text,
            "before": before,
            "after": after,
            "reason": text,
            "batch": "",
        }
        assert chain.canonical(values) == chain.reference_canonical(values)
        # The direct writer of plain values gives what the encoder gives.
        for value in (before, after):
            if value is not None:
                assert chain.dump_json(value) == chain._dump(chain._normal(value))
        # The bulk writer's frame (shared fields dumped once) gives the same text.
        frame = chain.canonical_frame({k: values[k] for k in values if k != "object_id"})
        before_text, after_text = chain.dump_json(before), chain.dump_json(after)
        assert frame(text, text, before_text, after_text) == chain.canonical_text(
            values, before_text, after_text
        )

    check()


def test_dump_json_writes_choices_as_the_encoder_does() -> None:
    from attain.crm.models import Verification

    value = {"verification": Verification.VERIFIED, "n": [1, True, None, "中文\n"], "e": {}}
    assert chain.dump_json(value) == chain._dump(chain._normal(value))
    assert (
        chain.dump_json(value) == '{"e":{},"n":[1,true,null,"中文\\n"],"verification":"verified"}'
    )
    odd = {"x": 1.0, "y": (2, 3.5)}  # floats take the general path
    assert chain.dump_json(odd) == '{"x":1,"y":[2,3.5]}'
