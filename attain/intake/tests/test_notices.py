"""A finished import is notified (attain.notify)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from attain.intake import services as intake
from attain.notify.models import Notification
from attain.notify.testing import kinds_of

pytestmark = pytest.mark.django_db


def test_a_finished_import_tells_who_imported_it(company, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    admin = company.users["admin"]
    upload = SimpleUploadedFile("units.csv", b"code,name\nx,y\n", content_type="text/csv")
    try:
        batch = intake.create_batch(admin, "customers", upload)
        intake.run_batch(batch)
    except Exception:  # a refused file is a failed import: told as well
        pass
    assert set(kinds_of(admin)) & {"import_finished", "import_failed"}


def test_the_import_notice_names_the_table_in_the_readers_language(
    company, settings, tmp_path
) -> None:
    """The notice gave the table's code ("customers") to a Chinese reader."""
    from django.utils import translation

    from attain.notify.kinds import render

    settings.MEDIA_ROOT = tmp_path
    admin = company.users["admin"]
    upload = SimpleUploadedFile(
        "c.csv", b"external_id,name,owner\nC9,Acme,r1\n", content_type="text/csv"
    )
    intake.run_batch(intake.create_batch(admin, "customers", upload))
    note = Notification.objects.filter(recipient=admin, kind__startswith="import_").get()
    with translation.override("zh-hans"):
        _title, text = render(note.kind, note.params)
    assert "customers" not in text and "客户" in text, text
