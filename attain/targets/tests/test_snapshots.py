"""Pace and forecasts read from stored snapshots (attain.targets.snapshots): calculated once
per change of the data, shown as they are (with when) while a worker brings them up to
date, recalculated in the request without one."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from attain.calc import cache
from attain.conftest import LOGINS, Company
from attain.crm import services as crm
from attain.crm.tests.make import order
from attain.targets import snapshots
from attain.targets.models import PaceSnapshot, TargetPlan

from .conftest import publish

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 20)
WORKER = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
NO_WORKER = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def published(company: Company, plan: TargetPlan) -> TargetPlan:
    publish(company, plan)
    customer = crm.create_customer(None, name="甲公司", owner=company.people["r1"])
    order(customer, company.people["r1"], datetime.date(2026, 5, 3), Decimal("1000.10"))
    return plan


def _login(role: str, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=LOGINS[role][0], password=LOGINS[role][1])
    return client


def _r1(stored: snapshots.Stored[Any]) -> Decimal:
    return next(r.actual for r in stored.rows if r.who == "r1" and r.period == "2026-Q2")


def test_rows_read_back_from_a_snapshot_equal_those_calculated(published: TargetPlan) -> None:
    pace = snapshots.stored_pace(published, DAY)
    forecast = snapshots.stored_forecast(published, DAY)
    assert pace.current and forecast.current and pace.rows and forecast.rows
    cache.clear()  # a new process: rows decoded from the database
    again_pace = snapshots.stored_pace(published, DAY)
    again_forecast = snapshots.stored_forecast(published, DAY)
    assert again_pace.rows == pace.rows and again_forecast.rows == forecast.rows
    assert any(isinstance(r.attainment, Decimal) for r in again_pace.rows)
    assert PaceSnapshot.objects.count() == 1


def test_a_current_snapshot_is_read_without_calculating(
    published: TargetPlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshots.stored_forecast(published, DAY)
    cache.clear()

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("calculated again")

    monkeypatch.setattr(snapshots, "pace_report", refuse)
    monkeypatch.setattr(snapshots, "forecast_report", refuse)
    assert _r1(snapshots.stored_pace(published, DAY)) == Decimal("1000.10")
    assert snapshots.stored_forecast(published, DAY).rows


@override_settings(TASKS=NO_WORKER)
def test_without_a_worker_a_change_is_calculated_in_the_request(
    company: Company, published: TargetPlan
) -> None:
    assert _r1(snapshots.stored_pace(published, DAY)) == Decimal("1000.10")
    customer = crm.create_customer(None, name="乙公司", owner=company.people["r1"])
    order(customer, company.people["r1"], datetime.date(2026, 6, 1), Decimal("5"))
    stored = snapshots.stored_pace(published, DAY)
    assert stored.current and _r1(stored) == Decimal("1005.10")


@override_settings(TASKS=WORKER)
def test_with_a_worker_an_outdated_snapshot_is_shown_while_one_refresh_is_queued(
    company: Company, published: TargetPlan, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks import default_task_backend

    default_task_backend.clear()  # type: ignore[attr-defined]
    first = snapshots.stored_pace(published, DAY)  # none yet: calculated in the request
    assert first.current and not default_task_backend.results  # type: ignore[attr-defined]
    customer = crm.create_customer(None, name="乙公司", owner=company.people["r1"])
    order(customer, company.people["r1"], datetime.date(2026, 6, 1), Decimal("5"))
    with django_capture_on_commit_callbacks(execute=True):
        stale = snapshots.stored_pace(published, DAY)
        snapshots.stored_pace(published, DAY)  # a second visitor queues nothing more
    assert not stale.current and stale.calculated == first.calculated
    assert _r1(stale) == Decimal("1000.10")
    queued = default_task_backend.results  # type: ignore[attr-defined]
    assert [r.args for r in queued] == [[published.pk, DAY.isoformat()]]
    # the worker's run of the task brings it up to date
    queued[0].task.call(*queued[0].args)
    fresh = snapshots.stored_pace(published, DAY)
    assert fresh.current and _r1(fresh) == Decimal("1005.10")
    assert fresh.calculated > first.calculated


@override_settings(TASKS=WORKER)
def test_today_shows_the_latest_earlier_day_while_todays_figures_are_calculated(
    published: TargetPlan, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks import default_task_backend

    default_task_backend.clear()  # type: ignore[attr-defined]
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    snapshots.stored_forecast(published, yesterday)
    with django_capture_on_commit_callbacks(execute=True):
        shown = snapshots.stored_pace(published, today)
    assert shown.as_of == yesterday and not shown.current
    assert [r.args for r in default_task_backend.results] == [  # type: ignore[attr-defined]
        [published.pk, today.isoformat()]
    ]
    # an earlier day asked for by name is calculated, never swapped for another
    assert snapshots.stored_pace(published, DAY).as_of == DAY
    # nor is today's for the API, whose rows do not say their day
    PaceSnapshot.objects.filter(as_of=today).delete()
    assert snapshots.stored_pace(published, today, earlier_day=False).as_of == today


@pytest.mark.parametrize(
    ("language", "note"),
    [("en", "These figures were calculated"), ("zh-hans", "以下数据计算于")],
)
@override_settings(TASKS=WORKER)
def test_the_pace_page_and_my_targets_say_when_outdated_figures_were_calculated(
    company: Company, published: TargetPlan, language: str, note: str
) -> None:
    today = timezone.localdate()
    manager, rep = _login("manager", language), _login("rep", language)
    url = reverse("targets:pace")
    assert note not in manager.get(url).content.decode()  # calculated now: no note
    assert note not in rep.get(reverse("targets:mine")).content.decode()
    customer = crm.create_customer(None, name="乙公司", owner=company.people["r1"])
    order(customer, company.people["r1"], today, Decimal("5"))
    page = manager.get(url).content.decode()
    assert note in page
    assert note in rep.get(reverse("targets:mine")).content.decode()


def test_the_api_says_when_its_figures_were_calculated(published: TargetPlan) -> None:
    response = _login("manager").get("/api/targets/pace/", {"as_of": DAY.isoformat()})
    assert response.status_code == 200 and response.json()
    calculated = PaceSnapshot.objects.get(plan=published, as_of=DAY).calculated
    assert response["Last-Modified"] == calculated.strftime("%a, %d %b %Y %H:%M:%S GMT")


def test_only_the_latest_snapshots_of_a_plan_are_kept(published: TargetPlan) -> None:
    for offset in range(snapshots.KEEP + 3):
        snapshots.stored_pace(published, DAY - datetime.timedelta(days=offset))
    kept = PaceSnapshot.objects.filter(plan=published)
    assert kept.count() == snapshots.KEEP
    # the most recently calculated: the first three days asked for are gone
    assert not kept.filter(as_of__gt=DAY - datetime.timedelta(days=3)).exists()
