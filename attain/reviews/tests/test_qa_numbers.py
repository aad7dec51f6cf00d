"""The figures a review pack keeps, checked against the values they come from."""

from __future__ import annotations

from decimal import Decimal

from attain.reviews import services


def test_a_packs_forecast_attainment_is_exact_not_rounded_twice(team):
    """Before: the pack kept the forecast row's attainment rounded to 4 places, which the
    page rounded again to 1 decimal of a percent (P90 768,303.57 of 1,365,942 read 56.3%,
    not 56.2%). After: P10/P50/P90 ÷ target kept exactly, as the attainment itself."""
    review = services.open_review(team.users["manager"], team.people["m1"], "2026-Q1")
    checked = 0
    for pack in review.packs.all():
        for m in pack.data["measures"]:
            if m["target"] is None or m["p50"] is None:
                continue
            target = Decimal(m["target"])
            for p in ("p10", "p50", "p90"):
                exact = Decimal(m[p]) / target
                assert abs(Decimal(m[f"attainment_{p}"]) - exact) < Decimal("1e-12")
                checked += 1
    assert checked


def test_a_packs_numbers_are_written_without_an_exponent() -> None:
    """A zero attainment (0 ÷ target, times 100) was kept as "0E+2" in the pack and the
    API; a tiny share as "1.5E-7"."""
    from decimal import Decimal

    from attain.reviews.packs import _s

    assert _s(Decimal("0E+2")) == "0"
    assert _s(Decimal("1.5E-7")) == "0.00000015"
    assert _s(Decimal("12.50")) == "12.50"
    assert _s(Decimal("NaN")) is None
