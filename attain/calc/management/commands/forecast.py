"""`attain forecast backtest --measure revenue --from 2025-01-01 --to 2025-12-31 [--json FILE]`."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from attain.calc.forecast import FIRST_DAY, LAST_DAY, NotForecastable, run_backtest
from attain.org.commands import CompanyCommand
from attain.web.outputs import check_output, write_output


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(_("not a date (YYYY-MM-DD): %(text)r") % {"text": text}) from error


class Command(CompanyCommand):
    help = "Forecasts of period-end values: replay history to measure their error."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{backtest}")
        run = sub.add_parser(
            "backtest",
            help="At each month's and quarter's 1/3 and 2/3 point, forecast each person's "
            "period-end value from the data known then; WAPE against the run-rate.",
        )
        run.add_argument("--measure", required=True, help="a measure code, e.g. revenue")
        run.add_argument("--from", dest="first", required=True, help="YYYY-MM-DD")
        run.add_argument("--to", dest="last", required=True, help="YYYY-MM-DD")
        run.add_argument("--json", help="write the result as JSON to this file ('-': stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        first, last = _day(options["first"]), _day(options["last"])
        if last < first:
            raise CommandError(_("--to is before --from."))
        if first < FIRST_DAY or last > LAST_DAY:
            raise CommandError(
                _("dates must lie between %(first)s and %(last)s")
                % {"first": FIRST_DAY, "last": LAST_DAY}
            )
        target = options["json"]
        if target and target != "-":
            check_output(target, json=True)
        try:
            document = run_backtest(options["measure"], first, last)
        except NotForecastable as error:
            raise CommandError(
                _("measure %(measure)s cannot be forecast (unknown, or not a sum or a count)")
                % {"measure": error}
            ) from error
        if options["json"]:
            text = json.dumps(document, indent=1)
            if options["json"] == "-":
                self.stdout.write(text)
                return
            write_output(options["json"], text + "\n")
        for row in document["cutoffs"]:
            self.stdout.write(
                f"{row['date']}  {row['period']:8}  model {row['wape_model']:.3f}  "
                f"run-rate {row['wape_run_rate']:.3f}  people {row['people']}"
            )
        model, rate = document["wape_model"], document["wape_run_rate"]
        better = 1 - model / rate if rate else 0.0
        self.stdout.write(
            f"WAPE model {model:.3f}  run-rate {rate:.3f}  ({better:.0%} lower than run-rate)"
        )
