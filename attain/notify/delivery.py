"""Sending queued deliveries, with retries and exponential backoff.

:func:`deliver` claims the deliveries of one task (a conditional UPDATE, so two workers
never send one twice), sends them concurrently (``ATTAIN_NOTIFY_THREADS``), then saves
each outcome: sent; or, on a failure or a timeout, the attempt and its error with the
next attempt ``ATTAIN_NOTIFY_RETRY_SECONDS × 2^(attempts-1)`` later (queued as a
delayed task); after ``ATTAIN_NOTIFY_ATTEMPTS`` attempts ``failed``, logged as an error
and listed for administrators. Nothing is dropped silently.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation

from attain.org.company import company

from . import channels
from .channels import Message, SendError
from .kinds import link, render
from .models import Channel, Delivery, Notification, Profile, Status
from .selectors import reader_code

log = logging.getLogger(__name__)


def max_attempts() -> int:
    return int(getattr(settings, "ATTAIN_NOTIFY_ATTEMPTS", 5))


def backoff(attempts: int) -> datetime.timedelta:
    """The wait before the next attempt after ``attempts`` failed ones: 30 s, 1 min,
    2 min, 4 min … (doubling from ``ATTAIN_NOTIFY_RETRY_SECONDS``), capped at one day."""
    first = float(getattr(settings, "ATTAIN_NOTIFY_RETRY_SECONDS", 30))
    return datetime.timedelta(seconds=min(86400.0, first * 2 ** max(0, attempts - 1)))


def language_of(user: Any, profiles: dict[int, Profile]) -> str:
    """The language the login chose, else the company's default (the setup wizard's)."""
    profile = profiles.get(user.pk)
    return (profile.language if profile else "") or company().language


def chosen_language(user: Any) -> str:
    """:func:`language_of` for one login (what account emails are written in)."""
    return language_of(user, {p.user_id: p for p in Profile.objects.filter(user_id=user.pk)})


def worker_language(user_id: int | None, started_in: str = "") -> str:
    """The language background work started by a login writes in (an import's
    reasons, a refused close's problems): the one the login chose, else ``started_in``
    (the page's language when they started it), else the company's default language."""
    chosen = ""
    if user_id is not None:
        profile = Profile.objects.filter(user_id=user_id).first()
        chosen = profile.language if profile else ""
    known = company().languages
    for language in (chosen, started_in):
        if language in known:
            return language
    return company().language


def email_of(user: Any) -> str:
    if user.email:
        return str(user.email)
    person = getattr(user, "person", None)
    return str(getattr(person, "email", "") or "")


def message_for(delivery: Delivery, language: str) -> Message:
    with translation.override(language):
        if delivery.kind == "digest":
            return digest_message(delivery)
        note = delivery.notification
        params = note.params if note is not None else delivery.params
        title, text = render(delivery.kind, params)
        if note is None and delivery.params.get("recipients"):
            told = translation.gettext("%(text)s (people notified: %(count)s)")
            text = told % {"text": text, "count": delivery.params["recipients"]}
        reader = reader_code(note.recipient) if note is not None else None
        return Message(title, text, channels.absolute(link(delivery.kind, params, reader)))


def digest_message(delivery: Delivery) -> Message:
    notes = Notification.objects.filter(pk__in=delivery.params.get("notifications", []))
    lines = []
    for note in notes.order_by("created", "pk"):
        title, text = render(note.kind, note.params)
        lines.append(translation.gettext("• %(title)s: %(text)s") % {"title": title, "text": text})
    title = translation.ngettext(
        "Your Attain digest: %(count)s notification",
        "Your Attain digest: %(count)s notifications",
        len(lines),
    ) % {"count": len(lines)}
    return Message(title, "\n".join(lines), channels.absolute("/notifications/"))


def with_settings_link(message: Message, language: str) -> Message:
    """An email ends with the recipient's notification settings, where they switch it
    off (to unsubscribe), in their language; nothing without ``ATTAIN_BASE_URL``."""
    where = channels.absolute(reverse("notify:preferences"))
    if not where:
        return message
    with translation.override(language):
        footer = translation.gettext(
            "You get this email because of your notification settings; to change or stop "
            "these emails: %(link)s"
        ) % {"link": where}
    return dataclasses.replace(message, footer=footer)


Send = Callable[[], None]


def prepare(delivery: Delivery, profiles: dict[int, Profile]) -> Send:
    """What sending one delivery does, rendered here (database reads stay in the worker's
    thread); the returned call only talks to the mail server or the webhook."""
    if delivery.webhook is not None:
        hook = delivery.webhook
        message = message_for(delivery, hook.language or company().language)
        return lambda: channels.send_webhook(hook.platform, hook.url, hook.secret, message)
    user = _recipient(delivery)
    if not user.is_active:  # disabled after the message was queued (someone who left)
        raise SendError("the login is disabled")
    message = message_for(delivery, language_of(user, profiles))
    if delivery.channel == Channel.EMAIL:
        address = email_of(user)
        message = with_settings_link(message, language_of(user, profiles))
        return lambda: channels.send_email(address, message)
    if delivery.channel == Channel.WEBHOOK:
        profile = profiles.get(user.pk)
        if profile is None or not profile.webhook_url:
            raise SendError("no personal webhook set")
        platform, url = profile.webhook_platform, profile.webhook_url
        secret = profile.webhook_secret

        def send() -> None:  # any login sets its own: not to this machine (SSRF)
            channels.check_reachable(url)
            channels.send_webhook(platform, url, secret, message, guard=True)

        return send
    raise SendError(f"nothing to send on {delivery.channel}")


def _run(send: Send | str) -> str:
    """Run one prepared send: "" when sent, else the error."""
    if isinstance(send, str):
        return send
    try:
        send()
    except SendError as error:
        return str(error) or type(error).__name__
    except Exception as error:  # a bug must not lose the message either: recorded, retried
        log.exception("a notification delivery failed unexpectedly")
        return f"{type(error).__name__}: {error}"
    return ""


def _prepared(delivery: Delivery, profiles: dict[int, Profile]) -> Send | str:
    try:
        return prepare(delivery, profiles)
    except SendError as error:
        return str(error)
    except Exception as error:
        log.exception("delivery %s could not be prepared", delivery.pk)
        return f"{type(error).__name__}: {error}"


def _recipient(delivery: Delivery) -> Any:
    if delivery.notification is not None:
        return delivery.notification.recipient
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=delivery.params["user"])


_threads: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    """The worker process's sending threads (``ATTAIN_NOTIFY_THREADS``), started once and
    kept, with their open connections, for the next tasks."""
    global _threads
    if _threads is None:
        size = max(1, int(getattr(settings, "ATTAIN_NOTIFY_THREADS", 16)))
        _threads = ThreadPoolExecutor(max_workers=size, thread_name_prefix="notify")
    return _threads


def claim(ids: Sequence[int], now: datetime.datetime) -> list[Delivery]:
    """Take the due deliveries among ``ids`` for this worker: their next attempt moves past
    the longest their sends can take (the sending threads take them in turns, each send
    at most two timeouts), to a time unique to this claim, which then selects them: the
    sweep leaves them alone until then."""
    threads = max(1, int(getattr(settings, "ATTAIN_NOTIFY_THREADS", 16)))
    turns = -(-len(ids) // threads)
    lease = datetime.timedelta(seconds=channels.timeout() * 4 * max(1, turns) + 60)
    token = now + lease + datetime.timedelta(microseconds=random.randrange(1, 999_999))
    due = Q(next_attempt__isnull=True) | Q(next_attempt__lte=now)
    Delivery.objects.filter(pk__in=list(ids), status__in=[Status.PENDING, Status.RETRYING]).filter(
        due
    ).update(next_attempt=token)
    return list(
        Delivery.objects.filter(pk__in=list(ids), next_attempt=token).select_related(
            "notification__recipient__person", "webhook"
        )
    )


def deliver(ids: Sequence[int]) -> dict[str, int]:
    """Send these deliveries (the due ones); returns counts by outcome."""
    now = timezone.now()
    batch = claim(ids, now)
    if not batch:
        return {"sent": 0, "retrying": 0, "failed": 0}
    users = {d.notification.recipient_id for d in batch if d.notification is not None}
    users |= {int(d.params["user"]) for d in batch if d.kind == "digest" and "user" in d.params}
    profiles = {p.user_id: p for p in Profile.objects.filter(user_id__in=users)}
    sends = [_prepared(d, profiles) for d in batch]
    errors = list(_pool().map(_run, sends))
    return record(batch, errors)


def record(batch: list[Delivery], errors: list[str]) -> dict[str, int]:
    now = timezone.now()
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    retry: dict[datetime.datetime, list[int]] = {}
    for delivery, error in zip(batch, errors, strict=True):
        delivery.attempts += 1
        if not error:
            delivery.status, delivery.sent, delivery.last_error = Status.SENT, now, ""
            delivery.next_attempt = None
            counts["sent"] += 1
            continue
        delivery.last_error = error[:2000]
        if delivery.attempts >= max_attempts():
            delivery.status, delivery.next_attempt = Status.FAILED, None
            counts["failed"] += 1
            log.error(
                "notification delivery %s (%s %s) failed after %d attempts: %s",
                delivery.pk,
                delivery.channel,
                delivery.kind,
                delivery.attempts,
                error,
            )
        else:
            delivery.status = Status.RETRYING
            delivery.next_attempt = now + backoff(delivery.attempts)
            retry.setdefault(delivery.next_attempt, []).append(delivery.pk)
            counts["retrying"] += 1
    # sent ones in one UPDATE (the common case: cheap for thousands); failed ones each
    sent = [d.pk for d, error in zip(batch, errors, strict=True) if not error]
    for start in range(0, len(sent), 500):
        Delivery.objects.filter(pk__in=sent[start : start + 500]).update(
            status=Status.SENT,
            sent=now,
            last_error="",
            next_attempt=None,
            attempts=F("attempts") + 1,
        )
    for d, error in zip(batch, errors, strict=True):
        if error:
            Delivery.objects.filter(pk=d.pk).update(
                status=d.status,
                attempts=d.attempts,
                last_error=d.last_error,
                next_attempt=d.next_attempt,
            )
    if retry:
        later = min(retry)
        schedule([pk for pks in retry.values() for pk in pks], later)
    return counts


def schedule(ids: list[int], when: datetime.datetime) -> None:
    """Queue a retry for ``when``. A queue that cannot delay tasks (the immediate one of
    tests and scripts) leaves them to the sweep, ``attain notify retry``."""
    from .tasks import deliver_task

    if not deliver_task.get_backend().supports_defer:
        return
    try:
        deliver_task.using(run_after=when).enqueue(ids)
    except Exception:
        log.exception("could not queue the retry of %d deliveries", len(ids))
