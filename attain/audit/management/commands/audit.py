"""``attain audit verify``: recompute the audit trail's hash chain.

Exit status 0 when every event is intact; 1 (and the first broken event's id on stderr)
otherwise.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from attain.audit import chain


class Command(BaseCommand):
    help = "Audit trail tools: `verify` recomputes the tamper-evident hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        verify = commands.add_parser("verify", help="check every event's chain hash")
        verify.add_argument("--batch", type=int, default=5000, help="events read per query")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1:  # 0 read no events and reported the chain intact
            raise CommandError(
                _("--batch must be at least 1, not %(batch)s") % {"batch": options["batch"]},
                returncode=2,
            )
        verdict = chain.verify(batch=options["batch"])
        if not verdict.intact:
            raise CommandError(
                _("audit chain broken at event %(event)s (%(checked)s events before it are intact)")
                % {"event": verdict.broken_id, "checked": verdict.checked},
                returncode=1,
            )
        if verdict.head_id is None:  # an empty database: no head, the genesis hash
            self.stdout.write(_("audit chain intact: no events yet."))
            return
        self.stdout.write(
            _("audit chain intact: %(checked)s events; head event %(head)s hash %(hash)s")
            % {"checked": verdict.checked, "head": verdict.head_id, "hash": verdict.head_hash}
        )
