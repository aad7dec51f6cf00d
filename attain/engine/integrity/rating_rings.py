"""Rating rings (互评刷分): colleagues who rate each other up, or a person who rates
themself through a proxy.

- *mutual high ratings*: a and b rate each other in the period, each score above what
  the other raters give the same person: by ``strong_excess`` at once, by ``min_excess``
  when the pair did so in at least ``min_periods`` periods, or by ``persistent_excess``
  in at least ``persistent_periods`` periods;
- *self through a proxy*: a satisfaction survey for a person from a customer whose
  contact email or phone is that person's own.

Blind spots: rings of three or more who never rate each other directly back; a proxy
customer with contact details that are not the rep's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from .common import Alert, Found, Records, ScanPeriod, contact_keys, records

NAME = "rating_rings"


@dataclass(frozen=True)
class Params:
    min_excess: float = 0.5
    strong_excess: float = 1.0
    min_periods: int = 2
    persistent_periods: int = 3  # rated each other this often: a smaller excess is enough
    persistent_excess: float = 0.25
    min_other_raters: int = 2
    mutual_score: float = 0.8
    proxy_score: float = 0.9
    # A detail this many people share (an office line) is nobody's own, as in the
    # shell-customer identity test (``shell_customers.Params.common_owners``).
    common_people: int = 3


def detect(data: Records, periods: Sequence[ScanPeriod], params: Params = Params()) -> Found:
    found = Found()
    ratings = data["peer_ratings"].drop_nulls(["owner", "rater", "score"])
    if ratings.height and periods:
        _mutual(ratings, periods, params, found)
    _proxy(data, periods, params, found)
    return found


def _label(day: object, periods: Sequence[ScanPeriod]) -> str | None:
    for period in periods:
        if period.start <= day <= period.end:  # type: ignore[operator]
            return period.label
    return None


def _mutual(
    ratings: pl.DataFrame, periods: Sequence[ScanPeriod], params: Params, found: Found
) -> None:
    """Per period: a pair who rated each other in it, each above what the other raters
    give the same person over the whole history. The pair's own ratings of other
    periods do not dilute it (colleagues who rated each other honestly last year and
    inflate each other now are a ring now); persistence counts the calendar quarters
    in which both did so."""
    quarter = pl.format(
        "{}-Q{}", pl.col("date").dt.year(), (pl.col("date").dt.month() - 1) // 3 + 1
    )
    # The baseline compares like with like: a pair is judged by the highest rating they
    # gave each other in a period, so the others count by the highest rating each gave
    # the person in a quarter (with monthly ratings, an average would make every pair
    # who rated each other look inflated).
    highest = ratings.group_by("rater", "owner", quarter.alias("quarter")).agg(
        pl.col("score").max()
    )
    totals = highest.group_by("owner").agg(pl.col("score").sum().alias("s"), pl.len().alias("c"))
    baseline = (
        highest.group_by("rater", "owner")
        .agg(pl.col("score").sum().alias("ps"), pl.len().alias("pc"))
        .join(totals, on="owner")
        .with_columns((pl.col("c") - pl.col("pc")).alias("others"))
        .filter(pl.col("others") >= params.min_other_raters)
        .select("rater", "owner", ((pl.col("s") - pl.col("ps")) / pl.col("others")).alias("base"))
    )
    in_scan = pl.lit(None, dtype=pl.String)
    for period in reversed(periods):
        in_scan = (
            pl.when(pl.col("date").is_between(period.start, period.end))
            .then(pl.lit(period.label))
            .otherwise(in_scan)
        )
    keyed = ratings.with_columns(quarter.alias("quarter"), in_scan.alias("period"))

    def mutual_by(key: str) -> pl.DataFrame:
        """(rater < owner, key) where both rated each other, with the lower excess."""
        given = (
            keyed.drop_nulls(key)
            .group_by("rater", "owner", key)
            .agg(pl.col("score").max().alias("given"), pl.col("id"))
            .join(baseline, on=["rater", "owner"])
            .with_columns((pl.col("given") - pl.col("base")).alias("excess"))
        )
        back = given.select(
            pl.col("rater").alias("owner"),
            pl.col("owner").alias("rater"),
            key,
            pl.col("excess").alias("excess_back"),
            pl.col("id").alias("id_back"),
        )
        return (
            given.join(back, on=["rater", "owner", key])
            .filter(pl.col("rater") < pl.col("owner"))
            .with_columns(pl.min_horizontal("excess", "excess_back").alias("low"))
        )

    quarters = (
        mutual_by("quarter")
        .group_by("rater", "owner")
        .agg(
            (pl.col("low") >= params.min_excess).sum().alias("repeated"),
            (pl.col("low") >= params.persistent_excess).sum().alias("persistent"),
        )
    )
    pairs = mutual_by("period").join(quarters, on=["rater", "owner"], how="left").fill_null(0)
    order = {period.label: index for index, period in enumerate(periods)}
    rows = sorted(
        pairs.iter_rows(named=True), key=lambda r: (order[r["period"]], r["rater"], r["owner"])
    )
    for row in rows:
        low = row["low"]
        strong = low >= params.strong_excess
        repeated = row["repeated"] >= params.min_periods and low >= params.min_excess
        persistent = (
            row["persistent"] >= params.persistent_periods and low >= params.persistent_excess
        )
        if not (strong or repeated or persistent):
            continue
        label = row["period"]
        together = max(row["persistent"], 1)
        people = (row["rater"], row["owner"])
        found.alerts.append(
            Alert(
                NAME,
                people,
                records("peer_ratings", list(row["id"]) + list(row["id_back"])),
                label,
                min(1.0, params.mutual_score + (low - params.min_excess) * 0.2),
                f"{people[0]} and {people[1]} rated each other in {label}, each "
                f"{low:.1f} points or more above what other colleagues give "
                f"(in {together} periods together).",
                f"{people[0]} 与 {people[1]} 在 {label} 互相评分，各比其他同事给出的分数高 "
                f"{low:.1f} 分以上（共 {together} 个周期互评）。",
                "mutual",
            )
        )


def _proxy(data: Records, periods: Sequence[ScanPeriod], params: Params, found: Found) -> None:
    surveys = data["surveys"].drop_nulls(["owner", "customer"])
    if surveys.height == 0:
        return
    # the rated person's own email or phone, read as the shell-customer test reads them
    people = data["people"]
    staff = pl.concat(
        [
            contact_keys(people, "code", "email", "email"),
            contact_keys(people, "code", "phone", "phone"),
        ]
    ).drop_nulls()
    staff = staff.unique().filter(pl.col("code").n_unique().over("key") < params.common_people)
    if staff.height == 0:
        return
    customers = data["customers"].rename({"id": "customer"})
    contacts = pl.concat(
        [
            contact_keys(data["contacts"], "customer", "email", "email"),
            contact_keys(data["contacts"], "customer", "phone", "phone"),
            contact_keys(customers, "customer", "email", "email"),
            contact_keys(customers, "customer", "phone", "phone"),
        ]
    ).drop_nulls()
    hits = (
        surveys.join(contacts, on="customer")
        .join(staff, on="key")
        .filter(pl.col("code") == pl.col("owner"))
        .unique("id")
    )
    for row in hits.iter_rows(named=True):
        label = _label(row["date"], periods)
        if label is None:
            continue
        found.alerts.append(
            Alert(
                NAME,
                (row["owner"],),
                records("surveys", [row["id"]]) + records("customers", [row["customer"]]),
                label,
                params.proxy_score,
                f"Survey {row['id']} rating {row['owner']} comes from customer "
                f"{row['customer']}, whose contact email or phone ({row['key']}) is "
                f"{row['owner']}'s own.",
                f"给 {row['owner']} 的满意度调查 {row['id']} 来自客户 {row['customer']}，"
                f"而该客户的联系邮箱或电话（{row['key']}）正是 {row['owner']} 本人的。",
                "proxy",
            )
        )
