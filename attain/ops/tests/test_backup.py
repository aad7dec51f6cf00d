"""`attain backup` / `attain restore` round trips (SQLite always; PostgreSQL when the
suite runs on it: pg_dump/pg_restore against the test database)."""

from __future__ import annotations

import io
import json
import shutil
import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from attain.audit import chain
from attain.audit.models import AuditEvent
from attain.org import services
from attain.org.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)

needs_pg_tools = pytest.mark.skipif(
    connection.vendor == "postgresql" and shutil.which("pg_dump") is None,
    reason="pg_dump/pg_restore are not installed",
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "evidence" / "2026").mkdir(parents=True)
    (settings.MEDIA_ROOT / "evidence" / "2026" / "visit.jpg").write_bytes(b"\xff\xd8jpeg")
    return settings.MEDIA_ROOT


@needs_pg_tools
def test_round_trip(company, media, tmp_path, capsys):
    archive = tmp_path / "attain.tar.gz"
    events = AuditEvent.objects.count()
    call_command("backup", str(archive))
    assert "uploaded files" in capsys.readouterr().out
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["vendor"] == connection.vendor
    assert "media/evidence/2026/visit.jpg" in names
    assert set(manifest["files"]) == set(names) - {"manifest.json"}

    # Life goes on after the backup: a unit is added, an upload lost.
    services.create_unit(None, code="north", name="华北", parent=company.hq)
    (media / "evidence" / "2026" / "visit.jpg").unlink()

    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(archive))
    assert Unit.objects.filter(code="north").exists()

    call_command("restore", str(archive), "--force")
    assert not Unit.objects.filter(code="north").exists()
    assert Unit.objects.filter(code="east").exists()
    assert AuditEvent.objects.count() == events
    assert chain.verify().intact
    assert (media / "evidence" / "2026" / "visit.jpg").read_bytes() == b"\xff\xd8jpeg"


def _rewrite_manifest(source, target, **changes):
    with tarfile.open(source) as tar, tarfile.open(target, "w:gz") as out:
        for member in tar.getmembers():
            data = tar.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest.update(changes)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))


@needs_pg_tools
def test_restore_refuses_another_vendor_and_damaged_files(company, media, tmp_path):
    archive = tmp_path / "a.tar.gz"
    call_command("backup", str(archive))
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    foreign = tmp_path / "foreign.tar.gz"
    _rewrite_manifest(archive, foreign, vendor=other)
    with pytest.raises(CommandError, match=f"backup is of a {other} database"):
        call_command("restore", str(foreign), "--force")
    with tarfile.open(archive) as tar:
        files = json.load(tar.extractfile("manifest.json"))["files"]
    files["media/evidence/2026/visit.jpg"] = "0" * 64
    damaged = tmp_path / "damaged.tar.gz"
    _rewrite_manifest(archive, damaged, files=files)
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(damaged), "--force")
    assert Unit.objects.filter(code="east").exists()


def test_restore_refuses_something_that_is_not_a_backup(db, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tarball")
    with pytest.raises(CommandError, match="not an Attain backup"):
        call_command("restore", str(junk))


def test_a_backup_that_fails_leaves_no_partial_file(db, tmp_path, monkeypatch):
    """The archive is written next to its name and renamed when complete: a backup
    that fails half way (a full disk, Ctrl-C) leaves nothing behind, and a folder given
    as the archive is refused with a reason, not a traceback."""
    folder = tmp_path / "backups"
    folder.mkdir()
    with pytest.raises(CommandError, match="is a folder"):
        call_command("backup", str(folder))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups"]

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tarfile.TarFile, "add", full_disk)
    with pytest.raises(CommandError, match="No space left"):
        call_command("backup", str(folder / "attain.tar.gz"))
    assert list(folder.iterdir()) == []


def test_restore_refuses_a_truncated_archive_with_a_reason(db, tmp_path):
    archive = tmp_path / "attain.tar.gz"
    call_command("backup", str(archive))
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="not an Attain backup"):
        call_command("restore", str(truncated), "--force")


def test_a_freshly_migrated_database_counts_as_empty(db):
    """`attain migrate` seeds the default funnel, its follow-up rule and the default
    measures: a restore into a database just migrated needs no --force."""
    import importlib

    from django.apps import apps as django_apps

    from attain.crm.models import FollowUpRule, Stage
    from attain.measures.models import Measure
    from attain.ops.backup import database_has_data

    for module, function in (
        ("attain.crm.migrations.0002_default_funnel", "create_default_funnel"),
        ("attain.measures.migrations.0002_default_measures", "create"),
    ):
        getattr(importlib.import_module(module), function)(django_apps, None)
    assert Stage.objects.exists() and Measure.objects.exists() and FollowUpRule.objects.exists()
    assert not database_has_data()
    services.create_unit(None, code="hq", name="总部", parent=None)
    assert database_has_data()
