"""``attain reset_password USERNAME…``: force a password reset for these logins (a fresh
invitation for people whose first one expired).

The password becomes unusable, the login's API tokens are revoked, a one-time link to
choose a new password is emailed (when the login has an email) and printed. With
ATTAIN_PASSWORD_LOGIN=admins a login other than an administrator's is refused (it signs
in with single sign-on) and nothing is reset.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from attain.accounts.models import User
from attain.accounts.services import ResetNotEmailed, check_password_login, force_password_reset
from attain.web.links import base_url


class Command(BaseCommand):
    help = "Force a password reset for logins and print their one-time links."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("usernames", nargs="+", metavar="username")
        parser.add_argument(
            "--base-url",
            type=base_url,
            default=None,
            help="the address users reach Attain at (for the link; default: ATTAIN_BASE_URL)",
        )
        parser.add_argument("--reason", default="", help="recorded in the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        names = list(dict.fromkeys(options["usernames"]))
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        unknown = [name for name in names if name not in users]
        if unknown:  # checked first: nothing is reset when one name is wrong
            raise CommandError(
                _("no login named %(names)s") % {"names": ", ".join(map(repr, unknown))}
            )
        refused = []  # ATTAIN_PASSWORD_LOGIN=admins: single sign-on only, no link
        for name in names:
            try:
                check_password_login(users[name])
            except ValidationError as error:
                refused.extend(error.messages)
        if refused:  # checked first too: nothing is reset
            raise CommandError(" ".join(refused))
        base_url = options["base_url"] or settings.ATTAIN_BASE_URL
        for name in names:
            user = users[name]
            try:
                link = force_password_reset(None, user, base_url=base_url, reason=options["reason"])
            except ResetNotEmailed as failure:  # the reset stands: the link is printed
                link, sent = failure.link, _(" (not emailed: %(error)s)") % {"error": failure.error}
            else:
                sent = _(" (emailed to %(email)s)") % {"email": user.email} if user.email else ""
            self.stdout.write(
                _("password reset for %(user)s%(sent)s: %(link)s")
                % {"user": user.username, "sent": sent, "link": link}
            )
