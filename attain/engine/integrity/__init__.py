"""Integrity: detectors of gaming (刷单, 虚报客户, 互刷, 拉单/压单, fake visits).

Pure Polars + the standard library, like the rest of the engine. Each detector is one
module with a ``Params`` dataclass (documented defaults) and ``detect(records, periods,
params)``, returning :class:`Found` (alerts and "not enough data" notes). :func:`scan`
runs them all.

    found = scan(Records({"orders": orders, ...}), [ScanPeriod("2025-Q4", start, end)])
    for alert in found.alerts: print(alert.document())

This package is the integrity part of the engine's public API: apps import from here
(``attain.engine.integrity``), never from its modules.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from . import (
    amounts,
    fake_activities,
    rating_rings,
    reciprocal_credit,
    shell_customers,
    timing,
    wash_orders,
)
from .common import (
    DETECTORS,
    SCHEMAS,
    THRESHOLD,
    Alert,
    Found,
    Note,
    Records,
    ScanPeriod,
    binomial_tail,
    poisson_tail,
    score_of,
)
from .phash import hamming, perceptual_hash


@dataclass(frozen=True)
class Settings:
    """Every detector's parameters (the defaults are documented on each ``Params``)."""

    wash_orders: wash_orders.Params = field(default_factory=wash_orders.Params)
    timing: timing.Params = field(default_factory=timing.Params)
    reciprocal_credit: reciprocal_credit.Params = field(default_factory=reciprocal_credit.Params)
    shell_customers: shell_customers.Params = field(default_factory=shell_customers.Params)
    fake_activities: fake_activities.Params = field(default_factory=fake_activities.Params)
    amounts: amounts.Params = field(default_factory=amounts.Params)
    rating_rings: rating_rings.Params = field(default_factory=rating_rings.Params)
    threshold: float = THRESHOLD


def scan(
    data: Records,
    periods: Sequence[ScanPeriod],
    settings: Settings | None = None,
    *,
    detectors: Sequence[str] = DETECTORS,
    targets: pl.DataFrame | None = None,
    as_of: datetime.date | None = None,
) -> Found:
    """Run the ``detectors`` over ``periods``; alerts below the threshold are dropped."""
    settings = settings or Settings()
    found = Found()
    if not periods:  # nothing to scan (the Benford test reports in the last period)
        return found
    if "wash_orders" in detectors:
        found.extend(wash_orders.detect(data, periods, settings.wash_orders))
    if "timing" in detectors:
        found.extend(timing.detect(data, periods, settings.timing, targets))
    if "reciprocal_credit" in detectors:
        found.extend(reciprocal_credit.detect(data, periods, settings.reciprocal_credit))
    if "shell_customers" in detectors:
        found.extend(shell_customers.detect(data, periods, settings.shell_customers, as_of))
    if "fake_activities" in detectors:
        found.extend(fake_activities.detect(data, periods, settings.fake_activities))
    if "amounts" in detectors:
        found.extend(amounts.detect(data, periods, settings.amounts))
    if "rating_rings" in detectors:
        found.extend(rating_rings.detect(data, periods, settings.rating_rings))
    found.alerts = sorted(
        (a for a in found.alerts if a.score >= settings.threshold),
        key=lambda a: (a.period, a.detector, a.people, -a.score),
    )
    return found


__all__ = [
    "DETECTORS",
    "SCHEMAS",
    "THRESHOLD",
    "Alert",
    "Found",
    "Note",
    "Records",
    "ScanPeriod",
    "Settings",
    "binomial_tail",
    "hamming",
    "perceptual_hash",
    "poisson_tail",
    "scan",
    "score_of",
]
