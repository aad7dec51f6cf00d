"""Verifying records (docs/pay.md, "Records that count"): finance or sales operations
verify or reject records that wait, one by one or in bulk; sales operations set each
record table's policy. Every change is audited and, through the model hooks of
:mod:`attain.crm.events`, sends ``records_changed`` so results follow."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.audit.models import Action
from attain.audit.services import record_change, save_values, snapshot
from attain.org.selectors import person_of

from ..access import check_edit_record_policy, check_verify_records
from ..models import MAX_FUTURE_DAYS_LIMIT, RecordPolicy, Verification
from ..records import PLACEMENTS
from .common import user_of


def record_digest(record: models.Model) -> str:
    """A digest of every field of ``record`` as it stands: the review page sends back
    those of the records it showed, so that one changed since is not verified unseen."""
    text = json.dumps(snapshot(record), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def verify_records(
    actor: Any,
    model: type[models.Model],
    pks: Iterable[int],
    state: str = Verification.VERIFIED,
    *,
    reason: str = "",
    shown: Mapping[int, str] | None = None,
) -> int:
    """Set the verification ``state`` of the ``model`` records ``pks``; returns how many
    changed. Rejecting needs a reason. ``shown`` (pk → :func:`record_digest`), when
    given: the records as a page showed them; one changed since refuses the request."""
    check_verify_records(actor)
    if model.__name__ not in PLACEMENTS or not hasattr(model, "verification"):
        raise ValidationError({"table": _("This record table is not verified.")})
    if state not in (Verification.VERIFIED, Verification.REJECTED, Verification.PENDING):
        raise ValidationError(
            {"state": _("Unknown verification state “%(state)s”.") % {"state": state}}
        )
    if state == Verification.REJECTED and not reason.strip():
        raise ValidationError({"reason": _("Give the reason for rejecting.")})
    changed = 0
    now = timezone.now()
    me = person_of(actor)
    credited = PLACEMENTS[model.__name__].people
    with transaction.atomic():
        records = model._default_manager.select_for_update().filter(pk__in=list(pks))
        own = [r for r in records if me is not None and me.pk in {getattr(r, n) for n in credited}]
        if own:  # segregation of duties, as for payouts: all or nothing
            raise PermissionDenied(
                _("%(records)s is credited to you: another login verifies or rejects it.")
                % {
                    "records": ", ".join(
                        str(getattr(r, "external_id", "") or r.pk) for r in own[:20]
                    )
                }
            )
        changed_since = [
            str(getattr(r, "external_id", "") or r.pk)
            for r in records.order_by("pk")
            if shown is not None and shown.get(r.pk) != record_digest(r)
        ]
        if changed_since:  # all or nothing, as above
            raise ValidationError(
                {
                    "ids": _("%(records)s changed since the page was shown: look again.")
                    % {"records": ", ".join(changed_since[:20])}
                }
            )
        for record in records.order_by("pk"):
            if record.verification == state:
                continue
            verified = {"verification": state, "verified_by": user_of(actor), "verified_at": now}
            save_values(actor, record, verified, reason=reason)
            changed += 1
    return changed


def set_record_policy(
    actor: Any,
    table: str,
    *,
    review_own: bool,
    max_future_days: int,
    amount_ceiling: Decimal,
    reason: str = "",
) -> RecordPolicy:
    """Store one record table's policy (audited)."""
    check_edit_record_policy(actor)
    tables = {placement.table for placement in PLACEMENTS.values()} | {"opportunities"}
    errors: dict[str, str] = {}
    if table not in tables:
        errors["table"] = _("Unknown record table “%(table)s”.") % {"table": table}
    if max_future_days < 0:
        errors["max_future_days"] = _("Days into the future must not be negative.")
    elif max_future_days > MAX_FUTURE_DAYS_LIMIT:
        errors["max_future_days"] = _("Days into the future must be at most %(limit)s.") % {
            "limit": MAX_FUTURE_DAYS_LIMIT
        }
    if amount_ceiling <= 0:
        errors["amount_ceiling"] = _("The amount ceiling must be greater than 0.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = RecordPolicy.objects.select_for_update().filter(table=table).first()
        before = snapshot(row) if row is not None else None
        row = row or RecordPolicy(table=table)
        row.review_own = review_own
        row.max_future_days = max_future_days
        row.amount_ceiling = amount_ceiling
        row.save()
        action = Action.UPDATE if before is not None else Action.CREATE
        record_change(actor, action, row, before=before, after=snapshot(row), reason=reason)
    return row
