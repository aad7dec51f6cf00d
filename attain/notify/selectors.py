"""Reads: a login sees only the notifications addressed to it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from attain.org.selectors import has_left, person_of

from .kinds import KINDS
from .models import Delivery, Notification, Status


def reader_code(user: Any) -> str | None:
    """The employee id of a login's person (who a notice's link is for), if any."""
    person = person_of(user)
    return person.code if person is not None else None


def notifications_of(user: Any) -> QuerySet[Notification]:
    """The login's notifications; for someone who has left, only the kinds that may
    reach a leaver (their own pay and disputes): the others, from before their last day,
    lead to pages they no longer reach (attain.org.access.LEAVER_REACHES)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient_id=user.pk)
    if has_left(user):
        rows = rows.filter(kind__in=[code for code, kind in KINDS.items() if kind.leavers])
    return rows


def unread_count(user: Any) -> int:
    return notifications_of(user).filter(read__isnull=True).count()


def deliveries(status: str = "") -> QuerySet[Delivery]:
    rows = Delivery.objects.select_related("webhook", "notification__recipient")
    if status in Status.values:
        rows = rows.filter(status=status)
    return rows


def with_readers(rows: Iterable[Delivery]) -> list[Delivery]:
    """The rows with ``reader``: the login a digest is for (it has no notification, so
    the deliveries page had no name to show beside its error), else ``None``."""
    rows = list(rows)
    ids = {
        int(d.params["user"])
        for d in rows
        if d.kind == "digest" and str(d.params.get("user", "")).isdigit()
    }
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=ids)}
    for d in rows:
        user = str(d.params.get("user", "")) if d.kind == "digest" else ""
        d.reader = users.get(int(user)) if user.isdigit() else None  # type: ignore[attr-defined]
    return rows
