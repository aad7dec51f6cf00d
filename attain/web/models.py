"""The tables of the web helpers: forms already sent (attain.web.once) and API writes
sent with an Idempotency-Key (attain.api.idempotency)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SentForm(models.Model):
    """A form that created or changed something, by the one-time key its page carried.
    The key is unique, so the same form sent twice (a double click, a page sent again)
    does its work once; the second answer goes where the first did."""

    key = models.CharField(_("key"), max_length=32, unique=True)
    # the user's id, not a foreign key: attain.web is below attain.accounts
    user_id = models.BigIntegerField(_("user id"), null=True)
    next_url = models.CharField(_("next page"), max_length=2000, blank=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.key


class SentRequest(models.Model):
    """An API write sent with an ``Idempotency-Key`` header, and the answer it got. The
    key is unique per user, so a client's retry (after a timeout) with the same key and
    the same request gets the stored answer instead of running again
    (:mod:`attain.api.idempotency`)."""

    key = models.CharField(_("key"), max_length=255)
    # the user's id, not a foreign key: attain.web is below attain.accounts
    user_id = models.BigIntegerField(_("user id"))
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status = models.PositiveSmallIntegerField(_("status"), null=True)
    content_type = models.CharField(_("content type"), max_length=200, blank=True)
    location = models.CharField(_("location"), max_length=2000, blank=True)
    body = models.BinaryField(_("body"), default=bytes)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "key"], name="web_sentrequest_user_key")
        ]

    def __str__(self) -> str:
        return self.key
