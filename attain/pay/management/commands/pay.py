"""`attain pay sync | export | accrual | close | reopen`: payouts from the command line
(docs/pay.md).

The command runs as the machine's operator: it reads every person's payouts, as an
administrator does, and writes nothing but files (``sync`` writes payouts, audited as
the system; so do ``close`` and ``reopen``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from attain.engine import parse_period
from attain.intake.exporter import rows_csv, rows_xlsx
from attain.org.commands import CompanyCommand
from attain.pay import selectors_payouts as selectors
from attain.pay import services_payouts as services
from attain.web.outputs import check_output, write_output


def _period(text: str) -> str:
    """``text`` when it names a period; a typo is refused (it was an empty payroll file)."""
    if parse_period(text) is None:
        raise CommandError(
            _("%(text)r is not a period (e.g. 2026, 2026-H1, 2026-Q3, 2026-07)") % {"text": text},
            returncode=2,
        )
    return text


class Operator:
    """Whoever runs the command: sees everyone (as an administrator)."""

    is_authenticated = True
    is_superuser = True
    pk = None


class Command(CompanyCommand):
    help = "Payouts: bring them up to date, export payroll, show the accrual."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sync", help="bring payouts in line with the stored results")
        export = sub.add_parser("export", help="the payroll export of a period")
        export.add_argument("--period", required=True, help="e.g. 2026-Q3")
        export.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        export.add_argument("--output", type=Path, help="file (default: payroll-PERIOD.FORMAT)")
        accrual = sub.add_parser("accrual", help="earned but not yet paid, by period and unit")
        accrual.add_argument("--period", default=None)
        close = sub.add_parser("close", help="close a pay period: freeze its results")
        close.add_argument("period", help="e.g. 2026-Q3")
        close.add_argument("--reason", default="")
        reopen = sub.add_parser("reopen", help="reopen a closed pay period (with a reason)")
        reopen.add_argument("period", help="e.g. 2026-Q3")
        reopen.add_argument("--reason", required=True)
        statements = sub.add_parser("statements", help="write every statement PDF of a period")
        statements.add_argument("period", help="e.g. 2026-Q3")
        statements.add_argument("--out", type=Path, default=None, help="folder (default: .)")
        statements.add_argument("--processes", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action in {"close", "reopen"}:
            self._close(action, options["period"], options["reason"])
        elif action == "sync":
            report = services.sync_payouts(None)
            self.stdout.write(
                _(
                    "created %(created)s, changed %(changed)s, back to calculated %(returned)s, "
                    "paid and recalculated %(paid)s"
                )
                % {
                    "created": report.created,
                    "changed": report.updated,
                    "returned": report.returned,
                    "paid": report.paid_changed,
                }
            )
        elif action == "export":
            period = _period(options["period"])
            fmt = options["format"]
            path: Path = options["output"] or Path(f"payroll-{period}.{fmt}")
            check_output(path)
            payroll = selectors.payroll(Operator(), period)
            rows = [payroll.header, *payroll.rows]
            data = rows_xlsx(rows, f"payroll {period}") if fmt == "xlsx" else rows_csv(rows)
            write_output(path, data)
            self.stdout.write(
                _("exported %(count)s payouts, total %(total)s, to %(path)s")
                % {"count": len(payroll.rows), "total": payroll.total, "path": path}
            )
        elif action == "statements":
            self.statements(options["period"], options["out"] or Path("."), options["processes"])
        else:
            if options["period"] is not None:
                _period(options["period"])
            accrued = list(selectors.accrual(Operator(), options["period"]))
            for row in accrued:
                self.stdout.write(
                    f"{row.period}\t{row.unit_code or '-'}\t{row.people}\t{row.total}"
                    + "\t"
                    + _("(held %(held)s)") % {"held": row.held}
                )
            if not accrued:  # say so, rather than print nothing
                period = options["period"]
                self.stdout.write(
                    _("nothing accrued for %(period)s") % {"period": period}
                    if period
                    else _("nothing accrued")
                )

    def _close(self, action: str, period: str, reason: str) -> None:
        from django.core.exceptions import ValidationError

        from attain.pay import services_close as close

        try:
            if action == "reopen":
                row = close.reopen_period(None, period, reason=reason)
                self.stdout.write(_("%(period)s is open again") % {"period": row.period})
                return
            row = close.close_period(None, period, reason=reason, background=False)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=2) from error

        def report(percent: int, stage: str) -> None:
            self.stdout.write(f"{percent:3d}% {stage}")

        row = close.run_close(row.pk, None, report)
        if row.state != "closed":
            raise CommandError(
                _("closing %(period)s failed: %(problems)s")
                % {"period": period, "problems": row.problems}
            )
        self.stdout.write(
            _(
                "100%% closed %(period)s: %(count)s payouts, total %(total)s, "
                "results fingerprint %(fingerprint)s"
            )
            % {
                "period": row.period,
                "count": row.people,
                "total": row.total,
                "fingerprint": row.results_fingerprint[:16],
            }
        )

    def statements(self, period: str, out: Path, processes: int | None) -> None:
        """Every statement of ``period`` as ``CODE-PERIOD.pdf`` in ``out`` (nothing stored:
        the published set is generated on the statements page or through the API)."""
        from attain.pay import services_statements as statements
        from attain.pay.statements import FontMissing

        _period(period)
        if out.exists() and not out.is_dir():
            raise CommandError(
                _("%(path)s is not a folder: name a folder for the PDFs") % {"path": out},
                returncode=2,
            )
        began = time.perf_counter()
        try:
            files = statements.write_period(period, out, processes=processes)
        except FontMissing as error:
            raise CommandError(statements.font_missing_message(error)) from error
        if not files:
            raise CommandError(_("No payouts in %(period)s.") % {"period": period}, returncode=2)
        seconds = time.perf_counter() - began
        self.stdout.write(
            _("wrote %(count)s statements of %(period)s to %(path)s in %(seconds).1f s")
            % {"count": len(files), "period": period, "path": out, "seconds": seconds}
        )
