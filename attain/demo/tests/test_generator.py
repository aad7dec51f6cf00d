"""The demo company: its shape, its logins, its demo-year changes, reproducibility,
idempotence, and that the bulk writer writes exactly what the services write."""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from attain.accounts.models import Role, User
from attain.audit.models import AuditEvent
from attain.demo.generator import (
    DEMO_PASSWORD,
    DEMO_YEAR,
    DemoError,
    generate,
    load_demo,
    plan_company,
)
from attain.org.models import Assignment, CompanySettings, Person, Unit

YEAR_START = datetime.date(DEMO_YEAR, 1, 1)
YEAR_END = datetime.date(DEMO_YEAR, 12, 31)


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db: None) -> None:
    load_demo(echo=None, crm=False)  # the organisation only; the CRM history: test_crm_demo


def regions() -> list[Unit]:
    return list(Unit.objects.filter(parent__code="hq"))


def teams() -> list[Unit]:
    return list(Unit.objects.filter(parent__parent__code="hq"))


def person_of(username: str) -> Person:
    return Person.objects.get(user__username=username)


def management_cycles() -> list[tuple[datetime.date, int]]:
    """(day, person id) for every day any assignment starts where following managers
    upward from the person comes back to them."""
    starts: dict[int, list[datetime.date]] = defaultdict(list)
    managers: dict[int, list[int | None]] = defaultdict(list)
    for person_id, manager_id, valid_from in Assignment.objects.order_by(
        "person_id", "valid_from"
    ).values_list("person_id", "manager_id", "valid_from"):
        starts[person_id].append(valid_from)
        managers[person_id].append(manager_id)

    def manager_on(person_id: int, day: datetime.date) -> int | None:
        index = bisect.bisect_right(starts[person_id], day) - 1
        return managers[person_id][index] if index >= 0 else None

    cycles = []
    for day in sorted({d for ds in starts.values() for d in ds}):
        for person_id in starts:
            seen = {person_id}
            node = manager_on(person_id, day)
            while node is not None:
                if node in seen:
                    cycles.append((day, person_id))
                    break
                seen.add(node)
                node = manager_on(node, day)
    return cycles


# The default company ---------------------------------------------------------------


def test_default_company_has_three_regions_of_four_teams_each_with_a_manager(demo):
    assert Person.objects.count() == 150
    assert {u.name for u in regions()} == {"华东大区", "华南大区", "华北大区"}
    assert len(teams()) == 12
    for region in regions():
        assert region.children.count() == 4
    for day in (YEAR_START, datetime.date(DEMO_YEAR, 6, 30), YEAR_END):
        for team in teams():
            # end_employment keeps a leaver's last assignment open: ask who is employed.
            here = Assignment.objects.on(day).filter(
                unit=team, person__in=Person.objects.employed_on(day)
            )
            managers = here.filter(title="manager")
            assert managers.count() == 1, (team.name, day)
            manager = managers.get().person
            reps = here.filter(title="rep")
            assert reps.exists()
            assert set(reps.values_list("manager_id", flat=True)) == {manager.pk}
    assert "上海一组" in {team.name for team in teams()}


def test_people_look_real(demo):
    people = list(Person.objects.all())
    assert len({p.name for p in people}) == len(people)
    assert len({p.email for p in people}) == len(people)
    assert all(p.email.endswith("@demo.attain.local") for p in people)
    assert all(2 <= len(p.name) <= 4 for p in people)
    assert sorted(p.code for p in people) == [f"E{n:04d}" for n in range(1, 151)]
    assert all(p.potential is not None and p.potential > 0 for p in people)
    assert all(u.potential is not None and u.potential > 0 for u in Unit.objects.all())
    assert len({p.start.year for p in people}) >= 8  # start dates spread over years
    # Employee ids follow hiring order.
    by_code = sorted(people, key=lambda p: p.code)
    assert [p.start for p in by_code] == sorted(p.start for p in people)


def test_every_person_but_the_vp_has_a_manager_employed_all_along(demo):
    vps = Assignment.objects.filter(title="vp")
    assert vps.count() == 1
    vp = vps.get().person
    for row in Assignment.objects.select_related("person", "manager"):
        if row.person_id == vp.pk:
            assert row.manager is None
            continue
        assert row.manager is not None, row
        last = min(
            d
            for d in (
                row.valid_to - datetime.timedelta(days=1) if row.valid_to else YEAR_END,
                row.person.end or YEAR_END,
            )
        )
        if last < row.valid_from:
            continue
        for day in (row.valid_from, last):
            assert Person.objects.employed_on(day).filter(pk=row.manager_id).exists(), (row, day)
    assert management_cycles() == []


def test_demo_logins(demo):
    expected = {
        "admin": Role.ADMIN,
        "ops": Role.SALES_OPS,
        "finance": Role.FINANCE,
        "exec": Role.EXECUTIVE,
        "manager": Role.MANAGER,
        "rep": Role.REP,
    }
    users = {user.username: user for user in User.objects.all()}
    assert set(users) == set(expected)
    for username, role in expected.items():
        assert users[username].role == role
        assert users[username].check_password(DEMO_PASSWORD)
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert not users["manager"].is_staff
    assert Person.objects.filter(user__isnull=False).count() == 3  # exec, manager, rep
    assert person_of("exec").assignment_on(YEAR_END).title == "vp"
    manager, rep = person_of("manager"), person_of("rep")
    for day in (YEAR_START, datetime.date(DEMO_YEAR, 11, 26), YEAR_END):
        assert manager.assignment_on(day).title == "manager"
        assert Assignment.objects.on(day).filter(manager=manager).count() >= 3
        assert rep.assignment_on(day).manager == manager


def test_demo_year_has_transfers_promotions_hires_and_leavers(demo):
    moved = [
        p for p in Person.objects.all() if p.assignments.values("unit").distinct().count() >= 2
    ]
    assert len(moved) >= 3  # reps changed teams (and a manager moved to head office)
    assert any(p.assignments.count() >= 2 for p in Person.objects.all())
    promoted = Assignment.objects.filter(title="manager", valid_from__year=DEMO_YEAR)
    assert promoted.count() >= 2
    repointed = Assignment.objects.filter(title="rep", valid_from__year=DEMO_YEAR).exclude(
        person__start__year=DEMO_YEAR
    )
    assert repointed.count() >= 10
    hires = Person.objects.filter(start__year=DEMO_YEAR)
    assert hires.count() >= 5
    assert all(h.start.month > 1 or h.start.day > 1 for h in hires)
    leavers = Person.objects.filter(end__year=DEMO_YEAR)
    assert leavers.count() >= 2
    # All dated changes lie inside the demo year, before its end.
    assert not Assignment.objects.filter(valid_from__gt=YEAR_END).exists()


# Idempotence and reproducibility -------------------------------------------------------


def test_loading_twice_changes_nothing(db, capsys):
    first = load_demo(crm=False)
    counts = (
        Unit.objects.count(),
        Person.objects.count(),
        Assignment.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    )
    capsys.readouterr()
    second = load_demo(crm=False)
    assert "already loaded" in capsys.readouterr().out
    assert first.created and not second.created
    assert counts == (
        Unit.objects.count(),
        Person.objects.count(),
        Assignment.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    )
    assert second.logins == first.logins


def test_every_row_is_audited(demo):
    assert AuditEvent.objects.filter(action="create", object_repr="总部").count() == 1
    creates = AuditEvent.objects.filter(action="create")
    assert creates.count() == (
        Unit.objects.count()
        + Person.objects.count()
        + Assignment.objects.count()
        + User.objects.count()
        + CompanySettings.objects.count()  # the demo fills the first-run setup's settings
    )
    assert set(AuditEvent.objects.values_list("actor_name", flat=True)) == {"system"}


def test_same_seed_same_company():
    def roster(seed: int) -> list[tuple[str, str, str, datetime.date]]:
        plan = plan_company(150, seed)
        return sorted((p.code, p.name, p.email, p.start) for p in plan.people.values())

    assert roster(7) == roster(7)
    assert roster(7) != roster(8)
    assert len(plan_company(150, 7).operations) == len(plan_company(150, 7).operations)


def test_the_database_holds_the_planned_company(db):
    load_demo(seed=11, echo=None, crm=False)
    planned = sorted((p.code, p.name) for p in plan_company(150, 11).people.values())
    assert sorted(Person.objects.values_list("code", "name")) == planned


def test_load_refuses_to_mix_with_another_organisation(db):
    from attain.org import services

    hq = services.create_unit(None, code="head", name="Head")
    services.create_person(
        None, code="x1", name="X", unit=hq, title="rep", start=datetime.date(2024, 1, 1)
    )
    with pytest.raises(DemoError):
        load_demo(echo=None)
    assert Person.objects.count() == 1


# Larger companies ------------------------------------------------------------------------


def test_generate_a_thousand_people(db):
    result = generate(people=1000, seed=3, echo=None)
    assert result.created
    assert Person.objects.count() == 1000
    region_sizes = [region.children.count() for region in regions()]
    assert all(4 <= size <= 6 for size in region_sizes)
    team_count = sum(region_sizes)
    reps = Assignment.objects.on(YEAR_END).filter(title="rep").count()
    assert 10 <= reps / team_count <= 14
    assert management_cycles() == []
    with pytest.raises(DemoError):
        generate(people=1000, seed=3, echo=None)


def _state() -> dict[str, Any]:
    """Everything the generator wrote, with ids made relative to each table's first id
    (so two runs compare equal whatever the database's id sequences did)."""
    base = {
        model: model.objects.order_by("pk").values_list("pk", flat=True).first() or 0
        for model in (Unit, Person, Assignment, User)
    }
    refs = {"person": Person, "manager": Person, "unit": Unit, "parent": Unit, "user": User}
    models_by_name = {model._meta.model_name: model for model in base}

    def relative(model: type, values: dict[str, Any] | None) -> dict[str, Any] | None:
        if values is None:
            return None
        out = dict(values)
        if out.get("id") is not None:
            out["id"] -= base[model]
        for key, target in refs.items():
            if out.get(key) is not None and key in out:
                out[key] -= base[target]
        out.pop("date_joined", None)
        return out

    events = []
    for event in AuditEvent.objects.order_by("pk").select_related("content_type"):
        if event.content_type.model == "companysettings":
            continue  # the company settings (test_every_row_is_audited); when differs
        model = models_by_name[event.content_type.model]
        events.append(
            (
                event.action,
                event.content_type.model,
                int(event.object_id) - base[model],
                relative(model, event.before),
                relative(model, event.after),
                event.reason,
                event.actor_name,
            )
        )
    return {
        key: [
            relative(model, {k.removesuffix("_id"): x for k, x in v.items()})
            for v in model.objects.order_by("pk").values()
        ]
        for key, model in (("units", Unit), ("people", Person), ("assignments", Assignment))
    } | {
        "events": events,
    }


def test_bulk_writer_writes_what_the_services_write(db):
    with transaction.atomic():
        generate(people=320, seed=5, echo=None, bulk=False)
        by_services = _state()
        transaction.set_rollback(True)
    assert not Person.objects.exists()
    generate(people=320, seed=5, echo=None, bulk=True)
    in_bulk = _state()
    assert len(in_bulk["events"]) > 700
    for key in ("units", "people", "assignments"):
        assert in_bulk[key] == by_services[key], key
    assert in_bulk["events"] == by_services["events"]
    from attain.audit import chain

    assert chain.verify().intact  # the bulk writer chains its events too


# The command -------------------------------------------------------------------------


def test_command_load_prints_the_logins(db, capsys):
    call_command("demo", "load", "--no-crm")
    out = capsys.readouterr().out
    for username in ("admin", "ops", "finance", "exec", "manager", "rep"):
        assert f"\n{username} " in out
    call_command("demo", "load", "--no-crm")
    assert "already loaded" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already present") as raised:
        call_command("demo", "generate", "--people", "100")
    # the way out it suggests works from any folder (`sqlite:///var/…` is relative to
    # the folder the command runs in, which has no var/ outside the project's)
    assert "ATTAIN_VAR_DIR=" in str(raised.value)
    assert "sqlite:///var" not in str(raised.value)


def test_the_demo_company_fills_the_company_settings(db):
    """`make demo` never shows the first-run setup: the demo fills its settings."""
    from django.test import Client
    from django.urls import reverse

    from attain.demo.generator import DEMO_COMPANY_NAME, MIN_PEOPLE
    from attain.org import company

    generate(people=MIN_PEOPLE, echo=None)
    assert CompanySettings.objects.get().name == DEMO_COMPANY_NAME
    assert company.is_set_up()
    assert Client().get(reverse("setup")).status_code == 404
