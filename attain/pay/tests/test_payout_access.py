"""Every payout permission as a table: role × action → allowed (Y) or refused (-),
checked against the access functions, the services (through the API) and the pages.
The manager is m1 (r1's manager); reviewing asks about r1's payout."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation
from rest_framework.test import APIClient

from attain.conftest import role_cases, user_of
from attain.pay import payout_access as access
from attain.pay import services_payouts as services
from attain.pay.models import Payout

from .payout_factories import AMOUNTS, END, PERIOD, store

TABLE = """
action            admin sales_ops finance executive manager rep anonymous
review            Y     -         -       -         Y       -   -
approve           Y     -         Y       -         -       -   -
pay               Y     -         Y       -         -       -   -
hold              Y     Y         Y       -         -       -   -
release           Y     Y         Y       -         -       -   -
export_payroll    Y     Y         Y       -         -       -   -
edit_payroll      Y     Y         Y       -         -       -   -
read_accrual      Y     Y         Y       Y         -       -   -
sync              Y     Y         Y       -         -       -   -
carry             Y     -         Y       -         -       -   -
"""


def _may_review_r1(user):
    from attain.org.models import Person

    return access.can_review_payouts(user) and access.may_review(
        user, Person.objects.get(code="r1")
    )


CHECKS = {
    "review": _may_review_r1,
    "approve": access.can_approve_payouts,
    "pay": access.can_pay_payouts,
    "hold": access.can_hold_payouts,
    "release": access.can_hold_payouts,
    "export_payroll": access.can_export_payroll,
    "edit_payroll": access.can_edit_payroll_mapping,
    "read_accrual": access.can_read_accrual,
    "sync": access.can_sync_payouts,
    "carry": access.can_carry_deficits,
}


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(TABLE))
def test_access_functions(company, action, role, allowed):
    assert CHECKS[action](user_of(company, role)) is allowed


def _ready(company, action):
    """r1's payout in the state the action starts from."""
    negative = {"r1": {"commission": "10.00", "clawback": "-50.00"}} if action == "carry" else {}
    store(company, {**AMOUNTS, **negative})
    payout = Payout.objects.get(person=company.people["r1"], period=PERIOD)
    admin, day = company.users["admin"], datetime.date(2026, 4, 1)
    if action in {"approve", "pay"}:
        services.review_payouts(company.users["manager"], [payout])
    if action == "pay":
        services.approve_payouts(company.users["finance"], [payout])
    if action == "release":
        services.hold_payout(admin, payout, reason="check")
    del day
    return Payout.objects.get(pk=payout.pk)


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(TABLE))
def test_api(company, action, role, allowed):
    before = _ready(company, action)
    api = APIClient()
    if role != "anonymous":
        api.force_authenticate(company.users[role])
    refused = 401 if role == "anonymous" else 403
    if action in {"review", "approve", "pay", "hold", "release"}:
        body = {
            "action": action,
            "period": PERIOD,
            "people": ["r1"],
            "reference": "BANK-1",
            "paid_on": "2026-04-01",
            "reason": "because",
        }
        answer = api.post("/api/pay/payouts/actions/", body, format="json")
        if role == "rep" and not allowed:
            refused = 403  # r1's own payout: visible, not theirs to move
        assert answer.status_code == (200 if allowed else refused), answer.content
        after = Payout.objects.get(pk=before.pk)
        assert (after.state, after.held) != (before.state, before.held) or not allowed
        if not allowed:
            assert (after.state, after.held) == (before.state, before.held)
    elif action == "carry":
        body = {"action": action, "period": PERIOD, "people": ["r1"], "reason": "because"}
        answer = api.post("/api/pay/payouts/actions/", body, format="json")
        assert answer.status_code == (200 if allowed else refused), answer.content
        assert (Payout.objects.get(pk=before.pk).amount == 0) is allowed
    elif action == "export_payroll":
        answer = api.get(f"/api/pay/payroll/?period={PERIOD}")
        assert answer.status_code == (200 if allowed else refused)
    elif action == "edit_payroll":
        body = {
            "columns": [
                {"header": "id", "source": "employee_id"},
                {"header": "amt", "source": "amount"},
            ],
            "pay_code": "C",
        }
        answer = api.put("/api/pay/payroll/columns/", body, format="json")
        assert answer.status_code == (200 if allowed else refused)
    elif action == "read_accrual":
        answer = api.get("/api/pay/accrual/")
        assert answer.status_code == (200 if allowed else refused)


PAGES = {"export_payroll": "/pay/payroll/", "read_accrual": "/pay/accrual/"}


@pytest.mark.parametrize(
    ("action", "role", "allowed"), [c for c in role_cases(TABLE) if c[0] in PAGES]
)
def test_pages(company, client, action, role, allowed):
    if role != "anonymous":
        client.force_login(company.users[role])
    answer = client.get(PAGES[action])
    if role == "anonymous":
        assert answer.status_code == 302
    else:
        assert answer.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("role", ["admin", "sales_ops", "finance", "executive", "manager", "rep"])
def test_everyone_signed_in_sees_the_register_of_whom_they_may_see(company, client, role):
    store(company, AMOUNTS)
    client.force_login(company.users[role])
    page = client.get(f"/pay/payouts/?period={PERIOD}")
    assert page.status_code == 200
    shown = {p.person.code for p in page.context["register"].rows}
    expected = {
        "manager": {"m1", "r1", "r2", "r3"},
        "rep": {"r1"},
    }.get(role, set(AMOUNTS))
    assert shown == expected


@pytest.mark.parametrize(
    ("value", "status"), [("true", 200), ("false", 200), ("0", 400), ("", 400)]
)
def test_the_held_filter_takes_true_or_false(company, value, status):
    store(company, AMOUNTS)
    api = APIClient()
    api.force_authenticate(company.users["finance"])
    answer = api.get("/api/pay/payouts/", {"period": PERIOD, "held": value})
    assert answer.status_code == status, answer.content
    if status == 400:
        assert "held" in str(answer.json())


# Segregation of duties: nobody reviews, approves or marks paid their own payout. Each
# role's login is made a paid person (the manager and the rep logins already are: m1,
# r1; the others become r2) and asked about that person's own payout.
OWN_TABLE = """
action        admin sales_ops finance executive manager rep anonymous
review_own    -     -         -       -         -       -   -
approve_own   -     -         -       -         -       -   -
pay_own       -     -         -       -         -       -   -
hold_own      -     -         -       -         -       -   -
release_own   -     -         -       -         -       -   -
carry_own     -     -         -       -         -       -   -
"""

OWN_CHECKS = {
    "review_own": access.may_review,
    "approve_own": access.may_approve,
    "pay_own": access.may_pay,
    "hold_own": access.may_hold,
    "release_own": access.may_hold,
    "carry_own": access.may_carry_deficit,
}


def _own_person(company, role):
    """The person ``role``'s login is paid as (linking r2 to a login that is none)."""
    from attain.org import services as org

    user = user_of(company, role)
    if role == "anonymous":
        return user, company.people["r2"]
    person = getattr(user, "person", None) if role in {"manager", "rep"} else None
    if person is None:
        person = company.people["r2"]
        org.update_person(None, person, user=user)
        user.refresh_from_db()
    return user, person


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(OWN_TABLE))
def test_own_payout_access_functions(company, action, role, allowed):
    user, person = _own_person(company, role)
    assert OWN_CHECKS[action](user, person) is allowed


@pytest.mark.parametrize(
    ("action", "role"),
    [
        ("approve", "finance"),
        ("approve", "admin"),
        ("pay", "finance"),
        ("pay", "admin"),
        ("review", "admin"),
    ],
)
def test_nobody_moves_their_own_payout_through_the_api(company, action, role):
    store(company, AMOUNTS)
    user, person = _own_person(company, role)
    own = Payout.objects.get(person=person, period=PERIOD)
    other = Payout.objects.get(person=company.people["r1"], period=PERIOD)
    start = {"review": "calculated", "approve": "reviewed", "pay": "approved"}[action]
    Payout.objects.filter(pk__in=[own.pk, other.pk]).update(state=start)
    api = APIClient()
    api.force_authenticate(user)
    body = {
        "action": action,
        "period": PERIOD,
        "people": ["r1", person.code],
        "reference": "BANK-1",
        "paid_on": "2026-04-01",
    }
    answer = api.post("/api/pay/payouts/actions/", body, format="json")
    assert answer.status_code == 403, answer.content
    assert "your own payout" in answer.json()["error"]["message"]
    assert person.code in answer.json()["error"]["message"]
    states = Payout.objects.filter(pk__in=[own.pk, other.pk]).values_list("state", flat=True)
    assert set(states) == {start}  # all or nothing: r1's payout did not move either
    # someone else's payout alone is fine
    body["people"] = ["r1"]
    assert api.post("/api/pay/payouts/actions/", body, format="json").status_code == 200


@pytest.mark.parametrize("action", ["hold", "release"])
@pytest.mark.parametrize("role", ["admin", "sales_ops", "finance"])
def test_nobody_holds_or_releases_their_own_payout(company, action, role):
    """Holders (admin, finance, sales operations) hold and release others' payouts, never
    their own: a hold placed by someone else is not lifted by its subject, and nobody
    holds their own payout (the API, the service, the register: one refusal)."""
    store(company, AMOUNTS)
    user, person = _own_person(company, role)
    own = Payout.objects.get(person=person, period=PERIOD)
    other = Payout.objects.get(person=company.people["r1"], period=PERIOD)
    if action == "release":  # held by someone else
        holder = company.users["finance" if role == "admin" else "admin"]
        for payout in (own, other):
            services.hold_payout(holder, payout, reason="check")
    before = {p.pk: p.held for p in Payout.objects.filter(pk__in=[own.pk, other.pk])}
    api = APIClient()
    api.force_authenticate(user)
    body = {"action": action, "period": PERIOD, "people": [person.code], "reason": "mine"}
    answer = api.post("/api/pay/payouts/actions/", body, format="json")
    assert answer.status_code == 403, answer.content
    assert "your own payout" in answer.json()["error"]["message"]
    assert person.code in answer.json()["error"]["message"]
    step = services.hold_payout if action == "hold" else services.release_payout
    with pytest.raises(PermissionDenied):
        step(user, own, reason="mine")
    assert Payout.objects.get(pk=own.pk).held is before[own.pk]
    # someone else's payout alone is fine
    body["people"] = ["r1"]
    assert api.post("/api/pay/payouts/actions/", body, format="json").status_code == 200
    assert Payout.objects.get(pk=other.pk).held is not before[other.pk]


@pytest.mark.parametrize("action", ["hold", "release"])
def test_the_register_refuses_holding_ones_own_payout_all_or_nothing(company, client, action):
    store(company, AMOUNTS)
    user, person = _own_person(company, "sales_ops")
    if action == "release":
        for payout in Payout.objects.filter(period=PERIOD):
            services.hold_payout(company.users["admin"], payout, reason="check")
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    page = client.post(
        f"/pay/payouts/?period={PERIOD}",
        {"action": action, "people": ["r1", person.code], "reason": "mine"},
        follow=True,
    )
    assert page.status_code == 400  # the refusal, in place, with the reason typed
    shown = " ".join(str(m) for m in page.context["messages"])
    own = Payout.objects.get(person=person, period=PERIOD)
    with translation.override("zh-hans"):
        chinese = access.own_refusal(services.payout_label(own))  # R2（r2）2026-Q1
    with translation.override("en"):
        assert chinese != access.own_refusal(services.payout_label(own))
    assert chinese in shown
    held = set(Payout.objects.filter(period=PERIOD).values_list("held", flat=True))
    assert held == {action == "release"}  # nothing moved, r1's payout neither


def test_the_register_offers_no_step_on_ones_own_payout(company, client):
    store(company, AMOUNTS)
    user, person = _own_person(company, "finance")
    client.force_login(user)
    page = client.get(f"/pay/payouts/?period={PERIOD}").content.decode()
    own_row = page.split(f'data-person="{person.code}"')[1].split("</tr>")[0]
    other_row = page.split('data-person="r1"')[1].split("</tr>")[0]
    assert "disabled" in own_row and "Your own payout" in own_row
    assert "disabled" not in other_row
    with translation.override("zh-hans"):
        text = "Your own payout: someone else reviews, approves, pays, holds and releases it."
        assert translation.gettext(text) != text


def test_the_payroll_page_marks_paid_all_but_ones_own_payout(company, client):
    store(company, AMOUNTS)
    user, person = _own_person(company, "finance")
    Payout.objects.filter(period=PERIOD).update(state="approved")
    client.force_login(user)
    page = client.get(f"/pay/payroll/?period={PERIOD}")
    assert "Your own payout in this export" in page.content.decode()
    posted = client.post(
        f"/pay/payroll/?period={PERIOD}",
        {
            "form": "paid",
            "people": page.context["exported"],
            "amounts": page.context["exported_amounts"],
            "reference": "BANK-7",
            "paid_on": "2026-04-01",
        },
        follow=True,
    )
    assert posted.status_code == 200
    states = dict(Payout.objects.filter(period=PERIOD).values_list("person__code", "state"))
    assert states.pop(person.code) == "approved"  # left for someone else to mark paid
    assert set(states.values()) == {"paid"}


def test_the_payroll_api_marks_the_export_paid_but_ones_own_payout(company):
    """Without ``people`` the call marks every payout of the export paid: a finance login
    that is paid too got a 403 for the whole export, as the page (which leaves its own
    payout approved) did not."""
    store(company, AMOUNTS)
    user, person = _own_person(company, "finance")
    Payout.objects.filter(period=PERIOD).update(state="approved")
    others = Payout.objects.filter(period=PERIOD).exclude(person=person).count()
    api = APIClient()
    api.force_authenticate(user)
    body = {"period": PERIOD, "reference": "BANK-8", "paid_on": "2026-04-01"}
    answer = api.post("/api/pay/payroll/paid/", body, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["changed"] == others
    states = dict(Payout.objects.filter(period=PERIOD).values_list("person__code", "state"))
    assert states.pop(person.code) == "approved"
    assert set(states.values()) == {"paid"}
    # named, one's own payout is still refused
    Payout.objects.filter(person=person, period=PERIOD).update(state="approved")
    body["people"] = [person.code]
    assert api.post("/api/pay/payroll/paid/", body, format="json").status_code == 403


def test_a_leavers_final_payout_is_read_and_reviewed_by_their_managers_of_their_last_day(
    company, client
):
    """r1 leaves after the quarter: their managers (m1, and those above) still see and
    review their final payout; before, nobody but an administrator could, and it waited
    in "calculated" for ever."""
    from attain.org import services as org_services

    store(company, AMOUNTS)
    org_services.end_employment(company.users["admin"], company.people["r1"], on=END)
    manager = company.users["manager"]
    client.force_login(manager)
    page = client.get(f"/pay/payouts/?period={PERIOD}")
    assert "r1" in {p.person.code for p in page.context["register"].rows}
    assert access.may_review(manager, company.people["r1"])
    api = APIClient()
    api.force_authenticate(manager)
    body = {"action": "review", "period": PERIOD, "people": ["r1"]}
    answer = api.post("/api/pay/payouts/actions/", body, format="json")
    assert answer.status_code == 200, answer.content
    payout = Payout.objects.get(person=company.people["r1"], period=PERIOD)
    assert payout.state == "reviewed"


def test_whoever_reviewed_a_payout_does_not_approve_it(company):
    """Four eyes: an administrator, who may take every step, reviewed r1's payout; the
    approval is someone else's (before, one administrator did both)."""
    store(company, AMOUNTS)
    payout = Payout.objects.get(person=company.people["r1"], period=PERIOD)
    admin = company.users["admin"]
    services.review_payouts(admin, [payout])
    api = APIClient()
    api.force_authenticate(admin)
    body = {"action": "approve", "period": PERIOD, "people": ["r1"]}
    answer = api.post("/api/pay/payouts/actions/", body, format="json")
    assert answer.status_code == 403
    assert "another login approves it" in answer.json()["error"]["message"]
    assert Payout.objects.get(pk=payout.pk).state == "reviewed"
    with translation.override("zh-hans"), pytest.raises(PermissionDenied) as refused:
        services.approve_payouts(admin, [payout])
    assert "另一" in str(refused.value)
    services.approve_payouts(company.users["finance"], [payout])
    assert Payout.objects.get(pk=payout.pk).state == "approved"
