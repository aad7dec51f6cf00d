"""One visibility rule for people's data across every read endpoint of targets and
reviews, with a mover: r2 moves from m1's team (east) to m3's (west) in February 2026.
Whatever a login reads, the people in it are among ``visible_people`` (a review's own
manager aside: the rep sees who reviews them)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from attain.accounts.models import Role
from attain.org import services as org
from attain.org.models import Person
from attain.org.selectors import visible_people
from attain.reviews import services
from attain.reviews.models import Review
from attain.targets.models import TargetPlan

pytestmark = pytest.mark.django_db


def codes_in(found: Any, codes: set[str], into: set[str]) -> set[str]:
    if isinstance(found, dict):
        for key, value in found.items():
            if key in codes:
                into.add(key)
            codes_in(value, codes, into)
    elif isinstance(found, list):
        for value in found:
            codes_in(value, codes, into)
    elif isinstance(found, str) and found in codes:
        into.add(found)
    return into


def test_every_read_endpoint_keeps_to_the_visible_people(team) -> None:
    people = team.people
    org.transfer_person(
        None, people["r2"], on=datetime.date(2026, 2, 1), unit=team.west, manager=people["m3"]
    )
    org.create_login(
        None, username="m3", role=Role.MANAGER, password="pw-m3-1", person=people["m3"]
    )
    east = services.open_review(team.users["manager"], people["m1"], "2026-Q1")
    west = services.open_review(team.users["admin"], people["m3"], "2026-Q1")
    assert {p.person.code for p in west.packs.all()} == {"r2", "r4"}
    plan = TargetPlan.objects.get()
    codes = set(Person.objects.values_list("code", flat=True))
    day = "as_of=2026-03-15"
    urls = [
        "/api/targets/plans/",
        f"/api/targets/plans/{plan.pk}/grid/",
        "/api/targets/published/",
        f"/api/targets/pace/?{day}",
        f"/api/targets/forecast/?{day}",
        "/api/reviews/",
        f"/api/reviews/{east.pk}/",
        f"/api/reviews/{west.pk}/",
        *(f"/api/reviews/people/{code}/" for code in sorted(codes)),
    ]
    users = {**team.users, "m3": get_user_model().objects.get(username="m3")}
    client = APIClient()
    seen_by: dict[str, set[str]] = {}
    for name, user in users.items():
        client.force_authenticate(user)
        visible = set(visible_people(user).values_list("code", flat=True))
        reviewers = set(
            Review.objects.filter(packs__person__code__in=visible).values_list(
                "manager__code", flat=True
            )
        )
        seen: set[str] = set()
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 403, 404), (name, url, response.status_code)
            body = response.json() if response.status_code == 200 else None
            while isinstance(body, dict) and body.get("next"):  # every page of a list
                following = client.get(body.pop("next")).json()
                body.setdefault("more", []).append(following.pop("results"))
                body["next"] = following.get("next")
            if response.status_code == 200:
                found = codes_in(body, codes, set())
                assert found <= visible | reviewers, (name, url, found - visible - reviewers)
                seen |= found
        seen_by[name] = seen
    # and each sees what is theirs to see: m3 their new man r2, m1 no longer
    assert "r2" in seen_by["m3"] and "r4" in seen_by["m3"]
    assert "r2" not in seen_by["manager"] and {"r1", "r3"} <= seen_by["manager"]
    assert seen_by["rep"] <= {"r1", "m1"}
    assert {"r1", "r2", "r3", "r4"} <= seen_by["executive"]
