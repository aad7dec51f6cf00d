"""The demo company's disputes (docs/pay.md, "Disputes"): the demo rep questions a line
of their newest payout (open, with sales operations), a missing order (resolved with an
adjustment) and a split (rejected), so the dispute pages and the dashboard's card show
something. Idempotent: nothing is written when the demo rep already has disputes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from attain.accounts.models import Role

from . import services_disputes as services
from .models import Payout
from .models_disputes import Dispute


def load_demo_disputes(echo: Any = None) -> int:
    """Open the demo rep's three disputes; returns how many were opened."""
    users = get_user_model().objects.filter(is_active=True)
    rep = users.filter(username="rep", role=Role.REP).first()
    ops = users.filter(role=Role.SALES_OPS).order_by("pk").first()
    person = getattr(rep, "person", None) if rep is not None else None
    if rep is None or ops is None or person is None:
        return 0
    if Dispute.objects.filter(person=person).exists():
        return 0
    payout = (
        Payout.objects.filter(person=person, lines__amount__gt=0)
        .order_by("-period_end", "period")
        .distinct()
        .first()
    )
    if payout is None:
        return 0
    line = payout.lines.filter(amount__gt=0).order_by("plan", "component").first()
    assert line is not None
    with transaction.atomic():
        services.open_dispute(
            rep,
            subject="line",
            period=payout.period,
            plan=line.plan,
            component=line.component,
            title="这一项的金额比我算的少",
            text="我核对了本期的订单，这一项应该更高，请帮忙核实。",
        )
        missing = services.open_dispute(
            rep,
            subject="record",
            period=payout.period,
            title="有一笔订单没有计入",
            text="客户上月签的续约订单在系统里找不到，合同编号 HT-2026-118。",
            record_table="orders",
            record_ref="HT-2026-118",
        )
        services.start(ops, missing)
        services.add_message(ops, missing, text="已找到，订单漏录，已补录。")
        services.resolve(ops, missing, amount="120.00", reason="订单漏录，按提成比例补发。")
        split = services.open_dispute(
            rep,
            subject="record",
            period=payout.period,
            title="合作订单的分成比例不对",
            text="这笔订单是我和同事一起跟进的，我应分到一半。",
            record_table="orders",
            record_ref="合作订单",
        )
        services.reject(ops, split, explanation="按销售政策，分成以订单录入时的负责人为准。")
    if echo:
        echo(_("Demo disputes: 3 (open, resolved, rejected)."))
    return 3
