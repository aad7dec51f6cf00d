"""`attain integrity scan [--period P] [--json FILE]` and `attain integrity evaluate`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from attain.integrity import services
from attain.integrity.evaluation import evaluate, labels_path, table
from attain.org.commands import CompanyCommand
from attain.web.outputs import check_output, write_output


class Command(CompanyCommand):
    help = "Integrity: scan for gaming, or evaluate the detectors on labelled cases."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{scan,evaluate}")
        scan = sub.add_parser("scan", help="Run every detector and store the alerts.")
        scan.add_argument(
            "--period",
            action="append",
            help="a quarter such as 2025-Q4 (repeatable; default: the last eight quarters)",
        )
        scan.add_argument("--json", help="also write the alerts as JSON to this file ('-': stdout)")
        scan.add_argument("--dry-run", action="store_true", help="do not store the alerts")
        evaluate_ = sub.add_parser(
            "evaluate", help="Precision and recall per detector against injected cases."
        )
        evaluate_.add_argument(
            "--labels", help="the labels file (default: var/integrity-labels.json)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "scan":
                self.scan(options)
            else:
                self.evaluate(options)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error

    def scan(self, options: dict[str, Any]) -> None:
        target = options["json"]
        if target and target != "-":  # checked before the scan stores any alert
            check_output(target, json=True)
        labels = list(dict.fromkeys(options["period"] or services.default_periods()))
        language = get_language() or "en"
        if options["dry_run"]:
            found = services.detect(services.scan_periods(labels))
            created = updated = withdrawn = known = 0
        else:
            outcome = services.scan(None, periods=labels)
            found, created, updated = outcome.found, outcome.created, outcome.updated
            withdrawn, known = outcome.withdrawn, outcome.known
        document = {
            "alerts": [alert.document(language) for alert in found.alerts],
            "not_enough_data": [
                {
                    "detector": n.detector,
                    "period": n.period,
                    "person": n.person,
                    "reason": n.reason_zh if language.startswith("zh") else n.reason_en,
                    "reason_en": n.reason_en,
                    "reason_zh": n.reason_zh,
                }
                for n in found.notes
            ],
            "periods": labels,
        }
        if options["json"]:
            text = json.dumps(document, ensure_ascii=False, indent=1)
            if options["json"] == "-":
                self.stdout.write(text)
                return
            write_output(options["json"], text + "\n")
        self.stdout.write(
            _(
                "%(alerts)s alerts in %(periods)s (%(created)s new, of which %(known)s a "
                "dismissed pattern recurring, %(updated)s updated, %(withdrawn)s no longer "
                "found); %(skipped)s tests skipped for lack of data."
            )
            % {
                "alerts": len(found.alerts),
                "periods": ", ".join(labels),
                "created": created,
                "known": known,
                "updated": updated,
                "withdrawn": withdrawn,
                "skipped": len(found.notes),
            }
        )

    def evaluate(self, options: dict[str, Any]) -> None:
        path = Path(options["labels"]) if options["labels"] else labels_path()
        if not path.exists():
            raise CommandError(
                _(
                    "No labels at %(path)s: run `attain demo generate --people N "
                    "--inject-gaming` first."
                )
                % {"path": path}
            )
        try:
            labels = json.loads(path.read_text(encoding="utf-8"))
            periods = sorted({x["period"] for x in labels})
        except (OSError, ValueError, TypeError, KeyError) as error:  # not what demo wrote
            raise CommandError(
                _(
                    "%(path)s is not the labels `attain demo generate --inject-gaming` "
                    "writes (%(error)s)."
                )
                % {"path": path, "error": error.__class__.__name__},
                returncode=2,
            ) from None
        first = services.scan_periods(periods[:1])[0].start
        last = services.scan_periods(periods[-1:])[0].end
        every = services.quarters(first, last)
        found = services.detect(services.scan_periods(every))
        self.stdout.write(table(evaluate(found.alerts, labels)))
