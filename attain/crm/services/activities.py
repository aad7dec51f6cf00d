"""Activities: visits, calls, meetings and notes, with their evidence files."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from attain.audit.models import Action
from attain.audit.services import record_change
from attain.org.models import Person
from attain.web.files import check_evidence

from ..access import check_write_for
from ..models import Activity, ActivityKind, Customer, Evidence, Opportunity
from .common import refuse, save_new


def log_activity(
    actor: Any,
    *,
    kind: str,
    customer: Customer,
    owner: Person,
    occurred_at: datetime.datetime,
    opportunity: Opportunity | None = None,
    evidence: Iterable[tuple[str, Any]] = (),
    external_id: str | None = None,
    **fields: Any,
) -> Activity:
    """Log a visit, call, meeting or note, with optional evidence (kind, uploaded file)."""
    check_write_for(actor, owner)
    errors: dict[str, str] = {}
    if kind not in ActivityKind.values:
        errors["kind"] = _("Unknown activity kind “%(kind)s”.") % {"kind": kind}
    if opportunity is not None and opportunity.customer_id != customer.pk:
        errors["opportunity"] = _("The opportunity belongs to another customer.")
    refuse(errors, new=Activity, external_id=external_id)
    evidence = list(evidence)
    check_evidence(evidence)  # allowed types by content, sizes, image pixels
    with transaction.atomic():
        activity = save_new(
            actor,
            Activity(
                kind=kind,
                customer=customer,
                owner=owner,
                occurred_at=occurred_at,
                opportunity=opportunity,
                **fields,
            ),
            external_id=external_id,
        )
        for evidence_kind, upload in evidence:
            file = Evidence.objects.create(
                activity=activity,
                kind=evidence_kind,
                file=upload,
                perceptual_hash=photo_hash(upload) if evidence_kind == "photo" else "",
            )
            record_change(actor, Action.CREATE, file, after=_evidence_facts(file))
    return activity


def _evidence_facts(evidence: Evidence) -> dict[str, Any]:
    """What the audit trail keeps of an uploaded file: its name, size and SHA-256, so a
    file changed on disk later can be told from the one uploaded."""
    digest = hashlib.sha256()
    size = 0
    with evidence.file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return {
        "activity": evidence.activity_id,
        "kind": evidence.kind,
        "file": evidence.file.name,
        "bytes": size,
        "sha256": digest.hexdigest(),
    }


def photo_hash(upload: Any) -> str:
    """A photo's perceptual hash (``attain.engine.integrity.perceptual_hash``), or "" when
    the file is not an image Pillow reads."""
    from PIL import Image, UnidentifiedImageError

    from attain.engine.integrity import perceptual_hash

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            grey = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
            values = list(grey.tobytes())  # mode L: one byte per pixel, row by row
        upload.seek(0)
    except (UnidentifiedImageError, OSError, ValueError):
        return ""
    return perceptual_hash([values[row * 9 : row * 9 + 9] for row in range(8)])
