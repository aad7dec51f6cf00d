"""Who may do what with integrity alerts: every role × every action
(attain.integrity.access), and the pages follow the table."""

from __future__ import annotations

import pytest

from attain.conftest import page_statuses, role_cases, statuses_of, user_of
from attain.integrity import access

ALLOWED = """
    action          admin sales_ops finance executive manager rep anonymous
    review          Y     Y         Y       -         -       -   -
    scan            Y     Y         -       -         -       -   -
    see_own_hold    Y     Y         Y       Y         Y       Y   -
"""
CHECKS = {
    "review": access.can_review,
    "scan": access.can_scan,
    "see_own_hold": access.sees_own_hold,
}
PAGES = {"review": ["/integrity/", "/integrity/over-time/"]}


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(ALLOWED))
def test_role_may(company, action, role, allowed):
    assert CHECKS[action](user_of(company, role)) is allowed


def test_the_system_itself_scans_and_reviews():
    assert access.can_scan(None) and access.can_review(None)


@pytest.mark.parametrize("action", sorted(PAGES))
def test_the_pages_follow_the_table(company, client, action):
    for page in PAGES[action]:
        assert statuses_of(client, company, page) == page_statuses(ALLOWED, action), page


def test_scan_page_needs_the_scan_role(company, client):
    client.force_login(company.users["finance"])
    assert client.post("/integrity/scan/").status_code == 403
