"""`attain setup`: the first-run setup from the command line, for scripted installs."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from attain.org import services_company
from attain.org.services_company import AlreadySetUp

PASSWORD_VARIABLE = "ATTAIN_ADMIN_PASSWORD"
# The option that carries each checked field, for the error messages.
OPTIONS = {
    "name": "--company",
    "fiscal_year_start": "--fiscal-year-start",
    "currency": "--currency",
    "time_zone": "--time-zone",
    "languages": "--languages",
    "language": "--language",
    "admin_username": "--admin-username",
    "admin_email": "--admin-email",
    "admin_password": PASSWORD_VARIABLE,
}


class Command(BaseCommand):
    help = (
        "Set up an empty install: the company's settings and its first administrator, as "
        "the setup wizard does in the browser. The password comes from the environment "
        f"variable {PASSWORD_VARIABLE}, or is asked for twice on a terminal. Refuses when "
        "the company is set up already."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = services_company.default_values()
        parser.add_argument("--company", required=True, help="the company's name")
        parser.add_argument(
            "--fiscal-year-start",
            default=str(defaults.fiscal_year_start),
            help="first month of the fiscal year, 1-12 (default: %(default)s)",
        )
        parser.add_argument(
            "--currency", default=defaults.currency, help="ISO 4217 code (default: %(default)s)"
        )
        parser.add_argument(
            "--time-zone", default=defaults.time_zone, help="IANA name (default: %(default)s)"
        )
        parser.add_argument(
            "--languages",
            default=",".join(defaults.languages),
            help="languages offered, comma-separated (default: %(default)s)",
        )
        parser.add_argument(
            "--language", default="", help="the default language (default: the first offered)"
        )
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help=f"never ask for the password ({PASSWORD_VARIABLE} must hold it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            values = services_company.clean_company(
                name=options["company"],
                fiscal_year_start=options["fiscal_year_start"],
                currency=options["currency"],
                time_zone=options["time_zone"],
                languages=[code for code in options["languages"].split(",") if code.strip()],
                language=options["language"],
            )
            password = self._password(options["interactive"])
            admin = services_company.set_up_company(
                values=values,
                admin_username=options["admin_username"],
                admin_email=options["admin_email"],
                admin_password=password,
            )
        except ValidationError as error:
            raise CommandError(
                "\n".join(
                    f"{OPTIONS.get(field, field)}: {' '.join(problems)}"
                    for field, problems in error.message_dict.items()
                )
            ) from error
        except AlreadySetUp as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Set up %(name)s: fiscal year from month %(month)s, %(currency)s, %(zone)s, "
                "languages %(languages)s; administrator %(admin)s. Next: attain import "
                "units|people FILE (docs/onboarding.md)."
            )
            % {
                "name": values.name,
                "month": values.fiscal_year_start,
                "currency": values.currency,
                "zone": values.time_zone,
                "languages": ", ".join(values.languages),
                "admin": admin.get_username(),
            }
        )

    def _password(self, interactive: bool) -> str:
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if password:
            return password
        if not interactive or not sys.stdin.isatty():
            raise CommandError(
                _(
                    "%(variable)s: set it to the administrator's password (or run the "
                    "command on a terminal to be asked for it)."
                )
                % {"variable": PASSWORD_VARIABLE}
            )
        first = getpass.getpass(_("Administrator's password: "))
        second = getpass.getpass(_("Password (again): "))
        if first != second:
            raise CommandError(_("The two passwords differ."))
        return first
