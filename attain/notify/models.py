"""Notifications, who wants what, group webhooks and every delivery attempt.

A :class:`Notification` is stored as a kind and its parameters and written out in the
recipient's language when shown or sent (:mod:`.kinds`). Each channel it goes out on
is a :class:`Delivery` with its status, attempts and last error, so nothing is lost
silently: a delivery that keeps failing ends ``failed`` and stays visible to admins.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Personal robot webhook")


class Platform(models.TextChoices):
    WECOM = "wecom", _("WeCom (企业微信)")
    DINGTALK = "dingtalk", _("DingTalk (钉钉)")
    FEISHU = "feishu", _("Feishu (飞书)")


class Language(models.TextChoices):
    SITE = "", _("The site's default")
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read = models.DateTimeField(_("read"), null=True, blank=True)
    digested = models.DateTimeField(_("sent in a digest"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["recipient", "read"], name="notify_unread")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class Profile(models.Model):
    """A login's notification settings: language, daily digest, personal webhook."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_profile"
    )
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, blank=True, default=""
    )
    digest = models.BooleanField(
        _("daily digest"),
        default=False,
        help_text=_("Emails come once a day, all together, instead of one by one."),
    )
    webhook_platform = models.CharField(
        _("personal webhook platform"), max_length=10, choices=Platform.choices, blank=True
    )
    webhook_url = models.URLField(_("personal webhook URL"), max_length=500, blank=True)
    webhook_secret = models.CharField(_("personal webhook secret"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)


class Preference(models.Model):
    """One switch: a kind of notification on one channel, for one login. Without a row
    the default of the kind applies (:data:`attain.notify.kinds.DEFAULT_CHANNELS`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preferences"
    )
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("on"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="notify_one_switch")
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.channel}: {self.enabled}"


def http_address(value: str) -> None:
    """A webhook's address starts with http:// or https://: the worker posts to it (ftp://,
    a URL to Django, failed every message unseen). Only the scheme is checked here: an
    address that is no URL at all is the field's own error, told once."""
    if urlsplit(str(value)).scheme.lower() not in {"http", "https"}:
        raise ValidationError(
            _("A webhook address starts with https:// or http://."), code="scheme"
        )


class Webhook(models.Model):
    """A group robot (a WeCom, DingTalk or Feishu group chat), set up by an administrator:
    the kinds it receives, in one language."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    url = models.URLField(
        _("webhook URL"),
        max_length=500,
        # the worker posts to it: ftp:// (a URL to Django) failed every event unseen
        validators=[http_address],
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk “加签” or Feishu “签名校验” secret; empty when not used."),
    )
    kinds = models.JSONField(
        _("kinds"), default=list, blank=True, help_text=_("Empty: every kind sent to groups.")
    )
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, blank=True, default=""
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("group webhook")
        verbose_name_plural = _("group webhooks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RETRYING = "retrying", _("Retrying")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One message on one channel: a notification by email or personal webhook, or one
    event to a group webhook (``notification`` empty, the text in ``kind``/``params``)."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    webhook = models.ForeignKey(
        Webhook, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    sent = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt"], name="notify_due")]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} {self.status}"
