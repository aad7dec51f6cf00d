"""Timing games (拉单/压单): revenue pulled into a period's last days, or pushed out of
it once a threshold was reached.

*Pull-in*: the number of a person's period orders dated in its last ``tail_days`` is
compared with the share of the last days among everyone's orders in the same period
(so a real end-of-quarter push, which everybody makes, raises the expectation for all)
and with their teammates' typical (median) share (a team whose business closes at
quarter end is compared with itself; two pulling in among ordinary colleagues are not)
and with the person's own share in other periods; a binomial tail below ``alpha`` and
an excess of at least ``min_excess`` in share raise an alert.

*Push-out* (only when targets are given: person, period, amount): a person who had
reached their target before the last ``tail_days`` and then booked orders in the first
``tail_days`` of the next period at well above the peers' rate.

Blind spots: a rep who pulls in every quarter looks like their own history (the peer
comparison still applies); pulls that move orders by a few days inside the period.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from .common import Alert, Found, Records, ScanPeriod, binomial_tail, few_orders, records, score_of

NAME = "timing"


@dataclass(frozen=True)
class Params:
    tail_days: int = 7
    min_orders: int = 8  # orders in the period for a person to be tested
    min_excess: float = 0.25  # share of orders in the tail above the expected share
    alpha: float = 0.0001  # stricter than elsewhere: real end-of-period pushes are common
    # The person's team (of the period) is a peer group too: its typical member (the
    # median share of the teammates with ``min_orders`` orders, tested themselves: a
    # share of four orders is noise, when there are ``min_mates`` of them), so a team
    # whose business closes at quarter end (a seasonal one, public budgets) is compared
    # with itself, while two who pull in within a team of ordinary colleagues do not
    # hide each other.
    min_mates: int = 3


def detect(
    data: Records,
    periods: Sequence[ScanPeriod],
    params: Params = Params(),
    targets: pl.DataFrame | None = None,
) -> Found:
    found = Found()
    orders = data["orders"].filter(pl.col("owner").is_not_null())
    if orders.height == 0:
        return found
    for period in periods:
        tail_start = period.end - datetime.timedelta(days=params.tail_days - 1)
        inside = orders.filter(pl.col("date").is_between(period.start, period.end)).with_columns(
            (pl.col("date") >= tail_start).alias("tail")
        )
        if inside.height == 0:
            continue
        per_person = inside.group_by("owner").agg(
            pl.len().alias("n"), pl.col("tail").sum().alias("k")
        )
        total_n, total_k = int(per_person["n"].sum()), int(per_person["k"].sum())
        units = data.units(period.end)
        shares: dict[str, list[tuple[str, float]]] = {}  # unit → (person, tail share)
        for owner, n, k in per_person.iter_rows():
            if units.get(owner, "") and n >= params.min_orders:
                shares.setdefault(units[owner], []).append((owner, k / n))
        for row in per_person.iter_rows(named=True):
            person, n, k = row["owner"], int(row["n"]), int(row["k"])
            if n < params.min_orders:
                if k * 2 > n and n > 0:
                    found.notes.append(few_orders(NAME, period.label, person, n))
                continue
            peers_n = total_n - n
            expected = (total_k - k) / peers_n if peers_n else params.tail_days / period.days()
            mates = [x for who, x in shares.get(units.get(person, ""), []) if who != person]
            if len(mates) >= params.min_mates:  # the team's own season
                expected = max(expected, statistics.median(mates))
            expected = max(expected, params.tail_days / period.days())
            share = k / n
            if share - expected < params.min_excess:
                continue
            p = binomial_tail(k, n, expected)
            if p >= params.alpha:
                continue
            ids = inside.filter((pl.col("owner") == person) & pl.col("tail"))["id"]
            found.alerts.append(
                Alert(
                    NAME,
                    (person,),
                    records("orders", ids),
                    period.label,
                    score_of(p),
                    f"{k} of {n} orders in {period.label} ({share:.0%}) were booked in its last "
                    f"{params.tail_days} days; peers booked {expected:.0%} there.",
                    f"{period.label} 的 {n} 笔订单中有 {k} 笔（{share:.0%}）集中在最后 "
                    f"{params.tail_days} 天；同事在这几天的占比为 {expected:.0%}。",
                    "pull_in",
                )
            )
        if targets is not None and targets.height:
            found.extend(_push_out(orders, period, params, targets))
    return found


def _push_out(
    orders: pl.DataFrame, period: ScanPeriod, params: Params, targets: pl.DataFrame
) -> Found:
    found = Found()
    goal = targets.filter(pl.col("period") == period.label).select("person", "amount")
    if goal.height == 0:
        return found
    tail_start = period.end - datetime.timedelta(days=params.tail_days - 1)
    head_end = period.end + datetime.timedelta(days=params.tail_days)
    confirmed = orders.filter(pl.col("status") != "cancelled")
    before = (
        confirmed.filter(pl.col("date").is_between(period.start, tail_start, closed="left"))
        .group_by("owner")
        .agg(pl.col("amount").sum().alias("before"))
    )
    head = confirmed.filter(pl.col("date").is_between(period.end, head_end, closed="right"))
    whole = confirmed.filter(pl.col("date").is_between(period.start, head_end))
    counts = whole.group_by("owner").agg(
        pl.len().alias("n"), (pl.col("date") > period.end).sum().alias("k")
    )
    table = counts.join(before, on="owner", how="left").join(
        goal.rename({"person": "owner"}), on="owner", how="inner"
    )
    reached = table.filter(pl.col("before").fill_null(0) >= pl.col("amount"))
    others = table.filter(pl.col("before").fill_null(0) < pl.col("amount"))
    if others.height == 0 or int(others["n"].sum()) == 0:
        return found
    rate = max(int(others["k"].sum()) / int(others["n"].sum()), 0.05)
    for row in reached.iter_rows(named=True):
        person, n, k = row["owner"], int(row["n"]), int(row["k"])
        if n < params.min_orders:
            continue
        p = binomial_tail(k, n, rate)
        if p >= params.alpha or k / n - rate < params.min_excess:
            continue
        ids = head.filter(pl.col("owner") == person)["id"]
        found.alerts.append(
            Alert(
                NAME,
                (person,),
                records("orders", ids),
                period.label,
                score_of(p),
                f"Target for {period.label} reached before its last {params.tail_days} days, "
                f"then {k} of {n} orders were dated just after its end (peers: {rate:.0%}).",
                f"{period.label} 目标在最后 {params.tail_days} 天前已完成，随后 {n} 笔订单中有 "
                f"{k} 笔被记在期末之后（同事：{rate:.0%}）。",
                "push_out",
            )
        )
    return found


__all__ = ["NAME", "Params", "detect"]
