"""`attain export_scenario DIR [--from DATE --to DATE]`: the database's data as a
runnable scenario (scenario.yaml + parquet tables), for `attain scenario run`."""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.calc.periods import fiscal_year_of_day, report_periods, year_bounds
from attain.calc.scenario import build_scenario
from attain.measures.defaults import default_specs
from attain.measures.services import scenario_measures
from attain.org.commands import CompanyCommand

# The days a scenario may span: the engine's fiscal years end in 9998 (whose last day
# may fall in 9999), and the records' days are read up to the day after the last.
FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(9998, 12, 31)


def _date(text: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            _("%(text)r is not a date (YYYY-MM-DD).") % {"text": text}, returncode=2
        ) from error
    if not FIRST_DAY <= day <= LAST_DAY:
        raise CommandError(
            _("%(text)s is not between %(first)s and %(last)s.")
            % {"text": text, "first": FIRST_DAY, "last": LAST_DAY},
            returncode=2,
        )
    return day


class Command(CompanyCommand):
    help = (
        "Write the CRM records of a period and the organisation as a scenario: "
        "DIR/scenario.yaml with DIR/units.parquet, DIR/people.parquet and "
        "DIR/tables/*.parquet, and the company's measures (the default ones when none are "
        "defined). "
        "Run it with `attain scenario run DIR/scenario.yaml`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="where to write (created if missing)")
        parser.add_argument(
            "--from",
            dest="start",
            help="first day, YYYY-MM-DD (default: the first day of this fiscal year)",
        )
        parser.add_argument(
            "--to",
            dest="end",
            help="last day, YYYY-MM-DD (default: the end of --from's fiscal year)",
        )
        parser.add_argument("--as-of", dest="as_of", help="the scenario's as_of (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["start"]:
            start = _date(options["start"])
        else:
            start = year_bounds(fiscal_year_of_day(today))[0]
        end = _date(options["end"]) if options["end"] else year_bounds(fiscal_year_of_day(start))[1]
        if end < start:
            raise CommandError(_("--to is before --from."))
        as_of = _date(options["as_of"]) if options["as_of"] else today
        directory = Path(options["directory"])
        if directory.exists() and not directory.is_dir():
            raise CommandError(_("%(path)s is not a folder.") % {"path": directory}, returncode=2)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(
                _("cannot create %(path)s: %(error)s")
                % {"path": directory, "error": error.strerror},
                returncode=2,
            ) from None
        began = time.perf_counter()
        data = build_scenario(
            period_start=start,
            period_end=end,
            measures=scenario_measures() or default_specs(),
            work_dir=directory,
            as_of=as_of,
            report=report_periods(start, end),
        )
        header = (
            f"# Exported by `attain export_scenario` on {today.isoformat()}: records dated "
            f"{start.isoformat()} … {end.isoformat()}.\n"
        )
        file = directory / "scenario.yaml"
        file.write_text(
            header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        seconds = time.perf_counter() - began
        self.stdout.write(
            _("Wrote %(path)s (%(tables)s tables) in %(seconds).1f s.")
            % {"path": file, "tables": len(data["records"]), "seconds": seconds}
        )
