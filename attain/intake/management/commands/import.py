"""`attain import TABLE FILE`: import a CSV or XLSX file into a table."""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import OperationalError
from django.utils.translation import gettext as _

from attain.intake.importer import CHUNK_SIZE, import_file
from attain.intake.parsing import DATE_ORDERS, CellError, parse_date
from attain.intake.reading import FileProblem
from attain.intake.services import BUSY, INTERRUPTED, batch_for_file, run_batch
from attain.intake.tables import TABLES
from attain.org.commands import CompanyCommand
from attain.web.links import base_url
from attain.web.middleware import is_busy

FILE_PROBLEM = 2


def _effective(text: str) -> datetime.date:
    """A date as the files may give it (2026-12-01, 2026/12/1, 2026年12月1日)."""
    try:
        return parse_date(text, what=_("date"))
    except CellError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


class Command(CompanyCommand):
    help = (
        "Import a CSV (UTF-8 or GBK) or XLSX file into a table. Rows are upserted by "
        "external id; bad rows go to a rejects file with their row number and reason, "
        "and the good rows are imported. The whole file is one transaction. Prints "
        "`imported N, updated M, rejected K`. Exit code 2 when the file as a whole "
        "cannot be imported. `units` and `people` import the organisation: changes "
        "become effective-dated transfers and leavers (see docs/onboarding.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "table", choices=list(TABLES), metavar="TABLE", help="one of: " + ", ".join(TABLES)
        )
        parser.add_argument("file", type=Path, metavar="FILE", help="a .csv or .xlsx file")
        parser.add_argument(
            "--rejects",
            type=Path,
            default=None,
            help="where to write rejected rows (default FILE.rejects.csv)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="validate and count only; write nothing to the database",
        )
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="rows per chunk")
        parser.add_argument(
            "--date-order",
            choices=list(DATE_ORDERS),
            default="ymd",
            help="how the file writes dates whose day and month come before the year: "
            "mdy (04/15/2026) or dmy (15/04/2026); ymd (the default) reads none of them",
        )
        org = parser.add_argument_group("units and people (organisation files)")
        org.add_argument(
            "--effective",
            type=_effective,
            default=None,
            metavar="YYYY-MM-DD",
            help="the date changes (transfers, new managers, job roles) take effect, for "
            "rows without their own effective-date column value (default: today)",
        )
        org.add_argument(
            "--no-invite",
            action="store_true",
            help="create and link logins but send no invitation emails",
        )
        org.add_argument("--no-logins", action="store_true", help="neither create nor link logins")
        org.add_argument(
            "--base-url",
            type=base_url,
            default=None,
            help="the address people reach Attain at, for the invitation links "
            "(default: ATTAIN_BASE_URL)",
        )

    # Times and days are the company's (CompanyCommand), as on the pages and in the
    # workers: an export made here imports there without a shift of hours, and back.
    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        table: str = options["table"]
        if path.is_dir():
            raise CommandError(
                _("%(path)s is a folder: name a .csv or .xlsx file") % {"path": path},
                returncode=2,
            )
        if not path.is_file():
            raise CommandError(
                _("No such file: %(path)s") % {"path": path}, returncode=FILE_PROBLEM
            )
        if options["chunk_size"] < 1:
            raise CommandError(
                _("--chunk-size must be at least 1, not %(size)s")
                % {"size": options["chunk_size"]},
                returncode=2,
            )
        rejects: Path = options["rejects"] or path.with_name(path.stem + ".rejects.csv")
        try:  # written at the first bad row: a path that cannot be is refused now
            rejects.parent.mkdir(parents=True, exist_ok=True)
            rejects.unlink(missing_ok=True)
            rejects.touch()
            rejects.unlink()
        except OSError as error:
            raise CommandError(
                _("cannot write the rejects file %(path)s: %(error)s")
                % {"path": rejects, "error": error.strerror or error},
                returncode=FILE_PROBLEM,
            ) from None
        progress = _Progress()
        choices: dict[str, Any] = {}
        if options["date_order"] != "ymd":
            choices["date_order"] = options["date_order"]
        if TABLES[table].org:
            choices |= {"invite": not options["no_invite"], "no_logins": options["no_logins"]}
            if options["effective"]:
                choices["effective"] = options["effective"].isoformat()
            if options["base_url"]:
                choices["base_url"] = options["base_url"]
        try:
            if options["dry_run"]:
                result = import_file(
                    None,
                    table,
                    path,
                    rejects_path=rejects,
                    dry_run=True,
                    chunk_size=options["chunk_size"],
                    progress=progress,
                    options=choices,
                )
            else:
                batch = batch_for_file(table, path, options=choices)
                result = run_batch(
                    batch,
                    rejects_path=rejects,
                    chunk_size=options["chunk_size"],
                    progress=progress,
                )
        except FileProblem as problem:
            raise CommandError(str(problem), returncode=FILE_PROBLEM) from None
        except OperationalError as error:  # the write lock stayed with another writer
            if not is_busy(error):
                raise
            progress.done()
            raise CommandError(str(BUSY), returncode=1) from None
        except KeyboardInterrupt:  # the file is one transaction: none of it was written
            progress.done()
            raise CommandError(str(INTERRUPTED), returncode=130) from None
        progress.done()
        self.stdout.write(result.summary)
        for note in result.notes:
            self.stdout.write(note)
        for warning in result.warnings:
            self.stdout.write(_("warning: %(warning)s") % {"warning": warning})
        if result.rejects_path:
            self.stdout.write(_("rejected rows: %(path)s") % {"path": result.rejects_path})
        if result.dry_run:
            self.stdout.write(_("dry run: nothing was written"))


class _Progress:
    """Rows and rows per second on stderr, at most once a second, for long files."""

    def __init__(self) -> None:
        self.last = 0.0
        self.shown = False

    def __call__(self, rows: int, seconds: float) -> None:
        if seconds - self.last >= 1.0:
            self.last = seconds
            self.shown = True
            rate = rows / seconds if seconds else 0
            sys.stderr.write(
                "\r"
                + _("%(rows)s rows, %(rate)s rows/s, %(seconds)s s")
                % {"rows": f"{rows:,}", "rate": f"{rate:,.0f}", "seconds": f"{seconds:.0f}"}
            )
            sys.stderr.flush()

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
