"""The "Run the import again" button acts once: a double click on it, two tabs showing
the failed batch, or two API calls at the same moment queue the batch once and write one
"Retry" line in the audit trail (the import itself was already taken once by one worker:
tests/test_runs_once.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from attain.audit.models import AuditEvent
from attain.intake import services
from attain.intake.models import BatchStatus, ImportBatch
from attain.web.once import FIELD
from attain.web.testing import at_once

from .test_web import CSV, login


def failed_batch(company: Any, content: bytes = CSV) -> ImportBatch:
    batch = services.create_batch(
        company.users["sales_ops"], "orders", SimpleUploadedFile("去年订单.csv", content)
    )
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED, error="stopped")
    batch.refresh_from_db()
    return batch


def retries(batch: ImportBatch) -> int:
    return AuditEvent.objects.filter(
        content_type__model="importbatch", object_id=str(batch.pk), reason="Retry"
    ).count()


def test_a_batch_shown_failed_in_two_tabs_is_retried_once(company: Any, customers: Any) -> None:
    """Both tabs read the batch failed; the second tab's retry found its own copy
    failed and queued it again: two "Retry" lines."""
    batch = failed_batch(company)
    other_tab = ImportBatch.objects.get(pk=batch.pk)
    actor = company.users["sales_ops"]
    services.retry_batch(actor, batch)
    with pytest.raises(ValidationError, match="Only a failed import"):
        services.retry_batch(actor, other_tab)
    assert retries(batch) == 1
    assert ImportBatch.objects.get(pk=batch.pk).status == BatchStatus.QUEUED


def test_run_again_clicked_twice_runs_once(client: Client, company: Any, customers: Any) -> None:
    """The retry fails again at once (the file lacks a column), so the second click of
    the same button found the batch failed once more and ran it a second time."""
    batch = failed_batch(company, content="订单号,客户编号\nW-1,C1\n".encode())
    login(client, company, "sales_ops")
    page = client.get(reverse("intake-batch", args=[batch.pk])).content.decode()
    form = re.search(r'<form method="post" action="[^"]*/retry/".*?</form>', page, re.S)
    assert form is not None
    key = re.search(rf'name="{FIELD}" value="([0-9a-f]+)"', form.group(0))
    assert key, "the retry form carries no one-time key"
    url = reverse("intake-retry", args=[batch.pk])
    first = client.post(url, {FIELD: key.group(1)})
    assert first.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED  # failed again: the file lacks a column
    second = client.post(url, {FIELD: key.group(1)}, follow=True)
    assert retries(batch) == 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert "already sent" in second.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_retries_at_the_same_moment_queue_once(company: Any, customers: Any) -> None:
    batch = failed_batch(company)
    actor = company.users["sales_ops"]
    # each request read the batch failed (the page's lookup) before either retried it
    copies = [ImportBatch.objects.get(pk=batch.pk) for _ in range(2)]
    outcomes = at_once(lambda: services.retry_batch(actor, copies.pop()))
    assert sum(isinstance(outcome, ValidationError) for outcome in outcomes) == 1, outcomes
    assert retries(batch) == 1
