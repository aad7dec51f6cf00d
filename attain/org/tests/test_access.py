"""Who may do what with the organisation: every role × every action (attain.org.access)."""

from __future__ import annotations

import pytest

from attain.conftest import page_statuses, role_cases, statuses_of, user_of
from attain.org import access

ALLOWED = """
    action                    admin sales_ops finance executive manager rep anonymous
    edit_organisation         Y     Y         -       -         -       -   -
    see_organisation_summary  Y     Y         Y       Y         -       -   -
    change_company_settings   Y     -         -       -         -       -   -
"""
CHECKS = {
    "edit_organisation": access.can_edit_organisation,
    "see_organisation_summary": access.can_see_organisation_summary,
    "change_company_settings": access.can_change_company_settings,
}


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(ALLOWED))
def test_role_may(company, action, role, allowed):
    assert CHECKS[action](user_of(company, role)) is allowed


def test_the_system_itself_edits_the_organisation():
    assert access.can_edit_organisation(None)
    assert access.can_change_company_settings(None)  # attain setup, the demo


def test_the_pages_follow_the_table(company, client):
    """The pages ask the same checks: an editor gets the forms, others a 403."""
    for url in ("/people/new/", "/units/new/"):
        assert statuses_of(client, company, url) == page_statuses(ALLOWED, "edit_organisation")


def test_the_company_settings_page_follows_the_table(company, client):
    """Only an administrator gets the settings page (and its menu entry); the other
    roles a 403, to a read or a post; without a login, the sign-in page."""
    url = "/company/settings/"
    expected = page_statuses(ALLOWED, "change_company_settings")
    assert statuses_of(client, company, url) == expected
    for role, user in company.users.items():
        client.force_login(user)
        home = client.get("/").content
        assert (f'href="{url}"'.encode() in home) is (expected[role] == 200), role
        if expected[role] == 403:
            assert client.post(url, {"name": "X"}).status_code == 403, role
    client.logout()
    for response in (client.get(url), client.post(url, {"name": "X"})):
        assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("role", ["admin", "sales_ops", "finance", "executive", "manager"])
def test_a_login_whose_person_has_left_keeps_only_a_reps_view(company, client, role):
    """A finance, executive, sales operations or administrator login kept seeing everyone
    (by password or API token) after its person left; it keeps a rep's view: its own
    pay and records, not the company's, no Django admin and no audit trail."""
    import datetime

    from django.utils import timezone

    from attain.accounts.models import Role
    from attain.org import services
    from attain.org.selectors import role_of

    user = user_of(company, role)
    person = getattr(user, "person", None) or services.create_person(
        None,
        code="left1",
        name="LEFT1",
        unit=company.east,
        title="analyst",
        start=datetime.date(2020, 1, 1),
    )
    person.user = user
    person.save()
    assert role_of(user) == Role(role) or role == "admin"
    client.force_login(user)
    assert (b'href="/admin/"' in client.get("/").content) is (role == "admin")
    left = timezone.localdate() - datetime.timedelta(days=1)
    type(person).objects.filter(pk=person.pk).update(end=left)
    user.refresh_from_db()
    assert role_of(user) == Role.REP
    client.force_login(user)
    assert client.get("/pay/payroll/").status_code == 403
    assert client.get("/performance/team/").status_code == 403
    assert client.get("/pay/statements/mine/").status_code == 200
    codes = {p["code"] for p in client.get("/api/people/").json()["results"]}
    assert codes == {person.code}
    assert client.get("/admin/").status_code == 302  # to the admin's login page
    # nor the audit trail (everyone's pay, targets and records, before and after)
    for url in ("/audit/", "/api/audit/", "/api/audit/verify/"):
        assert client.get(url).status_code == 403, url
    home = client.get("/").content
    assert b'href="/audit/"' not in home
    assert b'href="/admin/"' not in home  # no link to the admin it may not enter
