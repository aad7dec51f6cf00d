"""Background imports through Django's task interface (django-tasks)."""

from __future__ import annotations

import contextlib

from django.utils import timezone, translation
from django_tasks import task

from attain.web import leases

from .models import BatchStatus, ImportBatch
from .reading import FileProblem
from .services import batch_language, run_batch


@task()
def run_import(batch_id: int, language: str = "") -> str:
    """Run an uploaded batch; the outcome is stored on the batch. The worker speaks the
    deployment's language, so the rejects file and a failed batch's error are written in
    the language of the user who started the import (:func:`batch_language`; ``language``
    is the one they were using when they started it)."""
    # The worker takes the batch in one statement: a batch queued twice (a double click
    # served by two web processes) is imported by one worker only; the other returns.
    now = timezone.now()
    taken = ImportBatch.objects.filter(
        pk=batch_id, status__in=(BatchStatus.UPLOADED, BatchStatus.QUEUED)
    ).update(
        status=BatchStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        worker=leases.holder(),
    )
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    if not taken:
        return batch.status
    with translation.override(batch_language(batch, language)), contextlib.suppress(FileProblem):
        run_batch(batch)  # a file problem is recorded on the batch
    return ImportBatch.objects.get(pk=batch_id).status


def enqueue_import(batch: ImportBatch) -> None:
    batch.status = BatchStatus.QUEUED
    batch.save(update_fields=["status"])
    run_import.enqueue(batch.pk, translation.get_language() or "")
