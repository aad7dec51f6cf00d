"""QA of the review loop on edge data (loopqa): how a pack writes its figures, who reads
what, what is audited."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from attain.accounts.models import Role
from attain.org import services as org
from attain.org.models import Person
from attain.reviews import services
from attain.reviews.models import Review
from attain.targets.tests.conftest import hire_rep

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_packs_forecast_of_money_is_written_as_money_like_its_actual(team, client, language):
    review = services.open_review(team.users["manager"], team.people["m1"], "2026-Q1")
    pack = review.packs.get(person__code="r1")
    revenue = next(m for m in pack.data["measures"] if m["code"] == "revenue")
    # a P50 whose cents end in 0 (341,706.80): the page wrote 341,706.8 beside 100.00
    revenue.update(p10="100.00", p50="341706.80", p90="807418.9")
    pack.save(update_fields=["data"])
    client.force_login(team.users["manager"])
    client.cookies["django_language"] = language
    page = client.get(reverse("reviews:pack", args=[review.pk, "r1"])).content.decode()
    cell = re.search(r'<td class="forecast-range">(.*?)</td>', page, re.S).group(1)
    assert "100.00 – 807,418.90" in cell
    assert "P50 341,706.80" in cell


def test_a_manager_cannot_tell_employee_ids_that_exist_by_opening_reviews(team, client):
    """Opening a review for another team answered 403 for an employee id that exists and
    400 "Unknown person" for one that does not: a manager could probe the ids."""
    api = APIClient()
    api.force_authenticate(team.users["manager"])
    answers = {
        code: api.post("/api/reviews/", {"period": "2026-Q1", "manager": code}, format="json")
        for code in ("m3", "nobody")
    }
    assert {code: r.status_code for code, r in answers.items()} == {"m3": 403, "nobody": 403}
    client.force_login(team.users["manager"])
    for code in ("m3", "nobody"):
        response = client.post(
            reverse("reviews:open"), {"period": "2026-Q1", "manager": code}, follow=True
        )
        assert response.status_code == 403, code
    # the administrator is still told which id is unknown
    api.force_authenticate(team.users["admin"])
    response = api.post("/api/reviews/", {"period": "2026-Q1", "manager": "nobody"}, format="json")
    assert response.status_code == 400 and "manager" in response.json()["error"]["fields"]
    assert not Review.objects.exists()


def test_a_new_hire_is_not_linked_to_a_last_review_they_were_not_in(team, client):
    """r5 joins m1's team in April: the Q2 review linked to Q1's ("Last review: 2026-Q1"),
    a page r5 may not read (404)."""
    first = services.open_review(team.users["manager"], team.people["m1"], "2026-Q1")
    hire_rep(team, "r5", team.east, datetime.date(2026, 4, 1), "m1")
    org.create_login(
        None, username="r5", role=Role.REP, password="pw-r5-1", person=Person.objects.get(code="r5")
    )
    second = services.open_review(team.users["manager"], team.people["m1"], "2026-Q2")
    assert second.previous_id == first.pk
    previous = reverse("reviews:review", args=[first.pk])
    client.force_login(team.users["manager"])
    assert previous in client.get(reverse("reviews:review", args=[second.pk])).content.decode()
    client.force_login(get_user_model().objects.get(username="r5"))
    page = client.get(reverse("reviews:review", args=[second.pk]))
    assert page.status_code == 200 and 'data-person="r5"' in page.content.decode()
    assert client.get(previous).status_code == 404
    assert previous not in page.content.decode()


def test_the_audit_trail_names_who_ticked_an_action_in_the_readers_language(team, client):
    """A tick is audited with its ``done_by``; the trail showed that field as "done by"
    to a Chinese reader (the field has no name of its own and it was not in the
    catalogue)."""
    review = services.open_review(team.users["manager"], team.people["m1"], "2026-Q1")
    pack = review.packs.get(person__code="r1")
    action = services.add_action(
        team.users["manager"], pack, text="每周两次拜访", owner="r1", due_on="2026-04-30"
    )
    services.tick_action(team.users["rep"], action, True)
    client.force_login(team.users["admin"])
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("audit"), {"type": "reviews.reviewaction"}).content.decode()
    assert "<th>完成人</th>" in page and "done by" not in page
