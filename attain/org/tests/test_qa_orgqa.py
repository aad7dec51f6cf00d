"""Organisation history as HR and sales operations change it mid-year (QA findings)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from attain.audit.models import Action, AuditEvent
from attain.org import imports, services
from attain.org.models import Person

D = datetime.date


def _import_leaver_without_end(r4, unit, manager):
    """A roster row for r4 (who left on 31 March) with the end cell empty, imported on
    1 June; r4 read again."""
    row = imports.PersonRow(
        row=2,
        code="r4",
        name="R4",
        unit=unit,
        start=r4.start,
        end=None,
        manager=manager,
        phone="13800000000",
    )
    outcome = services.import_people(None, [row], on=D(2025, 6, 1))
    r4.refresh_from_db()
    return outcome


def test_an_empty_end_cell_does_not_rehire_a_leaver(company):
    """A roster row for someone who left, with the end cell empty and a new unit, is
    refused: the import does not re-hire (docs/import.md), and it neither crashes nor
    stretches the old assignment over the months the person was away."""
    r4 = company.people["r4"]
    services.end_employment(None, r4, on=D(2025, 3, 31))
    before = list(r4.assignments.values_list("unit_id", "valid_from", "valid_to"))
    outcome = _import_leaver_without_end(r4, "east", "m1")
    assert "does not re-hire" in outcome.rejected[2]
    assert r4.end == D(2025, 3, 31)
    assert list(r4.assignments.values_list("unit_id", "valid_from", "valid_to")) == before


def test_a_leaver_rehired_under_the_same_id_is_told_to_use_a_new_id(company):
    """HR systems that keep the 工号 of someone rehired export them with the rehire date
    as 入职日期 and no 离职日期. The row was refused as a start date to correct on the
    person's page, which would move their first employment's start; it is a rehire,
    and the reason says what to do: give them a new employee id. A start date after the
    stored one for someone still employed stays a correction."""
    r4 = company.people["r4"]
    services.end_employment(None, r4, on=D(2025, 3, 31))
    row = imports.PersonRow(
        row=2, code="r4", name="R4", unit="east", start=D(2025, 9, 1), end=None, manager="m1"
    )
    outcome = services.import_people(None, [row], on=D(2025, 9, 1))
    assert "does not re-hire" in outcome.rejected[2]
    assert "new employee id" in outcome.rejected[2]
    assert "person's page" not in outcome.rejected[2]
    r1 = company.people["r1"]
    later = imports.PersonRow(
        row=2,
        code="r1",
        name="R1",
        unit="east",
        start=r1.start + datetime.timedelta(days=3),
        end=None,
        manager="m1",
    )
    outcome = services.import_people(None, [later], on=D(2025, 9, 1))
    assert "person's page" in outcome.rejected[2]


def test_an_empty_end_cell_keeps_a_leavers_end_when_details_change(company):
    r4 = company.people["r4"]
    services.end_employment(None, r4, on=D(2025, 3, 31))
    outcome = _import_leaver_without_end(r4, "west", "m3")
    assert outcome.rejected == {}
    assert r4.end == D(2025, 3, 31)
    assert r4.phone == "13800000000"
    assert r4.assignment_on(D(2025, 5, 1)) is None


def test_the_person_page_records_a_gap_with_no_manager(company, client):
    """A manager leaves before their successor starts: on the person page sales
    operations gives each report no manager from the day after the last day, then ends
    the old manager's employment."""
    client.force_login(company.users["sales_ops"])
    r3 = company.people["r3"]
    response = client.post(
        "/people/r3/",
        {"transfer-on": "2025-11-01", "transfer-no_manager": "on", "transfer-reason": "m2 left"},
    )
    assert response.status_code == 302
    assert r3.assignment_on(D(2025, 10, 31)).manager == company.people["m2"]
    assert r3.assignment_on(D(2025, 11, 1)).manager is None
    services.end_employment(None, company.people["m2"], on=D(2025, 10, 31))


def test_no_manager_and_a_manager_at_once_is_refused(company, client):
    client.force_login(company.users["sales_ops"])
    response = client.post(
        "/people/r3/",
        {"transfer-on": "2025-11-01", "transfer-no_manager": "on", "transfer-manager": "m1"},
    )
    assert response.status_code == 200
    assert company.people["r3"].assignment_on(D(2025, 11, 1)).manager == company.people["m2"]


def test_a_later_last_day_corrected_keeps_the_person_in_their_unit_until_then(company):
    """HR entered 31 March as the last day; it was 15 April. The person stays in their
    unit, under their manager, until the corrected day (not in no unit for two weeks)."""
    r4 = company.people["r4"]
    services.end_employment(None, r4, on=D(2025, 3, 31))
    services.end_employment(None, r4, on=D(2025, 4, 15), reason="wrong date")
    r4.refresh_from_db()
    assert r4.end == D(2025, 4, 15)
    assert r4.assignment_on(D(2025, 4, 10)).unit == company.west
    assert r4.assignment_on(D(2025, 4, 10)).manager == company.people["m3"]
    assert r4.assignment_on(D(2025, 4, 16)) is None


def test_a_later_last_day_is_refused_past_the_managers_own(company):
    r4, m3 = company.people["r4"], company.people["m3"]
    services.end_employment(None, r4, on=D(2025, 3, 31))
    services.end_employment(None, m3, on=D(2025, 4, 5))
    with pytest.raises(ValidationError) as error:
        services.end_employment(None, r4, on=D(2025, 4, 15))
    assert "end" in error.value.message_dict
    r4.refresh_from_db()
    assert r4.end == D(2025, 3, 31)


def test_closing_a_unit_with_people_still_in_it_is_refused_naming_them(company, client):
    """Closing 华西 through the API while R4 and M3 still sit in it left them in a
    closed unit; it is refused (as the units import refuses it), naming them."""
    client.force_login(company.users["sales_ops"])
    response = client.patch(
        "/api/units/west/", {"closed": "2025-06-30"}, content_type="application/json"
    )
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["closed"][0]
    assert "M3" in message and "R4" in message
    company.west.refresh_from_db()
    assert company.west.closed is None
    # once they moved out, it closes
    for code in ("r4", "m3"):
        services.transfer_person(None, company.people[code], on=D(2025, 7, 1), unit=company.east)
    response = client.patch(
        "/api/units/west/", {"closed": "2025-06-30"}, content_type="application/json"
    )
    assert response.status_code == 200


def test_a_report_cannot_be_given_a_manager_past_the_managers_last_day(company):
    """M3's leaving on 31 December is recorded; moving R1 under M3 from June with no
    later change would leave R1 under someone gone from January (end_employment and the
    people import refuse that state): refused, naming the manager's last day."""
    m3 = company.people["m3"]
    services.transfer_person(None, company.people["r4"], on=D(2025, 12, 1), manager=None)
    m3 = services.end_employment(None, m3, on=D(2025, 12, 31))
    r1 = company.people["r1"]
    with pytest.raises(ValidationError) as error:
        services.transfer_person(None, r1, on=D(2025, 6, 1), manager=m3)
    assert "manager" in error.value.message_dict
    assert r1.assignment_on(D(2025, 6, 1)).manager == company.people["m1"]
    # until a later change recorded before the manager leaves, it is fine
    services.transfer_person(None, r1, on=D(2025, 12, 1), title="senior rep")
    services.transfer_person(None, r1, on=D(2025, 6, 1), manager=m3)
    assert r1.assignment_on(D(2025, 7, 1)).manager == m3
    assert r1.assignment_on(D(2026, 1, 1)).manager == company.people["m1"]


def test_someone_new_cannot_be_hired_under_a_manager_who_leaves_before_them(company):
    services.transfer_person(None, company.people["r4"], on=D(2025, 12, 1), manager=None)
    m3 = services.end_employment(None, company.people["m3"], on=D(2025, 12, 31))
    with pytest.raises(ValidationError) as error:
        services.create_person(
            None,
            code="n1",
            name="N1",
            unit=company.west,
            title="rep",
            start=D(2025, 6, 1),
            manager=m3,
        )
    assert "manager" in error.value.message_dict
    services.create_person(
        None,
        code="n2",
        name="N2",
        unit=company.west,
        title="rep",
        start=D(2025, 6, 1),
        manager=m3,
        end=D(2025, 12, 31),
    )


def test_the_units_import_names_the_closing_day_as_the_reader_writes_dates(company):
    """“people are still in the unit after 2025-06-30” mixed an ISO date into a reason
    whose other dates read as the reader writes them."""
    row = imports.UnitRow(row=2, code="west", name="华西", closed=D(2025, 6, 30))
    outcome = services.import_units(None, [row], write=False)
    assert "2025-06-30" not in outcome.rejected[2]
    assert "2025" in outcome.rejected[2]


def test_the_assignment_history_ends_each_row_on_its_last_day(company, client):
    """R3 moved to 华西 on 17 March and left on 30 June: the history read 华东 “until”
    17 March and 华西 “until” 1 July, a day past the employment end shown above it."""
    r3 = company.people["r3"]
    services.transfer_person(None, r3, on=D(2025, 3, 17), unit=company.west)
    services.end_employment(None, r3, on=D(2025, 6, 30))
    client.force_login(company.users["sales_ops"])
    page = client.get("/people/r3/").content.decode()
    history = page[page.find("<tbody>") : page.find("</tbody>")]
    assert "03/16/2025" in history and "06/30/2025" in history
    assert "03/17/2025" in history  # the move's first day
    assert "07/01/2025" not in history


def test_a_planned_transfer_is_undone_so_the_person_can_leave(company, client):
    """R1's move to 华西 from 1 January was recorded; R1 resigns on 31 December.
    Ending the employment says “Changes are recorded after …; undo them first”: the
    person page now undoes the change, then the employment ends."""
    r1 = company.people["r1"]
    services.transfer_person(None, r1, on=D(2026, 1, 1), unit=company.west)
    with pytest.raises(ValidationError):
        services.end_employment(None, r1, on=D(2025, 12, 31))
    client.force_login(company.users["sales_ops"])
    page = client.get("/people/r1/").content.decode()
    assert 'name="undo-on"' in page
    response = client.post("/people/r1/", {"undo-on": "2026-01-01", "undo-reason": "resigned"})
    assert response.status_code == 302
    assert list(r1.assignments.values_list("unit__code", "valid_from", "valid_to")) == [
        ("east", D(2024, 1, 1), None)
    ]
    services.end_employment(None, r1, on=D(2025, 12, 31))
    assert AuditEvent.objects.filter(action=Action.DELETE, reason="resigned").exists()


def test_undo_refuses_the_hire_and_an_unknown_day(company):
    r1 = company.people["r1"]
    for day in (D(2024, 1, 1), D(2025, 5, 5)):
        with pytest.raises(ValidationError) as error:
            services.undo_change(None, r1, on=day)
        assert "on" in error.value.message_dict


def test_undo_refuses_to_put_someone_back_under_a_manager_who_left(company):
    r4 = company.people["r4"]
    services.transfer_person(None, r4, on=D(2025, 6, 1), manager=company.people["m1"])
    services.end_employment(None, company.people["m3"], on=D(2025, 6, 30))
    with pytest.raises(ValidationError) as error:
        services.undo_change(None, r4, on=D(2025, 6, 1))
    assert "on" in error.value.message_dict
    assert r4.assignment_on(D(2025, 7, 1)).manager == company.people["m1"]


def test_the_api_undoes_a_change(company, client):
    r1 = company.people["r1"]
    services.transfer_person(None, r1, on=D(2026, 1, 1), unit=company.west)
    client.force_login(company.users["sales_ops"])
    response = client.post(
        "/api/people/r1/undo-change/", {"on": "2026-01-01"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["unit"]["code"] == "east"
    response = client.post(
        "/api/people/r1/undo-change/", {"on": "2026-01-01"}, content_type="application/json"
    )
    assert response.status_code == 400
    client.force_login(company.users["manager"])
    services.transfer_person(None, r1, on=D(2026, 1, 1), unit=company.west)
    response = client.post(
        "/api/people/r1/undo-change/", {"on": "2026-01-01"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_an_undo_refused_shows_why_even_with_one_assignment_left(company, client):
    client.force_login(company.users["sales_ops"])
    response = client.post("/people/r1/", {"undo-on": "2026-01-01"})
    assert response.status_code == 200
    assert "No change is recorded from" in response.content.decode()


def test_a_wrong_start_is_corrected_on_the_person_page(company, client):
    """The people import refuses another start date, saying “a start date is corrected
    on the person's page”, but the page had no way to: now it has, and the first
    assignment moves with the start."""
    r1 = company.people["r1"]
    client.force_login(company.users["sales_ops"])
    response = client.post("/people/r1/", {"start-start": "2024-01-15", "start-reason": "typo"})
    assert response.status_code == 302
    r1.refresh_from_db()
    assert r1.start == D(2024, 1, 15)
    assert list(r1.assignments.values_list("valid_from", flat=True)) == [D(2024, 1, 15)]
    row = imports.PersonRow(row=2, code="r1", name="R1", unit="east", start=D(2024, 1, 15))
    assert services.import_people(None, [row], write=False).rejected == {}


def test_a_start_correction_keeps_the_history_consistent(company):
    r1, m1 = company.people["r1"], company.people["m1"]
    services.transfer_person(None, r1, on=D(2025, 3, 1), unit=company.west)
    for person, day in ((r1, D(2025, 3, 1)), (r1, D(2023, 12, 1)), (m1, D(2024, 2, 1))):
        with pytest.raises(ValidationError) as error:
            services.correct_start(None, person, start=day)
        assert "start" in error.value.message_dict
    assert Person.objects.get(pk=r1.pk).start == D(2024, 1, 1)


def test_an_undone_change_stays_in_the_persons_changes(company, client):
    r1 = company.people["r1"]
    services.transfer_person(None, r1, on=D(2026, 1, 1), unit=company.west, reason="planned")
    client.force_login(company.users["sales_ops"])
    client.post("/people/r1/", {"undo-on": "2026-01-01", "undo-reason": "cancelled move"})
    page = client.get("/people/r1/").content.decode()
    changes = page[page.find("Changes to this person") :]
    assert "cancelled move" in changes and "Deleted" in changes


def test_the_people_named_in_a_refusal_are_listed_the_readers_way(company):
    """“请先为这些人员指定其他直属上级：M2, R1, R2。” had an English comma in Chinese."""
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.end_employment(None, company.people["m1"], on=D(2025, 6, 30))
    assert "M2、R1、R2" in error.value.message_dict["end"][0]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.update_unit(None, company.west, closed=D(2025, 6, 30))
    assert "M3、R4" in error.value.message_dict["closed"][0]
