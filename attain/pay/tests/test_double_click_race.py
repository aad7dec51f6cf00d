"""A double click sends the same form as two requests at the same moment, which two web
processes serve at once (PostgreSQL): the second must still land on the first's work."""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import connection

from attain.pay import services_disputes
from attain.pay.models_disputes import Dispute
from attain.web.testing import at_once

from .payout_factories import AMOUNTS, dispute_line, store


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_dispute_sent_twice_at_once_is_opened_once(company, settings, tmp_path, monkeypatch):
    """Both requests look for a dispute just sent, find none, and open one each: two
    disputes and two notifications to sales operations (before)."""
    settings.MEDIA_ROOT = tmp_path
    store(company, AMOUNTS)
    both = threading.Barrier(2)
    real = services_disputes._default_assignee

    def assignee(*args, **kwargs):  # after the look for a dispute just sent
        # the other request may wait for this one's lock instead: fine
        with contextlib.suppress(threading.BrokenBarrierError):
            both.wait(timeout=3)
        return real(*args, **kwargs)

    monkeypatch.setattr(services_disputes, "_default_assignee", assignee)
    opened = at_once(lambda: dispute_line(company).pk)
    assert Dispute.objects.count() == 1
    assert opened[0] == opened[1], opened


def test_a_reply_sent_twice_is_added_once(company, settings, tmp_path, client):
    """A double click on "Send" in a dispute's thread: before, the reply twice, and the
    other side told twice."""
    import re

    from attain.web.once import FIELD

    settings.MEDIA_ROOT = tmp_path
    store(company, AMOUNTS)
    dispute = dispute_line(company)
    client.force_login(company.users["rep"])
    url = f"/pay/disputes/{dispute.pk}/"
    page = client.get(url).content.decode()
    key = re.search(rf'id="reply".*?name="{FIELD}" value="([0-9a-f]+)"', page, re.S)
    assert key, "the reply form carries no one-time key"
    form = {"action": "message", "text": "附上合同。", FIELD: key.group(1)}
    first = client.post(url, form)
    second = client.post(url, form, follow=True)
    assert first.status_code == 302
    assert dispute.messages.filter(text="附上合同。").count() == 1
    assert "already sent" in second.content.decode()
