"""The rejects file speaks the language of the user who started the import, even though
the background worker runs in the deployment's language (issue 12)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext

from attain.intake.importer import import_file
from attain.intake.models import BatchStatus, ImportBatch
from attain.intake.parsing import normalise_header
from attain.intake.services import batch_language, create_batch
from attain.intake.tables import TABLES
from attain.intake.tasks import run_import
from attain.notify.models import Profile
from attain.org.company import company as company_settings

from .conftest import read_csv
from .test_web import CSV, login, upload


def _batch(company: Any) -> ImportBatch:
    return create_batch(
        company.users["sales_ops"], "orders", SimpleUploadedFile("去年订单.csv", CSV)
    )


def test_a_chinese_users_batch_run_by_the_worker_writes_chinese_rejects(
    company: Any, customers: Any
) -> None:
    Profile.objects.create(user=company.users["sales_ops"], language="zh-hans")
    batch = _batch(company)
    with translation.override("en"):  # as the worker runs: LANGUAGE_CODE "en"
        assert run_import.call(batch.pk) == BatchStatus.DONE
        assert translation.get_language() == "en"  # the override ends with the task
    batch.refresh_from_db()
    assert batch.rejected == 1
    header, row = read_csv(Path(batch.rejects_path))
    assert header[:2] == ["原行号", "拒绝原因"]
    assert row[0] == "3" and "未知的" in row[1] and "E9999" in row[1]
    assert "unknown" not in row[1]


def test_an_english_users_batch_writes_english_rejects(company: Any, customers: Any) -> None:
    Profile.objects.create(user=company.users["sales_ops"], language="en")
    batch = _batch(company)
    with translation.override("zh-hans"):
        run_import.call(batch.pk, "zh-hans")  # the profile's choice wins
    batch.refresh_from_db()
    header, row = read_csv(Path(batch.rejects_path))
    assert header[:2] == ["row", "reason"]
    assert "unknown owner “E9999”" in row[1]


def test_without_a_choice_the_page_language_at_start_then_the_company_default(
    company: Any, customers: Any
) -> None:
    batch = _batch(company)
    assert batch_language(batch, "zh-hans") == "zh-hans"
    assert batch_language(batch) == batch_language(batch, "xx") == company_settings().language
    with translation.override("en"):
        run_import.call(batch.pk, "zh-hans")
    batch.refresh_from_db()
    assert read_csv(Path(batch.rejects_path))[0][:2] == ["原行号", "拒绝原因"]


def test_started_from_a_chinese_page_the_background_import_is_chinese(
    client: Client, company: Any, customers: Any
) -> None:
    login(client, company, "sales_ops")
    upload(client)
    batch = ImportBatch.objects.get()
    preview = reverse("intake-preview", args=[batch.pk])
    page = client.get(preview, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "unknown owner “E9999”" in page  # the preview speaks the request's language
    page = client.get(preview, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "未知的" in page and "E9999" in page
    client.post(reverse("intake-preview", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    rejects = client.get(reverse("intake-rejects", args=[batch.pk]))
    body = b"".join(rejects.streaming_content).decode("utf-8-sig")
    assert body.startswith("原行号,拒绝原因,") and "未知的" in body


def test_the_rejects_columns_fill_no_table_column_in_any_language() -> None:
    """A rejects file is meant to be fixed and imported again: its first two columns must
    be ignored then, so in no language may they be a table column's name or alias."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words = {normalise_header(pgettext("rejects file", w)) for w in ("row", "reason")}
        for spec in TABLES.values():
            for column in spec.columns:
                assert not words & column.headers(), (code, spec.name, column.name)


def test_a_chinese_rejects_file_imports_again(company: Any, customers: Any) -> None:
    Profile.objects.create(user=company.users["sales_ops"], language="zh-hans")
    batch = _batch(company)
    run_import.call(batch.pk)
    batch.refresh_from_db()
    again = import_file(company.users["sales_ops"], "orders", Path(batch.rejects_path))
    assert (again.imported, again.updated, again.rejected) == (0, 0, 1)  # E9999 still unknown
