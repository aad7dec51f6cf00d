"""The demo company's worked target plan: FY2026 revenue decomposed 总部 → regions → teams
→ reps by a blend of last year's revenue, market potential and ramped capacity, split
over the months by the seasonality of the two years before, with a collections (回款)
target beside it (the rep scorecard weighs 回款), published, and acknowledged
by about a third of the reps (the demo ``rep`` login is left to acknowledge by hand).

:func:`load_demo_targets` is idempotent: it does nothing when the plan exists. It runs
after the demo company is loaded (``attain demo load``), or by ``attain demo_targets``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from attain.accounts.models import User
from attain.crm.models import Order, OrderStatus, Payment
from attain.org.models import Person, Unit

from . import services
from .models import Kind, TargetCell, TargetPlan

DEMO_PLAN = "FY2026 revenue 年度营收目标"
FISCAL_YEAR = 2026
GROWTH = Decimal("1.15")  # the demo asks 15% more than last year
BLEND = {"history": "0.5", "potential": "0.3", "capacity": "0.2"}
# Units: history and potential (capacity would count the people of a service unit too).
UNIT_BLEND = {"history": "0.6", "potential": "0.4"}
LEVELS: dict[str, Any] = {
    "units": [{"method": "blend", "blend": UNIT_BLEND, "overassign": "1"}],
    "people": {"method": "blend", "blend": BLEND, "overassign": "1.05"},
}


def demo_total(root: Unit) -> Decimal:
    """The company target the demo's planner typed in: last year's confirmed revenue
    plus 15%, to the nearest 10,000 (or 60% of the market potential without history)."""
    last_year = Order.objects.filter(
        status=OrderStatus.CONFIRMED,
        date__gte=datetime.date(FISCAL_YEAR - 1, 1, 1),
        date__lte=datetime.date(FISCAL_YEAR - 1, 12, 31),
    ).aggregate(total=Sum("amount"))["total"]
    base = (last_year or Decimal(0)) * GROWTH
    if not base:
        base = (root.potential or Decimal(100_000_000)) * Decimal("0.6")
    return (base / 10_000).quantize(Decimal(1)) * 10_000


def demo_collected_total() -> Decimal:
    """The company's collections (回款) target: last year's payments plus 15%, to the
    nearest 10,000. Without it the demo rep scorecard weighed 回款 at 20% against no
    target, a ratio of 0 for everyone (issue 12 bug 11)."""
    last_year = Payment.objects.filter(
        date__gte=datetime.date(FISCAL_YEAR - 1, 1, 1),
        date__lte=datetime.date(FISCAL_YEAR - 1, 12, 31),
    ).aggregate(total=Sum("amount"))["total"]
    return ((last_year or Decimal(0)) * GROWTH / 10_000).quantize(Decimal(1)) * 10_000


@transaction.atomic
def load_demo_targets(*, echo: Any = print) -> TargetPlan | None:
    """Create, compute, approve and publish the demo plan; acknowledge a third of the reps."""
    root = Unit.objects.filter(code="hq").first()
    if root is None:
        if echo:
            echo(_("No demo company (unit hq); run `attain demo load` first."))
        return None
    existing = TargetPlan.objects.filter(name=DEMO_PLAN, fiscal_year=FISCAL_YEAR).first()
    if existing is not None:
        if echo:
            echo(_("The demo target plan exists already (%(plan)s).") % {"plan": existing})
        return existing
    plan = services.create_target_plan(
        None,
        name=DEMO_PLAN,
        fiscal_year=FISCAL_YEAR,
        root_unit=root,
        measures={"revenue": demo_total(root), "collected": demo_collected_total()},
        levels=LEVELS,
        months="seasonal",
        history_year=FISCAL_YEAR - 1,
        ramp=["0.25", "0.5", "0.75"],
        roles="rep",
    )
    services.submit_plan(None, plan)
    services.approve_plan(None, plan)
    services.publish_plan(None, plan)
    demo_rep = User.objects.filter(username="rep").select_related("person").first()
    skip = getattr(getattr(demo_rep, "person", None), "code", None)
    reps = sorted(
        set(TargetCell.objects.filter(plan=plan, kind=Kind.PERSON).values_list("who", flat=True))
    )
    for index, code in enumerate(reps):
        if code == skip or index % 3:
            continue
        person = Person.objects.get(code=code)
        services.acknowledge_target(None, plan, "收到，全力以赴。", person=person)
    plan.refresh_from_db()
    if echo:
        echo(
            _("Demo target plan published: %(plan)s (%(reps)s reps, total %(total)s).")
            % {"plan": plan, "reps": len(reps), "total": demo_total(root)}
        )
    return plan
