"""``attain backup FILE``: the database and the uploaded files in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from attain.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (online) and the uploaded files into one .tar.gz archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the archive to write, e.g. attain.tar.gz")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = backup(options["file"], alias=options["database"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "backed up the %(vendor)s database and %(files)s uploaded files to %(path)s "
                "(%(bytes)s bytes)"
            )
            % {
                "vendor": summary.vendor,
                "files": summary.files,
                "path": options["file"],
                "bytes": summary.bytes,
            }
        )
