"""Fake activities (虚假拜访): visits and calls that never happened.

- *photo reuse*: the same evidence photo on different activities, near-duplicates too
  (64-bit perceptual hashes within ``max_hamming`` bits; found through eight 8-bit
  bands, two of which must agree when at most 6 bits differ);
- *impossible travel*: one person at two places farther apart than ``max_speed_kmh``
  allows in the time between (and at least ``min_km`` apart);
- *one spot, many customers*: the same coordinates (to ~1 m) on one person's visits to
  at least ``min_customers_at_spot`` different customers within a period (many people
  at one office or fair are not a case);
- *same-minute bursts*: at least ``min_same_minute`` activities of one person logged
  within one minute (less than 60 seconds from the first to the last, whichever clock
  minutes they fall on; activities at exactly midnight carry no time of day, only a
  date, and are left out of this test and the travel test);
- *empty summaries*: a person's activities without a summary, far above their peers'.
- *copied notes*: at least ``min_copies`` activities of one person, to at least
  ``min_copy_customers`` customers, each logged within ``batch_minutes`` of the last and
  all with the same note pasted again (compared without punctuation, spaces, case or
  full-width forms; at least ``min_note_chars`` characters): visits written up in one
  sitting that never happened. A note three or more people use in the period is a
  template, not a copy; calls are left out unless logged at night (``night_from`` to
  ``night_until``): a daytime round of calls may well end alike.

Blind spots: a fresh photo of the wrong place, visits without coordinates or photos
(nothing to test: "not enough data"), activities logged honestly by a rep who then
does nothing at the customer.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from .common import (
    Alert,
    Found,
    Records,
    ScanPeriod,
    not_enough,
    period_of,
    poisson_tail,
    records,
    score_of,
)

NAME = "fake_activities"


@dataclass(frozen=True)
class Params:
    max_hamming: int = 6
    max_speed_kmh: float = 300.0
    min_km: float = 50.0
    min_customers_at_spot: int = 3
    min_same_minute: int = 4
    min_activities: int = 10  # for the empty-summary test
    min_empty: int = 5
    alpha: float = 0.001
    reuse_score: float = 0.95
    travel_score: float = 0.8
    spot_score: float = 0.75
    minute_score: float = 0.7
    min_copies: int = 4
    min_copy_customers: int = 3
    batch_minutes: int = 30
    min_note_chars: int = 6
    template_people: int = 3  # a note this many people use is the company's template
    night_from: int = 22  # hours: calls logged from night_from to night_until count
    night_until: int = 6
    copied_score: float = 0.7


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def detect(data: Records, periods: Sequence[ScanPeriod], params: Params = Params()) -> Found:
    found = Found()
    activities = data["activities"].filter(
        pl.col("owner").is_not_null() & pl.col("at").is_not_null()
    )
    if activities.height == 0 or not periods:
        return found
    activities = activities.with_columns(pl.col("at").dt.date().alias("day"))
    lo, hi = min(p.start for p in periods), max(p.end for p in periods)
    scoped = activities.filter(pl.col("day").is_between(lo, hi))
    # An activity at exactly midnight has a day but no time of day (a file that gives
    # only dates): it cannot be too fast nor share a minute with another.
    timed = scoped.filter(pl.col("at").dt.time() != pl.time(0, 0, 0))
    _photos(data, activities, periods, params, found)
    _travel(timed, periods, params, found)
    _spots(scoped, periods, params, found)
    _minutes(timed, periods, params, found)
    _empty(scoped, periods, params, found)
    # a same-minute burst already names its activities: its notes are no second case
    burst = {i for a in found.alerts if a.pattern == "same_minute" for _table, i in a.records}
    _copied(scoped, timed.filter(~pl.col("id").is_in(sorted(burst))), periods, params, found)
    return found


def _photos(
    data: Records,
    activities: pl.DataFrame,
    periods: Sequence[ScanPeriod],
    params: Params,
    found: Found,
) -> None:
    evidence = data["evidence"].drop_nulls()
    evidence = evidence.filter(pl.col("hash").str.contains(r"^[0-9a-fA-F]{16}$"))
    if evidence.height < 2:
        return
    frame = evidence.with_columns(
        pl.col("hash").str.to_integer(base=16, dtype=pl.UInt64, strict=False).alias("bits")
    ).join(
        activities.select(pl.col("id").alias("activity"), "owner", "day"),
        on="activity",
        how="inner",
    )
    bands = pl.concat(
        [
            frame.select(
                "activity",
                "bits",
                pl.lit(band).alias("band"),
                ((pl.col("bits") // pl.lit(256**band, pl.UInt64)) % pl.lit(256, pl.UInt64))
                .cast(pl.Int64)
                .alias("value"),
            )
            for band in range(8)
        ]
    )
    pairs = (
        bands.join(bands, on=["band", "value"], suffix="_b")
        .filter(pl.col("activity") < pl.col("activity_b"))
        .select("activity", "activity_b", "bits", "bits_b")
        .unique(["activity", "activity_b"])
        .with_columns((pl.col("bits").xor(pl.col("bits_b"))).bitwise_count_ones().alias("distance"))
        .filter(pl.col("distance") <= params.max_hamming)
    )
    if pairs.height == 0:
        return
    # Clusters of activities joined by near-identical photos (union-find).
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs.select("activity", "activity_b").iter_rows():
        parent[root(a)] = root(b)
    clusters: dict[str, set[str]] = defaultdict(set)
    for node in list(parent):
        clusters[root(node)].add(node)
    info = {
        str(r["activity"]): (str(r["owner"]), r["day"])
        for r in frame.select("activity", "owner", "day").iter_rows(named=True)
    }
    for members in clusters.values():
        latest = max(info[m][1] for m in members if m in info)
        period = period_of(latest, periods)
        if period is None:
            continue
        people = sorted({info[m][0] for m in members if m in info})
        found.alerts.append(
            Alert(
                NAME,
                tuple(people),
                records("activities", members),
                period.label,
                params.reuse_score,
                f"The same evidence photo (or a near copy) is attached to {len(members)} "
                "different activities.",
                f"同一张（或几乎相同的）证据照片出现在 {len(members)} 条不同的跟进记录上。",
                "photo_reuse",
            )
        )


def _travel(
    activities: pl.DataFrame, periods: Sequence[ScanPeriod], params: Params, found: Found
) -> None:
    located = activities.drop_nulls(["lat", "lon"]).sort("owner", "at")
    if located.height < 2:
        return
    hops = located.with_columns(
        pl.col("lat").shift(1).over("owner").alias("lat0"),
        pl.col("lon").shift(1).over("owner").alias("lon0"),
        pl.col("at").shift(1).over("owner").alias("at0"),
        pl.col("id").shift(1).over("owner").alias("id0"),
    ).drop_nulls(["lat0", "at0"])
    hits: dict[tuple[str, str], list[tuple[str, str, float, float]]] = defaultdict(list)
    for row in hops.iter_rows(named=True):
        km = _km(row["lat0"], row["lon0"], row["lat"], row["lon"])
        if km < params.min_km:
            continue
        hours = max((row["at"] - row["at0"]).total_seconds() / 3600, 1 / 60)
        if km / hours <= params.max_speed_kmh:
            continue
        period = period_of(row["day"], periods)
        if period is not None:
            hits[(row["owner"], period.label)].append((row["id0"], row["id"], km, hours * 60))
    for (owner, label), hops_found in sorted(hits.items()):
        a, b, km, minutes = hops_found[0]
        found.alerts.append(
            Alert(
                NAME,
                (owner,),
                records("activities", [x for hop in hops_found for x in hop[:2]]),
                label,
                params.travel_score,
                f"{len(hops_found)} times at two places too far apart for the time between, "
                f"e.g. {a} and {b}: {km:.0f} km in {minutes:.0f} minutes.",
                f"{len(hops_found)} 次在相隔时间内不可能到达的两地出现，例如 {a} 与 {b}："
                f"{minutes:.0f} 分钟内相距 {km:.0f} 公里。",
                "impossible_travel",
            )
        )


def _spots(
    activities: pl.DataFrame, periods: Sequence[ScanPeriod], params: Params, found: Found
) -> None:
    located = activities.drop_nulls(["lat", "lon", "customer"]).with_columns(
        pl.col("lat").round(5).alias("la"), pl.col("lon").round(5).alias("lo")
    )
    if located.height == 0:
        return
    # per person and period: a shared office or a trade fair is one place for many
    # people, and one spot months apart is not one fabricated afternoon
    for period in periods:
        inside = located.filter(pl.col("day").is_between(period.start, period.end))
        spots = inside.group_by("owner", "la", "lo").agg(
            pl.col("customer").n_unique().alias("customers"), pl.col("id")
        )
        for row in (
            spots.filter(pl.col("customers") >= params.min_customers_at_spot)
            .sort("owner", "la", "lo")
            .iter_rows(named=True)
        ):
            _spot_alert(row, period, params, found)


def _spot_alert(row: dict[str, Any], period: ScanPeriod, params: Params, found: Found) -> None:
    found.alerts.append(
        Alert(
            NAME,
            (row["owner"],),
            records("activities", row["id"]),
            period.label,
            params.spot_score,
            f"Visits to {row['customers']} different customers carry the same coordinates "
            f"({row['la']}, {row['lo']}).",
            f"拜访 {row['customers']} 个不同客户的记录使用了完全相同的坐标"
            f"（{row['la']}, {row['lo']}）。",
            "same_spot",
        )
    )


def _minutes(
    activities: pl.DataFrame, periods: Sequence[ScanPeriod], params: Params, found: Found
) -> None:
    # Within one minute, not on one clock minute: six visits logged 13 seconds apart
    # from 21:00:30 are one burst, although three fall on 21:00 and three on 21:01.
    # 21:10:00 and 21:11:00 (logged as a rep goes) are a minute apart, not within one.
    minute = pl.duration(seconds=60)
    timed = activities.select("owner", "at", "id", "day").sort("owner", "at")
    # A burst ends at an activity whose (min_same_minute - 1)-th predecessor of the same
    # owner is less than a minute earlier; its members are the activities less than a
    # minute before such an end (the nearest end at or after them).
    earlier = pl.col("at").shift(params.min_same_minute - 1).over("owner")
    ends = (
        timed.filter(pl.col("at") - earlier < minute)
        .select("owner", pl.col("at").alias("end"), "day")
        .unique(["owner", "end"])
        .sort("end")
    )
    if ends.height == 0:
        return
    bursts = (
        timed.drop("day")
        .sort("at")
        .join_asof(
            ends,
            left_on="at",
            right_on="end",
            by="owner",
            strategy="forward",
            check_sortedness=False,  # both sorted by time above
        )
        .filter(pl.col("end") - pl.col("at") < minute)
    )
    grouped: dict[tuple[str, str], set[str]] = defaultdict(set)
    for owner, activity, day in bursts.select("owner", "id", "day").iter_rows():
        period = period_of(day, periods)
        if period is not None:
            grouped[(owner, period.label)].add(activity)
    for (owner, label), ids in sorted(grouped.items()):
        found.alerts.append(
            Alert(
                NAME,
                (owner,),
                records("activities", ids),
                label,
                params.minute_score,
                f"{len(ids)} activities were logged in bursts within one minute.",
                f"{len(ids)} 条跟进记录在一分钟之内批量录入。",
                "same_minute",
            )
        )


def _empty(
    activities: pl.DataFrame, periods: Sequence[ScanPeriod], params: Params, found: Found
) -> None:
    marked = activities.with_columns(
        (pl.col("summary").fill_null("").str.strip_chars().str.len_chars() == 0).alias("empty")
    )
    for period in periods:
        inside = marked.filter(pl.col("day").is_between(period.start, period.end))
        if inside.height == 0:
            continue
        per = inside.group_by("owner").agg(pl.len().alias("n"), pl.col("empty").sum().alias("k"))
        total_n, total_k = int(per["n"].sum()), int(per["k"].sum())
        for owner, n, k in per.iter_rows():
            if k < params.min_empty:
                continue
            if n < params.min_activities:
                found.notes.append(
                    not_enough(
                        NAME,
                        period.label,
                        owner,
                        f"{n} activities in {period.label}",
                        f"{period.label} 只有 {n} 条跟进记录",
                    )
                )
                continue
            rate = max((total_k - k) / max(total_n - n, 1), 0.01)
            p = poisson_tail(int(k), rate * n)
            if p >= params.alpha:
                continue
            ids = inside.filter((pl.col("owner") == owner) & pl.col("empty"))["id"]
            found.alerts.append(
                Alert(
                    NAME,
                    (owner,),
                    records("activities", ids),
                    period.label,
                    score_of(p),
                    f"{k} of {n} activities in {period.label} have no summary; peers leave "
                    f"{rate:.0%} empty.",
                    f"{period.label} 的 {n} 条跟进记录中有 {k} 条没有内容摘要；同事的空白比例为 "
                    f"{rate:.0%}。",
                    "empty_summary",
                )
            )


def _note_key(column: str) -> pl.Expr:
    """A note as compared for copies: full-width forms folded (NFKC), lower case, and
    without punctuation, symbols or spaces."""
    return (
        pl.col(column)
        .fill_null("")
        .str.normalize("NFKC")
        .str.to_lowercase()
        .str.replace_all(r"[\p{P}\p{S}\p{Z}\s]", "")
    )


def _copied(
    scoped: pl.DataFrame,
    timed: pl.DataFrame,
    periods: Sequence[ScanPeriod],
    params: Params,
    found: Found,
) -> None:
    batch = pl.duration(minutes=params.batch_minutes)
    hour = pl.col("at").dt.hour()
    night = (hour >= params.night_from) | (hour < params.night_until)
    notes = scoped.select("owner", "day", _note_key("summary").alias("note"))
    logged = (
        timed.filter((pl.col("kind").fill_null("") != "call") | night)
        .with_columns(_note_key("summary").alias("note"))
        .filter(pl.col("note").str.len_chars() >= params.min_note_chars)
    )
    if logged.height == 0:
        return
    for period in periods:
        inside = logged.filter(pl.col("day").is_between(period.start, period.end))
        if inside.height == 0:
            continue
        templates = (
            notes.filter(pl.col("day").is_between(period.start, period.end))
            .group_by("note")
            .agg(pl.col("owner").n_unique().alias("people"))
            .filter(pl.col("people") >= params.template_people)
        )
        runs = (
            inside.join(templates, on="note", how="anti")
            .sort("owner", "note", "at")
            .with_columns(
                (
                    (pl.col("at") - pl.col("at").shift(1).over("owner", "note")).fill_null(batch)
                    >= batch
                )
                .cum_sum()
                .over("owner", "note")
                .alias("run")
            )
            .group_by("owner", "note", "run")
            .agg(
                pl.len().alias("n"),
                pl.col("customer").n_unique().alias("customers"),
                pl.col("id"),
                pl.col("summary").first().alias("example"),
                pl.col("at").min().alias("first"),
            )
            .filter(
                (pl.col("n") >= params.min_copies)
                & (pl.col("customers") >= params.min_copy_customers)
            )
            .sort("owner", "first")
        )
        for (owner,), batches in runs.group_by("owner", maintain_order=True):
            ids = [i for group in batches["id"] for i in group]
            customers = int(
                inside.filter(pl.col("id").is_in(ids))["customer"].drop_nulls().n_unique()
            )
            example = str(batches["example"][0]).strip()
            count = len(batches)
            found.alerts.append(
                Alert(
                    NAME,
                    (str(owner),),
                    records("activities", ids),
                    period.label,
                    params.copied_score,
                    f"{len(ids)} activities with {customers} customers were logged in "
                    f"{count} batch(es), each within {params.batch_minutes} minutes of the "
                    f"last, with the same note pasted again (e.g. “{example}”).",
                    f"{len(ids)} 条涉及 {customers} 个客户的跟进记录分 {count} 批录入（每条与上一条"
                    f"相隔不超过 {params.batch_minutes} 分钟），内容摘要相同，只是重复粘贴"
                    f"（例如“{example}”）。",
                    "copied_notes",
                )
            )
