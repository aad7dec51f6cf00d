"""``attain bench_statements --people 10000``: time a whole period's statements.

Run it against a separate database with a generated company:

    ATTAIN_VAR_DIR=/tmp/st-bench attain migrate
    ATTAIN_VAR_DIR=/tmp/st-bench attain demo generate --people 10000
    ATTAIN_VAR_DIR=/tmp/st-bench attain bench_statements --people 10000

It stores results for every person in a bench period (``2099-Q1``: four components,
seven measures and the explanation steps a real run stores, with each person's own
numbers), brings payouts in line through the real path (``sync_payouts``, audited), then
times :func:`~attain.pay.services_statements.generate_statements`, the background
task itself: every PDF drawn and written, a row per statement, progress, and publishing.
The baseline, measured in the same run, is ReportLab drawing the same number of trivial
one-page PDFs (one line of Latin text, no embedded font) in this one process. Goal
(issue 13): all statements in at most 5 minutes. The bench period is removed afterwards
unless ``--keep``.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import resource
import time
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from attain.incentives.models import ComponentResult, PeriodResult
from attain.org.models import Person
from attain.pay import services_payouts, services_statements
from attain.pay import statements as pdf
from attain.pay.models import Payout
from attain.pay.models_statements import StatementSet

PERIOD = "2099-Q1"
GOAL_SECONDS = 300.0
PLAN = "bench-rep"
PLAN_NAME = "2099 销售代表激励方案 Rep plan"


def _explanation(rng: random.Random) -> tuple[dict[str, Any], dict[str, Decimal]]:
    revenue = Decimal(rng.randint(50_000, 900_000))
    target = Decimal(rng.randint(300_000, 700_000))
    attainment = (revenue / target).quantize(Decimal("0.000001"))
    commission = (revenue * Decimal("0.03")).quantize(Decimal("0.01"))
    bonus = Decimal(5000 if attainment >= 1 else 2000 if attainment >= Decimal("0.8") else 0)
    kpi = (Decimal(10000) * min(attainment, Decimal("1.2"))).quantize(Decimal("0.01"))
    spiff = Decimal(100 * rng.randint(0, 5))
    amounts = {"commission": commission, "level-bonus": bonus, "kpi": kpi, "big-deal": spiff}
    base = [
        {"label": "actual revenue (self)", "value": str(revenue), "detail": ""},
        {"label": "target revenue", "value": str(target), "detail": "sum of the month targets"},
        {"label": "attainment = actual / target", "value": str(attainment), "detail": ""},
    ]
    components = {
        "commission": [
            *base,
            {"label": f"actual {revenue} × rate 0.03", "value": str(commission), "detail": ""},
            {"label": "rounded half-up to the currency's minor unit", "value": str(commission)},
        ],
        "level-bonus": [
            *base,
            {"label": "level 优秀 (attainment ≥ 1)", "value": str(bonus), "detail": ""},
        ],
        "kpi": [
            {
                "label": f"metric revenue (higher): actual {revenue}, target {target} (given)",
                "value": str(attainment),
                "detail": "ratio 0.9, clamped to [0, 1.2], weight 100",
            },
            {"label": "score = Σ weight × ratio / Σ weight", "value": str(attainment)},
            {"label": "payout score * 10000", "value": str(kpi), "detail": ""},
        ],
        "big-deal": [
            {"label": "Σ amount × share over matching orders records", "value": str(spiff)}
        ],
    }
    kinds = {"commission": "commission", "level-bonus": "bonus", "kpi": "scorecard"}
    measures = {
        code: {
            "actual": str(rng.randint(0, 200)),
            "target": {"value": None, "rule": "none", "detail": "no target is given"},
            "attainment": None,
        }
        for code in ("activities", "visits", "new_customers", "complaints", "collected")
    }
    measures["revenue"] = {
        "actual": str(revenue),
        "target": {"value": str(target), "rule": "months", "detail": ""},
        "attainment": str(attainment),
    }
    document = {
        "currency": "CNY",
        "measures": measures,
        "plans": {
            PLAN: {
                "name": PLAN_NAME,
                "payout": str(sum(amounts.values())),
                "components": {
                    cid: {
                        "kind": kinds.get(cid, "spiff"),
                        "amount": str(amounts[cid]),
                        "steps": steps,
                    }
                    for cid, steps in components.items()
                },
            }
        },
    }
    return document, amounts


def _cpu() -> float:
    """CPU seconds of this process and of its finished child processes (the drawing
    processes): a figure other work on the machine does not change much."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Command(BaseCommand):
    help = "Time every statement of a period for a generated company against a bare render."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=10_000, help="expected head count")
        parser.add_argument(
            "--processes", type=int, default=None, help="drawing processes (default: cores)"
        )
        parser.add_argument("--keep", action="store_true", help="keep the bench period")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            pdf.register_font()
        except pdf.FontMissing as error:
            raise CommandError(services_statements.font_missing_message(error)) from error
        people = list(Person.objects.order_by("code").values_list("pk", flat=True))
        if len(people) < options["people"] * 0.9:
            raise CommandError(
                f"{len(people)} people here, fewer than --people: run `attain demo generate "
                f"--people {options['people']}` first (with ATTAIN_VAR_DIR pointing at a "
                "separate database)."
            )
        people = people[: options["people"]]
        self.clean_up()
        began = time.perf_counter()
        self.store_results(people)
        services_payouts.sync_payouts(None, periods=[PERIOD])
        payouts = Payout.objects.filter(period=PERIOD).count()
        self.stdout.write(f"prepared {payouts} payouts in {time.perf_counter() - began:.1f} s")
        try:
            count = payouts
            began, cpu_began = time.perf_counter(), _cpu()
            for _n in range(count):
                pdf.trivial_pdf()
            baseline, baseline_cpu = time.perf_counter() - began, _cpu() - cpu_began
            row = StatementSet.objects.create(period=PERIOD)
            processes = options["processes"] or min(4, os.cpu_count() or 1)
            began, cpu_began = time.perf_counter(), _cpu()
            row = services_statements.generate_statements(row.pk, processes=processes)
            seconds, cpu = time.perf_counter() - began, _cpu() - cpu_began
            row.refresh_from_db()
            if not row.published:
                raise CommandError(f"the set was not published: {row.problems}")
            size = sum(row.statements.values_list("size", flat=True))
        finally:
            if not options["keep"]:
                self.clean_up()
        rate = row.done / seconds
        self.stdout.write(
            f"statements: {row.done} of {PERIOD} ({size / row.done / 1024:.0f} KiB each, "
            f"CJK font subset embedded), {processes} drawing processes\n"
            f"generate and publish the set: {seconds:.1f} s ({rate:.1f} statements/s); "
            f"CPU {cpu:.1f} s in all processes ({row.done / cpu:.1f} statements per CPU second)\n"
            f"baseline, {count} trivial one-page PDFs in one process: {baseline:.1f} s "
            f"({count / baseline:.0f}/s; {count / baseline_cpu:.0f} per CPU second)\n"
            f"load average then: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n"
            f"ratio to the baseline: {seconds / baseline:.1f}×\n"
            f"goal ≤ {GOAL_SECONDS:.0f} s: {'met' if seconds <= GOAL_SECONDS else 'MISSED'}"
        )

    def store_results(self, people: list[int]) -> None:
        rng = random.Random(13)
        start, end = datetime.date(2099, 1, 1), datetime.date(2099, 3, 31)
        results, components = [], []
        for pk in people:
            document, amounts = _explanation(rng)
            results.append(
                PeriodResult(
                    person_id=pk,
                    period=PERIOD,
                    period_kind="quarter",
                    start=start,
                    end=end,
                    role="rep",
                    payout=sum(amounts.values(), Decimal(0)),
                    explanation=json.dumps(document, ensure_ascii=False),
                )
            )
            for cid, amount in amounts.items():
                kind = document["plans"][PLAN]["components"][cid]["kind"]
                components.append(
                    ComponentResult(
                        person_id=pk,
                        period=PERIOD,
                        plan=PLAN,
                        component=cid,
                        kind=kind,
                        amount=amount,
                    )
                )
        with transaction.atomic():
            PeriodResult.objects.bulk_create(results, batch_size=1000)
            ComponentResult.objects.bulk_create(components, batch_size=2000)

    def clean_up(self) -> None:
        sets = list(StatementSet.objects.filter(period=PERIOD).values_list("pk", flat=True))
        services_statements.remove_sets(sets)
        Payout.objects.filter(period=PERIOD).delete()
        PeriodResult.objects.filter(period=PERIOD).delete()
        ComponentResult.objects.filter(period=PERIOD).delete()
