"""`attain demo load` and `attain demo generate`: the demo company."""

from __future__ import annotations

import time
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from attain.demo.generator import (
    DEFAULT_PEOPLE,
    DEFAULT_SEED,
    MIN_PEOPLE,
    DemoError,
    DemoLogin,
    generate,
    load_demo,
)


class Command(BaseCommand):
    help = (
        "The demo company. `load` loads the default company of about 150 people and the "
        "demo logins (password `demo`); running it again changes nothing. `generate` "
        "writes a company of any size for benchmarks into an empty database and refuses "
        "when a company is already present. Same seed, same company."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{load,generate}"
        )
        load = subcommands.add_parser(
            "load",
            help=f"Load the default demo company ({DEFAULT_PEOPLE} people); idempotent.",
            description=(
                "Load the default demo company: 总部, three regions, twelve teams, about "
                f"{DEFAULT_PEOPLE} people, and the demo logins. Does nothing if the demo "
                "company is already loaded."
            ),
        )
        load.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
        load.add_argument(
            "--no-crm",
            action="store_true",
            help="the organisation only, without the two years of CRM history",
        )
        bigger = subcommands.add_parser(
            "generate",
            help="Generate a company of --people people into an empty database.",
            description=(
                "Generate a company of N people (about twelve reps a team, four to six "
                "teams a region) with the demo logins, for benchmarks. Writes only into a "
                "database without a company and refuses otherwise: use a fresh database, "
                "e.g. ATTAIN_VAR_DIR=/tmp/attain-bench (a fresh folder for the embedded "
                "database) and `attain migrate`."
            ),
        )
        bigger.add_argument("--people", type=int, required=True, help="head count")
        bigger.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
        bigger.add_argument(
            "--inject-gaming",
            action="store_true",
            help=(
                "also write the demo's CRM history and inject labelled gaming cases into it "
                "(labels in var/integrity-labels.json, for `attain integrity evaluate`)"
            ),
        )
        bigger.add_argument(
            "--cases",
            type=int,
            default=0,
            help="gaming cases per detector (default: one per 30 people, at least 4)",
        )
        bigger.add_argument(
            "--orders",
            type=int,
            default=0,
            help="also generate this many orders with customers and payments (in bulk)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        echo = self.stdout.write
        try:
            if options["subcommand"] == "load":
                result = load_demo(seed=options["seed"], echo=echo, crm=not options["no_crm"])
                if not options["no_crm"]:
                    from attain.demo.gaming import inject_gaming

                    # A few labelled gaming cases for the integrity pages (once).
                    inject_gaming(seed=options["seed"], per_detector=1, echo=echo)
                    self.load_plans(echo)
                    self.scan_integrity(echo)
            else:
                if options["people"] < MIN_PEOPLE:
                    raise CommandError(
                        _("--people must be at least %(count)s.") % {"count": MIN_PEOPLE}
                    )
                result = generate(
                    people=options["people"],
                    seed=options["seed"],
                    echo=echo,
                    progress=self.progress,
                )
                if options["orders"] > 0:
                    from attain.demo.orders import generate_orders

                    generate_orders(options["orders"], seed=options["seed"], echo=echo)
                if options["inject_gaming"]:
                    from attain.demo.crm import load_crm_demo
                    from attain.demo.gaming import inject_gaming

                    load_crm_demo(seed=options["seed"], echo=echo)
                    cases = options["cases"] or max(4, options["people"] // 30)
                    inject_gaming(seed=options["seed"], per_detector=cases, echo=echo)
        except DemoError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.login_table(result.logins))

    @staticmethod
    def load_plans(echo: Any) -> None:
        """The worked examples on top of the demo data (each idempotent): the FY target
        plan decomposed and published, then incentive plans calculated against it."""
        from attain.incentives.demo import load_demo_incentives
        from attain.targets.demo import load_demo_targets

        load_demo_targets(echo=echo)
        load_demo_incentives(echo=echo)
        from attain.reviews.demo import load_demo_reviews

        load_demo_reviews(echo=echo)
        from attain.pay.demo import load_demo_disputes

        load_demo_disputes(echo=echo)

    @staticmethod
    def scan_integrity(echo: Any) -> None:
        """The integrity detectors over the demo's last eight quarters, so the review
        queue shows the injected cases at once (a worker rescans on later changes)."""
        from attain.integrity.services import scan

        began = time.perf_counter()
        outcome = scan(None)
        echo(
            _("Integrity scan of %(quarters)s quarters: %(alerts)s new alerts in %(seconds).1f s.")
            % {
                "quarters": len(outcome.periods),
                "alerts": outcome.created,
                "seconds": time.perf_counter() - began,
            }
        )

    def progress(self, done: int, total: int) -> None:
        self.stderr.write(
            "  " + _("%(done)7s / %(total)s people") % {"done": done, "total": total},
            style_func=lambda text: text,
        )

    @staticmethod
    def login_table(logins: list[DemoLogin]) -> str:
        if not logins:
            return _("No demo logins.")
        header = (
            pgettext("demo logins", "username"),
            pgettext("demo logins", "password"),
            pgettext("demo logins", "role"),
            pgettext("demo logins", "who"),
        )
        rows = [header, *((x.username, x.password, x.role, x.who) for x in logins)]
        widths = [max(_width(row[column]) for row in rows) for column in range(3)]
        lines = [
            "  ".join(
                value + " " * (width - _width(value))
                for value, width in zip(row[:3], widths, strict=True)
            )
            + "  "
            + row[3]
            for row in rows
        ]
        lines.insert(1, "  ".join("-" * width for width in widths) + "  " + "-" * 3)
        return _("Demo logins:") + "\n" + "\n".join(lines)


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal: two for a Chinese character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
