"""The writers of notifications. Other apps call :func:`notify` where something happens:

    from attain.notify.services import notify
    notify("payout_held", [person_or_user, ...], period="2026-Q3", detail=reason)

It stores one :class:`~.models.Notification` per recipient (the in-app list), queues a
:class:`~.models.Delivery` per other channel each recipient wants (email, personal
webhook) and one per group webhook taking the kind, all after the transaction commits,
on the task queue (``attain worker`` sends them): a request never waits for a send.
"""

from __future__ import annotations

import datetime
import decimal
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from attain.audit.models import Action
from attain.audit.services import record_change, snapshot

from .channels import audited_url
from .delivery import email_of
from .kinds import DEFAULT_CHANNELS, KINDS, kind_of
from .models import Channel, Delivery, Notification, Preference, Profile, Status, Webhook

log = logging.getLogger(__name__)
CHUNK = 100  # deliveries per background task


def _plain(value: Any) -> Any:
    """Parameters as JSON can hold them (dates, decimals and lazy strings as text)."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, datetime.date | decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _users(recipients: Iterable[Any], *, leavers: bool = True) -> list[Any]:
    """Logins from logins, people (their login) or user ids; people without a login and
    inactive logins are left out, each login once; and, unless ``leavers``, the logins
    of people whose employment ended before today."""
    user_model = get_user_model()
    ids: list[int] = []
    for r in recipients:
        if isinstance(r, int):
            ids.append(r)
        elif isinstance(r, user_model):
            ids.append(r.pk)
        elif getattr(r, "user_id", None):
            ids.append(r.user_id)
    users = user_model.objects.filter(pk__in=set(ids), is_active=True)
    if not leavers:
        users = users.exclude(person__end__lt=timezone.localdate())
    return list(users.select_related("person").order_by("pk"))


def wanted(
    user_id: int, kind: str, channel: str, switches: Mapping[tuple[int, str, str], bool]
) -> bool:
    default = channel in DEFAULT_CHANNELS
    return switches.get((user_id, kind, channel), default)


def notify(kind: str, recipients: Iterable[Any], **params: Any) -> list[Notification]:
    """Notify ``recipients`` (logins or people) of ``kind`` with ``params`` (rendered in
    each reader's language, see :mod:`.kinds`). Returns the stored notifications."""
    leavers = kind_of(kind).leavers
    params = _plain(params)
    users = _users(recipients, leavers=leavers)
    ids = [u.pk for u in users]
    switches = {
        (p.user_id, p.kind, p.channel): p.enabled
        for p in Preference.objects.filter(user_id__in=ids, kind=kind)
    }
    profiles = {p.user_id: p for p in Profile.objects.filter(user_id__in=ids)}
    digests = {pk for pk, p in profiles.items() if p.digest}
    now = timezone.now()
    with transaction.atomic():
        notes = Notification.objects.bulk_create(
            [
                Notification(
                    recipient=u,
                    kind=kind,
                    params=params,
                    read=None if wanted(u.pk, kind, Channel.IN_APP, switches) else now,
                    # only what comes while the digest is chosen waits for one: the rest
                    # was emailed one by one (or not at all), never again in a digest
                    digested=None if u.pk in digests else now,
                )
                for u in users
            ],
            batch_size=1000,
        )
        deliveries: list[Delivery] = []
        for note, user in zip(notes, users, strict=True):
            profile = profiles.get(user.pk)
            digest = user.pk in digests
            # without an address (a blank 邮箱) an email could only fail, retried, logged
            if not digest and wanted(user.pk, kind, Channel.EMAIL, switches) and email_of(user):
                deliveries.append(Delivery(channel=Channel.EMAIL, notification=note, kind=kind))
            if (
                profile is not None
                and profile.webhook_url
                and wanted(user.pk, kind, Channel.WEBHOOK, switches)
            ):
                deliveries.append(Delivery(channel=Channel.WEBHOOK, notification=note, kind=kind))
        if KINDS[kind].groups and users:  # a group hears of what reached someone
            for hook in Webhook.objects.filter(active=True):
                if not hook.kinds or kind in hook.kinds:
                    group_params = {**params, "recipients": len(users)}
                    deliveries.append(
                        Delivery(
                            channel=Channel.WEBHOOK, webhook=hook, kind=kind, params=group_params
                        )
                    )
        created = Delivery.objects.bulk_create(deliveries, batch_size=1000)
        queue([d.pk for d in created])
    return notes


def announce(kind: str, recipients: Iterable[Any], **params: Any) -> list[Notification]:
    """:func:`notify` for the apps' business writes: a failure to notify is logged and
    never fails (nor rolls back) the write that caused it. Returns the notifications
    stored (none when it failed, or when nobody was to receive it)."""
    try:
        with transaction.atomic():  # a savepoint inside the caller's transaction
            return notify(kind, recipients, **params)
    except Exception:
        log.exception("could not notify %s", kind)
        return []


def queue(delivery_ids: list[int]) -> None:
    """Queue the sending of these deliveries after the transaction commits."""
    if not delivery_ids:
        return

    def enqueue() -> None:
        from .tasks import deliver_task

        for start in range(0, len(delivery_ids), CHUNK):
            try:
                deliver_task.enqueue(delivery_ids[start : start + CHUNK])
            except Exception:  # the sweep (`attain notify retry`) sends them later
                log.exception("could not queue %d deliveries", len(delivery_ids))

    transaction.on_commit(enqueue)


def requeue_due(now: datetime.datetime | None = None) -> int:
    """Queue again every delivery whose time has come and whose task may be lost: retries
    due, and waiting ones older than ten minutes (``attain notify retry`` runs this)."""
    now = now or timezone.now()
    settled = now - datetime.timedelta(minutes=10)  # newer waiting ones have their task
    ids = list(
        Delivery.objects.filter(
            Q(status=Status.PENDING, next_attempt__isnull=True, created__lte=settled)
            | Q(status__in=[Status.PENDING, Status.RETRYING], next_attempt__lte=now)
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        queue(ids)
    return len(ids)


# The reader's side ----------------------------------------------------------------------


def mark_read(user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read (these ``ids`` only, when given)."""
    unread = Notification.objects.filter(recipient=user, read__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read=timezone.now())


def save_settings(user: Any, *, switches: Mapping[tuple[str, str], bool], **fields: Any) -> Profile:
    """Save a login's settings (language, digest, personal webhook) and its switches per
    kind × channel. Audited."""
    if fields.get("webhook_url") and not fields.get("webhook_platform"):
        raise ValidationError({"webhook_platform": [_("Choose the platform of the webhook.")]})
    for kind, channel in switches:
        if kind not in KINDS or channel not in Channel.values:
            raise ValidationError({"__all__": [_("Unknown kind or channel.")]})
    with transaction.atomic():
        profile, _created = Profile.objects.get_or_create(user=user)
        before = _audited(profile)
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.save()
        for (kind, channel), enabled in switches.items():
            Preference.objects.update_or_create(
                user=user, kind=kind, channel=channel, defaults={"enabled": enabled}
            )
        record_change(
            user,
            Action.UPDATE,
            profile,
            before=before,
            after={**_audited(profile), "switches": _switch_text(switches)},
        )
    return profile


def _audited(profile: Profile) -> dict[str, Any]:
    """The settings as the trail writes them: neither the robot's signing secret nor the
    key in its URL."""
    values = snapshot(profile, ("webhook_secret",))
    values["webhook_url"] = audited_url(values.get("webhook_url") or "")
    return values


def _switch_text(switches: Mapping[tuple[str, str], bool]) -> dict[str, bool]:
    return {f"{k}:{c}": v for (k, c), v in sorted(switches.items())}


def send_test(actor: Any, webhook: Webhook) -> Delivery:
    """Queue a test message to a group webhook (admins try a new one)."""
    with transaction.atomic():
        delivery = Delivery.objects.create(
            channel=Channel.WEBHOOK, webhook=webhook, kind="test", params={}
        )
        record_change(actor, Action.UPDATE, webhook, reason=gettext_noop("test message"))
        queue([delivery.pk])
    return delivery


def send_digests(now: datetime.datetime | None = None) -> int:
    """One email per login that chose the daily digest, with its notifications not yet
    in a digest; returns how many were queued (``attain notify digest``, daily)."""
    now = now or timezone.now()
    count = 0
    for profile in Profile.objects.filter(digest=True).select_related("user__person"):
        with transaction.atomic():
            waiting = list(
                Notification.objects.filter(
                    recipient_id=profile.user_id, digested__isnull=True, created__lte=now
                ).values_list("pk", "kind")
            )
            if not waiting:
                continue
            Notification.objects.filter(pk__in=[pk for pk, _kind in waiting]).update(digested=now)
            if not profile.user.is_active or not email_of(profile.user):
                continue
            # the digest replaces the single emails: the kinds whose email is switched on
            switches = {
                (p.user_id, p.kind, p.channel): p.enabled
                for p in Preference.objects.filter(user_id=profile.user_id, channel=Channel.EMAIL)
            }
            notes = [
                pk for pk, kind in waiting if wanted(profile.user_id, kind, Channel.EMAIL, switches)
            ]
            if not notes:
                continue
            delivery = Delivery.objects.create(
                channel=Channel.EMAIL,
                kind="digest",
                params={"user": profile.user_id, "notifications": notes},
            )
            queue([delivery.pk])
            count += 1
    return count
