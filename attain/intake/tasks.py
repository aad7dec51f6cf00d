"""Background imports through Django's task interface (django-tasks)."""

from __future__ import annotations

import contextlib

from django_tasks import task

from .models import BatchStatus, ImportBatch
from .reading import FileProblem
from .services import run_batch


@task()
def run_import(batch_id: int) -> str:
    """Run an uploaded batch; the outcome is stored on the batch."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    if batch.status not in {BatchStatus.UPLOADED, BatchStatus.QUEUED}:
        return batch.status
    with contextlib.suppress(FileProblem):  # recorded on the batch
        run_batch(batch)
    return ImportBatch.objects.get(pk=batch_id).status


def enqueue_import(batch: ImportBatch) -> None:
    batch.status = BatchStatus.QUEUED
    batch.save(update_fields=["status"])
    run_import.enqueue(batch.pk)
