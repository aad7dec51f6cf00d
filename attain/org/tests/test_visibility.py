"""The visibility rule as a matrix of roles × endpoints: who may read which person,
who may write, and that a refused write changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attain.audit.models import AuditEvent
from attain.conftest import client_for
from attain.org import services
from attain.org.models import Assignment, Person, Unit

ROLES = ["admin", "sales_ops", "finance", "executive", "manager", "rep"]
EVERYONE = {"m1", "r1", "r2", "m2", "r3", "m3", "r4"}
SEES = {
    "admin": EVERYONE,
    "sales_ops": EVERYONE,
    "finance": EVERYONE,
    "executive": EVERYONE,
    "manager": {"m1", "r1", "r2", "m2", "r3"},
    "rep": {"r1"},
}
WRITERS = {"admin", "sales_ops"}
AUDIT_READERS = {"admin", "sales_ops"}


def database_state() -> tuple:
    return (
        list(Person.objects.order_by("pk").values()),
        list(Assignment.objects.order_by("pk").values()),
        list(Unit.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


# Reads ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_api_people_list_is_exactly_the_visible_people(company, role):
    response = client_for(company, role).get("/api/people/")
    assert response.status_code == 200
    assert {row["code"] for row in response.json()["results"]} == SEES[role]


@pytest.mark.parametrize("role", ROLES)
def test_web_people_list_is_exactly_the_visible_people(company, role):
    response = client_for(company, role).get(reverse("people"))
    assert response.status_code == 200
    shown = {p.code for p in response.context["page"]}
    assert shown == SEES[role]


# After r2 moved from m1's team to m3's and r3 (under m2) left, both a month ago, the
# rule is today's reporting line: the manager m1 no longer sees r2, not even on a day
# before the change (``?on=`` chooses the day of the assignment shown, not whom one may
# see). r3 left while in m1's line, so m1 still sees r3 (their final pay is reviewed by
# their managers of that day).
SEES_AFTER_MOVE = {**SEES, "manager": SEES["manager"] - {"r2"}}


@pytest.mark.parametrize("role", ROLES)
def test_a_past_day_does_not_show_who_moved_out_but_leavers_stay_with_their_line(company, role):
    today = timezone.localdate()
    services.transfer_person(
        company.users["admin"],
        company.people["r2"],
        on=today - datetime.timedelta(days=30),
        unit=company.west,
        manager=company.people["m3"],
    )
    services.end_employment(
        company.users["admin"], company.people["r3"], on=today - datetime.timedelta(days=30)
    )
    before = (today - datetime.timedelta(days=60)).isoformat()
    client = client_for(company, role)
    listed = client.get(f"/api/people/?on={before}").json()["results"]
    assert {row["code"] for row in listed} == SEES_AFTER_MOVE[role]
    for code in ("r2", "r3"):
        expected = 200 if code in SEES_AFTER_MOVE[role] else 404
        assert client.get(f"/api/people/{code}/?on={before}").status_code == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("code", sorted(EVERYONE))
def test_person_detail_api_and_web(company, role, code):
    client = client_for(company, role)
    api = client.get(f"/api/people/{code}/")
    web = client.get(reverse("person", args=[code]))
    history = client.get(f"/api/people/{code}/history/")
    expected = 200 if code in SEES[role] else 404
    assert (api.status_code, web.status_code, history.status_code) == (expected,) * 3
    if expected == 404:
        assert api.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "url", ["/api/people/", "/api/people/r1/", "/api/units/", "/api/me/", "/api/audit/"]
)
def test_api_requires_authentication(company, url):
    response = Client().get(url)
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("name", ["home", "people", "units", "audit", "person-new", "unit-new"])
def test_web_pages_require_login(company, name):
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_audit_trail_readers(company, role):
    client = client_for(company, role)
    expected = 200 if role in AUDIT_READERS else 403
    assert client.get("/api/audit/").status_code == expected
    assert client.get(reverse("audit")).status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_units_are_readable_by_everyone_signed_in(company, role):
    client = client_for(company, role)
    assert client.get("/api/units/").status_code == 200
    assert client.get(reverse("units")).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_home_page_per_role(company, role):
    response = client_for(company, role).get(reverse("home"))
    assert response.status_code == 200
    context = response.context
    assert ("stats" in context) == (role in {"admin", "sales_ops", "finance", "executive"})
    assert ("direct_reports" in context) == (role == "manager")
    if role == "manager":
        assert {p.code for p in context["direct_reports"]} == {"r1", "r2", "m2"}
        assert context["team_size"] == 4


def test_a_managers_home_counts_the_reporting_line_of_today(company):
    """A leaver stays visible to the managers of their last day (their final pay), but
    is no longer in the reporting line the manager's home page counts."""
    left = timezone.localdate() - datetime.timedelta(days=30)
    services.end_employment(None, company.people["r2"], on=left)
    context = client_for(company, "manager").get(reverse("home")).context
    assert {p.code for p in context["direct_reports"]} == {"r1", "m2"}
    assert context["team_size"] == 3


# Writes --------------------------------------------------------------------------


WRITES = [
    (
        "post",
        "/api/people/",
        {"code": "n1", "name": "新人", "unit": "east", "title": "rep", "start": "2025-01-01"},
    ),
    ("patch", "/api/people/r3/", {"name": "改名"}),
    ("post", "/api/people/r3/transfer/", {"on": "2025-03-01", "unit": "west"}),
    ("post", "/api/people/r3/end-employment/", {"on": "2025-03-31"}),
    ("post", "/api/units/", {"code": "north", "name": "华北", "parent": "hq"}),
    ("patch", "/api/units/east/", {"name": "华东大区"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_api_writes(company, role, method, url, body):
    client = client_for(company, role)
    before = database_state()
    response = getattr(client, method)(url, body, content_type="application/json")
    if role in WRITERS:
        assert response.status_code in (200, 201), response.content
        assert AuditEvent.objects.count() > before[3]
    else:
        # Writes to a person the caller cannot see are 404; to one they can see, 403.
        assert response.status_code in (403, 404)
        assert response.json()["error"]["code"] in ("permission_denied", "not_found")
        assert database_state() == before


WEB_WRITES = [
    (
        "person-new",
        [],
        {"code": "n1", "name": "新人", "unit": "east", "title": "rep", "start": "2025-01-01"},
    ),
    ("unit-new", [], {"code": "north", "name": "华北", "parent": "hq"}),
    ("person", ["r3"], {"transfer-on": "2025-03-01", "transfer-unit": "west"}),
    ("person", ["r1"], {"end-on": "2025-03-31"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args", "body"), WEB_WRITES)
def test_web_writes(company, role, name, args, body):
    client = client_for(company, role)
    before = database_state()
    response = client.post(reverse(name, args=args), body)
    if role in WRITERS:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert AuditEvent.objects.count() > before[3]
    else:
        assert response.status_code in (403, 404)
        assert database_state() == before
