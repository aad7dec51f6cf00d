"""A target's exact value per period (rule 5.1, nothing rounded), for lines that add
months up and round once."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from attain.engine import Period, TargetSpec, exact_targets, parse_period


def period(text: str) -> Period:
    found = parse_period(text)
    assert found is not None
    return found


def spec(text: str, value: str, spread: bool = True) -> TargetSpec:
    return TargetSpec("revenue", "r1", period(text), Decimal(value), spread, "")


MONTHS = [period(f"2026-{m:02d}") for m in range(1, 13)]


def test_a_year_spread_over_its_months_adds_up_to_the_year() -> None:
    months = exact_targets([spec("2026", "40000")], "revenue", "r1", MONTHS)
    assert months[0] == Fraction(10000, 3)
    assert sum(m for m in months if m is not None) == 40000


def test_given_months_quarters_and_no_target() -> None:
    given = [spec("2026", "40000"), spec("2026-Q2", "9000.10"), spec("2026-01", "1234.56")]
    months = exact_targets(given, "revenue", "r1", MONTHS)
    assert months[0] == Fraction("1234.56")  # given
    assert months[1] == Fraction(10000, 3)  # the year's twelfth
    assert months[3] == Fraction("9000.10") / 3  # the quarter's third
    assert exact_targets(given, "revenue", "r2", MONTHS[:1]) == [None]
    fixed = [spec("2026", "500", spread=False)]
    assert exact_targets(fixed, "revenue", "r1", MONTHS[:1]) == [Fraction(500)]
