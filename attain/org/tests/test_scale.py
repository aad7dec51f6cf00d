"""A manager with 5,000 people below them loads their people list with a bounded
number of SQL queries: the subtree is one recursive query, not one per person."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from attain.accounts.models import Role
from attain.org import services
from attain.org.models import Assignment, Person

START = datetime.date(2024, 1, 1)


@pytest.fixture
def big_manager(company):
    """5,000 people in a four-level tree below m3 (bulk-inserted: test data only)."""
    boss = company.people["m3"]
    people = Person.objects.bulk_create(
        Person(code=f"p{i:05d}", name=f"Person {i}", start=START) for i in range(5000)
    )
    assignments = []
    for i, person in enumerate(people):
        # 10 first-line managers under m3, 100 under those, the rest under the 100.
        if i < 10:
            manager = boss
        elif i < 110:
            manager = people[(i - 10) % 10]
        else:
            manager = people[10 + (i - 110) % 100]
        assignments.append(
            Assignment(
                person=person, unit=company.west, manager=manager, title="rep", valid_from=START
            )
        )
    Assignment.objects.bulk_create(assignments)
    user = services.create_login(None, username="bigboss", role=Role.MANAGER, person=boss)
    client = Client()
    client.force_login(user)
    return client


def test_web_people_list_queries_are_bounded(big_manager, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = big_manager.get(reverse("people"))
    assert response.status_code == 200
    # m3 + r4 + 5,000 below
    assert response.context["page"].paginator.count == 5002


def test_api_people_list_queries_are_bounded(big_manager, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = big_manager.get("/api/people/?page_size=1000")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5002
    assert len(body["results"]) == 1000


def test_home_page_queries_are_bounded(big_manager, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        response = big_manager.get(reverse("home"))
    assert response.context["team_size"] == 5001
