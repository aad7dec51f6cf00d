"""``attain restore FILE [--force]``: put back a backup made by ``attain backup``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from attain.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore the database and the uploaded files from an `attain backup` archive. "
        "Refuses a backup of another database vendor, and a database or media folder "
        "holding data unless --force is given. Stop the web server and workers first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="replace a database that holds data"
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = restore(options["file"], force=options["force"], alias=options["database"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("restored the %(vendor)s database and %(files)s uploaded files from %(path)s")
            % {"vendor": summary.vendor, "files": summary.files, "path": options["file"]}
        )
