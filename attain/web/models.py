"""The one table of the web helpers: forms already sent (attain.web.once)."""

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
