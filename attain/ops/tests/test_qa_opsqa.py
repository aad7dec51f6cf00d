"""Operator QA: a hand-edited or hostile backup archive is refused with a sentence, and
never writes outside the media folder."""

from __future__ import annotations

import io
import json
import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db(transaction=True)


def _rewrite(archive, target, edit):
    """Copy ``archive`` to ``target`` with its manifest changed by ``edit`` (and any
    extra members ``edit`` returns, name -> bytes)."""
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    manifest = json.loads(members.pop("manifest.json"))
    extra = edit(manifest) or {}
    members.update(extra)
    with tarfile.open(target, "w:gz") as tar:
        for name, data in [("manifest.json", json.dumps(manifest).encode()), *members.items()]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


@pytest.fixture
def archive(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    (settings.MEDIA_ROOT / "evidence").mkdir(parents=True)
    (settings.MEDIA_ROOT / "evidence" / "visit.jpg").write_bytes(b"jpeg")
    path = tmp_path / "attain.tar.gz"
    call_command("backup", str(path))
    return path


@pytest.mark.parametrize("key", ["vendor", "database", "files"])
def test_a_manifest_missing_a_field_is_refused_with_a_reason(archive, tmp_path, key):
    edited = _rewrite(archive, tmp_path / "edited.tar.gz", lambda m: m.pop(key) and None)
    with pytest.raises(CommandError, match="not an Attain backup"):
        call_command("restore", str(edited), "--force")


def test_a_member_name_leaving_the_media_folder_is_refused(archive, settings, tmp_path):
    """A manifest naming ``media/../x`` must not move a file next to the media folder
    (there it could replace the live database)."""
    import hashlib

    payload = b"not a database"

    def edit(manifest):
        manifest["files"]["media/../escaped.bin"] = hashlib.sha256(payload).hexdigest()
        return {"escaped.bin": payload}

    edited = _rewrite(archive, tmp_path / "edited.tar.gz", edit)
    with pytest.raises(CommandError, match="not an Attain backup"):
        call_command("restore", str(edited), "--force")
    assert not (settings.MEDIA_ROOT.parent / "escaped.bin").exists()


def test_a_database_member_not_checked_by_the_manifest_is_refused(archive, tmp_path):
    def edit(manifest):
        manifest["database"] = "other.sqlite3"
        return {"other.sqlite3": b"x"}

    edited = _rewrite(archive, tmp_path / "edited.tar.gz", edit)
    with pytest.raises(CommandError, match="not an Attain backup"):
        call_command("restore", str(edited), "--force")


def _dead_worker_task(path: str, *args):
    """A task some worker of this host took and then died running (kill -9)."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from attain.web import leases

    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": list(args), "kwargs": {}},
        task_path=path,
        worker_ids=[f"{leases.host()}:999999999"],
        queue_name="default",
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now(),
    )


def test_a_run_whose_worker_died_before_taking_it_is_failed_not_queued_forever(company):
    """kill -9 of the worker between claiming the task and marking the run running left
    the run 'queued' for good (its task failed, no worker would ever take it):
    `attain calculate --wait` said 'no worker has taken it' with a worker running."""
    from attain.incentives.models import CalculationRun, RunKind
    from attain.ops.worker import reap
    from attain.web.leases import RunStatus

    run = CalculationRun.objects.create(kind=RunKind.FULL, fiscal_year=2026)
    task = _dead_worker_task("attain.incentives.tasks.calculation_task", run.pk, None)
    found = reap()
    task.refresh_from_db()
    run.refresh_from_db()
    assert task.status == "FAILED"
    assert run.status == RunStatus.FAILED
    assert "999999999" in run.problems[0]
    assert found["runs"] == 1


def test_a_run_taken_by_a_worker_on_another_host_that_never_began_it_is_failed(company, settings):
    """A worker on another machine took the task and was killed before it began the run:
    its process cannot be looked up from here, so the run waited 'queued' for ever. A
    lease after the task was taken, a run still not begun is failed; one that began is
    left to its heartbeat."""
    import datetime

    from django.utils import timezone

    from attain.incentives.models import CalculationRun, RunKind
    from attain.ops.worker import reap
    from attain.web.leases import RunStatus

    settings.ATTAIN_WORKER_LEASE_SECONDS = 600
    taken = timezone.now() - datetime.timedelta(seconds=601)
    stuck = CalculationRun.objects.create(kind=RunKind.FULL, fiscal_year=2026)
    begun = CalculationRun.objects.create(
        kind=RunKind.FULL,
        fiscal_year=2025,
        status=RunStatus.RUNNING,
        worker="elsewhere:42",
        heartbeat_at=timezone.now(),
    )
    recent = CalculationRun.objects.create(kind=RunKind.FULL, fiscal_year=2024)
    tasks = {}
    for run, when in ((stuck, taken), (begun, taken), (recent, timezone.now())):
        task = _dead_worker_task("attain.incentives.tasks.calculation_task", run.pk, None)
        task.worker_ids, task.started_at = ["elsewhere:42"], when
        task.save()
        tasks[run.pk] = task
    found = reap()
    for run in (stuck, begun, recent):
        run.refresh_from_db()
        tasks[run.pk].refresh_from_db()
    assert stuck.status == RunStatus.FAILED and "elsewhere:42" in stuck.problems[0]
    assert tasks[stuck.pk].status == "FAILED"
    assert begun.status == RunStatus.RUNNING and tasks[begun.pk].status == "RUNNING"
    assert recent.status == RunStatus.QUEUED and tasks[recent.pk].status == "RUNNING"
    assert found["runs"] == 1


def test_an_import_whose_worker_died_before_taking_it_is_failed_not_queued_forever(company):
    from attain.intake.models import BatchStatus, ImportBatch
    from attain.ops.worker import reap

    batch = ImportBatch.objects.create(
        table="customers", file_name="c.csv", file_path="c.csv", status=BatchStatus.QUEUED
    )
    _dead_worker_task("attain.intake.tasks.run_import", batch.pk, "zh-hans")
    found = reap()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert "999999999" in batch.error
    assert found["batches"] == 1


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="pg_restore into a database a newer version migrated",
)
def test_an_older_postgresql_backup_restores_over_a_newer_schema(db, settings, tmp_path):
    """The documented way back (restore with --force, then `attain migrate`) failed on
    PostgreSQL when the newer version had added a table referring to an old one
    (targets.0005 added the pace snapshots, referring to the target plans):
    pg_restore --clean cannot drop the old table's key. The database now ends exactly
    as the backup was, and a failed restore still leaves it as it was."""
    from django.db import connection

    from attain.targets.models import PaceSnapshot, TargetPlan

    settings.MEDIA_ROOT = tmp_path / "media"
    older = tmp_path / "older.tar.gz"
    with connection.schema_editor() as editor:  # the backup of a version without it
        editor.delete_model(PaceSnapshot)
    try:
        call_command("backup", str(older))
    finally:
        with connection.schema_editor() as editor:  # this version migrated it back
            editor.create_model(PaceSnapshot)
    try:
        call_command("restore", str(older), "--force")
        assert PaceSnapshot._meta.db_table not in connection.introspection.table_names()
        assert list(TargetPlan.objects.all()) == []  # the schema is usable
    finally:
        if PaceSnapshot._meta.db_table not in connection.introspection.table_names():
            with connection.schema_editor() as editor:
                editor.create_model(PaceSnapshot)


@pytest.mark.parametrize(
    "message",
    [
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
        "Connection refused\n\tIs the server running on that host and accepting TCP/IP "
        "connections?",
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
        "FATAL:  the database system is starting up",
        "FATAL:  the database system is shutting down",
    ],
)
def test_a_postgresql_restart_does_not_stop_the_worker(monkeypatch, message):
    """While PostgreSQL restarts, reconnecting is refused for a while: the worker exited
    (`attain: cannot connect to the database`) at the second retry, and a task's outcome
    being saved then was lost. It keeps retrying, as docs/operations.md promises."""
    from django.db import OperationalError

    from attain.ops import worker as worker_module
    from attain.ops.tests.test_worker import make_worker

    monkeypatch.setattr(worker_module.time, "sleep", lambda _s: None)
    monkeypatch.setattr(worker_module, "reset_connections", lambda: None)
    errors = [OperationalError("terminating connection"), OperationalError(message)]

    def flaky():
        if errors:
            raise errors.pop(0)
        return "saved"

    worker = make_worker()
    assert worker.retrying(flaky, forever=True) == "saved"
    with pytest.raises(OperationalError):  # a wrong password is not waited for
        worker.retrying(
            lambda: (_ for _ in ()).throw(
                OperationalError('FATAL:  password authentication failed for user "x"')
            )
        )


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "sqlite", reason="a SQLite backup"
)
@pytest.mark.parametrize("content", [b"x", b"not a database at all " * 40])
def test_a_backup_whose_database_is_not_one_is_refused_and_changes_nothing(
    company, archive, tmp_path, content
):
    """A database member that is not an Attain database (its checksum made to match)
    was copied over the live one: one byte wiped the database, other garbage ended in
    a sqlite3 traceback. Now refused with a reason before anything is replaced."""
    import hashlib

    from attain.org.models import Unit

    def edit(manifest):
        manifest["files"]["database.sqlite3"] = hashlib.sha256(content).hexdigest()
        return {"database.sqlite3": content}

    edited = _rewrite(archive, tmp_path / "edited.tar.gz", edit)
    units = Unit.objects.count()
    with pytest.raises(CommandError, match="not an Attain database"):
        call_command("restore", str(edited), "--force")
    assert Unit.objects.count() == units > 0


def test_a_partitioned_run_whose_slice_was_never_begun_fails_not_runs_forever(company):
    from attain.incentives.models import CalculationRun, RunKind, RunPartition
    from attain.ops.worker import reap
    from attain.web.leases import RunStatus

    run = CalculationRun.objects.create(
        kind=RunKind.FULL, fiscal_year=2026, status=RunStatus.RUNNING
    )
    partition = RunPartition.objects.create(run=run, number=1, people=["E1"])
    _dead_worker_task("attain.incentives.tasks.partition_task", partition.pk)
    reap()
    run.refresh_from_db()
    partition.refresh_from_db()
    assert partition.status == RunStatus.FAILED
    assert run.status == RunStatus.FAILED
    assert "999999999" in run.problems[0]
