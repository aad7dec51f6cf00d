"""Amount anomalies: invented figures leave traces in the digits.

- *Benford*: the first digits of a person's order amounts (history up to the period's
  end, at least ``min_benford`` amounts) against Benford's law, by Nigrini's mean
  absolute deviation (MAD): above 0.015 is nonconformity, and only with a chi-square
  tail below ``alpha`` too (a small sample's noise is not a departure). When the company's own
  amounts do not follow Benford (MAD above 0.012: narrow price lists do that), the
  person is compared with the company's digit distribution instead;
- *round numbers*: a person's amounts that are whole multiples of ``round_unit``, far
  above their peers' rate (Poisson tail below ``alpha``);
- *just above a threshold*: amounts within ``above_share`` above one of ``thresholds``
  (approval limits, spiff levels; none by default), far above the peers' rate;
- *split orders*: a person's orders that share customer and day with another of their
  orders, of different amounts (a deal cut up for a per-order spiff or an order-count
  tier), far above their peers' rate and above what the person's own volume gives by
  chance (a customer's orders falling on the period's days at random: a busy account in
  a genuinely big month orders twice on some days) (at least ``min_split``);
- *duplicates*: orders of one owner with the same customer, amount and day, both still
  standing (an order cancelled or returned and booked again, a correction, counts once).

Blind spots: small samples (a person needs ``min_benford`` amounts for the digit test,
"not enough data" below that); fabricated amounts copied from real ones.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from .common import (
    Alert,
    Found,
    Records,
    ScanPeriod,
    not_enough,
    poisson_tail,
    records,
    score_of,
)

NAME = "amounts"
BENFORD = [math.log10(1 + 1 / d) for d in range(1, 10)]


@dataclass(frozen=True)
class Params:
    min_benford: int = 300
    mad_nonconformity: float = 0.015
    company_conforms: float = 0.012
    round_unit: float = 1000.0
    min_round: int = 4
    thresholds: tuple[float, ...] = field(default_factory=tuple)
    above_share: float = 0.03
    min_above: int = 4
    alpha: float = 0.001
    duplicate_score: float = 0.8
    min_split: int = 6  # orders in split groups before splitting is possible
    # The round, threshold and split rates are also compared with the person's team's
    # typical member (the median rate of the teammates with ``min_mate_orders`` orders,
    # when there are ``min_mates`` of them): a team whose customers order in parts at
    # quarter end, or that sells a price list of round amounts, is compared with itself.
    min_mates: int = 3
    min_mate_orders: int = 8  # a rate of four orders is noise


def _chi_square_tail(observed: list[float], expected: list[float], n: int) -> float:
    """P(χ² ≥ x) with 8 degrees of freedom (exact for an even count)."""
    x = sum(n * (o - e) ** 2 / e for o, e in zip(observed, expected, strict=True) if e > 0)
    half = x / 2
    return math.exp(-half) * sum(half**i / math.factorial(i) for i in range(4))


def _mad(observed: list[float], expected: list[float]) -> float:
    return sum(abs(o - e) for o, e in zip(observed, expected, strict=True)) / 9


def detect(data: Records, periods: Sequence[ScanPeriod], params: Params = Params()) -> Found:
    found = Found()
    orders = data["orders"].filter(pl.col("owner").is_not_null() & pl.col("amount").is_not_null())
    if orders.height == 0:
        return found
    orders = orders.filter(pl.col("amount") > 0).with_columns(
        (pl.col("amount") / (10 ** pl.col("amount").log10().floor()))
        .floor()
        .cast(pl.Int64, strict=False)
        .alias("digit")
    )
    counts = dict(
        orders.filter(pl.col("digit").is_between(1, 9)).group_by("digit").len().iter_rows()
    )
    total = sum(counts.values()) or 1
    company = [counts.get(d, 0) / total for d in range(1, 10)]
    expected = BENFORD if _mad(company, BENFORD) <= params.company_conforms else company
    _benford(orders, periods, params, expected, found)
    for period in periods:
        inside = orders.filter(pl.col("date").is_between(period.start, period.end))
        if inside.height == 0:
            continue
        units = data.units(period.end)
        _rate_test(
            inside,
            period,
            params,
            found,
            (pl.col("amount") % params.round_unit == 0) & (pl.col("amount") >= params.round_unit),
            params.min_round,
            "round",
            ("whole multiples of {unit:,.0f}", "为 {unit:,.0f} 的整数倍"),
            units=units,
        )
        if params.thresholds:
            near = pl.lit(False)
            for t in params.thresholds:
                near = near | pl.col("amount").is_between(t, t * (1 + params.above_share))
            _rate_test(
                inside,
                period,
                params,
                found,
                near,
                params.min_above,
                "above_threshold",
                ("just above a threshold", "略高于某个门槛"),
                units=units,
            )
        _duplicates(inside, period, params, found)
        _rate_test(
            inside,
            period,
            params,
            found,
            _split(),
            params.min_split,
            "split",
            (
                "parts of a split (one customer, one day, several orders of different amounts)",
                "属于拆单（同一客户、同一天、多笔金额不同的订单）",
            ),
            chance=_same_day_by_chance(inside, period),
            units=units,
        )
    return found


def _benford(
    orders: pl.DataFrame,
    periods: Sequence[ScanPeriod],
    params: Params,
    expected: list[float],
    found: Found,
) -> None:
    """One test per person over their whole history up to the last scanned period,
    reported in the last scanned period in which they booked orders."""
    last_end = max(x.end for x in periods)
    history = orders.filter(pl.col("date") <= last_end)
    scanned = pl.lit(False)
    for scan_period in periods:
        scanned = scanned | pl.col("date").is_between(scan_period.start, scan_period.end)
    latest = dict(history.filter(scanned).group_by("owner").agg(pl.col("date").max()).iter_rows())
    digits = (
        history.filter(pl.col("digit").is_between(1, 9))
        .group_by("owner", "digit")
        .agg(pl.len().alias("n"))
    )
    per_person: dict[str, list[int]] = {}
    for owner, digit, n in digits.iter_rows():
        per_person.setdefault(owner, [0] * 9)[digit - 1] += n
    for person, counts in sorted(per_person.items()):
        total = sum(counts)
        if total < params.min_benford:
            continue
        observed = [c / total for c in counts]
        mad = _mad(observed, expected)
        if mad <= params.mad_nonconformity:
            continue
        p = _chi_square_tail(observed, expected, total)
        if p >= params.alpha or person not in latest:
            continue
        period = next(x for x in periods if x.start <= latest[person] <= x.end)
        ids = history.filter(
            (pl.col("owner") == person) & pl.col("date").is_between(period.start, period.end)
        )["id"]
        found.alerts.append(
            Alert(
                NAME,
                (person,),
                records("orders", ids, 50),
                period.label,
                score_of(p),
                f"The first digits of {total} order amounts depart from the expected "
                f"distribution (MAD {mad:.3f}; above 0.015 is nonconformity by Nigrini).",
                f"{total} 笔订单金额的首位数字偏离预期分布（平均绝对偏差 {mad:.3f}；"
                "按 Nigrini 标准高于 0.015 即不符合）。",
                "benford",
            )
        )


def _rate_test(
    inside: pl.DataFrame,
    period: ScanPeriod,
    params: Params,
    found: Found,
    flag: pl.Expr,
    minimum: int,
    pattern: str,
    words: tuple[str, str],
    chance: dict[str, float] | None = None,
    units: dict[str, str] | None = None,
) -> None:
    """``chance``: person → how many flagged orders honest timing alone would give them
    (the expectation is never below it); ``units``: person → their team in the period
    (its typical member's rate is an expectation too)."""
    marked = inside.with_columns(flag.alias("flag"))
    per = marked.group_by("owner").agg(pl.len().alias("n"), pl.col("flag").sum().alias("k"))
    total_n, total_k = int(per["n"].sum()), int(per["k"].sum())
    en, zh = (w.format(unit=params.round_unit) for w in words)
    teams: dict[str, list[tuple[str, float]]] = {}  # unit → (person, rate)
    for owner, n, k in per.iter_rows():
        unit = (units or {}).get(owner, "")
        if unit and n >= params.min_mate_orders:
            teams.setdefault(unit, []).append((owner, k / n))
    for owner, n, k in per.iter_rows():
        if k < minimum:
            continue
        rate = max((total_k - k) / max(total_n - n, 1), 0.005)
        mates = [x for who, x in teams.get((units or {}).get(owner, ""), []) if who != owner]
        if len(mates) >= params.min_mates:  # the team's own habit
            rate = max(rate, statistics.median(mates))
        p = poisson_tail(int(k), max(rate * n, (chance or {}).get(owner, 0.0)))
        if p >= params.alpha:
            continue
        ids = marked.filter((pl.col("owner") == owner) & pl.col("flag"))["id"]
        found.alerts.append(
            Alert(
                NAME,
                (owner,),
                records("orders", ids),
                period.label,
                score_of(p),
                f"{k} of {n} order amounts in {period.label} are {en}; peers: {rate:.1%}.",
                f"{period.label} 的 {n} 笔订单金额中有 {k} 笔{zh}；同事比例：{rate:.1%}。",
                pattern,
            )
        )


def _same_day_by_chance(inside: pl.DataFrame, period: ScanPeriod) -> dict[str, float]:
    """Each person's orders expected to share a day with another order of theirs for the
    same customer if that customer's orders fell on the period's days at random: a busy
    account that orders most days (a rep's genuinely big month) meets itself by chance,
    where a deal cut into parts on one day does not. For a customer's ``m`` orders over
    ``D`` days: ``m × (1 − (1 − 1/D)^(m−1))``."""
    days = (period.end - period.start).days + 1
    if days <= 1:
        return {}
    standing = pl.col("status").is_null() | ~pl.col("status").is_in(("cancelled", "returned"))
    per = (
        inside.filter(pl.col("customer").is_not_null() & standing)
        .group_by("owner", "customer")
        .len()
        .with_columns((pl.col("len") * (1 - (1 - 1 / days) ** (pl.col("len") - 1))).alias("chance"))
        .group_by("owner")
        .agg(pl.col("chance").sum())
    )
    return {str(owner): float(value) for owner, value in per.iter_rows()}


def _split() -> pl.Expr:
    """An order that shares its customer and day with another order of its owner, the
    group's amounts not all equal (equal ones are duplicates): one deal cut into orders
    to reach a per-order spiff or an order-count tier. Cancelled or returned orders are
    left out."""
    group = ["owner", "customer", "date"]
    standing = pl.col("status").is_null() | ~pl.col("status").is_in(("cancelled", "returned"))
    counted = pl.col("customer").is_not_null() & standing
    return (
        counted
        & (counted.sum().over(group) >= 2)
        & (pl.col("amount").filter(counted).n_unique().over(group) >= 2)
    )


def _duplicates(inside: pl.DataFrame, period: ScanPeriod, params: Params, found: Found) -> None:
    standing = pl.col("status").is_null() | ~pl.col("status").is_in(("cancelled", "returned"))
    same = (
        inside.filter(pl.col("customer").is_not_null() & standing)
        .group_by("owner", "customer", "amount", "date")
        .agg(pl.col("id"))
        .filter(pl.col("id").list.len() >= 2)
    )
    grouped: dict[str, list[str]] = {}
    for row in same.iter_rows(named=True):
        grouped.setdefault(row["owner"], []).extend(row["id"])
    for owner, ids in sorted(grouped.items()):
        found.alerts.append(
            Alert(
                NAME,
                (owner,),
                records("orders", ids),
                period.label,
                params.duplicate_score,
                f"{len(ids)} orders repeat another order's customer, amount and day.",
                f"{len(ids)} 笔订单与其他订单的客户、金额和日期完全相同。",
                "duplicate",
            )
        )


__all__ = ["NAME", "Params", "detect", "not_enough"]
