"""``attain notify digest|remind|retry|send``: the scheduled side of notifications
(run by cron or a systemd timer, see docs/notifications.md)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.notify import services
from attain.notify.kinds import KINDS
from attain.notify.reminders import remind
from attain.org.commands import CompanyCommand


class Command(CompanyCommand):
    help = (
        "digest: email the daily digest to everyone who chose it; remind: send the day's "
        "reminders (follow-ups, acknowledgement due, behind pace); retry: queue again the "
        "deliveries whose next attempt is due; send KIND USER…: notify logins by hand."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["digest", "remind", "retry", "send"])
        parser.add_argument("rest", nargs="*", help="send: the kind, then usernames")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "digest":
            self.stdout.write(_("digests queued: %(count)s") % {"count": services.send_digests()})
        elif action == "remind":
            told = remind(timezone.localdate())
            # the follow-ups are counted; the other apps' reminders (acknowledgement due,
            # behind pace) are sent by their own receivers
            self.stdout.write(
                _("follow-up reminders sent: %(count)s") % {"count": told["follow_ups"]}
            )
        elif action == "retry":
            self.stdout.write(
                _("deliveries queued again: %(count)s") % {"count": services.requeue_due()}
            )
        else:
            kind, *names = options["rest"] or [""]
            if kind not in KINDS or not names:
                raise CommandError(
                    _("give a kind (%(kinds)s) and usernames") % {"kinds": ", ".join(KINDS)}
                )
            users = list(get_user_model().objects.filter(username__in=names))
            unknown = sorted(set(names) - {user.username for user in users})
            if unknown:  # a typo notified nobody and said only "notified 0 logins"
                raise CommandError(_("no login named: %(names)s") % {"names": ", ".join(unknown)})
            notes = services.notify(kind, users)
            self.stdout.write(_("notified %(count)s logins") % {"count": len(notes)})
