"""One import runs once: a double click on "Import" (or "Retry") served by two web
processes queues the batch twice, and two workers take both tasks at the same moment."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from attain.audit.models import AuditEvent
from attain.intake import tasks
from attain.intake.models import BatchStatus, ImportBatch
from attain.intake.services import create_batch
from attain.web.testing import at_once

from .test_web import CSV


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_batch_queued_twice_is_imported_once(company: Any, customers: Any, monkeypatch) -> None:
    """Both workers found the batch queued and imported it: two audit events, two
    "import finished" notifications, two merges of the same rows at once."""
    batch = create_batch(company.users["sales_ops"], "orders", SimpleUploadedFile("订单.csv", CSV))
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.QUEUED)
    both = threading.Barrier(2)
    real = tasks.batch_language

    def language(*args: Any, **kwargs: Any) -> str:  # after the worker took the batch
        with contextlib.suppress(threading.BrokenBarrierError):
            both.wait(timeout=3)
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks, "batch_language", language)
    outcomes = at_once(lambda: tasks.run_import.call(batch.pk))
    assert all(isinstance(outcome, str) for outcome in outcomes), outcomes
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    imports = AuditEvent.objects.filter(content_type__model="importbatch", action="create")
    assert imports.count() == 1
