"""Who may do what with the organisation: every role × every action (attain.org.access)."""

from __future__ import annotations

import pytest

from attain.conftest import page_statuses, role_cases, statuses_of, user_of
from attain.org import access

ALLOWED = """
    action                    admin sales_ops finance executive manager rep anonymous
    edit_organisation         Y     Y         -       -         -       -   -
    see_organisation_summary  Y     Y         Y       Y         -       -   -
"""
CHECKS = {
    "edit_organisation": access.can_edit_organisation,
    "see_organisation_summary": access.can_see_organisation_summary,
}


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(ALLOWED))
def test_role_may(company, action, role, allowed):
    assert CHECKS[action](user_of(company, role)) is allowed


def test_the_system_itself_edits_the_organisation():
    assert access.can_edit_organisation(None)


def test_the_pages_follow_the_table(company, client):
    """The pages ask the same checks: an editor gets the forms, others a 403."""
    for url in ("/people/new/", "/units/new/"):
        assert statuses_of(client, company, url) == page_statuses(ALLOWED, "edit_organisation")
