"""A comment or an agreed action sent twice (a double click) is recorded once."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from attain.reviews import services
from attain.reviews.models import ReviewAction, ReviewComment
from attain.web.once import FIELD


@pytest.mark.parametrize(
    ("form_id", "view", "fields", "model"),
    [
        ("comment-form", "reviews:comment", {"text": "收到"}, ReviewComment),
        (
            "action-form",
            "reviews:action",
            {"text": "每周拜访两次", "owner": "r1", "due_on": "2026-03-31"},
            ReviewAction,
        ),
    ],
)
def test_a_review_form_sent_twice_records_once(team, client, form_id, view, fields, model):
    review = services.open_review(team.users["manager"], team.people["m1"], "2026-Q1")
    client.force_login(team.users["manager"])
    page = client.get(reverse("reviews:pack", args=[review.pk, "r1"])).content.decode()
    form = re.search(rf'id="{form_id}".*?</form>', page, re.S)
    assert form is not None
    key = re.search(rf'name="{FIELD}" value="([0-9a-f]+)"', form.group(0))
    assert key, "the form carries no one-time key"
    url = reverse(view, args=[review.pk, "r1"])
    first = client.post(url, {**fields, FIELD: key.group(1)})
    second = client.post(url, {**fields, FIELD: key.group(1)}, follow=True)
    assert model.objects.count() == 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert "already sent" in second.content.decode()
