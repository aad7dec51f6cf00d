"""Evidence files cannot carry script: uploads are checked by content against an
allow-list, and whatever is stored is served as an attachment with a safe type."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from attain.conftest import client_for
from attain.crm.models import Activity, Evidence
from attain.crm.tests import make
from attain.web.testing import HTML_BYTES, M4A_BYTES, PDF_BYTES, SVG_BYTES, image_bytes


def _post_activity(client: Client, crm, **files: SimpleUploadedFile) -> object:
    return client.post(
        "/api/activities/",
        {
            "kind": "visit",
            "customer": crm.customers["c_r1"].external_id,
            "occurred_at": "2026-11-25T09:30:00+08:00",
            "summary": "evidence check",
            **files,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.parametrize(
    ("field", "name", "content"),
    [
        ("file", "offer.html", HTML_BYTES),
        ("file", "logo.svg", SVG_BYTES),
        ("photo", "door.svg", SVG_BYTES),
        ("photo", "door.jpg", HTML_BYTES),  # the name lies: the content decides
        ("photo", "offer.pdf", PDF_BYTES),  # a real PDF, but not a photo
        ("recording", "call.m4a", image_bytes()),
        ("photo", "broken.jpg", b"\xff\xd8\xff\xe0 not really a jpeg"),
    ],
)
def test_api_rejects_disallowed_evidence(company, crm, settings, tmp_path, field, name, content):
    settings.MEDIA_ROOT = tmp_path
    response = _post_activity(
        client_for(company, "rep"), crm, **{field: SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400, response.content
    fields = response.json()["error"]["fields"]
    assert list(fields) == [field]
    assert not Activity.objects.filter(summary="evidence check").exists()
    assert not list(tmp_path.rglob("*.*"))  # nothing stored


def test_api_accepts_allowed_evidence(company, crm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = _post_activity(
        client_for(company, "rep"),
        crm,
        photo=SimpleUploadedFile("door.png", image_bytes("PNG")),
        file=SimpleUploadedFile("offer.pdf", PDF_BYTES),
        recording=SimpleUploadedFile("call.m4a", M4A_BYTES),
    )
    assert response.status_code == 201, response.content
    assert sorted(e["kind"] for e in response.json()["evidence"]) == ["file", "photo", "recording"]


def test_rejection_is_translated(company, crm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(company, "rep")
    response = client.post(
        "/api/activities/",
        {
            "kind": "visit",
            "customer": crm.customers["c_r1"].external_id,
            "occurred_at": "2026-11-25T09:30:00+08:00",
            "file": SimpleUploadedFile("x.html", HTML_BYTES),
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "不接受" in response.json()["error"]["fields"]["file"][0]


@pytest.mark.parametrize(
    ("limit", "at_most", "field", "upload", "message"),
    [
        ("EVIDENCE_MAX_BYTES", 1000, "file", ("a.pdf", PDF_BYTES + b"x" * 2000), "larger than"),
        ("IMAGE_MAX_PIXELS", 100, "photo", ("big.png", image_bytes("PNG", (20, 20))), "pixels"),
    ],
    ids=["too many bytes", "too many pixels"],
)
def test_evidence_over_a_limit_is_rejected(
    company, crm, settings, tmp_path, limit, at_most, field, upload, message
):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTAIN_LIMITS = {**settings.ATTAIN_LIMITS, limit: at_most}
    response = _post_activity(
        client_for(company, "rep"), crm, **{field: SimpleUploadedFile(*upload)}
    )
    assert response.status_code == 400
    assert message in response.json()["error"]["fields"][field][0]


def test_web_form_rejects_html_evidence(company, crm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    customer = crm.customers["c_r1"]
    response = client_for(company, "rep").post(
        f"/crm/customers/{customer.external_id}/activities/new/",
        {
            "kind": "visit",
            "occurred_at": "2026-11-25T09:30",
            "summary": "html evidence",
            "file": SimpleUploadedFile("x.html", HTML_BYTES),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "This type of file is not accepted here" in response.content.decode()
    assert not Activity.objects.filter(summary="html evidence").exists()


def _stored(crm, company, name: str, content: bytes, kind: str = "file") -> Evidence:
    """Evidence stored before the upload checks existed (no check on this path)."""
    activity = make.activity(crm.customers["c_r1"], company.people["r1"])
    evidence = Evidence(activity=activity, kind=kind)
    evidence.file.save(name, ContentFile(content))
    return evidence


@pytest.mark.parametrize(("name", "content"), [("old.html", HTML_BYTES), ("old.svg", SVG_BYTES)])
def test_stored_markup_is_served_as_a_harmless_attachment(
    company, crm, settings, tmp_path, name, content
):
    settings.MEDIA_ROOT = tmp_path
    evidence = _stored(crm, company, name, content)
    response = client_for(company, "rep").get(f"/crm/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".bin" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == content


def test_allowed_types_are_served_with_their_type(company, crm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = _stored(crm, company, "offer.pdf", PDF_BYTES)
    response = client_for(company, "rep").get(f"/crm/evidence/{pdf.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="offer.pdf"'
    note = _stored(crm, company, "note.txt", "拜访记录".encode())
    response = client_for(company, "rep").get(f"/crm/evidence/{note.pk}/")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")


def test_photo_preview_is_re_encoded_without_metadata(company, crm, settings, tmp_path):
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    original = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    Image.new("RGB", (1600, 900), "blue").save(original, "JPEG", exif=exif)
    photo = _stored(crm, company, "door.jpg", original.getvalue(), kind="photo")
    client = client_for(company, "rep")
    response = client.get(f"/crm/evidence/{photo.pk}/?preview=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    preview = Image.open(io.BytesIO(response.content))
    assert max(preview.size) == 640
    assert b"SecretCam" not in response.content
    # Not an image: no preview.
    pdf = _stored(crm, company, "offer.pdf", PDF_BYTES)
    assert client.get(f"/crm/evidence/{pdf.pk}/?preview=1").status_code == 404


def test_every_uploaded_file_is_audited_with_its_hash(company, crm, settings, tmp_path):
    """Issue 11: evidence uploads were not audited. Each file's event keeps its name,
    size and SHA-256, and it names the uploader."""
    import hashlib

    from attain.audit.selectors import history

    settings.MEDIA_ROOT = tmp_path
    pdf = PDF_BYTES
    response = _post_activity(
        client_for(company, "rep"), crm, file=SimpleUploadedFile("offer.pdf", pdf)
    )
    assert response.status_code == 201, response.content
    evidence = Evidence.objects.get()
    event = history(evidence).get()
    assert event.action == "create" and event.actor == company.users["rep"]
    assert event.after["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert event.after["bytes"] == len(pdf) and event.after["kind"] == "file"
