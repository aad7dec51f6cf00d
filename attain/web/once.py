"""Forms that act once: a double click on "Save" or a page sent again by the browser
does not record twice.

A page puts ``{% once_field %}`` (``{% load once %}``) in its form: a hidden one-time
key. :func:`run_once` claims the key in the transaction that does the form's work; the
key is unique in the database, so a second request with the same key, even one sent at
the same moment to another web process, waits for the first and then finds the key
spent: it does nothing and answers with the first request's page and a message. A form
the service refuses spends nothing (the transaction rolls back): corrected, it is sent
with the same key. A form without a key (an older page, a script) works as before.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SentForm

FIELD = "sent_once"
KEY_RE = re.compile(r"[0-9a-f]{32}")
KEPT = datetime.timedelta(days=2)  # a page left open longer is no longer guarded


def new_key() -> str:
    return uuid.uuid4().hex


def key_of(request: HttpRequest) -> str | None:
    key = request.POST.get(FIELD, "")
    return key if KEY_RE.fullmatch(key) else None


def run_once(request: HttpRequest, work: Callable[[], str | None]) -> str | None:
    """Run ``work`` (the form's writes; it returns the URL to go to next, or ``None``
    when it refused the form) once per key of the form. Returns that URL; for a form
    already sent, the first answer's URL, with a message saying so."""
    key = key_of(request)
    if key is None:
        return work()
    user = getattr(request, "user", None)
    with transaction.atomic():
        try:
            with transaction.atomic():
                sent = SentForm.objects.create(
                    key=key, user_id=user.pk if user is not None else None
                )
        except IntegrityError:  # sent before (or by a request that just committed)
            # only the sender's own answer leads on: a key another user sent (it could
            # only be known by being seen) gives nothing of where theirs went
            mine = SentForm.objects.filter(key=key, user_id=user.pk if user is not None else None)
            earlier = mine.first()
            messages.info(request, _("This form was already sent: it was saved once."))
            return earlier.next_url if earlier and earlier.next_url else request.path
        next_url = work()
        if next_url is None:
            transaction.set_rollback(True)  # refused: the key is not spent
            return None
        sent.next_url = next_url
        sent.save(update_fields=["next_url"])
        SentForm.objects.filter(sent_at__lt=timezone.now() - KEPT).delete()
    return next_url
