"""The demo company's incentives: a rep plan and a manager plan, targets, and a first
full calculation. Idempotent: ``attain demo_incentives`` may run any number of times.

The rep plan pays marginal tiers on revenue (超额累进), a 基础/优秀/卓越 bonus, a
scorecard over revenue, collections, satisfaction and visits, and a spiff per large
order; the manager plan pays an override on the team's revenue. Targets are typed with
the plans (each rep's year revenue target is 110% of their previous year's sales,
rounded to ¥10,000) unless target planning has published some.

When the database has people but no orders yet (``attain demo load`` does not create
sales records today), :func:`ensure_demo_records` adds a year and a half of orders,
payments, visits and surveys so that results show; it writes nothing when orders exist.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.crm.models import Activity, ActivityKind, Customer, Order, Payment, Survey
from attain.org.models import Assignment, Person

from . import services
from .documents import (
    DEFAULT_LEVELS,
    dump_yaml,
    level_bonus,
    marginal_commission,
    plan_document,
)
from .models import PlanTarget, PlanVersion, VersionStatus

DEMO_YEAR = 2026
FIRST_DAY = datetime.date(2025, 1, 1)

REP_PLAN = plan_document(
    "rep-2026",
    "2026 销售代表激励方案 Rep plan",
    "rep",
    DEMO_YEAR,
    [
        {
            **marginal_commission(
                "commission",
                [
                    (0, Decimal("0.02")),
                    (Decimal("0.8"), Decimal("0.04")),
                    (Decimal("1.0"), Decimal("0.06")),
                    (Decimal("1.2"), Decimal("0.08")),
                ],
            ),
            "gate": {"min_attainment": Decimal("0.5")},
            "cap": 200000,
            "floor": 0,
        },
        level_bonus("level-bonus", DEFAULT_LEVELS),
        {
            "id": "kpi",
            "kind": "scorecard",
            "metrics": [
                {"measure": "revenue", "weight": 50},
                {"measure": "collected", "weight": 20},
                {"measure": "satisfaction", "weight": 15, "target": Decimal("4.5")},
                {"measure": "visits", "weight": 15, "target": 24},
            ],
            "score": {"floor": 0, "cap": Decimal("1.2")},
            "payout": "score * 6000",
        },
        {
            "id": "big-deal",
            "kind": "spiff",
            "from": "orders",
            "where": "amount >= 100000 and status == 'confirmed'",
            "amount": "500",
        },
    ],
)

# A draft of the rep plan (a what-if on history shows what it would have paid): more
# for those above 100% (10% above 120%), a gate at 60% instead of 50%.
REP_DRAFT = {
    **REP_PLAN,
    "components": [
        {
            **REP_PLAN["components"][0],
            "tiers": {
                **REP_PLAN["components"][0]["tiers"],
                "table": [
                    {"from": 0, "rate": Decimal("0.02")},
                    {"from": Decimal("0.8"), "rate": Decimal("0.04")},
                    {"from": Decimal("1.0"), "rate": Decimal("0.07")},
                    {"from": Decimal("1.2"), "rate": Decimal("0.10")},
                ],
            },
            "gate": {"min_attainment": Decimal("0.6")},
        },
        *REP_PLAN["components"][1:],
    ],
}
REP_DRAFT_NOTE = "草稿：超额部分提成更高，门槛 60% (draft: more above 100%, gate at 60%)"

MANAGER_PLAN = plan_document(
    "manager-2026",
    "2026 销售经理激励方案 Manager plan",
    "manager",
    DEMO_YEAR,
    [
        {
            "id": "override",
            "kind": "commission",
            "measure": "revenue",
            "scope": "team",
            "rate": Decimal("0.01"),
            "multiplier": "IF(attainment('revenue') < 1, 0.8, 1)",
        },
        level_bonus(
            "team-bonus",
            [(Decimal("0.9"), 5000), (Decimal("1.0"), 10000), (Decimal("1.15"), 20000)],
        ),
    ],
)


def ensure_demo_records(seed: int = DEMO_YEAR) -> int:
    """Sales records for the demo people when there are none. Returns orders written."""
    if Order.objects.exists():
        return 0
    rng = random.Random(seed)
    today = timezone.localdate()
    reps = sorted(set(Assignment.objects.filter(title="rep").values_list("person_id", flat=True)))
    if not reps:
        return 0
    people = {p.pk: p for p in Person.objects.filter(pk__in=reps)}
    customers: list[Customer] = []
    for pk in reps:
        for n in range(4):
            customers.append(
                Customer(
                    external_id=f"DC-{pk}-{n}",
                    name=f"演示客户{pk}-{n}有限公司",
                    owner_id=pk,
                    created_on=FIRST_DAY + datetime.timedelta(days=rng.randrange(500)),
                )
            )
    Customer.objects.bulk_create(customers, batch_size=1000)
    by_owner: dict[int, list[int]] = {}
    for pk, owner in Customer.objects.filter(external_id__startswith="DC-").values_list(
        "pk", "owner_id"
    ):
        by_owner.setdefault(owner, []).append(pk)
    orders: list[Order] = []
    activities: list[Activity] = []
    surveys: list[Survey] = []
    zone = timezone.get_current_timezone()
    for pk in reps:
        person = people[pk]
        skill = rng.uniform(0.6, 1.4)
        day = max(FIRST_DAY, person.start)
        end = min(today, person.end or today)
        serial = 0
        while day <= end:
            month_end = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            for _n in range(rng.randint(2, 6)):
                date = day + datetime.timedelta(days=rng.randrange((month_end - day).days))
                if date > end:
                    continue
                serial += 1
                amount = Decimal(int(rng.lognormvariate(10.3, 0.6) * skill)).quantize(Decimal(1))
                orders.append(
                    Order(
                        external_id=f"DO-{pk}-{serial}",
                        customer_id=rng.choice(by_owner[pk]),
                        owner_id=pk,
                        date=date,
                        amount=amount,
                        status="cancelled" if rng.random() < 0.03 else "confirmed",
                    )
                )
            for _n in range(rng.randint(3, 9)):
                date = day + datetime.timedelta(days=rng.randrange((month_end - day).days))
                if date > end:
                    continue
                serial += 1
                activities.append(
                    Activity(
                        external_id=f"DA-{pk}-{serial}",
                        kind=ActivityKind.VISIT,
                        customer_id=rng.choice(by_owner[pk]),
                        owner_id=pk,
                        occurred_at=datetime.datetime.combine(date, datetime.time(10), tzinfo=zone),
                    )
                )
            if rng.random() < 0.7 and month_end - datetime.timedelta(days=1) <= end:
                serial += 1
                surveys.append(
                    Survey(
                        external_id=f"DS-{pk}-{serial}",
                        customer_id=rng.choice(by_owner[pk]),
                        person_id=pk,
                        date=month_end - datetime.timedelta(days=1),
                        score=Decimal(rng.choice(["3.5", "4.0", "4.5", "5.0", "4.5"])),
                    )
                )
            day = month_end
    Order.objects.bulk_create(orders, batch_size=1000)
    Activity.objects.bulk_create(activities, batch_size=1000)
    Survey.objects.bulk_create(surveys, batch_size=1000)
    payments = [
        Payment(
            external_id=f"DP-{o.pk}",
            customer_id=o.customer_id,
            order_id=o.pk,
            collector_id=o.owner_id,
            date=min(today, o.date + datetime.timedelta(days=rng.randint(10, 60))),
            amount=o.amount,
        )
        for o in Order.objects.filter(external_id__startswith="DO-", status="confirmed")
        if rng.random() < 0.85
    ]
    Payment.objects.bulk_create(payments, batch_size=1000)
    return len(orders)


def ensure_demo_targets(year: int = DEMO_YEAR) -> int:
    """Year revenue targets: 110% of last year's confirmed sales (new people: the median),
    for reps; a manager's target is the sum of their direct reports'."""
    if PlanTarget.objects.filter(period=str(year)).exists():
        return 0
    try:
        from attain.targets.selectors import published_targets
    except ImportError:
        pass
    else:
        if published_targets(measures=["revenue"], fiscal_year=year):
            return 0  # target planning published the demo's targets: use those
    previous = dict(
        Order.objects.filter(date__year=year - 1, status="confirmed")
        .values_list("owner__code")
        .annotate(total=Sum("amount"))
        .values_list("owner__code", "total")
    )
    day = datetime.date(year, 6, 30)
    assignments = list(
        Assignment.objects.on(day).values_list("person__code", "title", "manager__code")
    )
    values = sorted(previous.values()) or [Decimal(600000)]
    median = values[len(values) // 2]
    targets: dict[str, Decimal] = {}
    for code, title, _manager in assignments:
        if title == "rep":
            base = previous.get(code) or median
            targets[code] = (base * Decimal("1.1") / 10000).quantize(Decimal(1)) * 10000
    for code, title, _manager in assignments:
        if title == "manager":
            team = [
                t for c, ti, m in assignments if m == code and c in targets for t in [targets[c]]
            ]
            if team:
                targets[code] = sum(team, Decimal(0))
    PlanTarget.objects.bulk_create(
        PlanTarget(measure="revenue", who=code, period=str(year), value=value)
        for code, value in targets.items()
    )
    return len(targets)


def load_demo_incentives(echo: Any = print) -> None:
    """Plans, targets and a full calculation for the demo company (idempotent)."""
    written = ensure_demo_records()
    if written and echo:
        echo(
            _("Added %(count)s demo orders with payments, visits and surveys.") % {"count": written}
        )
    with transaction.atomic():
        count = ensure_demo_targets()
        for document in (REP_PLAN, MANAGER_PLAN):
            active = PlanVersion.objects.filter(
                plan__code=document["id"], status=VersionStatus.ACTIVE
            ).first()
            if active is not None and active.source == dump_yaml(document):
                continue  # loaded before (the draft below may be its latest version)
            version = services.save_plan_version(None, document, note="demo")
            if version.status != "active":
                services.activate_plan(None, version)
        if not PlanVersion.objects.filter(plan__code=REP_PLAN["id"], number__gt=1).exists():
            # a proposal to try the what-if on (docs/effectiveness.md)
            services.save_plan_version(None, REP_DRAFT, note=REP_DRAFT_NOTE)
    if echo and count:
        echo(
            _("Typed %(count)s revenue targets for %(year)s.") % {"count": count, "year": DEMO_YEAR}
        )
    run = services.run_calculation(None, DEMO_YEAR)
    if echo:
        echo(
            _(
                "Calculated %(year)s: %(people)s people, %(rows)s result rows in "
                "%(seconds)s s (%(status)s)."
            )
            % {
                "year": DEMO_YEAR,
                "people": run.people,
                "rows": run.rows,
                "seconds": run.seconds,
                "status": run.get_status_display(),
            }
        )
