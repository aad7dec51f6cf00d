"""Every CRM permission check as a table: role × action → allowed (Y) or refused (N).

The people and customers are those of attain/conftest.py and crm/tests/conftest.py:
m1 manages r1 (the rep login) and r2; r4 is in another team; customer c_r1 is r1's,
c_r4 is r4's. "system" is ``actor=None`` (imports, the demo, scheduled jobs).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from attain.crm import access
from attain.crm.models import Reminder

Y, N = True, False
ROLES = ["admin", "sales_ops", "finance", "executive", "manager", "rep", "system"]

# fmt: off
#                                admin ops  fin  exec mgr  rep  system
MATRIX: dict[str, tuple[bool, ...]] = {
    "view customer c_r1":        (Y,   Y,   Y,   Y,   Y,   Y,   N),
    "view customer c_r4":        (Y,   Y,   Y,   Y,   N,   N,   N),
    "write for r1":              (Y,   Y,   Y,   N,   Y,   Y,   Y),
    "write for r4":              (Y,   Y,   Y,   N,   N,   N,   Y),
    "write for nobody":          (Y,   Y,   Y,   N,   N,   N,   Y),
    "record at all":             (Y,   Y,   Y,   N,   Y,   Y,   Y),
    "write customer c_r1":       (Y,   Y,   Y,   N,   Y,   Y,   Y),
    "write customer c_r4":       (Y,   Y,   Y,   N,   N,   N,   Y),
    "merge customers":           (Y,   Y,   N,   N,   N,   N,   Y),
    "record training at all":    (Y,   Y,   N,   N,   Y,   N,   Y),
    "record training for r1":    (Y,   Y,   N,   N,   Y,   N,   Y),
    "record training for m1":    (Y,   Y,   N,   N,   N,   N,   Y),
    "record training for r4":    (Y,   Y,   N,   N,   N,   N,   Y),
    "rate at all":               (Y,   Y,   N,   N,   Y,   Y,   Y),
    "rate on behalf":            (Y,   Y,   N,   N,   N,   N,   Y),
    "rate as r1":                (Y,   Y,   N,   N,   N,   Y,   Y),
    "rate as m1":                (Y,   Y,   N,   N,   Y,   N,   Y),
    "edit catalogue":            (Y,   Y,   N,   N,   N,   N,   Y),
    "complete r1's reminder":    (Y,   N,   N,   N,   N,   Y,   N),
    "complete m1's reminder":    (Y,   N,   N,   N,   Y,   N,   N),
}
# fmt: on


def actions(company: Any, crm: Any) -> dict[str, tuple[str, tuple[Any, ...]]]:
    """Each action as the rule it asks (``can_<rule>`` and, where there is one, the
    ``check_<rule>`` guard) and the arguments after the user."""
    p, c = company.people, crm.customers
    return {
        "view customer c_r1": ("view_customer", (c["c_r1"],)),
        "view customer c_r4": ("view_customer", (c["c_r4"],)),
        "write for r1": ("write_for", (p["r1"],)),
        "write for r4": ("write_for", (p["r4"],)),
        "write for nobody": ("write_for", (None,)),
        "record at all": ("record", ()),
        "write customer c_r1": ("write_customer", (c["c_r1"],)),
        "write customer c_r4": ("write_customer", (c["c_r4"],)),
        "merge customers": ("merge_customers", ()),
        "record training at all": ("record_training", ()),
        "record training for r1": ("record_training", (p["r1"],)),
        "record training for m1": ("record_training", (p["m1"],)),
        "record training for r4": ("record_training", (p["r4"],)),
        "rate at all": ("rate", ()),
        "rate on behalf": ("rate_on_behalf", ()),
        "rate as r1": ("rate_for", (p["r1"],)),
        "rate as m1": ("rate_for", (p["m1"],)),
        "edit catalogue": ("edit_catalogue", ()),
        "complete r1's reminder": ("complete_reminder", (Reminder(person=p["r1"]),)),
        "complete m1's reminder": ("complete_reminder", (Reminder(person=p["m1"]),)),
    }


def test_the_table_names_every_action_once(company, crm):
    assert set(MATRIX) == set(actions(company, crm))
    assert all(len(row) == len(ROLES) for row in MATRIX.values())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(MATRIX))
def test_role_may_or_may_not(company, crm, role, action):
    user = None if role == "system" else company.users[role]
    allowed = MATRIX[action][ROLES.index(role)]
    rule, args = actions(company, crm)[action]
    assert getattr(access, f"can_{rule}")(user, *args) is allowed
    check = getattr(access, f"check_{rule}", None)
    if check is None:
        return
    if allowed:
        check(user, *args)
    else:
        with pytest.raises(PermissionDenied):
            check(user, *args)


def test_sees_everything_is_the_organisation_wide_roles(company):
    seen = {role for role in ROLES[:-1] if access.sees_everything(company.users[role])}
    assert seen == {"admin", "sales_ops", "finance", "executive"}
    assert not access.sees_everything(None)


FORMS = ["contacts", "activities", "opportunities", "orders", "payments", "tickets", "surveys"]


@pytest.mark.parametrize("role", ["executive", "rep"])
def test_a_record_form_is_offered_only_to_who_may_save_it(client, company, crm, role):
    """An executive reads every customer but records nothing: the forms opened (200) and
    only saving them was refused (403). A rep opens the forms of their own customer."""
    client.force_login(company.users[role])
    customer = crm.customers["c_r1"].external_id
    expected = 403 if role == "executive" else 200
    pages = [f"/crm/customers/{customer}/{form}/new/" for form in FORMS]
    pages.append("/crm/customers/new/")
    for page in pages:
        assert client.get(page).status_code == expected, page


@pytest.mark.parametrize(("role", "offered"), [("executive", False), ("rep", True)])
def test_the_customer_list_offers_add_a_customer_to_who_may(client, company, role, offered):
    client.force_login(company.users[role])
    page = client.get("/crm/customers/").content.decode()
    assert ("/crm/customers/new/" in page) is offered


@pytest.mark.parametrize(("role", "offered"), [("executive", False), ("rep", True)])
def test_an_opportunity_offers_its_move_form_to_who_may_move_it(
    client, company, crm, role, offered
):
    from . import make

    opportunity = make.opportunity(crm.customers["c_r1"], company.people["r1"], "甲项目", 1000)
    client.force_login(company.users[role])
    page = client.get(f"/crm/opportunities/{opportunity.external_id}/").content.decode()
    assert ('id="move"' in page) is offered
