"""Opportunities and the funnel: create one in the first open stage, move it through
the stages (enforcing each stage's requirements)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.audit.models import Action
from attain.audit.services import record_change, snapshot
from attain.org.models import Person

from ..access import check_write_for
from ..models import ActivityKind, Customer, Opportunity, Stage, StageChange, StageKind
from .common import refuse, save_new, user_of


def first_stage() -> Stage:
    stage = Stage.objects.filter(kind=StageKind.OPEN).order_by("position").first()
    if stage is None:
        raise ValidationError({"stage": _("Configure the funnel stages first.")})
    return stage


def create_opportunity(
    actor: Any,
    *,
    customer: Customer,
    name: str,
    owner: Person,
    amount: Decimal,
    stage: Stage | None = None,
    **fields: Any,
) -> Opportunity:
    check_write_for(actor, owner)
    refuse({}, new=Opportunity, external_id=fields.get("external_id"))
    stage = stage or first_stage()
    with transaction.atomic():
        opportunity = save_new(
            actor,
            Opportunity(
                customer=customer, name=name, owner=owner, amount=amount, stage=stage, **fields
            ),
        )
        StageChange.objects.create(
            opportunity=opportunity,
            to_stage=stage,
            changed_by=user_of(actor),
            changed_at=timezone.now(),
        )
    return opportunity


def move_opportunity(
    actor: Any,
    opportunity: Opportunity,
    stage: Stage,
    *,
    reason: str = "",
    on: datetime.date | None = None,
) -> Opportunity:
    """Move an opportunity to another stage, enforcing the stage's requirements: a
    required activity must be logged first, and winning or losing needs a reason."""
    check_write_for(actor, opportunity.owner)
    errors: dict[str, str] = {}
    if stage.pk == opportunity.stage_id:
        errors["stage"] = _("The opportunity is already in this stage.")
    if opportunity.stage.kind != StageKind.OPEN:
        errors["stage"] = _("The opportunity is closed (%(stage)s).") % {
            "stage": opportunity.stage.shown_name
        }
    if (
        stage.required_activity
        and not opportunity.activities.filter(kind=stage.required_activity).exists()
    ):
        errors["stage"] = _(
            "Log a %(activity)s for this opportunity before moving it to %(stage)s."
        ) % {
            "activity": ActivityKind(stage.required_activity).label,
            "stage": stage.shown_name,
        }
    if stage.kind != StageKind.OPEN and not reason.strip():
        errors["reason"] = _("Give the reason the opportunity was won or lost.")
    refuse(errors)
    with transaction.atomic():
        opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
        before = snapshot(opportunity)
        previous = opportunity.stage
        opportunity.stage = stage
        if stage.kind != StageKind.OPEN:
            opportunity.closed_on = on or timezone.localdate()
            opportunity.close_reason = reason.strip()
        opportunity.save()
        StageChange.objects.create(
            opportunity=opportunity,
            from_stage=previous,
            to_stage=stage,
            changed_by=user_of(actor),
            note=reason[:200],
        )
        record_change(
            actor,
            Action.UPDATE,
            opportunity,
            before=before,
            after=snapshot(opportunity),
            reason=reason,
        )
    return opportunity
