"""Who may do what with reviews: every role × every action (attain.reviews.access), the
per-review checks, and the pages follow the table."""

from __future__ import annotations

import pytest

from attain.conftest import page_statuses, role_cases, statuses_of, user_of
from attain.reviews import access

from .factories import action, review

ALLOWED = """
    action   admin sales_ops finance executive manager rep anonymous
    read     Y     Y         -       Y         Y       Y   -
    open     Y     -         -       -         Y       -   -
    write    Y     -         -       -         Y       Y   -
    read_all Y     Y         -       Y         -       -   -
"""
CHECKS = {
    "read": access.can_read_reviews,
    "open": access.can_open_reviews,
    "write": access.can_write_reviews,
    "read_all": access.reads_every_review,
}
PAGES = {"read": ["/reviews/"]}


@pytest.mark.parametrize(("action_name", "role", "allowed"), role_cases(ALLOWED))
def test_role_may(company, action_name, role, allowed):
    assert CHECKS[action_name](user_of(company, role)) is allowed


@pytest.mark.parametrize("action_name", sorted(PAGES))
def test_the_pages_follow_the_table(company, client, action_name):
    for page in PAGES[action_name]:
        assert statuses_of(client, company, page) == page_statuses(ALLOWED, action_name), page


# Per review: (what, role) → allowed, on m1's review of r1, r2 and m2, whose r1 pack has
# an action owned by m1.
PER_REVIEW = """
    check          admin sales_ops finance executive manager rep anonymous
    lead           Y     -         -       -         Y       -   -
    write_r1       Y     -         -       -         Y       Y   -
    write_r2       Y     -         -       -         Y       -   -
    tick_r1        Y     -         -       -         Y       Y   -
"""


@pytest.mark.parametrize(("check", "role", "allowed"), role_cases(PER_REVIEW))
def test_per_review(company, check, role, allowed):
    found = review(company, "m1", "2026-Q1", ["r1", "r2", "m2"])
    agreed = action(found, "r1", "m1")
    user = user_of(company, role)
    result = {
        "lead": lambda: access.may_lead(user, found),
        "write_r1": lambda: access.may_write(user, found.packs.get(person__code="r1")),
        "write_r2": lambda: access.may_write(user, found.packs.get(person__code="r2")),
        "tick_r1": lambda: access.may_tick(user, agreed),
    }[check]()
    assert result is allowed


def test_a_manager_of_another_team_may_not_lead_or_write(company):
    found = review(company, "m3", "2026-Q1", ["r4"])
    m1 = company.users["manager"]
    assert not access.may_lead(m1, found)
    assert not access.may_write(m1, found.packs.get())


def test_a_new_manager_ticks_the_actions_carried_from_the_earlier_one(company):
    """r4 moved from m3's team to m1's: m1's review opens with the action agreed in m3's
    review (docs/reviews.md: each tickable; a manager ticks their team's), but only m3,
    who no longer leads r4, could tick it."""
    import datetime

    from attain.org.services import transfer_person
    from attain.reviews.selectors import carried_actions

    earlier = review(company, "m3", "2026-Q1", ["r4"])
    agreed = action(earlier, "r4", "r4")
    transfer_person(
        None, company.people["r4"], on=datetime.date(2026, 4, 1), manager=company.people["m1"]
    )
    now = review(company, "m1", "2026-Q2", ["r4"])
    assert carried_actions(now.packs.get()) == [agreed]
    assert access.may_tick(company.users["manager"], agreed)
    # a manager above the person's manager, who leads neither them nor the review, does not
    below = review(company, "m2", "2026-Q1", ["r3"])
    assert not access.may_tick(company.users["manager"], action(below, "r3", "r3"))
