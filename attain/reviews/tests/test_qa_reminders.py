"""The "a review is due" reminder for someone who became a manager after the period."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from attain.notify.models import Notification
from attain.org import services as org_services
from attain.reviews import services
from attain.reviews.notices import reviews_due

D = datetime.date


def test_a_manager_whose_team_came_after_the_period_is_not_asked_to_review_it(team):
    """m1's people reported to m3 through 2026-Q1 and to m1 from 1 April. Before: on
    5 April m1 was told the 2026-Q1 review was due, a review that cannot be opened (m1 had
    nobody on its last day). After: no reminder; the next quarter's still comes."""
    p = team.people
    for code in ("r1", "r2", "m2"):
        org_services.set_manager(None, p[code], p["m3"], on=D(2026, 1, 1))
        org_services.set_manager(None, p[code], p["m1"], on=D(2026, 4, 1))
    with pytest.raises(ValidationError):
        services.open_review(team.users["manager"], p["m1"], "2026-Q1")
    reviews_due(D(2026, 4, 5))
    told = Notification.objects.filter(kind="team_review_due", recipient=team.users["manager"])
    assert not told.exists()
    reviews_due(D(2026, 7, 5))
    assert [n.params["period"] for n in told] == ["2026-Q2"]
