"""`attain export TABLE FILE`: every record of a table as CSV or XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from attain.intake.exporter import export_file
from attain.intake.tables import TABLES
from attain.org.commands import CompanyCommand


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
        if not path.parent.is_dir():
            raise CommandError(
                _("No such directory: %(path)s") % {"path": path.parent}, returncode=2
            )
        if path.is_dir():
            raise CommandError(
                _("%(path)s is a folder: name the file to write") % {"path": path}, returncode=2
            )
        try:
            count = export_file(TABLES[options["table"]], path, options["format"])
        except OSError as error:  # no permission, a full disk
            raise CommandError(
                _("cannot write %(path)s: %(error)s") % {"path": path, "error": error}, returncode=2
            ) from error
        self.stdout.write(_("exported %(count)s to %(path)s") % {"count": count, "path": path})
