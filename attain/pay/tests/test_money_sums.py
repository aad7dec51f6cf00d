"""The pay periods' totals are exact to the cent on SQLite too (a DecimalField is a
binary REAL there; SUM() of them left 0.30000000000000004-like residue)."""

from __future__ import annotations

from decimal import Decimal

from attain.pay import selectors_close
from attain.pay.models import Payout
from attain.pay.models_close import Adjustment

from .test_close import quarters, store  # noqa: F401  (the fixture)


def test_period_totals_and_adjustments_are_exact(quarters):  # noqa: F811
    r1 = quarters.people["r1"]
    payout = Payout.objects.filter(person=r1, period="2026-Q2").get()
    for amount in ["1234567.89", "-1234567.89", "0.10", "0.20", "-0.30"]:
        Adjustment.objects.create(
            person=r1, source_period="2026-Q1", payout=payout, amount=Decimal(amount)
        )
    rows = {row.period: row for row in selectors_close.periods()}
    assert (rows["2026-Q1"].adjustments, str(rows["2026-Q1"].adjusted)) == (5, "0.00")
    assert str(rows["2026-Q1"].total) == "1433.43"
