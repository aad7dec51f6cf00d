"""Reads: a login sees only the notifications addressed to it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Delivery, Notification, Status


def notifications_of(user: Any) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk)


def unread_count(user: Any) -> int:
    return notifications_of(user).filter(read__isnull=True).count()


def deliveries(status: str = "") -> QuerySet[Delivery]:
    rows = Delivery.objects.select_related("webhook", "notification__recipient")
    if status in Status.values:
        rows = rows.filter(status=status)
    return rows
