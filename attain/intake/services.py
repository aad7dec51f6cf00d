"""Import batches: store an upload, run it (from the CLI or a background task), record
it in the audit trail. The engine itself is :mod:`attain.intake.importer`."""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from attain.audit.models import Action
from attain.audit.services import record_change, snapshot
from attain.notify.delivery import worker_language
from attain.notify.services import announce
from attain.web import leases
from attain.web.middleware import is_busy

from . import reading
from .access import can_import, can_see_batch
from .importer import (
    CHUNK_SIZE,
    SAMPLE_SIZE,
    ImportResult,
    get_table,
    import_file,
)
from .models import BatchStatus, ImportBatch
from .reading import FileProblem

BUSY = gettext_lazy(
    "The database was busy (another import or a calculation was writing) for too long; "
    "nothing from the file was saved. Run the import again."
)
INTERRUPTED = gettext_lazy("The import was interrupted (Ctrl-C).")
HEARTBEAT_EVERY = 2.0  # seconds between two heartbeats of a running batch
WARNINGS_KEPT = 200  # an import's warnings its page lists (the first ones)


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / timezone.localdate().strftime("%Y/%m")


def _safe_name(name: str) -> str:
    base = Path(name).name
    return re.sub(r"[^\w.\-]+", "_", base)[-120:] or "upload"


def create_batch(
    actor: Any,
    table: str,
    upload: UploadedFile[bytes],
    *,
    options: dict[str, Any] | None = None,
) -> ImportBatch:
    """Store an uploaded file under MEDIA_ROOT and create its batch (not run yet);
    ``options``: an organisation file's choices (effective date, invitations)."""
    spec = get_table(table)
    if not can_import(actor, spec):
        raise PermissionDenied(_("You may not import %(table)s.") % {"table": spec.label})
    name = upload.name or "upload.csv"
    target = upload_dir() / f"{secrets.token_hex(6)}_{_safe_name(name)}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for part in upload.chunks():
            out.write(part)
    try:  # size, and an XLSX's zip directory: refused before a batch exists
        reading.check_upload(target, name)
    except FileProblem as problem:
        target.unlink(missing_ok=True)
        raise ValidationError({"file": str(problem)}) from None
    return ImportBatch.objects.create(
        table=table,
        file_name=Path(name).name[:255],
        file_path=str(target),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        options=options or {},
    )


def batch_for_file(table: str, path: Path, *, options: dict[str, Any] | None = None) -> ImportBatch:
    """A batch for a file imported from the command line (by the system)."""
    get_table(table)
    return ImportBatch.objects.create(
        table=table, file_name=path.name[:255], file_path=str(path.resolve()), options=options or {}
    )


def batch_language(batch: ImportBatch, started_in: str = "") -> str:
    """The language of the user who started ``batch``: the one they chose (their
    notification settings), else ``started_in`` (the page's language when they started
    it), else the company's default language."""
    return worker_language(batch.created_by_id, started_in)


def default_rejects_path(batch: ImportBatch) -> Path:
    return Path(batch.file_path).with_name(Path(batch.file_path).stem + ".rejects.csv")


def progress_path(batch: ImportBatch) -> Path:
    # Outside the database: the import holds its transaction open until the end.
    return Path(batch.file_path).with_name(Path(batch.file_path).name + ".progress")


def progress_of(batch: ImportBatch) -> int:
    """Rows handled so far by a running batch."""
    try:
        return int(progress_path(batch).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def preview_batch(batch: ImportBatch) -> ImportResult:
    """Validate a sample (the first ``PREVIEW_ROWS`` rows, streamed) without writing;
    the whole file is validated by the import itself, in the background. An
    organisation file is checked whole (a manager may be named in any row), and only
    its first rows are shown."""
    org = get_table(batch.table).org
    return import_file(
        batch.created_by,
        batch.table,
        batch.file_path,
        file_name=batch.file_name,
        dry_run=True,
        sample_size=SAMPLE_SIZE,
        row_limit=None if org else reading.limits()["PREVIEW_ROWS"],
        options=batch.options,
    )


def run_batch(
    batch: ImportBatch,
    *,
    rejects_path: Path | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Any = None,
) -> ImportResult:
    """Import the batch's file: staged without the write lock, then merged in one
    transaction with the batch's counts and its audit event (see docs/import.md). The
    batch records its worker and a heartbeat at every chunk. A file-level problem marks
    the batch failed and is raised again as :class:`FileProblem`."""
    actor = batch.created_by
    batch.status = BatchStatus.RUNNING
    batch.started_at = batch.heartbeat_at = timezone.now()
    batch.worker = leases.holder()
    batch.save(update_fields=["status", "started_at", "worker", "heartbeat_at"])
    marker = progress_path(batch)
    last_beat = time.monotonic()

    def report(rows: int, seconds: float) -> None:
        nonlocal last_beat
        marker.write_text(f"{rows} {seconds:.1f}")
        if not connection.in_atomic_block and time.monotonic() - last_beat >= HEARTBEAT_EVERY:
            # Staging runs outside any transaction: the heartbeat is seen at once.
            last_beat = time.monotonic()
            try:
                ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
            except OperationalError as error:
                # another import merging holds SQLite's write lock: this beat is
                # skipped, the next one tried (a lease lasts minutes, a beat 2 s)
                if not is_busy(error):
                    raise
        if progress is not None:
            progress(rows, seconds)

    def finish(result: ImportResult) -> None:  # inside the merge's transaction
        batch.status = BatchStatus.DONE
        batch.encoding = result.encoding
        batch.rows = result.rows
        batch.imported = result.imported
        batch.updated = result.updated
        batch.rejected = result.rejected
        batch.rejects_path = str(result.rejects_path or "")
        batch.finished_at = batch.heartbeat_at = timezone.now()
        batch.save()
        record_change(actor, Action.CREATE, batch, after=snapshot(batch))
        announce(
            "import_finished",
            [actor] if actor is not None else [],
            file=batch.file_name,
            table=_table_term(batch),
            written=batch.imported + batch.updated,
            rejected=batch.rejected,
        )

    rejects_file = rejects_path or default_rejects_path(batch)
    rejects_file.unlink(missing_ok=True)  # a re-run starts a fresh one
    try:
        result = import_file(
            actor,
            batch.table,
            batch.file_path,
            file_name=batch.file_name,
            rejects_path=rejects_file,
            chunk_size=chunk_size,
            progress=report,
            finish=finish,
            audit_batch=f"import-{batch.pk}",
            options=batch.options,
        )
    except (Exception, KeyboardInterrupt) as error:  # Ctrl-C of `attain import` too
        batch.status = BatchStatus.FAILED
        if isinstance(error, KeyboardInterrupt):
            batch.error = str(INTERRUPTED)
        elif is_busy(error):  # another import or a calculation held the write lock
            batch.error = str(BUSY)
        elif isinstance(error, FileProblem):
            batch.error = str(error)
        else:  # a bug: its text for whoever reports it
            batch.error = _("The import stopped on an unexpected error: %(error)s") % {
                "error": repr(error)
            }
        batch.finished_at = timezone.now()
        batch.save()
        record_change(actor, Action.CREATE, batch, after=snapshot(batch), reason=batch.error)
        announce(
            "import_failed",
            [actor] if actor is not None else [],
            file=batch.file_name,
            table=_table_term(batch),
            error=batch.error[:300],
        )
        raise
    finally:
        marker.unlink(missing_ok=True)
    if result.invitations_failed:  # the import stands; its page says the mail did not go
        batch.options = {**batch.options, "invitations_failed": result.invitations_failed}
        ImportBatch.objects.filter(pk=batch.pk).update(options=batch.options)
    if result.warnings:  # already in the batch's language; the page lists them
        batch.options = {**batch.options, "warnings": result.warnings[:WARNINGS_KEPT]}
        ImportBatch.objects.filter(pk=batch.pk).update(options=batch.options)
    return result


def _table_term(batch: ImportBatch) -> str:
    """The table as its catalogue entry (``"orders"``), which the notification gives in
    each reader's language (:mod:`attain.notify.kinds`, ``terms``)."""
    with translation.override("en"):
        return str(batch.table_label)


def fail_abandoned_batches() -> int:
    """Mark failed the batches whose worker died (:func:`attain.web.leases.abandoned`):
    the merge's transaction died with it, so nothing of the file was written, and the
    batch may be run again (:func:`retry_batch`). Called by the worker when it starts
    and between tasks, and by the pages and endpoints that show batches."""

    def mark(batch: ImportBatch, reason: str) -> None:
        batch.status = BatchStatus.FAILED
        batch.error = reason
        batch.finished_at = timezone.now()
        batch.save()
        record_change(None, Action.UPDATE, batch, after=snapshot(batch), reason=reason)
        progress_path(batch).unlink(missing_ok=True)

    return leases.fail_abandoned(
        ImportBatch.objects.filter(status=BatchStatus.RUNNING),
        _(
            "The worker running this import (%(worker)s) stopped before it finished; "
            "nothing from the file was saved. Run it again."
        ),
        mark,
        started="started_at",
    )


def fail_unstarted_batch(batch_id: int, worker: str) -> int:
    """Mark failed a batch still queued whose task's worker died before it began: no
    worker would ever take it again, and a failed batch may be run again. Returns 1 when
    it was marked, else 0."""
    reason = _(
        "The worker that took this import (%(worker)s) stopped before it began; "
        "nothing from the file was saved. Run it again."
    ) % {"worker": worker}
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.status not in {BatchStatus.UPLOADED, BatchStatus.QUEUED}:
            return 0
        batch.status = BatchStatus.FAILED
        batch.error = reason
        batch.finished_at = timezone.now()
        batch.save()
        record_change(None, Action.UPDATE, batch, after=snapshot(batch), reason=reason)
    return 1


def retry_batch(actor: Any, batch: ImportBatch) -> ImportBatch:
    """Queue a failed batch again (its stored file, from the start). Raises
    ``ValidationError`` when the batch has not failed or its file is gone.

    The batch goes back to the queue in one conditional statement (failed → queued), as
    a worker takes a queued batch (:func:`attain.intake.tasks.run_import`): of two
    retries at once (a double click served by two web processes, two tabs showing the
    failed batch, two API calls) one queues it and writes the audit line, the other
    finds it no longer failed."""
    spec = get_table(batch.table)
    if not can_import(actor, spec) or (actor is not None and not can_see_batch(actor, batch)):
        raise PermissionDenied(_("You may not import %(table)s.") % {"table": spec.label})
    if batch.status != BatchStatus.FAILED:
        raise ValidationError(_("Only a failed import can be run again."))
    if not Path(batch.file_path).is_file():
        raise ValidationError(_("The imported file is no longer stored; upload it again."))
    before = snapshot(batch)
    with transaction.atomic():
        taken = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.FAILED).update(
            status=BatchStatus.QUEUED,
            error="",
            worker="",
            encoding="",
            rejects_path="",
            rows=0,
            imported=0,
            updated=0,
            rejected=0,
            started_at=None,
            finished_at=None,
            heartbeat_at=None,
        )
        batch.refresh_from_db()
        if not taken:  # another request queued it first
            raise ValidationError(_("Only a failed import can be run again."))
        record_change(
            actor,
            Action.UPDATE,
            batch,
            before=before,
            after=snapshot(batch),
            reason=gettext_noop("Retry"),
        )
    return batch
