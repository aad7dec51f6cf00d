"""QA of My performance and the leaderboards as every role (loopqa)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_my_performance_leads_a_login_without_a_person_to_a_page_it_may_open(company, client):
    """A login with no person was sent to the teams' page; finance may not open it, so
    finance's My performance ended on 403."""
    for role in ("admin", "sales_ops", "finance", "executive"):
        client.force_login(company.users[role])
        response = client.get(reverse("incentives:mine"), follow=True)
        assert response.status_code == 200, role
    client.force_login(company.users["finance"])
    response = client.get(reverse("incentives:mine"))
    assert response.url == reverse("incentives:dashboard")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_board_of_thousands_groups_its_counts(company, client, language):
    """The note under a cut board wrote "1051 ranked" (the plural line above it groups)."""
    from attain.incentives.models import PeriodResult
    from attain.org.models import Person

    people = Person.objects.bulk_create(
        Person(code=f"k{n:04d}", name=f"员工{n}", start=datetime.date(2024, 1, 1))
        for n in range(1051)
    )
    PeriodResult.objects.bulk_create(
        PeriodResult(
            person=person,
            period="2026-03",
            period_kind="month",
            start=datetime.date(2026, 3, 1),
            end=datetime.date(2026, 3, 31),
            unit=company.east,
            role="rep",
            main_attainment=Decimal("0") if n >= 1040 else Decimal(n + 1) / 1000,
        )
        for n, person in enumerate(people)
    )
    client.force_login(company.users["executive"])
    client.cookies["django_language"] = language
    page = client.get(reverse("incentives:leaderboard"), {"period": "2026-03"})
    note = re.search(r'<p class="muted small" id="board-cut">(.*?)</p>', page.content.decode())
    assert note is not None
    assert "1,040" in note.group(1) and "1040" not in note.group(1)
