"""Writer of what-if runs (docs/effectiveness.md, "What-if on history").

A what-if is a calculation run of kind *preview*: :func:`start_what_if` checks the
request, records the run (audited) and queues it; :func:`run_what_if` (the background
task) calculates it with :func:`attain.incentives.what_if.run` and keeps the comparison
on the run itself (``totals["what_if"]``), with its progress on the way. Stored results
(period and component results) are never written.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as noop

from attain.audit.models import Action
from attain.audit.services import record_change, snapshot
from attain.calc.periods import fiscal_year_of_day
from attain.web import leases

from . import what_if
from .access import can_run_what_if
from .models import CalculationRun, PlanVersion, RunKind, RunStatus
from .services import _progress, fail_run


def start_what_if(actor: Any, version: PlanVersion, first: str, last: str) -> CalculationRun:
    """Queue a what-if of ``version`` (a draft, submitted or approved version) over the
    quarters or months ``first``…``last``; errors name the field, nothing is queued."""
    if not can_run_what_if(actor):
        raise PermissionDenied(
            _("Only administrators, sales operations and executives run a what-if.")
        )
    if version.status not in what_if.DRAFT_STATES:
        raise ValidationError(
            {
                "version": [
                    _(
                        "Version %(number)s of %(plan)s is %(status)s: a what-if runs a "
                        "version not yet in force."
                    )
                    % {
                        "number": version.number,
                        "plan": version.plan.code,
                        "status": version.get_status_display().lower(),
                    }
                ]
            }
        )
    span = what_if.parse_range(first, last)
    from .tasks import what_if_task

    with transaction.atomic():
        run = CalculationRun.objects.create(
            kind=RunKind.PREVIEW,
            fiscal_year=fiscal_year_of_day(span.start),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            stage=noop("Queued"),
            totals={
                "what_if": {"request": {"version": version.pk, "from": span.first, "to": span.last}}
            },
        )
        record_change(
            actor,
            Action.RUN_STARTED,
            run,
            after=snapshot(run),
            reason=_("What-if of %(plan)s v%(number)s over %(first)s – %(last)s")
            % {
                "plan": version.plan.code,
                "number": version.number,
                "first": span.first,
                "last": span.last,
            },
        )
        transaction.on_commit(lambda: what_if_task.enqueue(run.pk))
    return run


def run_what_if(run: CalculationRun) -> CalculationRun:
    """Calculate a queued what-if and keep its comparison on the run."""
    began = time.perf_counter()
    request = (run.totals or {}).get("what_if", {}).get("request", {})
    run.status = RunStatus.RUNNING
    run.worker, run.heartbeat_at = leases.holder(), timezone.now()
    run.save(update_fields=["status", "worker", "heartbeat_at"])
    try:
        version = (
            PlanVersion.objects.select_related("plan").filter(pk=request.get("version")).first()
        )
        if version is None:
            return fail_run(run, [_("The plan version of this what-if no longer exists.")])
        span = what_if.parse_range(str(request.get("from", "")), str(request.get("to", "")))
        found = what_if.run(version, span, lambda percent, stage: _progress(run, percent, stage))
    except ValidationError as error:
        return fail_run(run, error.messages)
    except Exception as error:  # a failed run is shown, not lost
        fail_run(run, [f"{type(error).__name__}: {error}"])
        raise
    run.totals = {"what_if": {"request": request, "result": found}}
    run.people = len(found["people"])
    run.status, run.progress, run.stage = RunStatus.DONE, 100, noop("Done")
    run.seconds = Decimal(f"{time.perf_counter() - began:.3f}")
    run.finished_at = timezone.now()
    run.save()
    return run


def what_if_of(run: CalculationRun) -> dict[str, Any]:
    """The request and (when done) the result of a what-if run."""
    return dict((run.totals or {}).get("what_if") or {})
