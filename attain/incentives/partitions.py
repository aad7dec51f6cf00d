"""Partitioned full runs: one calculation run split by people into tasks that any
number of workers, on any number of machines, take from the task queue (docs/scaling.md).

:func:`start_partitions` cuts the company into slices of about
``settings.ATTAIN_CALC_PARTITION_PEOPLE`` people (a unit's people stay together) and
queues one :func:`attain.incentives.tasks.partition_task` per slice. Each task
(:func:`calculate_partition`) reads from the database only what its people's results need
(``calculation.loaded_year(only_for=...)``: their records, and their teams' where a
team-scope plan or a roll-up covers them), calculates them and writes their rows to the
staged tables. The task that finishes the last slice merges (:func:`finish_run`): in one
transaction the year's stored results of every person calculated are replaced by the
staged rows (``INSERT … SELECT`` inside the database), so readers see the whole old run
or the whole new one, never a mix. A slice that fails fails the run, and nothing of it is
stored.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as noop

from attain.engine import no_cycle_collection
from attain.org.models import Assignment, Person
from attain.web import leases
from attain.web.inserts import insert_rows

from . import calculation
from .models import (
    CalculationRun,
    ComponentResult,
    PeriodResult,
    RunPartition,
    RunStatus,
    StagedComponentResult,
    StagedPeriodResult,
)


def partition_count(people: int) -> int:
    """How many slices a full run of a company of ``people`` is cut into: one per
    ``ATTAIN_CALC_PARTITION_PEOPLE`` people (0: never cut)."""
    size = int(settings.ATTAIN_CALC_PARTITION_PEOPLE)
    if size <= 0 or people <= size:
        return 1
    return -(-people // size)


def split_people(count: int, day: Any) -> list[list[str]]:
    """Every person's code in ``count`` slices of nearly equal size, people ordered by
    their unit on ``day`` (then code), so that a team mostly lands in one slice and its
    records are read once. People without a unit that day come last."""
    unit_of = dict(Assignment.objects.on(day).values_list("person__code", "unit__code").order_by())
    codes = sorted(
        Person.objects.values_list("code", flat=True).order_by(),
        key=lambda code: (code not in unit_of, unit_of.get(code) or "", code),
    )
    count = max(1, min(count, len(codes)))
    size, extra = divmod(len(codes), count)
    slices, start = [], 0
    for n in range(count):
        end = start + size + (1 if n < extra else 0)
        slices.append(codes[start:end])
        start = end
    return slices


def start_partitions(run: CalculationRun, count: int) -> list[RunPartition]:
    """Cut ``run`` (running, its ``as_of`` set) into ``count`` slices and queue a task
    for each once the transaction commits. The run itself has no worker from now on:
    each slice has its own (:func:`fail_abandoned_partitions`)."""
    from .tasks import partition_task

    slices = split_people(count, run.as_of)
    with transaction.atomic():
        partitions = RunPartition.objects.bulk_create(
            RunPartition(run=run, number=n, people=codes) for n, codes in enumerate(slices, 1)
        )
        run.worker, run.heartbeat_at = "", None
        run.progress, run.stage = 5, noop("Calculating in partitions")
        run.save(update_fields=["worker", "heartbeat_at", "progress", "stage"])
        for partition in partitions:
            transaction.on_commit(lambda pk=partition.pk: partition_task.enqueue(pk))
    return partitions


def _claim(pk: int) -> RunPartition | None:
    """Take a queued slice of a running run; None when there is nothing to do (taken,
    done, or its run failed meanwhile)."""
    with transaction.atomic():
        partition = RunPartition.objects.select_for_update().select_related("run").get(pk=pk)
        if partition.status != RunStatus.QUEUED:
            return None
        if partition.run.status != RunStatus.RUNNING:
            partition.status = RunStatus.FAILED
            partition.save(update_fields=["status"])
            return None
        partition.status = RunStatus.RUNNING
        partition.worker, partition.heartbeat_at = leases.holder(), timezone.now()
        partition.save(update_fields=["status", "worker", "heartbeat_at"])
    return partition


def _beat(partition: RunPartition) -> None:
    partition.heartbeat_at = timezone.now()
    RunPartition.objects.filter(pk=partition.pk).update(heartbeat_at=partition.heartbeat_at)


def calculate_partition(pk: int) -> None:
    """The task of one slice: calculate its people, stage their rows, and merge the
    run when it was the last slice."""
    from .services import WARNINGS_KEPT, payout_problems, result_rows

    partition = _claim(pk)
    if partition is None:
        return
    run = partition.run
    began = time.perf_counter()
    assert run.as_of is not None
    try:
        with (
            no_cycle_collection(),  # as a whole run (services.run_calculation)
            calculation.loaded_year(
                run.fiscal_year, as_of=run.as_of, only_for=set(partition.people)
            ) as loaded,
        ):
            if loaded.scenario is None:
                fail_partition(partition, [f"{p.path}: {p.message}" for p in loaded.problems])
                return
            _beat(partition)
            result, rows = calculation.run_rows(loaded, run.as_of, people=partition.people)
            if result.errors:
                fail_partition(partition, [f"{p.path}: {p.message}" for p in result.errors])
                return
            too_large = payout_problems(result, rows)
            if too_large:
                fail_partition(partition, too_large)
                return
            _beat(partition)
            found = result_rows(result, people=partition.people, explained=False, rows=rows)
            with transaction.atomic():
                also = {"partition_id": partition.pk}
                insert_rows(StagedPeriodResult, found.periods, also=also)
                insert_rows(StagedComponentResult, found.components, also=also)
                partition.summary = {
                    "people": found.person_pks,
                    "periods": found.period_ids,
                    "rows": len(found.periods) + len(found.components),
                    "warnings": len(result.warnings),
                    "warning_details": [
                        [w.path, w.message] for w in result.warnings[:WARNINGS_KEPT]
                    ],
                    "totals": {
                        plan: {**t, "payout": str(t["payout"]), "people": len(t["people"])}
                        for plan, t in found.totals.items()
                    },
                }
                partition.status = RunStatus.DONE
                partition.seconds = Decimal(f"{time.perf_counter() - began:.3f}")
                partition.heartbeat_at = timezone.now()
                partition.save()
            del result, rows, found, loaded  # freed before the merge (services.run_calculation)
    except Exception as error:  # a failed slice fails its run, shown, not lost
        fail_partition(partition, [f"{type(error).__name__}: {error}"])
        raise
    finish_run(run.pk)


def fail_partition(partition: RunPartition, problems: Sequence[str]) -> None:
    """Mark the slice failed and its run with it (the slice's problems, numbered), and
    drop every staged row of the run: nothing of a failed run is stored."""
    from .services import fail_run

    label = _("Partition %(number)s") % {"number": partition.number}
    with transaction.atomic():
        RunPartition.objects.filter(pk=partition.pk).update(
            status=RunStatus.FAILED, problems=list(problems)[:200]
        )
        run = CalculationRun.objects.select_for_update().get(pk=partition.run_id)
        if run.status == RunStatus.RUNNING:
            fail_run(run, [f"{label}: {problem}" for problem in problems])
        _drop_staged(run)


def _drop_staged(run: CalculationRun) -> None:
    StagedPeriodResult.objects.filter(partition__run=run).delete()
    StagedComponentResult.objects.filter(partition__run=run).delete()


def finish_run(run_pk: int) -> CalculationRun | None:
    """Move the run forward after a slice finished: its progress, or, when every slice
    is done, the merge. Returns the run when this call merged it."""
    from .services import after_full_run, mark_done

    with transaction.atomic():
        run = CalculationRun.objects.select_for_update().get(pk=run_pk)
        if run.status != RunStatus.RUNNING:
            return None
        partitions = list(run.partitions.all())
        done = [p for p in partitions if p.status == RunStatus.DONE]
        if len(done) < len(partitions):
            run.progress = 5 + int(85 * len(done) / len(partitions))
            run.save(update_fields=["progress"])
            return None
        run.stage = noop("Storing results")
        people, rows = _merge(run, done)
        # Done from this commit on: a slice's worker that waited for the lock meanwhile
        # finds nothing left to merge.
        mark_done(run, people=people, rows=rows)
    after_full_run(run.created_by, run)
    return run


def _merge(run: CalculationRun, partitions: Sequence[RunPartition]) -> tuple[int, int]:
    """Replace the stored results of every person the slices calculated, for the year's
    periods, by the staged rows (inside the open transaction); fill in the run's
    counts, warnings and payout per plan."""
    from .events import results_stored
    from .services import WARNINGS_KEPT, plan_totals_text

    person_pks = sorted({pk for p in partitions for pk in p.summary["people"]})
    period_ids = sorted({period for p in partitions for period in p.summary["periods"]})
    staged_people = StagedPeriodResult.objects.filter(partition__run=run).values("person_id")
    PeriodResult.objects.filter(person_id__in=staged_people, period__in=period_ids).delete()
    ComponentResult.objects.filter(
        person_id__in=StagedComponentResult.objects.filter(partition__run=run).values("person_id"),
        period__in=period_ids,
    ).delete()
    _copy(StagedPeriodResult, PeriodResult, run, stamp=True)
    _copy(StagedComponentResult, ComponentResult, run, stamp=False)
    _drop_staged(run)

    totals: dict[str, dict[str, Any]] = {}
    warnings: list[list[str]] = []
    seen: set[tuple[str, str]] = set()
    for partition in partitions:
        summary = partition.summary
        for plan, t in summary["totals"].items():
            total = totals.setdefault(plan, {"name": t["name"], "payout": 0, "people": 0})
            total["payout"] += Decimal(t["payout"])
            total["people"] += t["people"]
        for path, message in summary["warning_details"]:
            if (path, message) not in seen:
                seen.add((path, message))
                warnings.append([path, message])
    run.people = len(person_pks)
    run.rows = sum(p.summary["rows"] for p in partitions)
    run.warnings = max(len(warnings), sum(p.summary["warnings"] for p in partitions))
    run.warning_details = warnings[:WARNINGS_KEPT]
    run.totals = plan_totals_text(totals)
    transaction.on_commit(
        lambda: results_stored.send(sender=PeriodResult, people=person_pks, periods=period_ids)
    )
    return run.people, run.rows


def _copy(
    source: type[models.Model], target: type[models.Model], run: CalculationRun, *, stamp: bool
) -> None:
    """``INSERT INTO target … SELECT … FROM source`` for the run's staged rows, with
    ``run_id`` (and, with ``stamp``, ``updated_at``) set."""
    quote = connection.ops.quote_name
    fields = [
        str(f.column) for f in source._meta.concrete_fields if f.name not in {"id", "partition"}
    ]
    extra: dict[str, Any] = {"run_id": run.pk}
    if stamp:
        extra["updated_at"] = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = ", ".join(quote(c) for c in [*fields, *extra])
    chosen = ", ".join([*(f"s.{quote(c)}" for c in fields), *(["%s"] * len(extra))])
    sql = (
        f"INSERT INTO {quote(target._meta.db_table)} ({columns}) "
        f"SELECT {chosen} FROM {quote(source._meta.db_table)} s "
        f"JOIN {quote(RunPartition._meta.db_table)} p ON p.id = s.partition_id "
        "WHERE p.run_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*extra.values(), run.pk])


def fail_unstarted_partition(partition_id: int, worker: str) -> int:
    """Mark failed a slice still queued whose task's worker died before it began (and
    its run with it): no worker would ever take it again, and the run would stay
    running. Returns 1 when it was marked, else 0."""
    partition = RunPartition.objects.filter(pk=partition_id, status=RunStatus.QUEUED).first()
    if partition is None:
        return 0
    reason = _(
        "The worker that took this part of the run (%(worker)s) stopped before it began; "
        "nothing of the run was stored. Run it again."
    ) % {"worker": worker}
    fail_partition(partition, [reason])
    return 1


def fail_abandoned_partitions() -> int:
    """Slices whose worker died (:mod:`attain.web.leases`): each fails, and its run
    with it. Returns how many were marked."""

    def mark(partition: RunPartition, reason: str) -> None:
        fail_partition(partition, [reason])

    return leases.fail_abandoned(
        RunPartition.objects.filter(status=RunStatus.RUNNING),
        _(
            "The worker calculating this part of the run (%(worker)s) stopped before it "
            "finished; nothing of the run was stored. Run it again."
        ),
        mark,
    )
