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
    (by password or API token) after its person left; it keeps a rep's view of its own
    pay, not the company's, no Django admin and no audit trail."""
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
    # nor anyone's record, their own included: only their own pay (LEAVER_PAGES below)
    assert client.get("/api/people/").status_code == 403
    assert client.get("/admin/").status_code == 302  # to the admin's login page
    # nor the audit trail (everyone's pay, targets and records, before and after)
    for url in ("/audit/", "/api/audit/", "/api/audit/verify/"):
        assert client.get(url).status_code == 403, url
    home = client.get("/").content
    assert b'href="/audit/"' not in home
    assert b'href="/admin/"' not in home  # no link to the admin it may not enter


# The login of someone who has left: the rep's (r1) before and after r1's last day. It
# keeps its own pay, notifications and login (attain.org.access.LEAVER_REACHES); every
# other page is a 403, a page to record something included (docs/pay.md, "Someone who
# has left"). A GET of each page; ``post`` rows post an empty form.
LEAVER_PAGES = """
    method page                             rep  leaver
    get    /                                200  200
    get    /pay/payouts/                    200  200
    get    /pay/statements/                 200  200
    get    /pay/statements/mine/            200  200
    get    /pay/disputes/                   200  200
    get    /pay/disputes/new/               200  200
    get    /notifications/                  200  200
    get    /notifications/settings/         200  200
    get    /people/                         200  403
    get    /units/                          200  403
    get    /people/r1/                      200  403
    get    /search/?q=c                     200  403
    get    /crm/customers/                  200  403
    get    /crm/customers/new/              200  403
    get    /crm/opportunities/              200  403
    get    /crm/orders/                     200  403
    get    /crm/payments/                   200  403
    get    /crm/reminders/                  200  403
    get    /targets/                        200  403
    get    /targets/mine/                   200  403
    get    /performance/                    200  403
    get    /performance/leaderboards/       200  403
    get    /reviews/                        200  403
    get    /intake/                         403  403
    post   /crm/customers/new/              200  403
"""


def _leaver_rows() -> list[tuple[str, str, int, int]]:
    _, *rows = [line.split() for line in LEAVER_PAGES.strip().splitlines()]
    return [(method, page, int(rep), int(leaver)) for method, page, rep, leaver in rows]


def _leave(company) -> object:
    """r1 left yesterday: the rep's login (r1's), read again."""
    import datetime

    from django.utils import timezone

    left = timezone.localdate() - datetime.timedelta(days=1)
    type(company.people["r1"]).objects.filter(code="r1").update(end=left)
    return type(company.users["rep"]).objects.get(pk=company.users["rep"].pk)


def test_a_leavers_login_reaches_only_its_own_pay(company, client):
    rows = _leaver_rows()

    def statuses() -> list[int]:
        return [
            (client.get(page) if method == "get" else client.post(page, {})).status_code
            for method, page, *_ in rows
        ]

    client.force_login(company.users["rep"])
    assert statuses() == [rep for *_, rep, _leaver in rows]
    client.force_login(_leave(company))
    assert statuses() == [leaver for *_, leaver in rows]


def test_a_leaver_gets_a_403_from_every_other_page(company, client):
    """Every page without a record in its address, so a page added later is closed to a
    leaver until attain.org.access.LEAVER_REACHES names it."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def pages(resolver, prefix="", namespace=""):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from pages(pattern, route, inner)
            elif isinstance(pattern, URLPattern) and "<" not in route and "^" not in route:
                yield "/" + route, namespace + (pattern.name or "")

    client.force_login(_leave(company))
    reached = {}
    for path, name in pages(get_resolver()):
        if path.startswith(("/admin/", "/api/", "/login/", "/logout/", "/sso/", "/setup/")):
            continue  # admin: its own rule; the API: its own table; signing in and out
        if name in access.LEAVER_REACHES:
            continue
        reached[path] = client.get(path).status_code
    assert reached and {path for path, status in reached.items() if status != 403} == set()


def test_a_leavers_menu_offers_only_its_own_pay(company, client):
    import re

    from django.urls import resolve

    client.force_login(_leave(company))
    html = client.get("/").content.decode()
    menu = html[html.index('<nav id="main-nav">') : html.index("</nav>")]
    links = {resolve(href.split("?")[0]).view_name for href in re.findall(r'href="([^"#]+)"', menu)}
    assert links == {"home", "notify:inbox", "pay:register", "pay:disputes", "pay:statements"}
    assert 'role="search"' not in html  # the search reads customers and people
    page = {
        resolve(href.split("?")[0]).view_name
        for href in re.findall(r'href="(/[^"#]*)"', html)
        if not href.startswith("/static/")
    }
    assert page <= access.LEAVER_REACHES, page - access.LEAVER_REACHES


def test_a_token_issued_before_leaving_reaches_only_its_own_pay(company, client):
    """An integration's token of r1, issued while r1 worked, used after their last day:
    the API asks the same list after the token signed the request in."""
    from attain.accounts import tokens

    key = tokens.issue(company.users["rep"]).key
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert client.get("/api/customers/", **headers).status_code == 200
    _leave(company)
    for url in ("/api/customers/", "/api/orders/", "/api/targets/published/", "/api/people/"):
        answer = client.get(url, **headers)
        assert answer.status_code == 403, url
        message = answer.json()["error"]["message"]
        assert message == "Someone who has left reaches only their own pay."
    chinese = client.get("/api/orders/", HTTP_ACCEPT_LANGUAGE="zh-hans", **headers)
    assert chinese.json()["error"]["message"] == "已离职人员只能查看本人的薪酬。"
    client.force_login(type(company.users["rep"]).objects.get(username="r1"))
    page = client.get("/crm/orders/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 403 and "已离职人员只能查看本人的薪酬。" in page.content.decode()
    client.logout()
    assert client.get("/api/pay/payouts/", **headers).status_code == 200
    assert client.get("/api/me/", **headers).status_code == 200
