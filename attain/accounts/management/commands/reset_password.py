"""``attain reset_password USERNAME``: force a password reset for one login.

The password becomes unusable, the login's API tokens are revoked, a one-time link to
choose a new password is emailed (when the login has an email) and printed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attain.accounts.models import User
from attain.accounts.services import force_password_reset


class Command(BaseCommand):
    help = "Force a password reset for a login and print the one-time link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="the address users reach Attain at (for the link)",
        )
        parser.add_argument("--reason", default="", help="recorded in the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no login named {options['username']!r}")
        link = force_password_reset(
            None, user, base_url=options["base_url"], reason=options["reason"]
        )
        sent = f" (emailed to {user.email})" if user.email else ""
        self.stdout.write(f"password reset for {user.username}{sent}: {link}")
