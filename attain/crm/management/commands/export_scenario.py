"""`attain export_scenario DIR [--from DATE --to DATE]`: the database's data as a
runnable scenario (scenario.yaml + parquet tables), for `attain scenario run`."""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from attain.crm.loader import DEFAULT_MEASURES, build_scenario, report_periods


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from error


class Command(BaseCommand):
    help = (
        "Write the CRM records of a period and the organisation as a scenario: "
        "DIR/scenario.yaml with DIR/units.parquet, DIR/people.parquet and "
        "DIR/tables/*.parquet, and the default measures (revenue, collected, "
        "new_customers, visits, satisfaction, complaints, training, collaboration). "
        "Run it with `attain scenario run DIR/scenario.yaml`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="where to write (created if missing)")
        parser.add_argument(
            "--from", dest="start", help="first day, YYYY-MM-DD (default: 1 January this year)"
        )
        parser.add_argument(
            "--to", dest="end", help="last day, YYYY-MM-DD (default: 31 December of --from's year)"
        )
        parser.add_argument("--as-of", dest="as_of", help="the scenario's as_of (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        start = _date(options["start"]) if options["start"] else datetime.date(today.year, 1, 1)
        end = _date(options["end"]) if options["end"] else datetime.date(start.year, 12, 31)
        if end < start:
            raise CommandError("--to is before --from.")
        as_of = _date(options["as_of"]) if options["as_of"] else today
        directory = Path(options["directory"])
        began = time.perf_counter()
        data = build_scenario(
            period_start=start,
            period_end=end,
            measures=DEFAULT_MEASURES,
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
        self.stdout.write(f"Wrote {file} ({len(data['records'])} tables) in {seconds:.1f} s.")
