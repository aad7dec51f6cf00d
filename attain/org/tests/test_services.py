"""Organisation services: effective-dated history, validation, nothing half-saved."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from attain.audit.models import AuditEvent
from attain.org import services
from attain.org.models import Assignment, Person, Unit

D = datetime.date


def snapshot_counts() -> tuple[int, int, int]:
    return Person.objects.count(), Assignment.objects.count(), AuditEvent.objects.count()


def test_transfer_keeps_history_and_answers_who_was_where(company):
    r3 = company.people["r3"]
    services.transfer_person(
        None, r3, on=D(2025, 3, 1), unit=company.west, manager=company.people["m3"]
    )
    assert r3.assignment_on(D(2025, 2, 28)).unit == company.east
    assert r3.assignment_on(D(2025, 2, 28)).manager == company.people["m2"]
    assert r3.assignment_on(D(2025, 3, 1)).unit == company.west
    assert r3.assignment_on(D(2025, 3, 1)).manager == company.people["m3"]
    rows = list(r3.assignments.order_by("valid_from").values_list("valid_from", "valid_to"))
    assert rows == [(D(2024, 1, 1), D(2025, 3, 1)), (D(2025, 3, 1), None)]


def test_a_change_dated_between_two_others_splits_the_right_row(company):
    r1 = company.people["r1"]
    services.transfer_person(None, r1, on=D(2025, 6, 1), unit=company.west)
    services.transfer_person(None, r1, on=D(2025, 3, 1), title="senior rep")
    assert r1.assignment_on(D(2025, 4, 1)).title == "senior rep"
    assert r1.assignment_on(D(2025, 4, 1)).unit == company.east
    # the later, already recorded change still applies from its own date
    assert r1.assignment_on(D(2025, 7, 1)).unit == company.west
    assert r1.assignment_on(D(2025, 7, 1)).title == "rep"


def test_a_change_on_the_same_day_as_the_last_one_corrects_it(company):
    r1 = company.people["r1"]
    services.transfer_person(None, r1, on=D(2025, 6, 1), unit=company.west)
    services.transfer_person(None, r1, on=D(2025, 6, 1), unit=company.hq)
    assert r1.assignments.count() == 2
    assert r1.assignment_on(D(2025, 6, 1)).unit == company.hq


def test_manager_cycle_is_refused_and_nothing_changes(company):
    before = snapshot_counts()
    with pytest.raises(ValidationError) as error:
        services.set_manager(None, company.people["m1"], company.people["r3"], on=D(2025, 1, 1))
    assert "manager" in error.value.message_dict
    assert snapshot_counts() == before
    assert company.people["m1"].assignment_on(D(2025, 1, 1)).manager is None


def test_a_cycle_that_appears_only_after_a_later_change_is_refused(company):
    m2, r3 = company.people["m2"], company.people["r3"]
    # From July, m2 reports to r3's future self? First move r3 under m1 from July ...
    services.set_manager(None, r3, company.people["m1"], on=D(2025, 7, 1))
    # ... so m2 reporting to r3 from March is fine until July, when r3 is no longer below m2.
    services.set_manager(None, m2, r3, on=D(2025, 8, 1))
    # But m2 reporting to r3 from March would make a cycle from March to July.
    with pytest.raises(ValidationError):
        services.set_manager(None, m2, r3, on=D(2025, 3, 1))


def test_own_manager_is_refused(company):
    with pytest.raises(ValidationError) as error:
        services.set_manager(None, company.people["r1"], company.people["r1"], on=D(2025, 1, 1))
    assert "manager" in error.value.message_dict


def test_transfer_before_employment_start_names_the_field(company):
    with pytest.raises(ValidationError) as error:
        services.transfer_person(None, company.people["r1"], on=D(2023, 12, 31), unit=company.west)
    assert list(error.value.message_dict) == ["on"]


def test_transfer_after_employment_end_is_refused(company):
    services.end_employment(None, company.people["r4"], on=D(2025, 1, 31))
    with pytest.raises(ValidationError):
        services.transfer_person(None, company.people["r4"], on=D(2025, 2, 1), unit=company.east)


def test_manager_not_employed_on_the_day_is_refused(company):
    newcomer = services.create_person(
        None, code="late", name="Late", unit=company.east, title="manager", start=D(2025, 6, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.set_manager(None, company.people["r1"], newcomer, on=D(2025, 1, 1))
    assert "manager" in error.value.message_dict


def test_transfer_that_changes_nothing_is_refused(company):
    with pytest.raises(ValidationError):
        services.transfer_person(None, company.people["r1"], on=D(2025, 1, 1), unit=company.east)


def test_duplicate_employee_id_names_the_field_and_saves_nothing(company):
    before = snapshot_counts()
    with pytest.raises(ValidationError) as error:
        services.create_person(
            None, code="r1", name="x", unit=company.east, title="rep", start=D(2025, 1, 1)
        )
    assert list(error.value.message_dict) == ["code"]
    assert snapshot_counts() == before


@pytest.mark.parametrize(
    ("create", "field"),
    [
        (lambda: services.create_login(None, username="OPS", role="rep"), "username"),
        (lambda: services.create_unit(None, code="east", name="again"), "code"),
    ],
    ids=["username", "unit code"],
)
def test_a_duplicate_key_is_refused(company, create, field):
    with pytest.raises(ValidationError) as error:
        create()
    assert list(error.value.message_dict) == [field]


def test_unit_cycle_is_refused(company):
    with pytest.raises(ValidationError) as error:
        services.update_unit(None, company.hq, parent=company.east)
    assert list(error.value.message_dict) == ["parent"]
    company.hq.refresh_from_db()
    assert company.hq.parent is None


def test_ending_employment_of_a_manager_with_reports_is_refused(company):
    with pytest.raises(ValidationError) as error:
        services.end_employment(None, company.people["m2"], on=D(2025, 3, 31))
    assert "R3" in error.value.message_dict["end"][0]
    services.set_manager(None, company.people["r3"], company.people["m1"], on=D(2025, 4, 1))
    services.end_employment(None, company.people["m2"], on=D(2025, 3, 31))
    assert company.people["m2"].__class__.objects.get(code="m2").end == D(2025, 3, 31)


def test_people_employed_on_a_day(company):
    services.end_employment(None, company.people["r4"], on=D(2025, 1, 31))
    hired = services.create_person(
        None, code="new", name="New", unit=company.east, title="rep", start=D(2025, 2, 1)
    )
    on_jan = set(Person.objects.employed_on(D(2025, 1, 15)).values_list("code", flat=True))
    on_feb = set(Person.objects.employed_on(D(2025, 2, 15)).values_list("code", flat=True))
    assert "r4" in on_jan and hired.code not in on_jan
    assert "r4" not in on_feb and hired.code in on_feb


def test_every_change_is_audited_with_before_and_after(company):
    r3 = company.people["r3"]
    first = r3.assignments.get()
    services.transfer_person(
        company.users["sales_ops"], r3, on=D(2025, 3, 1), unit=company.west, reason="区域调整"
    )
    events = AuditEvent.objects.filter(content_type__model="assignment").order_by("-id")[:2]
    created, updated = events
    assert created.action == "create" and created.after["unit"] == company.west.pk
    assert updated.action == "update" and updated.object_id == str(first.pk)
    assert updated.before["valid_to"] is None and updated.after["valid_to"] == "2025-03-01"
    assert updated.actor_name == "ops" and updated.reason == "区域调整"


def test_only_editors_may_change_the_organisation(company):
    for role in ("finance", "executive", "manager", "rep"):
        with pytest.raises(PermissionDenied):
            services.create_unit(company.users[role], code=f"x-{role}", name="x")
    services.create_unit(company.users["sales_ops"], code="x-ops", name="x")


def test_a_leaver_leaves_their_unit_and_their_managers_team(company):
    services.end_employment(None, company.people["r4"], on=D(2025, 1, 31))
    assert company.people["r4"].assignment_on(D(2025, 1, 31)).unit == company.west
    assert company.people["r4"].assignment_on(D(2025, 2, 1)) is None
    from attain.org.models import Person as P
    from attain.org.selectors import subtree_ids

    below = set(
        P.objects.filter(pk__in=subtree_ids(company.people["m3"].pk, D(2025, 2, 1))).values_list(
            "code", flat=True
        )
    )
    assert below == set()


def test_ending_employment_before_a_recorded_change_is_refused(company):
    services.transfer_person(None, company.people["r1"], on=D(2025, 6, 1), unit=company.west)
    with pytest.raises(ValidationError) as error:
        services.end_employment(None, company.people["r1"], on=D(2025, 3, 31))
    assert list(error.value.message_dict) == ["end"]


def test_unit_choosers_tell_units_of_one_name_apart(company):
    """Two 销售一部 in two regions read the same in a chooser; the label adds the code
    where (and only where) names repeat, and the choosers sort by it."""
    from attain.org.selectors import labelled_units

    hq = Unit.objects.get(code="hq")
    a = services.create_unit(None, code="n-s1", name="销售一部", parent=hq)
    b = services.create_unit(None, code="s-s1", name="销售一部", parent=hq)
    found = labelled_units(Unit.objects.filter(pk__in=[b.pk, a.pk, hq.pk]))
    assert [u.label for u in found] == ["总部", "销售一部 (n-s1)", "销售一部 (s-s1)"]
    client = Client()
    client.force_login(company.users["admin"])
    html = client.get("/people/").content.decode()
    assert ">销售一部 (n-s1)</option>" in html and ">销售一部 (s-s1)</option>" in html
