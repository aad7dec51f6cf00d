"""One-file backups of the database and the uploaded files, and their restore.

The archive is a gzipped tar holding:

- ``manifest.json``: format, Attain's version, the database vendor, the time, and the
  SHA-256 of every other member;
- ``database.sqlite3`` (SQLite's online backup API: consistent while the app writes) or
  ``database.pgdump`` (``pg_dump -Fc``);
- ``media/…``: every uploaded file (``MEDIA_ROOT``).

Restore checks the checksums, refuses a backup of another vendor, and refuses to replace
a database or media folder that holds data unless forced.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connections

FORMAT = 1
MANIFEST = "manifest.json"
# Tables that hold rows in a freshly migrated, otherwise empty database.
_SCAFFOLDING = {"django_migrations", "django_content_type", "auth_permission", "django_site"}
# Rows `attain migrate` writes itself (the default funnel, its follow-up rule, the
# default measures): a database holding only these is as empty as a fresh install.
_SEEDED = {"crm_stage", "crm_followuprule", "measures_measure"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


# What reading a damaged or truncated gzipped tar raises.
_UNREADABLE = (OSError, EOFError, zlib.error, tarfile.TarError)


@dataclass(frozen=True)
class Summary:
    vendor: str
    files: int
    bytes: int


def _version() -> str:
    try:
        return metadata.version("attain")
    except metadata.PackageNotFoundError:  # pragma: no cover - always installed here
        return "unknown"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as error:  # not installed
        raise BackupError(f"{command[0]} cannot be run: {error}") from error
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def _dump_database(alias: str, folder: Path) -> Path:
    connection = connections[alias]
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            # Page by page from the live connection: consistent, and writers keep working.
            connection.connection.backup(destination)
        finally:
            destination.close()
        return target
    if connection.vendor == "postgresql":
        target = folder / "database.pgdump"
        args, env = _pg_env(connection.settings_dict)
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                str(target),
                *args,
                "--dbname",
                str(connection.settings_dict["NAME"]),
            ],
            env,
        )
        return target
    raise BackupError(f"backups of {connection.vendor} databases are not supported")


def backup(path: Path, *, alias: str = "default") -> Summary:
    """Write the archive to ``path`` (replaced atomically when complete)."""
    vendor = connections[alias].vendor
    media_root = Path(settings.MEDIA_ROOT)
    if path.is_dir():
        raise BackupError(f"{path} is a folder: name the archive, e.g. {path / 'attain.tar.gz'}")
    with tempfile.TemporaryDirectory(prefix="attain-backup-") as scratch:
        folder = Path(scratch)
        database = _dump_database(alias, folder)
        members: list[tuple[Path, str]] = [(database, database.name)]
        if media_root.is_dir():
            for file in sorted(p for p in media_root.rglob("*") if p.is_file()):
                members.append((file, "media/" + file.relative_to(media_root).as_posix()))
        manifest = {
            "format": FORMAT,
            "attain_version": _version(),
            "vendor": vendor,
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": database.name,
            "files": {name: _sha256(file) for file, name in members},
        }
        path = path.resolve()
        partial = path.with_name(path.name + ".partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tarfile.open(partial, "w:gz") as archive:
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(datetime.datetime.now().timestamp())
                archive.addfile(info, io.BytesIO(data))
                for file, name in members:
                    archive.add(file, arcname=name, recursive=False)
            partial.replace(path)
        except BaseException as error:  # a full disk, Ctrl-C: no half-written archive
            partial.unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise BackupError(f"cannot write {path}: {error}") from error
            raise
    return Summary(vendor=vendor, files=len(members) - 1, bytes=path.stat().st_size)


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest: dict[str, Any] = json.loads(member.read())
    except (*_UNREADABLE, KeyError, json.JSONDecodeError) as error:
        raise BackupError(f"{path} is not an Attain backup: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(f"unknown backup format {found!r}")
    problem = _manifest_problem(manifest)
    if problem:
        raise BackupError(f"{path} is not an Attain backup: {problem}")
    return manifest


def _manifest_problem(manifest: dict[str, Any]) -> str | None:
    """What makes a manifest unusable (a field missing, a member named outside the
    archive's own folders), or None. Checked before anything is touched: a hand-edited
    manifest must not stop a restore half way, nor move a file out of the media folder."""
    for key in ("vendor", "database", "files"):
        if key not in manifest:
            return f"its manifest has no {key!r}"
    files = manifest["files"]
    if not isinstance(files, dict) or not all(
        isinstance(name, str) and isinstance(digest, str) for name, digest in files.items()
    ):
        return "its manifest's 'files' is not a list of names and checksums"
    for name in files:
        parts = PurePosixPath(name).parts
        if not parts or name.startswith("/") or "\\" in name or ".." in parts:
            return f"its manifest names a file outside the archive: {name!r}"
        if name != manifest["database"] and parts[0] != "media":
            return f"its manifest names an unexpected file: {name!r}"
    if manifest["database"] not in ("database.sqlite3", "database.pgdump"):
        return f"its manifest names an unexpected database file: {manifest['database']!r}"
    if manifest["database"] not in files:
        return "its manifest has no checksum of the database"
    return None


def database_has_data(alias: str = "default") -> bool:
    connection = connections[alias]
    tables = set(connection.introspection.table_names()) - _SCAFFOLDING - _SEEDED
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone():
                return True
    return False


def _media_has_files() -> bool:
    root = Path(settings.MEDIA_ROOT)
    return root.is_dir() and any(p.is_file() for p in root.rglob("*"))


def _check_sqlite(source: sqlite3.Connection) -> None:
    """Refuse a database file that is not an Attain database (a file of a few bytes
    opens as an empty database, and would replace the live one with nothing)."""
    try:
        tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master")}
        ok = source.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"the backup's database is not an Attain database: {error}") from error
    if "django_migrations" not in tables or ok != ("ok",):
        raise BackupError("the backup's database is not an Attain database (damaged, or none)")


def _restore_database(alias: str, file: Path) -> None:
    connection = connections[alias]
    if connection.vendor == "sqlite":
        if connection.in_atomic_block:
            raise BackupError("cannot restore inside a transaction")
        connection.ensure_connection()
        source = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
        try:
            _check_sqlite(source)
            source.backup(connection.connection)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"the backup's database cannot be read: {error}") from error
        finally:
            source.close()
        return
    # Attain's own tables only (its models'): another program's in the same database
    # are left alone, as pg_restore --clean alone would.
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    args, env = _pg_env(connection.settings_dict)
    connection.close()  # the restore drops and recreates the tables this session reads
    _pg_restore(file, tables, args, env, str(connection.settings_dict["NAME"]))


def _pg_restore(
    file: Path, tables: list[str], args: list[str], env: dict[str, str], name: str
) -> None:
    """Replace the database with the dump, in one transaction (a failure changes
    nothing). Attain's tables there now are dropped first, with what depends on them: a
    newer version's tables may refer to the dump's, which ``pg_restore --clean`` alone
    cannot drop then; after the restore the database is exactly the backup's, and
    ``attain migrate`` brings it up to this version. ``pg_restore`` writes the SQL
    (whole, or nothing is run); ``psql`` runs it after the drop, stopping at the first
    error."""
    script = file.with_name("restore.sql")
    quoted = ", ".join('"' + table.replace('"', '""') + '"' for table in sorted(tables))
    with script.open("w", encoding="utf-8") as handle:
        if tables:
            handle.write(f"DROP TABLE IF EXISTS {quoted} CASCADE;\n")
    sql = file.with_name("dump.sql")
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--file", str(sql), str(file)], env)
    env = {**env, "PGOPTIONS": f"{env.get('PGOPTIONS', '')} -c client_min_messages=warning"}
    _run(
        [
            "psql",
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set",
            "ON_ERROR_STOP=1",
            "--output",
            os.devnull,
            *args,
            "--dbname",
            name,
            "--file",
            str(script),
            "--file",
            str(sql),
        ],
        env,
    )


def restore(path: Path, *, force: bool = False, alias: str = "default") -> Summary:
    """Replace the database and the uploaded files with the archive's."""
    manifest = read_manifest(path)
    vendor = connections[alias].vendor
    if manifest["vendor"] != vendor:
        raise BackupError(
            f"this backup is of a {manifest['vendor']} database and cannot be restored "
            f"into {vendor}; restore it into a {manifest['vendor']} database, or move the "
            f"data with `attain export` / `attain import`"
        )
    if not force and (database_has_data(alias) or _media_has_files()):
        raise BackupError(
            "the database or the media folder already holds data; "
            "restore with --force to replace it"
        )
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="attain-restore-") as scratch:
        folder = Path(scratch)
        try:
            with tarfile.open(path, "r:gz") as archive:
                archive.extractall(folder, filter="data")
        except _UNREADABLE as error:
            raise BackupError(f"cannot read {path} (damaged or truncated?): {error}") from error
        files: dict[str, str] = manifest["files"]
        for name, expected in files.items():
            member = folder / name
            if not member.is_file() or _sha256(member) != expected:
                raise BackupError(f"{name} in the backup is damaged (checksum mismatch)")
        _restore_database(alias, folder / manifest["database"])
        media = [name for name in files if name.startswith("media/")]
        if media_root.exists():
            shutil.rmtree(media_root)
        media_root.mkdir(parents=True, exist_ok=True)
        total = 0
        for name in media:
            target = media_root / name.removeprefix("media/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(folder / name, target)
            total += target.stat().st_size
    return Summary(vendor=vendor, files=len(media), bytes=total)
