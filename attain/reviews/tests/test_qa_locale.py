"""The day a pack's figures are taken on is written as the reader's language writes a
date, like the time it was prepared beside it (it was the ISO string kept in the pack)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import formats, translation

from attain.reviews import services


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_figures_day_of_a_pack_is_in_the_readers_format(team, client, language):
    review = services.open_review(team.users["manager"], team.people["m1"], "2026-Q1")
    client.force_login(team.users["manager"])
    client.cookies["django_language"] = language
    page = client.get(reverse("reviews:pack", args=[review.pk, "r1"])).content.decode()
    with translation.override(language):
        day = formats.date_format(datetime.date(2026, 3, 31), "SHORT_DATE_FORMAT")
        prepared = translation.gettext("Figures as of %(day)s (prepared %(prepared)s).")
    assert day != "2026-03-31"
    assert prepared.split("%(day)s")[0] + day in page


def test_the_prepared_time_ends_its_sentence_once_in_english(team, client):
    """English writes 6:38 p.m.: a full stop after it made "p.m.."."""
    review = services.open_review(team.users["manager"], team.people["m1"], "2026-Q1")
    client.force_login(team.users["manager"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("reviews:pack", args=[review.pk, "r1"])).content.decode()
    assert "m.." not in page
