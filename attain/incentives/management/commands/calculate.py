"""``attain calculate 2026``: a full calculation run of a fiscal year from the command line.

By default the run is queued for the workers, like "Recalculate" on the plans page, and
cut into slices of people when the company is large (``--partitions N`` chooses the
number; docs/scaling.md). ``--wait`` follows it until it ends; ``--here`` calculates in
this process instead (one slice, no worker needed).
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from attain.incentives.models import CalculationRun, RunStatus
from attain.incentives.services import (
    FIRST_RUN_YEAR,
    LAST_RUN_YEAR,
    check_run_year,
    fail_abandoned_runs,
    run_calculation,
    start_calculation,
)
from attain.org.commands import CompanyCommand

QUEUED_HINT_SECONDS = 30  # --wait says no worker took the run once it waited this long


class Command(CompanyCommand):
    help = (
        "Recalculate every person's results of a fiscal year: queued for the workers "
        "(cut into partitions of people for a large company), or --here in this process."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("year", type=int, help="the fiscal year, e.g. 2026")
        parser.add_argument(
            "--partitions",
            type=int,
            default=None,
            help="cut the run into this many tasks (default: one per "
            "ATTAIN_CALC_PARTITION_PEOPLE people; 1: one task)",
        )
        parser.add_argument(
            "--wait", action="store_true", help="follow the run until it ends (progress shown)"
        )
        parser.add_argument(
            "--here", action="store_true", help="calculate in this process, without workers"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        count = options["partitions"]
        if not FIRST_RUN_YEAR <= year <= LAST_RUN_YEAR:
            raise CommandError(
                _("the fiscal year must be from %(first)s to %(last)s, not %(year)s")
                % {"first": FIRST_RUN_YEAR, "last": LAST_RUN_YEAR, "year": year},
                returncode=2,
            )
        if count is not None and count < 1:
            raise CommandError(_("--partitions must be at least 1"), returncode=2)
        try:  # a year with no data, far from today (the service says which may be run)
            check_run_year(year)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=2) from None
        if options["here"]:
            if count not in (None, 1):
                raise CommandError(
                    _("--here calculates in one process: leave out --partitions"), returncode=2
                )
            run = run_calculation(None, year)
        else:
            run = self.queue(year, count)
            if options["wait"]:
                run = self.follow(run)
        self.report(run)

    def queue(self, year: int, count: int | None) -> CalculationRun:
        with transaction.atomic():
            run = start_calculation(None, year, partitions=count)
        self.stdout.write(_("run %(run)s: queued") % {"run": run.pk})
        run.refresh_from_db()
        return run

    def follow(self, run: CalculationRun) -> CalculationRun:
        shown = None
        waited = 0
        try:
            while run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
                time.sleep(1)
                waited += 1
                fail_abandoned_runs()
                run.refresh_from_db()
                state = (run.status, run.progress, run.stage)
                if state != shown:
                    self.stdout.write(
                        _("run %(run)s: %(status)s %(progress)s%%")
                        % {
                            "run": run.pk,
                            "status": run.get_status_display(),
                            "progress": run.progress,
                        }
                    )
                    shown = state
                if waited == QUEUED_HINT_SECONDS and run.status == RunStatus.QUEUED:
                    self.stderr.write(
                        _(
                            "run %(run)s is still queued: no worker has taken it. Start one with "
                            "`attain worker --queue-name '*'`, or calculate with --here."
                        )
                        % {"run": run.pk}
                    )
        except KeyboardInterrupt:
            raise CommandError(
                _("stopped waiting: run %(run)s stays with the workers (%(status)s)")
                % {"run": run.pk, "status": run.status},
                returncode=130,
            ) from None
        return run

    def report(self, run: CalculationRun) -> None:
        if run.status == RunStatus.FAILED:
            raise CommandError(
                _("run %(run)s failed: %(problems)s")
                % {"run": run.pk, "problems": "; ".join(run.problems)}
            )
        if run.status == RunStatus.DONE:
            self.stdout.write(
                _(
                    "run %(run)s: %(people)s people, %(rows)s result rows, "
                    "%(warnings)s warnings, %(seconds)s s"
                )
                % {
                    "run": run.pk,
                    "people": run.people,
                    "rows": run.rows,
                    "warnings": run.warnings,
                    "seconds": run.seconds,
                }
            )
