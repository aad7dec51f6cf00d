"""Stored results for payout tests, written as a calculation run would store them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from attain.incentives.events import results_stored
from attain.incentives.models import ComponentResult, PeriodResult

PERIOD = "2026-Q1"
START, END = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)


def store(company, amounts: dict[str, dict[str, str]], period: str = PERIOD) -> None:
    """``amounts``: person code → component id → amount (plan "rep"). Replaces those
    people's results for the period and sends ``results_stored`` as incentives does."""
    pks = []
    for code, components in amounts.items():
        person = company.people[code]
        pks.append(person.pk)
        PeriodResult.objects.filter(person=person, period=period).delete()
        ComponentResult.objects.filter(person=person, period=period).delete()
        unit = company.west if code in {"m3", "r4"} else company.east
        total = sum((Decimal(v) for v in components.values()), Decimal(0))
        PeriodResult.objects.create(
            person=person,
            period=period,
            period_kind="quarter",
            start=START,
            end=END,
            unit=unit,
            role="rep",
            payout=total,
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
    results_stored.send(sender=PeriodResult, people=pks, periods=[period])


AMOUNTS = {
    "r1": {"commission": "1000.10", "bonus": "200.00"},
    "r2": {"commission": "333.33", "bonus": "0.01"},
    "r3": {"commission": "500.55"},
    "r4": {"commission": "750.00", "bonus": "100.00"},
    "m1": {"override": "99.99"},
}
