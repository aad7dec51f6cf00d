"""QA of the review loop on edge data (loopqa): how a pack writes its figures, who reads
what, what is audited."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from attain.reviews import services
from attain.reviews.models import Review

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
