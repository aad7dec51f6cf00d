"""A full run cut by people into tasks (attain.incentives.partitions) stores exactly what
one whole run stores; a slice that fails or whose worker dies fails the run and stores
nothing of it; the web's runs are cut when the company is larger than
ATTAIN_CALC_PARTITION_PEOPLE."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from attain.audit.models import Action, AuditEvent
from attain.conftest import login
from attain.incentives import calculation, partitions, services
from attain.incentives.models import (
    CalculationRun,
    ComponentResult,
    PeriodResult,
    RunPartition,
    RunStatus,
    StagedComponentResult,
    StagedPeriodResult,
)
from attain.org.models import Person
from attain.web import leases

from .conftest import YEAR
from .test_workers import dead_pid

RESULT_FIELDS = (
    "person__code",
    "period",
    "period_kind",
    "start",
    "end",
    "unit_id",
    "role",
    "measures",
    "targets",
    "attainment",
    "pace",
    "plans",
    "payout",
    "main_attainment",
)
COMPONENT_FIELDS = ("person__code", "period", "plan", "component", "kind", "amount", "level")


def stored() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    results = PeriodResult.objects.order_by("person__code", "period")
    components = ComponentResult.objects.order_by("person__code", "period", "plan", "component")
    return (
        list(results.values_list(*RESULT_FIELDS)),
        list(components.values_list(*COMPONENT_FIELDS, "score")),
    )


def partitioned_run(count: int, capture) -> CalculationRun:
    with capture(execute=True):
        run = services.run_calculation(None, YEAR, partitions=count)
    run.refresh_from_db()
    return run


@pytest.mark.parametrize("count", [2, 3, 50])
def test_a_partitioned_run_stores_what_a_whole_run_stores(
    calculated, django_capture_on_commit_callbacks, count
):
    whole = CalculationRun.objects.get()
    before = stored()
    PeriodResult.objects.all().delete()
    ComponentResult.objects.all().delete()

    run = partitioned_run(count, django_capture_on_commit_callbacks)

    assert run.status == RunStatus.DONE, run.problems
    assert stored() == before
    assert set(PeriodResult.objects.values_list("run_id", flat=True)) == {run.pk}
    assert run.partitions.count() == min(count, Person.objects.count())
    assert sorted(c for p in run.partitions.all() for c in p.people) == sorted(
        Person.objects.values_list("code", flat=True)
    )
    assert not StagedPeriodResult.objects.exists() and not StagedComponentResult.objects.exists()
    assert (run.people, run.rows, run.totals) == (whole.people, whole.rows, whole.totals)
    assert run.warnings == whole.warnings
    assert sorted(map(tuple, run.warning_details)) == sorted(map(tuple, whole.warning_details))
    assert run.progress == 100 and run.seconds is not None and run.finished_at is not None


def test_a_failing_slice_fails_the_run_and_stores_nothing(
    calculated, django_capture_on_commit_callbacks, monkeypatch
):
    PeriodResult.objects.update(payout=Decimal("1.00"))  # what the run must not replace
    before = stored()
    original = calculation.run_rows
    calls = []

    def run_rows(loaded, as_of, people=None):
        calls.append(people)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(loaded, as_of, people=people)

    monkeypatch.setattr(calculation, "run_rows", run_rows)
    run = partitioned_run(3, django_capture_on_commit_callbacks)  # the task is marked failed
    assert run.status == RunStatus.FAILED
    assert run.problems == ["Partition 2: RuntimeError: disk full"]
    assert stored() == before
    assert not StagedPeriodResult.objects.exists()
    statuses = dict(run.partitions.values_list("number", "status"))
    assert statuses == {1: RunStatus.DONE, 2: RunStatus.FAILED, 3: RunStatus.FAILED}


def test_a_slice_whose_worker_died_fails_its_run(sales):
    run = services.run_calculation(None, YEAR, partitions=2)  # queued: nothing runs them
    assert run.status == RunStatus.RUNNING and run.worker == ""
    assert services.fail_abandoned_runs() == 0  # waiting for workers is not abandoned
    first = run.partitions.get(number=1)
    first.status, first.worker = RunStatus.RUNNING, f"{leases.host()}:{dead_pid()}"
    first.save()

    assert services.fail_abandoned_runs() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.problems[0].startswith("Partition 1: The worker calculating this part")
    # the other slice finds its run failed and does nothing
    partitions.calculate_partition(run.partitions.get(number=2).pk)
    assert run.partitions.get(number=2).status == RunStatus.FAILED
    assert not PeriodResult.objects.exists()


def test_the_web_cuts_runs_of_large_companies(
    client, sales, django_capture_on_commit_callbacks, settings
):
    settings.ATTAIN_CALC_PARTITION_PEOPLE = 3
    login(client, "sales_ops")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("incentives:start_run"), {"year": YEAR})
    run = CalculationRun.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert run.status == RunStatus.DONE
    people = Person.objects.count()
    assert RunPartition.objects.filter(run=run).count() == -(-people // 3)
    page = client.get(reverse("incentives:run", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "分区" in page.content.decode()
    body = client.get(f"/api/calculation-runs/{run.pk}/").json()
    assert [p["people"] for p in body["partitions"]] == [
        len(p.people) for p in run.partitions.order_by("number")
    ]
    assert {p["status"] for p in body["partitions"]} == {"done"}


@pytest.mark.parametrize(("people", "size", "count"), [(10, 0, 1), (10, 10, 1), (11, 10, 2)])
def test_partition_count(settings, people, size, count):
    settings.ATTAIN_CALC_PARTITION_PEOPLE = size
    assert partitions.partition_count(people) == count


def test_a_slice_finishing_right_after_the_merge_finds_nothing_to_merge(
    sales, django_capture_on_commit_callbacks, monkeypatch
):
    original = services.after_full_run
    late: list[CalculationRun | None] = []

    def after_full_run(actor, run):
        late.append(partitions.finish_run(run.pk))  # another worker, just after the commit
        original(actor, run)

    monkeypatch.setattr(services, "after_full_run", after_full_run)
    run = partitioned_run(2, django_capture_on_commit_callbacks)
    assert late == [None]
    assert (
        run.status == RunStatus.DONE
        and run.people == Person.objects.filter(period_results__run=run).distinct().count()
    )


def test_attain_calculate_queues_a_run_cut_as_asked(calculated, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("calculate", str(YEAR), "--partitions", "2", stdout=out)
    run = CalculationRun.objects.latest("pk")
    assert f"run {run.pk}: queued" in out.getvalue()
    assert run.status == RunStatus.DONE, run.problems
    assert run.partitions.count() == 2
    assert AuditEvent.objects.filter(action=Action.RUN_STARTED, object_id=str(run.pk)).exists()
    with pytest.raises(CommandError, match="at least 1"):
        call_command("calculate", str(YEAR), "--partitions", "0")
