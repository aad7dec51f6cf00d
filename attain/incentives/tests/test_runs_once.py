"""A calculation asked for twice runs once: a double click on "Run" while the first run
is still queued lands on that run, and a run's task taken twice (two workers, a task
sent again) calculates it once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from attain.audit.models import AuditEvent
from attain.incentives import services, services_what_if, tasks
from attain.incentives.models import CalculationRun, RunKind, RunStatus
from attain.web.testing import at_once

from .conftest import YEAR


def test_run_clicked_twice_while_queued_is_one_run(client, sales, settings):
    """Before: two queued runs of the year, both calculated one after the other."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(sales.users["sales_ops"])
    first = client.post(reverse("incentives:start_run"), {"year": YEAR})
    second = client.post(reverse("incentives:start_run"), {"year": YEAR}, follow=True)
    assert CalculationRun.objects.filter(kind=RunKind.FULL).count() == 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert f"A calculation of {YEAR} is already queued" in second.content.decode()


def test_a_run_started_once_the_first_is_running_is_a_new_run(sales, settings):
    """A run already loading its data may miss a change made since: a new one is queued."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    first = services.start_calculation(sales.users["sales_ops"], YEAR)
    CalculationRun.objects.filter(pk=first.pk).update(status=RunStatus.RUNNING)
    second = services.start_calculation(sales.users["sales_ops"], YEAR)
    assert second.pk != first.pk and second.status == RunStatus.QUEUED


def test_a_runs_task_taken_twice_calculates_once(sales, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    run = services.start_calculation(sales.users["sales_ops"], YEAR)
    tasks.calculation_task.call(run.pk, 1)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    finished = run.finished_at
    tasks.calculation_task.call(run.pk, 1)  # the same task again: nothing to do
    run.refresh_from_db()
    assert (run.status, run.finished_at) == (RunStatus.DONE, finished)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_run_clicked_twice_at_once_is_one_run(sales, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    runs = at_once(lambda: services.start_calculation(sales.users["sales_ops"], YEAR).pk)
    assert runs[0] == runs[1], runs
    assert CalculationRun.objects.filter(kind=RunKind.FULL).count() == 1
    assert AuditEvent.objects.filter(content_type__model="calculationrun").count() == 1


def test_a_what_ifs_task_taken_twice_calculates_once(calculated):
    from .test_effectiveness import _draft

    run = services_what_if.start_what_if(
        calculated.users["sales_ops"], _draft(), "2026-Q1", "2026-Q2"
    )
    tasks.what_if_task.call(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    finished = run.finished_at
    tasks.what_if_task.call(run.pk)  # sent again, or taken by a second worker
    run.refresh_from_db()
    assert (run.status, run.finished_at) == (RunStatus.DONE, finished)


def test_a_run_calculated_inline_while_one_is_queued_is_its_own_run(sales, settings):
    """`attain calculate` (inline) while a run of the year waits for a worker: the inline
    run is its own, never refused by the one-queued-run rule."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    queued = services.start_calculation(sales.users["sales_ops"], YEAR)
    inline = services.run_calculation(None, YEAR)
    assert inline.pk != queued.pk and inline.status == RunStatus.DONE
    queued.refresh_from_db()
    assert queued.status == RunStatus.QUEUED
