"""`attain export TABLE FILE`: every record of a table as CSV or XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from attain.intake.exporter import export_file
from attain.intake.tables import TABLES
from attain.org.commands import CompanyCommand
from attain.web.outputs import check_output


class Command(CompanyCommand):
    help = (
        "Export every record of a table to CSV (UTF-8 with BOM) or XLSX, with the column "
        "names `attain import` reads: an export re-imports cleanly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "table", choices=list(TABLES), metavar="TABLE", help="one of: " + ", ".join(TABLES)
        )
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument(
            "--format", choices=["csv", "xlsx"], default=None, help="default: from the extension"
        )

    # Times and days are the company's (CompanyCommand), as on the pages and in the
    # workers: an export made here imports there without a shift of hours, and back.
    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        check_output(path)
        try:
            count = export_file(TABLES[options["table"]], path, options["format"])
        except OSError as error:  # no permission, a full disk
            raise CommandError(
                _("cannot write %(path)s: %(error)s") % {"path": path, "error": error}, returncode=2
            ) from error
        self.stdout.write(_("exported %(count)s to %(path)s") % {"count": count, "path": path})
