"""Reviews under hostile input: two managers' clicks racing to open the same review, and
text the database cannot hold."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from attain.reviews import services
from attain.reviews.models import Review, ReviewComment


def test_opening_a_review_another_request_just_opened_is_refused_not_a_server_error(
    team, monkeypatch
):
    """Two requests open the same team's review at once: both pass the "already open?"
    check, the second one's insert hits the unique constraint. Before: IntegrityError
    (a 500). After: the same ValidationError on ``period`` as when it was already open."""
    manager, m1 = team.users["manager"], team.people["m1"]
    real_team_of = services.team_of

    def racing_team_of(person, day):
        # the other request wins the race between the check and the insert
        if not Review.objects.filter(manager=m1, period="2026-Q1").exists():
            Review.objects.create(
                manager=m1,
                cadence="quarter",
                period="2026-Q1",
                period_start=day.replace(month=1, day=1),
                period_end=day.replace(month=3, day=31),
                due_on=day.replace(month=4, day=10),
            )
        return real_team_of(person, day)

    monkeypatch.setattr(services, "team_of", racing_team_of)
    with pytest.raises(ValidationError) as raised:
        services.open_review(manager, m1, "2026-Q1")
    assert "period" in raised.value.message_dict
    assert Review.objects.filter(manager=m1, period="2026-Q1").count() == 1


def test_a_comment_with_a_nul_character_is_refused_naming_the_field(team):
    """PostgreSQL cannot store NUL in text: before, the page's comment form (which does
    not go through DRF's validators) wrote it and failed with a 500 on PostgreSQL. After:
    a ValidationError on ``text`` and nothing written."""
    review = services.open_review(team.users["manager"], team.people["m1"], "2026-Q1")
    pack = review.packs.get(person__code="r1")
    with pytest.raises(ValidationError) as raised:
        services.add_comment(team.users["manager"], pack, "ok\x00then")
    assert "text" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        services.add_action(
            team.users["manager"], pack, text="call\x00", owner="r1", due_on="2026-03-31"
        )
    assert "text" in raised.value.message_dict
    assert not ReviewComment.objects.exists()


def test_the_administrator_naming_a_manager_with_a_nul_character_is_told_unknown(team, client):
    """The page's form is not checked like the API's employee id: before, a NUL in
    ``manager`` reached the database (a 500 on PostgreSQL). After: the page is a 400
    (a NUL in a posted form never reaches a view) and the service says "Unknown person"."""
    client.force_login(team.users["admin"])
    response = client.post("/reviews/open/", {"manager": "m1\x00", "period": "2026-Q1"})
    assert response.status_code == 400
    assert not Review.objects.exists()
    with pytest.raises(ValidationError) as raised:
        services.manager_of_request(team.users["admin"], "m1\x00")
    assert "manager" in raised.value.message_dict


def test_a_page_error_names_its_field_with_the_readers_punctuation(team, client):
    """Before: "到期日: 请填写…" (an English colon and space in Chinese). After: the
    field and the problem are joined by a translated pattern: "到期日：请填写…"."""
    review = services.open_review(team.users["manager"], team.people["m1"], "2026-Q1")
    client.force_login(team.users["manager"])
    url = f"/reviews/{review.pk}/people/r1/action/"
    data = {"text": "x", "owner": "r1", "due_on": "2026-02-30"}
    page = client.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "到期日：请填写到期日" in page.content.decode()
    page = client.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Due on: Give a due date" in page.content.decode()
