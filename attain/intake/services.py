"""Import batches: store an upload, run it (from the CLI or a background task), record
it in the audit trail. The engine itself is :mod:`attain.intake.importer`."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.audit.models import Action
from attain.audit.services import record_change, snapshot

from . import reading
from .access import can_import
from .importer import (
    CHUNK_SIZE,
    SAMPLE_SIZE,
    ImportResult,
    get_table,
    import_file,
)
from .models import BatchStatus, ImportBatch
from .reading import FileProblem


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / timezone.localdate().strftime("%Y/%m")


def _safe_name(name: str) -> str:
    base = Path(name).name
    return re.sub(r"[^\w.\-]+", "_", base)[-120:] or "upload"


def create_batch(actor: Any, table: str, upload: UploadedFile[bytes]) -> ImportBatch:
    """Store an uploaded file under MEDIA_ROOT and create its batch (not run yet)."""
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
    )


def batch_for_file(table: str, path: Path) -> ImportBatch:
    """A batch for a file imported from the command line (by the system)."""
    get_table(table)
    return ImportBatch.objects.create(
        table=table, file_name=path.name[:255], file_path=str(path.resolve())
    )


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
    the whole file is validated by the import itself, in the background."""
    return import_file(
        batch.created_by,
        batch.table,
        batch.file_path,
        file_name=batch.file_name,
        dry_run=True,
        sample_size=SAMPLE_SIZE,
        row_limit=reading.limits()["PREVIEW_ROWS"],
    )


def run_batch(
    batch: ImportBatch,
    *,
    rejects_path: Path | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Any = None,
) -> ImportResult:
    """Import the batch's file in one transaction, with the batch's counts and its audit
    event written in the same transaction. A file-level problem marks the batch failed
    and is raised again as :class:`FileProblem`."""
    actor = batch.created_by
    batch.status = BatchStatus.RUNNING
    batch.started_at = timezone.now()
    batch.save(update_fields=["status", "started_at"])
    marker = progress_path(batch)

    def report(rows: int, seconds: float) -> None:
        marker.write_text(f"{rows} {seconds:.1f}")
        if progress is not None:
            progress(rows, seconds)

    try:
        with transaction.atomic():
            result = import_file(
                actor,
                batch.table,
                batch.file_path,
                file_name=batch.file_name,
                rejects_path=rejects_path or default_rejects_path(batch),
                chunk_size=chunk_size,
                progress=report,
                audit_batch=f"import-{batch.pk}",
            )
            batch.status = BatchStatus.DONE
            batch.encoding = result.encoding
            batch.rows = result.rows
            batch.imported = result.imported
            batch.updated = result.updated
            batch.rejected = result.rejected
            batch.rejects_path = str(result.rejects_path or "")
            batch.finished_at = timezone.now()
            batch.save()
            record_change(actor, Action.CREATE, batch, after=snapshot(batch))
    except Exception as error:
        batch.status = BatchStatus.FAILED
        batch.error = str(error) if isinstance(error, FileProblem) else repr(error)
        batch.finished_at = timezone.now()
        batch.save()
        record_change(actor, Action.CREATE, batch, after=snapshot(batch), reason=batch.error)
        raise
    finally:
        marker.unlink(missing_ok=True)
    return result
