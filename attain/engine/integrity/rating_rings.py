"""Rating rings (互评刷分): colleagues who rate each other up, or a person who rates
themself through a proxy.

- *mutual high ratings*: a and b rate each other in the period, each score at least
  ``min_excess`` above what the other raters give the same person, in more quarters
  and higher than how the two rate everybody else makes likely by chance
  (:func:`_mutual`);
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
    min_excess: float = 0.25
    # the chance, over every pair who rated each other, of taking an honest pair for a
    # ring (:func:`_mutual`)
    max_chance: float = 0.05
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
    """Pairs who rated each other above what the other raters give the same person
    (over the whole history), more often and higher than the two raters' own habits
    make likely by chance.

    - An *exchange*: a and b rated each other in a quarter (or a scan period), the
      pair's highest rating each way compared with the others' baseline; it is
      *inflated* when both are at least ``min_excess`` above it. The pair's own
      ratings of other periods do not dilute it (colleagues who rated each other
      honestly last year and inflate each other now are a ring now).
    - Its *chance*: for each of the two, the share of their highest ratings in a
      quarter of other people that are as high (one more of each counted, so a rater
      with few ratings is never certain), multiplied. Raters who give everybody top
      marks, or whose ratings are noisy, exchange high ratings by chance.
    - A pair is a ring when the product of the chances of its inflated quarters is at
      most ``max_chance`` divided by the number of pairs who ever rated each other
      (so a company with many pairs does not accuse some honest pair by chance); each
      scan period in which it exchanged inflated ratings is an alert.
    """
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
    habits = highest.select("rater", pl.col("owner").alias("other"), pl.col("score").alias("h"))
    in_scan = pl.lit(None, dtype=pl.String)
    for period in reversed(periods):
        in_scan = (
            pl.when(pl.col("date").is_between(period.start, period.end))
            .then(pl.lit(period.label))
            .otherwise(in_scan)
        )
    keyed = ratings.with_columns(quarter.alias("quarter"), in_scan.alias("period"))

    def exchanges(key: str) -> pl.DataFrame:
        """(rater < owner, key) where both rated each other: the lower excess and the
        chance of the exchange."""
        given = (
            keyed.drop_nulls(key)
            .group_by("rater", "owner", key)
            .agg(pl.col("score").max().alias("given"), pl.col("id"))
            .join(baseline, on=["rater", "owner"])
            .with_columns((pl.col("given") - pl.col("base")).alias("excess"))
        )
        shares = (
            given.select("rater", "owner", "given")
            .unique()
            .join(habits, on="rater")
            .filter(pl.col("other") != pl.col("owner"))
            .group_by("rater", "owner", "given")
            .agg((pl.col("h") >= pl.col("given")).sum().alias("k"), pl.len().alias("n"))
            .select("rater", "owner", "given", ((pl.col("k") + 1) / (pl.col("n") + 1)).alias("q"))
        )
        given = given.join(shares, on=["rater", "owner", "given"], how="left").with_columns(
            pl.col("q").fill_null(1.0)
        )
        back = given.select(
            pl.col("rater").alias("owner"),
            pl.col("owner").alias("rater"),
            key,
            pl.col("excess").alias("excess_back"),
            pl.col("id").alias("id_back"),
            pl.col("q").alias("q_back"),
        )
        return (
            given.join(back, on=["rater", "owner", key])
            .filter(pl.col("rater") < pl.col("owner"))
            .with_columns(
                pl.min_horizontal("excess", "excess_back").alias("low"),
                (pl.col("q") * pl.col("q_back")).alias("chance"),
            )
        )

    inflated = exchanges("quarter").filter(pl.col("low") >= params.min_excess)
    limit = params.max_chance / max(1, inflated.select("rater", "owner").unique().height)
    evidence = (
        inflated.group_by("rater", "owner")
        .agg(pl.col("chance").product().alias("odds"), pl.len().alias("together"))
        .filter(pl.col("odds") <= limit)
    )
    pairs = (
        exchanges("period")
        .filter(pl.col("low") >= params.min_excess)
        .join(evidence, on=["rater", "owner"])
    )
    order = {period.label: index for index, period in enumerate(periods)}
    rows = sorted(
        pairs.iter_rows(named=True), key=lambda r: (order[r["period"]], r["rater"], r["owner"])
    )
    for row in rows:
        low = row["low"]
        label = row["period"]
        together = row["together"]
        odds = f"{round(1 / row['odds']):,}" if row["odds"] > 0 else "∞"
        people = (row["rater"], row["owner"])
        found.alerts.append(
            Alert(
                NAME,
                people,
                records("peer_ratings", list(row["id"]) + list(row["id_back"])),
                label,
                min(1.0, params.mutual_score + (low - params.min_excess) * 0.2),
                f"{people[0]} and {people[1]} rated each other in {label}, each "
                f"{low:.1f} points or more above what other colleagues give (in "
                f"{together} periods together; by how each rates other colleagues, "
                f"about 1 chance in {odds}).",
                f"{people[0]} 与 {people[1]} 在 {label} 互相评分，各比其他同事给出的分数高 "
                f"{low:.1f} 分以上（共 {together} 个周期互评；按二人给其他同事的评分习惯，"
                f"偶然如此的机会约为 {odds} 分之一）。",
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
