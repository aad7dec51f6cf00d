"""Who may do what with the organisation: every role × every action (attain.org.access)."""

from __future__ import annotations

import pytest

from attain.conftest import ROLE_COLUMNS, role_cases, user_of
from attain.org import access

Y, N = True, False
# fmt: off
ALLOWED = {
    # action                    admin ops fin  exec mgr  rep  anon
    "edit_organisation":        (Y,   Y,  N,   N,   N,   N,   N),
    "see_organisation_summary": (Y,   Y,  Y,   Y,   N,   N,   N),
}
# fmt: on
CHECKS = {
    "edit_organisation": access.can_edit_organisation,
    "see_organisation_summary": access.can_see_organisation_summary,
}


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(ALLOWED))
def test_role_may(company, action, role, allowed):
    assert CHECKS[action](user_of(company, role)) is allowed


def test_the_system_itself_edits_the_organisation():
    assert access.can_edit_organisation(None)


def test_every_page_follows_the_table(company, client):
    """The pages ask the same checks: an editor gets the forms, others a 403."""
    for role in ROLE_COLUMNS[:-1]:
        client.force_login(company.users[role])
        expected = 200 if ALLOWED["edit_organisation"][ROLE_COLUMNS.index(role)] else 403
        assert client.get("/people/new/").status_code == expected, role
        assert client.get("/units/new/").status_code == expected, role
