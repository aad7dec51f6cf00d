"""Stored results follow the organisation: a change back-dated into calculated periods
(a transfer, a corrected start, a last day, an undone change, a roster import) queues
a full run of each calculated fiscal year it reaches (attain.org.events)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from attain.incentives.models import CalculationRun, PeriodResult, RunKind
from attain.incentives.signals import recalculate_years
from attain.org import services as org
from attain.org.events import ALWAYS, organisation_changed
from attain.org.models import Person

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def _payout(code: str, period: str) -> Decimal:
    return PeriodResult.objects.get(person__code=code, period=period).payout


def _full_runs() -> int:
    return CalculationRun.objects.filter(kind=RunKind.FULL).count()


def test_a_transfer_back_dated_into_a_calculated_quarter_moves_the_team_figures(
    calculated, django_capture_on_commit_callbacks
):
    """r3 (3,000 in February) moves from m2's team to m3's from January 1: m3's team
    override for Q1 (1 % of the team's revenue) now counts r3's orders."""
    people = calculated.people
    assert _payout("m3", f"{YEAR}-Q1") == 0
    before = _full_runs()
    with django_capture_on_commit_callbacks(execute=True):
        org.transfer_person(
            None,
            people["r3"],
            on=datetime.date(YEAR, 1, 1),
            unit=calculated.west,
            manager=people["m3"],
        )
    assert _full_runs() == before + 1
    assert _payout("m3", f"{YEAR}-Q1") == Decimal("30.00")


def test_a_leavers_last_day_and_a_corrected_start_queue_the_year(
    calculated, django_capture_on_commit_callbacks
):
    people = calculated.people
    before = _full_runs()
    with django_capture_on_commit_callbacks(execute=True):
        org.end_employment(None, people["r2"], on=datetime.date(YEAR, 1, 31))
    assert _full_runs() == before + 1
    r2 = PeriodResult.objects.get(person__code="r2", period=f"{YEAR}-Q1")
    assert r2.person.end == datetime.date(YEAR, 1, 31)


def test_a_change_of_name_queues_nothing(calculated, django_capture_on_commit_callbacks):
    before = _full_runs()
    with django_capture_on_commit_callbacks(execute=True):
        org.update_person(None, calculated.people["r1"], name="新名字")
    assert _full_runs() == before


def test_a_change_before_any_calculated_year_and_after_reaches_only_later_years(calculated):
    assert recalculate_years(datetime.date(YEAR + 1, 3, 1)) == []  # no results there
    assert recalculate_years(datetime.date(YEAR - 3, 3, 1)) == [YEAR]
    assert recalculate_years(datetime.date(YEAR - 3, 3, 1)) == []  # one queued is enough


def test_a_unit_moved_in_the_tree_reaches_every_calculated_year(
    calculated, django_capture_on_commit_callbacks
):
    seen: list[frozenset[datetime.date]] = []
    organisation_changed.connect(
        lambda sender, days, **kw: seen.append(days), weak=False, dispatch_uid="t"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            org.update_unit(None, calculated.west, parent=calculated.east)
    finally:
        organisation_changed.disconnect(dispatch_uid="t")
    assert min(seen[-1]) == ALWAYS


def test_the_roster_import_announces_its_earliest_day(
    calculated, tmp_path: Path, django_capture_on_commit_callbacks
):
    """A roster moving r3 to west under m3 from February 1 (the import writes with bulk
    statements, not model saves)."""
    seen: list[tuple[frozenset[int], frozenset[datetime.date]]] = []
    organisation_changed.connect(
        lambda sender, people, days, **kw: seen.append((people, days)),
        weak=False,
        dispatch_uid="t",
    )
    path = tmp_path / "people.csv"
    path.write_text(
        "code,name,unit,manager,title,start,effective\n"
        f"r3,R3,west,m3,rep,2024-01-01,{YEAR}-02-01\n",
        encoding="utf-8",
    )
    from attain.intake.importer import import_file

    try:
        with django_capture_on_commit_callbacks(execute=True):
            import_file(None, "people", path)
    finally:
        organisation_changed.disconnect(dispatch_uid="t")
    r3 = Person.objects.get(code="r3").pk
    # (the test's own transaction never commits: its batch holds the fixtures' changes too)
    assert r3 in seen[-1][0] and datetime.date(YEAR, 2, 1) in seen[-1][1]
    assert _payout("m3", f"{YEAR}-Q1") == Decimal("30.00")
