"""Writers of disputes (docs/pay.md, "Disputes"): the only code that changes
:class:`~attain.pay.models_disputes.Dispute` rows. Every change is audited, and the
people involved are notified (in their own language, :mod:`attain.notify.kinds`).

::

    open ──start──► in progress ──resolve (amount + reason)──► resolved
      │                 │        ──reject (explanation)─────► rejected
      └─────────────────┴────────withdraw (the person)───────► withdrawn

A step from any other status is refused with an error naming the dispute, its status
and the rule, and changes nothing. Resolving with an amount other than zero writes a
:class:`~attain.pay.models_disputes.DisputeAdjustment`, placed in the person's first
open payout (:mod:`attain.pay.adjustments`) and brought into it at once.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attain.accounts.models import Role
from attain.audit.models import Action
from attain.audit.services import record_change, snapshot
from attain.notify.services import announce
from attain.org.company import company, money_places
from attain.org.models import Person
from attain.org.selectors import person_of, role_of
from attain.web.files import ACCEPTS, check_upload
from attain.web.forms import ungrouped

from . import adjustments
from . import dispute_access as access
from .models import Payout, PayoutLine
from .models_deficits import CarriedDeficit
from .models_disputes import (
    ACTIVE,
    DEFAULT_RESPONSE_HOURS,
    Dispute,
    DisputeAdjustment,
    DisputeAttachment,
    DisputeEvent,
    DisputeMessage,
    DisputePolicy,
    DisputeStatus,
    DisputeSubject,
)
from .selectors import BY_TABLE
from .services_settings import update_settings

PERIOD_RE = re.compile(r"[0-9A-Za-z-]{1,16}")
MAX_FILES = 5
MAX_TEXT = 5000
# A dispute sent again as it was within this time (a double click on the form, an API
# call retried) is the same dispute: it is not opened twice.
RESENT = datetime.timedelta(minutes=2)
CEILING = Decimal("100000000.00")  # the largest adjustment, as the record tables' amounts
AUDITED = ("status", "assignee", "resolution", "adjustment_amount", "closed_at", "due_at")


def _state(dispute: Dispute) -> dict[str, Any]:
    values = snapshot(dispute)
    return {name: values[name] for name in AUDITED}


def _clean_text(value: Any, field: str, message: str, limit: int = MAX_TEXT) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if "\x00" in text:
        raise ValidationError({field: _("The text holds a character that is not allowed.")})
    if len(text) > limit:
        raise ValidationError(
            {field: _("At most %(limit)s characters, please.") % {"limit": limit}}
        )
    return text


def _check_files(files: Sequence[Any]) -> None:
    if len(files) > MAX_FILES:
        raise ValidationError(
            {"files": _("At most %(count)s files at a time.") % {"count": MAX_FILES}}
        )
    for upload in files:
        check_upload("files", upload, ACCEPTS["file"])


def _sha256(upload: Any) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    while chunk := upload.read(1 << 20):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _attach(actor: Any, message: DisputeMessage, files: Sequence[Any]) -> None:
    for upload in files:
        digest = _sha256(upload)
        name = str(getattr(upload, "name", "") or "file")[-200:]
        row = DisputeAttachment.objects.create(
            message=message,
            file=upload,
            name=name,
            size=int(getattr(upload, "size", 0) or 0),
            sha256=digest,
        )
        record_change(
            actor,
            Action.CREATE,
            row,
            after={
                "dispute": message.dispute_id,
                "file": row.file.name,
                "bytes": row.size,
                "sha256": row.sha256,
            },
        )


def _name(user: Any) -> str:
    person = person_of(user)
    if person is not None:
        return person.name
    return (user.get_full_name() or user.get_username()) if user is not None else "Attain"


def _handlers() -> list[Any]:
    users = get_user_model().objects.filter(is_active=True)
    return list(users.filter(role=Role.SALES_OPS)) or list(users.filter(role=Role.ADMIN))


def _tell(
    kind: str, recipients: Iterable[Any], actor: Any, dispute: Dispute, **params: Any
) -> None:
    """Notify the logins ``recipients``, but not the actor themself."""
    actor_pk = getattr(actor, "pk", None)
    chosen = sorted({u.pk for u in recipients if u is not None and u.pk != actor_pk})
    if chosen:
        announce(
            kind,
            chosen,
            number=dispute.pk,
            period=dispute.period,
            who=_name(actor),
            title=dispute.title,
            **params,
        )


def _people_side(dispute: Dispute) -> list[Any]:
    """The login of the person the dispute is about."""
    user_id = dispute.person.user_id
    if user_id is None:
        return []
    return list(get_user_model().objects.filter(pk=user_id, is_active=True))


def _ops_side(dispute: Dispute) -> list[Any]:
    return [dispute.assignee] if dispute.assignee_id else _handlers()


# Settings -------------------------------------------------------------------------------


def policy() -> DisputePolicy:
    return DisputePolicy.objects.filter(pk=1).select_related("assignee").first() or DisputePolicy(
        pk=1, response_hours=DEFAULT_RESPONSE_HOURS
    )


def _may_be_assigned(user: Any) -> bool:
    return user is not None and user.is_active and role_of(user) in access.HANDLERS


def set_policy(
    actor: Any, *, response_hours: int, assignee: Any = None, reason: str = ""
) -> DisputePolicy:
    """The response-time target (hours, 1 to 2,000) and who gets new disputes."""
    access.check(
        access.can_set_dispute_policy(actor), _("Only sales operations set dispute settings.")
    )
    errors = {}
    if not isinstance(response_hours, int) or not 1 <= response_hours <= 2000:
        errors["response_hours"] = _("Give a number of hours from 1 to 2000.")
    if assignee is not None and not _may_be_assigned(assignee):
        errors["assignee"] = _("Disputes go to a sales operations or administrator login.")
    if errors:
        raise ValidationError(errors)
    return update_settings(
        actor,
        DisputePolicy,
        {"response_hours": response_hours, "assignee": assignee},
        state=lambda row: {"response_hours": row.response_hours, "assignee": row.assignee_id},
        reason=reason,
    )


def _default_assignee(settings_row: DisputePolicy, person: Any) -> Any:
    """Who gets a new dispute: the policy's handler, else the least busy sales operations
    login; never the person it is about (they could not answer it)."""
    chosen = settings_row.assignee
    if settings_row.assignee_id and _may_be_assigned(chosen):
        own = getattr(chosen, "person", None)
        if own is None or own.pk != person.pk:
            return chosen
    ops = (
        get_user_model()
        .objects.filter(is_active=True, role=Role.SALES_OPS)
        .exclude(person__pk=person.pk)
        .annotate(load=Count("assigned_disputes", filter=Q(assigned_disputes__status__in=ACTIVE)))
        .order_by("load", "pk")
    )
    return ops.first()


# Opening --------------------------------------------------------------------------------


def open_dispute(
    actor: Any,
    *,
    subject: str,
    period: str,
    title: str,
    text: str,
    plan: str = "",
    component: str = "",
    record_table: str = "",
    record_ref: str = "",
    files: Sequence[Any] = (),
) -> Dispute:
    """A person questions a line of their payout (``plan`` and ``component`` of the
    payout of ``period``) or a record (``record_table`` and its id or a description in
    ``record_ref``, e.g. an order that is missing)."""
    access.check(
        access.can_open_dispute(actor), _("Only the person paid opens a dispute about their pay.")
    )
    person = person_of(actor)
    assert person is not None
    errors: dict[str, Any] = {}
    period = str(period or "").strip()
    if not PERIOD_RE.fullmatch(period):
        errors["period"] = _("Give a period id such as 2026-Q3.")
    try:
        title = _clean_text(title, "title", _("Say in a few words what is wrong."), 200)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        text = _clean_text(text, "text", _("Explain what you think is wrong."))
    except ValidationError as error:
        errors.update(error.message_dict)
    payout = None
    line = None
    if subject not in DisputeSubject.values:
        errors["subject"] = _("Choose a payout line or a record.")
    elif "period" not in errors:
        payout = Payout.objects.filter(person=person, period=period).first()
        if subject == DisputeSubject.LINE:
            line = (
                PayoutLine.objects.filter(payout=payout, plan=plan, component=component).first()
                if payout is not None
                else None
            )
            if line is None:
                errors["component"] = _("Your payout for %(period)s has no such line.") % {
                    "period": period
                }
        else:
            if record_table not in BY_TABLE:
                errors["record_table"] = _("Choose the kind of record.")
            record_ref = str(record_ref or "").strip()
            if not record_ref or len(record_ref) > 100 or "\x00" in record_ref:
                errors["record_ref"] = _(
                    "Name the record (its id, or what is missing) in at most 100 characters."
                )
    if errors:
        raise ValidationError(errors)
    files = list(files)
    _check_files(files)
    settings_row = policy()
    now = timezone.now()
    with transaction.atomic():
        # one dispute opened at a time per person: a double click's two requests served at
        # once both found no dispute just sent and opened one each
        Person.objects.select_for_update().filter(pk=person.pk).first()
        again = (
            Dispute.objects.select_for_update()
            .filter(
                person=person,
                subject=subject,
                period=period,
                plan=line.plan if line else "",
                component=line.component if line else "",
                record_table=record_table if subject == DisputeSubject.RECORD else "",
                record_ref=record_ref if subject == DisputeSubject.RECORD else "",
                title=title,
                status__in=ACTIVE,
                opened_at__gte=now - RESENT,
                messages__event=DisputeEvent.OPENED,
                messages__text=text,
            )
            .first()
        )
        if again is not None:
            return again
        dispute = Dispute.objects.create(
            person=person,
            opened_by=actor,
            subject=subject,
            period=period,
            payout=payout,
            plan=line.plan if line else "",
            component=line.component if line else "",
            line_amount=line.amount if line else None,
            record_table=record_table if subject == DisputeSubject.RECORD else "",
            record_ref=record_ref if subject == DisputeSubject.RECORD else "",
            title=title,
            assignee=_default_assignee(settings_row, person),
            opened_at=now,
            due_at=now + datetime.timedelta(hours=settings_row.response_hours),
        )
        message = DisputeMessage.objects.create(
            dispute=dispute, author=actor, event=DisputeEvent.OPENED, text=text, created_at=now
        )
        record_change(actor, Action.CREATE, dispute, after=snapshot(dispute), reason=title)
        _attach(actor, message, files)
        _tell("dispute_opened", _ops_side(dispute), actor, dispute)
    return dispute


# The thread -----------------------------------------------------------------------------


def add_message(
    actor: Any, dispute: Dispute, *, text: str, files: Sequence[Any] = ()
) -> DisputeMessage:
    """A message in the thread (with files), while the dispute is open or in progress."""
    access.check(access.may_write(actor, dispute), _("You may not write in this dispute."))
    text = _clean_text(text, "text", _("Write a message."))
    files = list(files)
    _check_files(files)
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().select_related("person").get(pk=dispute.pk)
        if not dispute.active:
            raise ValidationError({"text": _refusal(dispute, _("take messages"))})
        message = DisputeMessage.objects.create(dispute=dispute, author=actor, text=text)
        record_change(actor, Action.CREATE, message, after={"dispute": dispute.pk, "text": text})
        _attach(actor, message, files)
        dispute.save(update_fields=["updated_at"])
        recipients = [*_people_side(dispute), *_ops_side(dispute)]
        _tell("dispute_message", recipients, actor, dispute, excerpt=text[:200])
    return message


# Steps ----------------------------------------------------------------------------------

RULES = {
    "start": gettext_lazy("be taken in hand"),
    "assign": gettext_lazy("be assigned"),
    "resolve": gettext_lazy("be resolved"),
    "reject": gettext_lazy("be rejected"),
    "withdraw": gettext_lazy("be withdrawn"),
    "message": gettext_lazy("take messages"),
}


def _refusal(dispute: Dispute, rule: Any, *, only_open: bool = False) -> str:
    if only_open:
        return _("Dispute #%(number)s is %(status)s: it can %(rule)s only when open.") % {
            "number": dispute.pk,
            "status": dispute.get_status_display().lower(),
            "rule": rule,
        }
    return _(
        "Dispute #%(number)s is %(status)s: it can %(rule)s only when open or in progress."
    ) % {
        "number": dispute.pk,
        "status": dispute.get_status_display().lower(),
        "rule": rule,
    }


def _step(
    actor: Any,
    dispute: Dispute,
    action: str,
    *,
    sources: Sequence[str] = ACTIVE,
    target: str | None = None,
    event: str,
    note: str,
    change: Any = None,
) -> Dispute:
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().select_related("person").get(pk=dispute.pk)
        if dispute.status not in sources:
            only_open = tuple(sources) == (DisputeStatus.OPEN,)
            raise ValidationError({"action": _refusal(dispute, RULES[action], only_open=only_open)})
        before = _state(dispute)
        if target is not None:
            dispute.status = target
            if target not in ACTIVE:
                dispute.closed_at, dispute.closed_by = timezone.now(), actor
        if change is not None:
            change(dispute)
        dispute.save()
        DisputeMessage.objects.create(dispute=dispute, author=actor, event=event, text=note)
        record_change(
            actor, Action.UPDATE, dispute, before=before, after=_state(dispute), reason=note
        )
    return dispute


def start(actor: Any, dispute: Dispute, *, note: str = "") -> Dispute:
    """Sales operations take the dispute in hand (open → in progress); it becomes
    theirs when it had no assignee."""
    access.check_may_handle(actor, dispute)

    def change(d: Dispute) -> None:
        if d.assignee_id is None:
            d.assignee = actor

    dispute = _step(
        actor,
        dispute,
        "start",
        sources=(DisputeStatus.OPEN,),
        target=DisputeStatus.IN_PROGRESS,
        event=DisputeEvent.STARTED,
        note=str(note or "").strip()[:MAX_TEXT],
        change=change,
    )
    _tell("dispute_started", _people_side(dispute), actor, dispute)
    return dispute


def assign(actor: Any, dispute: Dispute, assignee: Any, *, note: str = "") -> Dispute:
    """Give the dispute to another sales operations (or administrator) login."""
    access.check_handle(actor)
    if not _may_be_assigned(assignee):
        raise ValidationError(
            {"assignee": _("Disputes go to a sales operations or administrator login.")}
        )
    if not access.may_handle(assignee, dispute):  # they could not answer it
        raise ValidationError(
            {"assignee": _("A dispute about someone's own pay goes to another handler.")}
        )

    def change(d: Dispute) -> None:
        d.assignee = assignee

    dispute = _step(
        actor,
        dispute,
        "assign",
        event=DisputeEvent.ASSIGNED,
        note=str(note or "").strip()[:MAX_TEXT] or _name(assignee),
        change=change,
    )
    _tell("dispute_assigned", [assignee], actor, dispute)
    return dispute


def parse_amount(value: Any) -> Decimal:
    """An adjustment amount: a number with at most two decimals (none in a currency such as
    JPY that has none), within the ceiling;
    commas only as thousands separators (1,234.50: never "12,34", which is no amount)."""
    try:
        amount = Decimal(ungrouped(str(value)))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {"amount": _("Give the adjustment as a number, e.g. 120.00 or 0.")}
        ) from None
    if not amount.is_finite():
        raise ValidationError(
            {"amount": _("Give the adjustment to the cent (two decimals at most).")}
        )
    if abs(amount) > CEILING:  # before rounding: 1e400 has no cents to round to
        raise ValidationError(
            {"amount": _("An adjustment is at most %(ceiling)s.") % {"ceiling": f"{CEILING:,}"}}
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            {"amount": _("Give the adjustment to the cent (two decimals at most).")}
        )
    if money_places() == 0 and amount != amount.to_integral_value():
        raise ValidationError(  # a currency without decimals: no yen cents to pay out
            {
                "amount": _("Give the adjustment in whole %(currency)s: it has no decimals.")
                % {"currency": company().currency}
            }
        )
    return amount.quantize(Decimal("0.01")) + 0  # + 0: "-0" is 0.00, never -0.00


def resolve(actor: Any, dispute: Dispute, *, amount: Any, reason: str) -> Dispute:
    """Resolve with an adjustment (``amount``, 0 when the numbers are right after all
    or a corrected record fixes them) and its reason. A non-zero amount is paid in the
    person's first open payout (:mod:`attain.pay.adjustments`)."""
    access.check_may_handle(actor, dispute)
    value = parse_amount(amount)
    reason = _clean_text(reason, "reason", _("Give the reason for the adjustment."))
    from .services_payouts import sync_payouts

    with transaction.atomic():

        def change(d: Dispute) -> None:
            d.resolution, d.adjustment_amount = reason, value

        dispute = _step(
            actor,
            dispute,
            "resolve",
            target=DisputeStatus.RESOLVED,
            event=DisputeEvent.RESOLVED,
            note=reason,
            change=change,
        )
        placed = ""
        if value:
            # A line is paid on or after its payout's last day; a record dispute from
            # the day it was raised (a record may belong to a payout that had ended).
            if dispute.subject == DisputeSubject.LINE and dispute.payout is not None:
                after = dispute.payout.period_end
            else:
                after = timezone.localdate(dispute.opened_at)
            row = adjustments.create(
                actor,
                DisputeAdjustment,
                person=dispute.person,
                after=after,
                reason=reason,
                dispute=dispute,
                amount=value,
                source_period=dispute.period,
            )
            placed = row.period
            if placed:
                sync_payouts(actor, people=[dispute.person_id], periods=[placed])
            elif adjustments.stranded().filter(pk=row.pk).exists():
                # someone who has left: no later payout may come to pay it; finance
                # hear of it and settle it on the pay periods page
                _tell(
                    "adjustment_stranded",
                    _payers(),
                    actor,
                    dispute,
                    amount=str(value),
                    person=dispute.person.name,
                )
        _tell(
            "dispute_resolved",
            _people_side(dispute),
            actor,
            dispute,
            amount=str(value),
            reason=reason,
            paid_in=placed or "—",
        )
    return dispute


def _payers() -> list[Any]:
    """The active logins that pay (finance, administrators)."""
    from .payout_access import PAYERS

    return list(get_user_model().objects.filter(is_active=True, role__in=PAYERS))


def settle_adjustment(
    actor: Any, adjustment: DisputeAdjustment | CarriedDeficit, *, reason: str
) -> None:
    """Finance settle a resolved dispute's adjustment (or a carried deficit) that waits
    for someone who has left (:func:`attain.pay.adjustments.stranded`) outside the
    payouts: paid or recovered in the final pay through payroll, said in ``reason``
    (required; audited). It then waits no more and no payout will carry it."""
    from .payout_access import can_pay_payouts

    if not can_pay_payouts(actor):
        raise PermissionDenied(_("Only finance settles an adjustment."))
    reason = _clean_text(
        reason,
        "reason",
        _("Say how the adjustment was settled (e.g. paid in the final pay, its reference)."),
        limit=500,
    )
    model: adjustments.Placed = type(adjustment)
    with transaction.atomic():
        row = model.objects.select_for_update().select_related("person").get(pk=adjustment.pk)
        if not adjustments.stranded(model).filter(pk=row.pk).exists():
            if isinstance(row, DisputeAdjustment):
                message = _(
                    "The adjustment of dispute #%(number)s is not waiting for someone "
                    "who has left: it is paid in a payout, or settled already."
                ) % {"number": row.dispute_id}
            else:
                message = _(
                    "The deficit carried from %(period)s is not waiting for someone who "
                    "has left: it is recovered in a payout, or settled already."
                ) % {"period": row.source_period}
            raise ValidationError({"action": message})
        before = snapshot(row)
        row.settled_at, row.settled_by, row.settled_reason = timezone.now(), actor, reason
        row.save(update_fields=["settled_at", "settled_by", "settled_reason"])
        record_change(actor, Action.UPDATE, row, before=before, after=snapshot(row), reason=reason)


def reject(actor: Any, dispute: Dispute, *, explanation: str) -> Dispute:
    """Reject with an explanation (required)."""
    access.check_may_handle(actor, dispute)
    explanation = _clean_text(explanation, "reason", _("Explain why the dispute is rejected."))

    def change(d: Dispute) -> None:
        d.resolution = explanation

    dispute = _step(
        actor,
        dispute,
        "reject",
        target=DisputeStatus.REJECTED,
        event=DisputeEvent.REJECTED,
        note=explanation,
        change=change,
    )
    _tell("dispute_rejected", _people_side(dispute), actor, dispute, reason=explanation)
    return dispute


def withdraw(actor: Any, dispute: Dispute, *, note: str = "") -> Dispute:
    """The person takes their dispute back."""
    access.check(
        access.may_withdraw(actor, dispute), _("Only the person who opened it withdraws a dispute.")
    )
    dispute = _step(
        actor,
        dispute,
        "withdraw",
        target=DisputeStatus.WITHDRAWN,
        event=DisputeEvent.WITHDRAWN,
        note=str(note or "").strip()[:MAX_TEXT],
    )
    _tell("dispute_withdrawn", _ops_side(dispute), actor, dispute)
    return dispute
