"""Stored results for payout tests, written as a calculation run would store them, and
the payout register's bulk action for browser tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

from attain.incentives.events import results_stored
from attain.incentives.models import ComponentResult, PeriodResult
from attain.pay import services_disputes, services_payouts
from attain.pay.models import Payout
from attain.pay.models_disputes import Dispute

PERIOD = "2026-Q1"
START, END = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)
PAID_ON = datetime.date(2026, 4, 15)


def store_person(
    company, code: str, components: dict[str, str], *, period: str, start, end, **fields
) -> int:
    """Replace the stored results of person ``code`` for ``period`` (plan "rep") with
    ``components`` (component id → amount), as a calculation run stores them; ``fields``
    (``unit`` at least) go into the period result. Returns the person's pk; the caller
    sends ``results_stored``."""
    person = company.people[code]
    PeriodResult.objects.filter(person=person, period=period).delete()
    ComponentResult.objects.filter(person=person, period=period).delete()
    total = sum((Decimal(v) for v in components.values()), Decimal(0))
    PeriodResult.objects.create(
        person=person,
        period=period,
        period_kind="quarter",
        start=start,
        end=end,
        role="rep",
        payout=total,
        **fields,
    )
    for component, amount in components.items():
        ComponentResult.objects.create(
            person=person,
            period=period,
            plan="rep",
            component=component,
            kind="commission",
            amount=Decimal(amount),
        )
    return person.pk


def store(company, amounts: dict[str, dict[str, str]], period: str = PERIOD) -> None:
    """``amounts``: person code → component id → amount (plan "rep"). Replaces those
    people's results for the period and sends ``results_stored`` as incentives does."""
    pks = [
        store_person(
            company,
            code,
            components,
            period=period,
            start=START,
            end=END,
            unit=company.west if code in {"m3", "r4"} else company.east,
        )
        for code, components in amounts.items()
    ]
    results_stored.send(sender=PeriodResult, people=pks, periods=[period])


def payout(company, code: str, period: str = PERIOD) -> Payout:
    """The payout of person ``code`` for ``period`` as it stands."""
    return Payout.objects.get(person=company.people[code], period=period)


def through(company, code: str, state: str, period: str = PERIOD, *, paid_on=PAID_ON) -> Payout:
    """Move ``code``'s payout for ``period`` forward up to ``state`` (reviewed by the
    administrator, approved and paid by finance) and return it as it then stands."""
    users = company.users
    p = payout(company, code, period)
    if state in {"reviewed", "approved", "paid"}:
        services_payouts.review_payouts(users["admin"], [p])
    if state in {"approved", "paid"}:
        services_payouts.approve_payouts(users["finance"], [p])
    if state == "paid":
        services_payouts.mark_paid(users["finance"], [p], reference="PAY-1", paid_on=paid_on)
    return payout(company, code, period)


def dispute_line(company, *, component: str = "commission", files=(), by: str = "rep") -> Dispute:
    """The user of role ``by`` (the rep, r1, unless said) disputes the ``component`` line
    of their own payout for :data:`PERIOD`, with ``files`` attached."""
    return services_disputes.open_dispute(
        company.users[by],
        subject="line",
        period=PERIOD,
        plan="rep",
        component=component,
        title="佣金少算了",
        text="订单 SO-42 的佣金没有算进来。",
        files=files,
    )


def choose_payouts(page, codes, action: str, **fields: str) -> None:
    """In a browser on the payout register: tick the rows of ``codes``, choose the bulk
    ``action``, fill its ``fields`` (e.g. ``reason``) and apply it."""
    for code in codes:
        page.check(f"tr[data-person='{code}'] input[name=people]")
    page.select_option("select[name=action]", action)
    for name, value in fields.items():
        page.fill(f"[name={name}]", value)
    page.click("#apply-payouts")


AMOUNTS = {
    "r1": {"commission": "1000.10", "bonus": "200.00"},
    "r2": {"commission": "333.33", "bonus": "0.01"},
    "r3": {"commission": "500.55"},
    "r4": {"commission": "750.00", "bonus": "100.00"},
    "m1": {"override": "99.99"},
}
