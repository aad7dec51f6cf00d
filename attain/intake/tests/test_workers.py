"""A batch whose worker died is marked failed (translated reason), and runs again from
the page and the API; a batch also records its worker and heartbeat."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from attain.crm.models import Order
from attain.intake.models import BatchStatus, ImportBatch
from attain.intake.services import create_batch, fail_abandoned_batches
from attain.web import leases
from attain.web.testing import dead_pid

from .test_web import CSV, login, upload


def killed_batch(company: Any, **fields: Any) -> ImportBatch:
    """A batch as a worker killed with -9 leaves it: running, nothing imported."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    batch = create_batch(
        company.users["sales_ops"], "orders", SimpleUploadedFile("去年订单.csv", CSV)
    )
    defaults = {
        "status": BatchStatus.RUNNING,
        "started_at": timezone.now(),
        "heartbeat_at": timezone.now(),
        "worker": f"{leases.host()}:{dead_pid()}",
    }
    ImportBatch.objects.filter(pk=batch.pk).update(**{**defaults, **fields})
    batch.refresh_from_db()
    return batch


def test_a_batch_records_its_worker(client: Client, company: Any, customers: Any) -> None:
    login(client, company, "sales_ops")
    upload(client)
    batch = ImportBatch.objects.get()
    client.post(reverse("intake-preview", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert batch.worker == leases.holder()
    assert batch.heartbeat_at is not None


def test_dead_worker_batch_fails_then_runs_again_from_the_page(
    client: Client, company: Any, customers: Any
) -> None:
    batch = killed_batch(company)
    login(client, company, "sales_ops")
    with translation.override("zh-hans"):
        page = client.get(reverse("intake-batch", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert "重新运行" in batch.error  # the reason, in the reader's language
    assert reverse("intake-retry", args=[batch.pk]) in page.content.decode()
    response = client.post(reverse("intake-retry", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.imported, batch.rejected) == (BatchStatus.DONE, 2, 1)
    assert batch.error == ""
    assert Order.objects.count() == 2


def test_old_heartbeat_of_another_host_fails_then_retry_by_api(
    client: Client, company: Any, customers: Any, settings: Any
) -> None:
    settings.ATTAIN_WORKER_LEASE_SECONDS = 60
    old = timezone.now() - datetime.timedelta(seconds=61)
    batch = killed_batch(company, worker="elsewhere:123", heartbeat_at=old)
    fresh = killed_batch(company, worker="elsewhere:124")  # heartbeat now: alive
    assert fail_abandoned_batches() == 1
    fresh.refresh_from_db()
    assert fresh.status == BatchStatus.RUNNING
    login(client, company, "sales_ops")
    body = client.get(f"/api/imports/{batch.pk}/").json()
    assert body["status"] == "failed" and "elsewhere:123" in body["error"]
    response = client.post(f"/api/imports/{batch.pk}/retry/")
    assert response.status_code == 202
    batch.refresh_from_db()
    assert (batch.status, batch.imported) == (BatchStatus.DONE, 2)
    again = client.post(f"/api/imports/{batch.pk}/retry/")  # only a failed batch
    assert again.status_code == 400
    login(client, company, "rep")
    assert client.post(f"/api/imports/{fresh.pk}/retry/").status_code in {403, 404}


def test_a_living_local_worker_is_not_reaped(company: Any, customers: Any) -> None:
    batch = killed_batch(company, worker=leases.holder())
    assert fail_abandoned_batches() == 0
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RUNNING


@pytest.mark.django_db(transaction=True)  # the heartbeat is written outside a transaction
def test_a_heartbeat_the_database_is_too_busy_for_does_not_fail_the_import(
    company: Any, customers: Any, monkeypatch: Any
) -> None:
    """Another import merging holds SQLite's write lock for longer than the busy timeout:
    this import, still reading its file, skips the heartbeat it cannot write (the next
    one is tried 2 s later) instead of failing with "OperationalError('database is
    locked')"."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import OperationalError
    from django.db.models import QuerySet

    from attain.intake import services

    batch = create_batch(
        company.users["sales_ops"], "orders", SimpleUploadedFile("去年订单.csv", CSV)
    )
    update = QuerySet.update
    beats: list[int] = []

    def locked(self: QuerySet[Any], **fields: Any) -> int:
        if self.model is ImportBatch and set(fields) == {"heartbeat_at"}:
            beats.append(1)
            raise OperationalError("database is locked")
        return update(self, **fields)

    monkeypatch.setattr(QuerySet, "update", locked)
    monkeypatch.setattr(services, "HEARTBEAT_EVERY", 0.0)
    result = services.run_batch(batch, chunk_size=1)
    batch.refresh_from_db()
    assert beats  # the heartbeat was tried, and found the database locked
    assert (batch.status, result.imported, result.rejected) == (BatchStatus.DONE, 2, 1)
    assert Order.objects.filter(external_id="W-1").exists()
