"""Someone who has left keeps their login to read their own pay (role_of gives it a
rep's: docs/architecture.md, "One visibility rule"): their final statement, drawn after
their last day, is theirs to download, and nobody else's is. Single sign-on still
refuses them ("Attain's records do not show you employed today"): a provider may give a
departed employee's address to someone new, who must not read the leaver's pay; finance
send the final statement (docs/pay.md, "Someone who has left")."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from attain.accounts.models import Role
from attain.core import sso
from attain.org import services as org_services
from attain.org.models import Person
from attain.pay import services_statements
from attain.pay.models_statements import Statement, StatementSet
from attain.pay.tests.payout_factories import AMOUNTS, PERIOD, store


def _leaves(company: Any, code: str = "r1") -> None:
    """``code`` leaves on the last day of :data:`PERIOD` (their statement is drawn after)."""
    org_services.end_employment(None, company.people[code], on=datetime.date(2026, 3, 31))


def test_a_leaver_downloads_their_final_statement_and_no_one_elses(
    company: Any, settings: Any, tmp_path: Any, client: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    store(company, AMOUNTS)
    _leaves(company)
    row = StatementSet.objects.create(period=PERIOD)
    services_statements.generate_statements(row.pk, processes=1)
    client.force_login(company.users["rep"])  # r1's login, a rep's: as it was
    mine = client.get("/pay/statements/mine/").content.decode()
    own = Statement.objects.get(person__code="r1", statement_set__published=True)
    assert f"/pay/statements/{own.pk}/pdf/" in mine
    answer = client.get(f"/pay/statements/{own.pk}/pdf/")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    other = Statement.objects.get(person__code="r2", statement_set__published=True)
    assert client.get(f"/pay/statements/{other.pk}/pdf/").status_code == 404
    listed = client.get("/api/pay/statements/").json()["results"]
    assert [s["person"] for s in listed] == ["r1"]
    # a leaver's login that was given finance reads only their own too
    company.users["rep"].role = Role.FINANCE
    company.users["rep"].save()
    client.force_login(company.users["rep"])
    assert client.get(f"/pay/statements/{other.pk}/pdf/").status_code == 404


def test_a_leaver_is_not_let_in_by_single_sign_on(company: Any, settings: Any) -> None:
    today = timezone.localdate()
    Person.objects.filter(code="r1").update(email="r1@corp.example")
    claims = {"email": "r1@corp.example", "email_verified": True}
    _leaves(company)
    assert Person.objects.get(code="r1").end < today
    # an address the provider may have given to someone new: not the leaver's pay
    assert sso.match_login(claims) == (None, sso.NOT_EMPLOYED)
    # a leaver without a login gets none at sign-on, even when logins are made then
    settings.ATTAIN_SSO_CREATE_LOGIN = True
    Person.objects.filter(code="r2").update(email="r2@corp.example", end=PERIOD_END)
    r2 = {"email": "r2@corp.example", "email_verified": True}
    assert sso.match_login(r2) == (None, sso.NOT_EMPLOYED)
    # someone who has not started yet is not let in either
    Person.objects.filter(code="r2").update(end=None, start=today + datetime.timedelta(days=5))
    assert sso.match_login(r2) == (None, sso.NOT_EMPLOYED)


PERIOD_END = datetime.date(2026, 3, 31)


def test_a_leavers_pay_pages_link_only_to_what_they_may_reach(
    company: Any, settings: Any, tmp_path: Any, client: Any
) -> None:
    """Their payouts, statements and disputes open, and each link on them leads to a page
    a leaver may still reach (attain.org.access.LEAVER_REACHES): none to a 403."""
    import re

    from django.urls import Resolver404, resolve

    from attain.org.access import LEAVER_REACHES
    from attain.pay.tests.payout_factories import dispute_line

    settings.MEDIA_ROOT = tmp_path
    store(company, AMOUNTS)
    dispute = dispute_line(company)
    _leaves(company)
    row = StatementSet.objects.create(period=PERIOD)
    services_statements.generate_statements(row.pk, processes=1)
    client.force_login(company.users["rep"])
    pages = [
        "/",
        "/pay/payouts/",
        "/pay/statements/",
        "/pay/statements/mine/",
        "/pay/disputes/",
        f"/pay/disputes/{dispute.pk}/",
        "/pay/disputes/new/",
        "/notifications/",
    ]
    unreachable = set()
    for page in pages:
        answer = client.get(page)
        assert answer.status_code == 200, page
        for href in re.findall(r'href="(/[^"#]*)"', answer.content.decode()):
            if href.startswith("/static/"):
                continue
            try:
                name = resolve(href.split("?")[0]).view_name
            except Resolver404:
                continue
            if name not in LEAVER_REACHES:
                unreachable.add((page, href))
    assert unreachable == set()


def test_a_leavers_header_says_they_have_left_not_their_old_role(company: Any, client: Any) -> None:
    company.users["rep"].role = Role.FINANCE  # a role that no longer applies
    company.users["rep"].save()
    _leaves(company)
    client.force_login(company.users["rep"])
    page = client.get("/pay/payouts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span class="badge">left</span>' in page
    assert '<span class="badge">Finance</span>' not in page


def test_a_leavers_inbox_keeps_only_what_they_still_reach(company: Any, client: Any) -> None:
    """Notices from before the last day about targets or reviews lead to pages a leaver no
    longer reaches: the inbox, its count and the API list only their pay's."""
    from attain.notify.models import Notification

    user = company.users["rep"]
    Notification.objects.create(recipient=user, kind="targets_published", params={})
    Notification.objects.create(recipient=user, kind="payout_approved", params={})
    client.force_login(user)
    assert client.get("/api/notifications/").json()["count"] == 2
    _leaves(company)
    listed = client.get("/api/notifications/").json()
    assert [n["kind"] for n in listed["results"]] == ["payout_approved"]
    from attain.notify.selectors import unread_count

    assert unread_count(type(user).objects.get(pk=user.pk)) == 1  # as a request loads it
