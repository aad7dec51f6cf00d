"""The import pages and API, driven through the Django test client with the immediate
task backend (the import runs inside the request)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from attain.crm.models import Order
from attain.intake.models import BatchStatus, ImportBatch

CSV = (
    "订单号,客户编号,负责人,下单日期,金额,状态\n"
    'W-1,C1,r1,2025-03-10,"￥1,234.50",已确认\n'
    "W-2,C1,E9999,2025-03-10,10,已确认\n"
    "W-3,C2,r2,2025/3/11,20,已取消\n"
).encode("gbk")  # as Excel saves a Chinese CSV


def login(client: Client, company: Any, role: str) -> Client:
    client.force_login(company.users[role])
    return client


def upload(client: Client, table: str = "orders", content: bytes = CSV) -> Any:
    return client.post(
        reverse("intake"),
        {"table": table, "file": SimpleUploadedFile("去年订单.csv", content)},
    )


def test_preview_then_import_then_status(client: Client, company: Any, customers: Any) -> None:
    login(client, company, "sales_ops")
    response = upload(client)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake-preview", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert "GB18030 (GBK)" in page
    assert "unknown owner “E9999”" in page
    assert not Order.objects.exists()  # the preview writes nothing
    response = client.post(reverse("intake-preview", args=[batch.pk]))
    assert response["Location"] == reverse("intake-batch", args=[batch.pk])
    batch.refresh_from_db()
    assert (batch.status, batch.imported, batch.rejected) == (BatchStatus.DONE, 2, 1)
    assert Order.objects.count() == 2
    page = client.get(reverse("intake-batch", args=[batch.pk])).content.decode()
    assert 'hx-trigger="every 1s"' not in page  # done: no more polling
    rejects = client.get(reverse("intake-rejects", args=[batch.pk]))
    body = b"".join(rejects.streaming_content).decode("utf-8-sig")
    assert "E9999" in body and "unknown owner" in body
    history = client.get(reverse("intake")).content.decode()
    assert "去年订单.csv" in history


def test_running_batch_polls(client: Client, company: Any, customers: Any) -> None:
    login(client, company, "admin")
    batch = ImportBatch.objects.create(
        table="orders",
        file_name="x.csv",
        file_path="/nowhere",
        status=BatchStatus.RUNNING,
        created_by=company.users["admin"],
    )
    page = client.get(reverse("intake-batch", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in page.content.decode()


def test_missing_column_shows_the_problem(client: Client, company: Any, customers: Any) -> None:
    login(client, company, "finance")
    upload(client, content="订单号,客户编号\nW-1,C1\n".encode())
    batch = ImportBatch.objects.get()
    page = client.get(reverse("intake-preview", args=[batch.pk])).content.decode()
    assert "no column" in page and "owner" in page


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 302),
        ("sales_ops", 302),
        ("finance", 302),
        ("manager", 302),
        ("executive", 403),
        ("rep", 403),
    ],
)
def test_who_may_upload(
    client: Client, company: Any, customers: Any, role: str, status: int
) -> None:
    login(client, company, role)
    assert upload(client).status_code == status


def test_anonymous_is_sent_to_login(client: Client, db: None) -> None:
    assert client.get(reverse("intake")).status_code == 302


def test_rep_gets_403_on_the_page(client: Client, company: Any) -> None:
    login(client, company, "rep")
    assert client.get(reverse("intake")).status_code == 403


def test_manager_cannot_upload_customers(client: Client, company: Any, customers: Any) -> None:
    login(client, company, "manager")
    response = upload(client, table="customers")
    assert response.status_code == 200  # the form refuses the table
    assert not ImportBatch.objects.exists()


def test_export_downloads(client: Client, company: Any, customers: Any) -> None:
    login(client, company, "finance")
    response = client.get(reverse("intake-export", args=["customers", "csv"]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("external_id,name,credit_code")
    assert "上海华信有限公司" in body
    response = client.get(reverse("intake-export", args=["customers", "xlsx"]))
    assert b"".join(response.streaming_content)[:2] == b"PK"
    login(client, company, "manager")
    assert client.get(reverse("intake-export", args=["customers", "csv"])).status_code == 403


def test_api_upload_and_status(
    client: Client, company: Any, customers: Any, tmp_path: Path
) -> None:
    login(client, company, "sales_ops")
    response = client.post(
        "/api/imports/", {"table": "orders", "file": SimpleUploadedFile("o.csv", CSV)}
    )
    assert response.status_code == 202
    batch_id = response.json()["id"]
    status = client.get(f"/api/imports/{batch_id}/").json()
    assert (status["status"], status["imported"], status["rejected"]) == ("done", 2, 1)
    assert status["rejects_url"].endswith(f"/intake/{batch_id}/rejects/")


def test_api_errors(client: Client, company: Any, customers: Any) -> None:
    login(client, company, "rep")
    response = client.post(
        "/api/imports/", {"table": "orders", "file": SimpleUploadedFile("o.csv", CSV)}
    )
    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403
    login(client, company, "admin")
    response = client.post("/api/imports/", {"table": "nonsense"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"table", "file"}
    assert client.get("/api/imports/999/").status_code == 404


def test_an_xlsx_export_leaves_nothing_in_the_temporary_folder(
    client: Client, company: Any, customers: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    # each download left an empty folder behind (mkdtemp), thousands over a year
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    login(client, company, "finance")
    response = client.get(reverse("intake-export", args=["customers", "xlsx"]))
    assert b"".join(response.streaming_content)[:2] == b"PK"
    response.close()
    assert list(scratch.iterdir()) == []


def test_the_csv_export_writes_times_in_the_company_time_zone(
    client: Client, company: Any, customers: Any
) -> None:
    # the CSV is streamed after the middleware has put the default zone back: its
    # times were the deployment's (ATTAIN_TIME_ZONE), the XLSX's and the import's the
    # company's, so a CSV export re-imported on the page moved every visit by hours
    import datetime

    from attain.crm.services.activities import log_activity
    from attain.org.testing import set_company_time_zone

    set_company_time_zone("America/New_York")
    log_activity(
        None,
        kind="visit",
        customer=customers["C1"],
        owner=company.people["r1"],
        occurred_at=datetime.datetime(2025, 3, 10, 15, 0, tzinfo=datetime.UTC),
        external_id="A1",
    )
    login(client, company, "finance")
    response = client.get(reverse("intake-export", args=["activities", "csv"]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "2025-03-10 11:00:00" in body  # EDT
