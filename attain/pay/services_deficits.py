"""Carrying a negative payout's deficit forward (docs/pay.md, "Negative payouts"):
the only writer of :class:`~attain.pay.models_deficits.CarriedDeficit`. Finance choose
it on the payout register (or the API), with the reason; it is audited.

The payout carried from gets the deficit back as a line and comes to zero (it is
approved and paid at zero, and its period closes with it); the deficit is recovered as a
line of the person's first open later payout, placed, kept through recalculations and,
for a leaver with no later payout, settled by finance exactly as a dispute adjustment is
(:mod:`attain.pay.adjustments`). Both lines are the same amount with opposite signs, so
what the person is paid over the periods is what they earned: no money is made or lost.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attain.notify.services import announce

from . import adjustments
from . import payout_access as access
from .models import ZERO, Payout, PayoutState, amount_text
from .models_deficits import CarriedDeficit
from .services_payouts import FourEyes, audit_refusal, lock_payouts, payout_label, sync_payouts


def carry_deficits(actor: Any, payouts: Sequence[Payout], *, reason: str) -> int:
    """Carry the deficit of each payout of ``payouts`` (all below zero, not paid, in an
    open period) to the person's first open later payout, with ``reason`` (required).
    All or nothing. Returns how many were carried."""
    access.check(access.can_carry_deficits(actor), _("Only finance carries a deficit forward."))
    reason = (reason or "").strip()[:500]
    if not reason:
        raise ValidationError({"reason": _("Give the reason for carrying the deficit forward.")})
    if not payouts:
        raise ValidationError({"people": _("Choose at least one payout.")})
    try:
        return _carry(actor, payouts, reason)
    except FourEyes as refusal:  # audited, and kept: written after the transaction ended
        audit_refusal(actor, refusal)
        raise


def _carry(actor: Any, payouts: Sequence[Payout], reason: str) -> int:
    """:func:`carry_deficits`' checks and changes, in one transaction."""
    stranded: list[CarriedDeficit] = []
    with transaction.atomic():
        rows = lock_payouts(payouts)
        problems = []
        for payout in rows:
            label = payout_label(payout)
            if access.is_own(actor, payout.person):
                raise FourEyes(access.own_refusal(label), payout, "carry", "own payout")
            if not access.may_carry_deficit(actor, payout.person):
                raise PermissionDenied(_("Only finance carries a deficit forward."))
            if payout.amount >= ZERO:
                problems.append(
                    _("%(payout)s comes to %(amount)s: there is no deficit to carry.")
                    % {"payout": label, "amount": amount_text(payout.amount)}
                )
            elif payout.state == PayoutState.PAID or not adjustments.period_is_open(payout.period):
                problems.append(
                    _("%(payout)s is paid or its period is closed: it cannot change.")
                    % {"payout": label}
                )
        if problems:
            raise ValidationError({"action": problems})
        for payout in rows:
            after = payout.period_end + datetime.timedelta(days=1)  # a later payout
            deficit = adjustments.create(
                actor,
                CarriedDeficit,
                person=payout.person,
                after=after,
                reason=reason,
                payout=payout,
                amount=payout.amount,
                source_period=payout.period,
            )
            periods = [payout.period, *([deficit.period] if deficit.period else [])]
            sync_payouts(actor, people=[payout.person_id], periods=periods)
            if adjustments.stranded(CarriedDeficit).filter(pk=deficit.pk).exists():
                stranded.append(deficit)
        _tell_stranded(actor, stranded)
    return len(rows)


def _tell_stranded(actor: Any, deficits: Sequence[CarriedDeficit]) -> None:
    """Finance (but not who carried it) hear of a deficit no later payout may recover
    (the person has left): they settle it on the pay periods page."""
    payers = get_user_model().objects.filter(is_active=True, role__in=access.PAYERS)
    recipients = [user.pk for user in payers if user.pk != getattr(actor, "pk", None)]
    for deficit in deficits:
        if recipients:
            announce(
                "deficit_stranded",
                recipients,
                person=deficit.person.name,
                period=deficit.source_period,
                amount=str(-deficit.amount),
            )
