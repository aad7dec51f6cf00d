"""Plan effectiveness: does a plan pay for performance, and at what cost?

Pure Polars + the standard library, like the rest of the engine. The apps read stored
results into frames and call these functions; nothing here knows where the numbers come
from. Ratios are floats (figures to look at, not money); money totals stay exact in the
apps, which only pass floats here to rank and share. See docs/effectiveness.md.

Frames:

- ``people``: one row per person and group (plan or unit): ``group`` (str), ``person``
  (str), ``attainment`` (float, 1.0 = 100%; null when there is no target), ``payout``
  (float), and for fairness ``potential`` (float or null);
- ``components``: ``plan``, ``component``, ``amount`` (float), and optionally ``maximum``
  (float or null: the most the component can pay, when its plan says so);
- ``costs``: ``period``, ``payout``, ``revenue``;
- ``payouts`` (what-if): ``person``, ``period``, ``side`` (``in_force`` or ``draft``),
  ``payout``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

# The share of people at or above 100% a healthy plan shows (a common rule of thumb of
# sales compensation practice: most people should be able to make their number, not
# everyone). Below the band the targets were too hard or the plan did not motivate;
# above it they were too easy.
HEALTHY_BAND = (0.5, 0.7)
# The attainment histogram's bucket edges (1.0 = 100%); the last bucket is open.
EDGES = (0.0, 0.5, 0.8, 1.0, 1.2, 1.5)
# A component "pays almost everyone the maximum" when at least this share is paid within
# MAX_TOLERANCE of its maximum; "almost nobody anything" when at most NOBODY_SHARE is paid.
EVERYONE_SHARE = 0.8
NOBODY_SHARE = 0.1
MAX_TOLERANCE = 0.001
# Fewer people than this and a statistic is not shown (it would mean nothing).
MIN_PEOPLE = 5
# Spearman's rank correlation above which attainment follows potential (quotas that
# did not reflect the territory), and below which pay does not follow attainment.
FOLLOWS = 0.4
PAY_FOLLOWS = 0.5
MONEY = pl.Decimal(38, 2)  # payouts are exact to the cent; sums of them too

LOW, HEALTHY, HIGH = "low", "healthy", "high"
EVERYONE_MAX, NOBODY_PAID = "everyone_max", "nobody_paid"


def bucket_labels(edges: Sequence[float] = EDGES) -> list[str]:
    """``< 50%``, ``50–80%`` … ``≥ 150%`` for the buckets of :func:`distribution`."""

    def pct(value: float) -> str:
        return f"{round(value * 100):d}%"

    labels = [f"< {pct(edges[1])}"]
    labels += [f"{pct(a)}–{pct(b)}" for a, b in itertools.pairwise(edges[1:])]
    labels.append(f"≥ {pct(edges[-1])}")
    return labels


def band_of(share: float | None, band: tuple[float, float] = HEALTHY_BAND) -> str | None:
    if share is None:
        return None
    if share < band[0]:
        return LOW
    return HIGH if share > band[1] else HEALTHY


@dataclass(frozen=True)
class Distribution:
    group: str
    people: int
    counts: list[int]  # per bucket of EDGES
    at_or_above: int
    share: float | None  # at or above 100%
    band: str | None  # LOW, HEALTHY, HIGH; None with fewer than MIN_PEOPLE
    median: float | None


def distribution(people: pl.DataFrame, edges: Sequence[float] = EDGES) -> list[Distribution]:
    """Per group: how many people fall in each attainment bucket, the share at or above
    100% and where it sits against :data:`HEALTHY_BAND` (people without an attainment
    are left out)."""
    frame = people.filter(pl.col("attainment").is_not_null())
    if frame.height == 0:
        return []
    inner = list(edges[1:])
    # the bucket: how many inner edges lie at or below the attainment (closed left)
    index = pl.sum_horizontal([(pl.col("attainment") >= edge).cast(pl.Int32) for edge in inner])
    grouped = (
        frame.with_columns(index.alias("bucket"))
        .group_by("group")
        .agg(
            pl.len().alias("people"),
            (pl.col("attainment") >= 1.0).sum().alias("at_or_above"),
            pl.col("attainment").median().alias("median"),
            pl.col("bucket"),
        )
        .sort("group")
    )
    found = []
    for row in grouped.iter_rows(named=True):
        counts = [0] * (len(inner) + 1)
        for bucket in row["bucket"]:
            counts[bucket] += 1
        share = row["at_or_above"] / row["people"] if row["people"] else None
        found.append(
            Distribution(
                row["group"],
                row["people"],
                counts,
                row["at_or_above"],
                share,
                band_of(share) if row["people"] >= MIN_PEOPLE else None,
                row["median"],
            )
        )
    return found


@dataclass(frozen=True)
class PayForPerformance:
    people: int
    total: Decimal  # money: the payouts to the cent, summed exactly
    top_share: float | None  # of the pay, to the top fifth by attainment
    bottom_share: float | None  # to the bottom fifth
    correlation: float | None  # Spearman's rank correlation, attainment × payout
    follows: bool | None  # pay follows attainment (None: too few people)


def pay_for_performance(people: pl.DataFrame) -> PayForPerformance:
    """How pay is spread over attainment: the share of all pay that went to the top and
    to the bottom fifth of people ranked by attainment, and the rank correlation."""
    frame = people.filter(pl.col("attainment").is_not_null()).select("attainment", "payout")
    n = frame.height

    def paid(rows: pl.DataFrame) -> Decimal:  # payouts are cents: summed exactly
        found = rows["payout"].cast(MONEY).sum()
        return Decimal(0) if found is None else Decimal(found)

    total = paid(frame)
    if n < MIN_PEOPLE:
        return PayForPerformance(n, total, None, None, None, None)
    ranked = frame.sort("attainment", descending=True).with_row_index("rank")
    fifth = max(1, n // 5)
    top = paid(ranked.filter(pl.col("rank") < fifth))
    bottom = paid(ranked.filter(pl.col("rank") >= n - fifth))
    correlation = _spearman(frame, "attainment", "payout")
    return PayForPerformance(
        n,
        total,
        float(top / total) if total else None,
        float(bottom / total) if total else None,
        correlation,
        None if correlation is None else correlation >= PAY_FOLLOWS,
    )


def _spearman(frame: pl.DataFrame, x: str, y: str) -> float | None:
    """Spearman's rho, None when either side does not vary."""
    pair = frame.select(x, y).drop_nulls()
    if pair.height < MIN_PEOPLE or pair[x].n_unique() < 2 or pair[y].n_unique() < 2:
        return None
    value = pair.select(pl.corr(x, y, method="spearman")).item()
    return None if value is None else round(float(value), 4)


@dataclass(frozen=True)
class CostOfSales:
    period: str
    payout: Decimal | float  # Decimal (exact money) when the frame's columns are decimals
    revenue: Decimal | float
    ratio: Decimal | float | None


def cost_of_sales(costs: pl.DataFrame) -> list[CostOfSales]:
    """Payout ÷ revenue per period, in the order the periods sort in (exact with decimal
    ``payout`` and ``revenue`` columns, as the app gives them)."""
    grouped = (
        costs.group_by("period").agg(pl.col("payout").sum(), pl.col("revenue").sum()).sort("period")
    )
    return [
        CostOfSales(p, pay, revenue, pay / revenue if revenue else None)
        for p, pay, revenue in grouped.select("period", "payout", "revenue").iter_rows()
    ]


@dataclass(frozen=True)
class ComponentFinding:
    plan: str
    component: str
    rows: int  # people × periods the component was calculated for
    paid_share: float  # share paid anything
    max_share: float  # share paid (within tolerance) its maximum
    maximum: float
    declared: bool  # the maximum is the plan's (cap, top level), not the largest paid
    flag: str | None  # EVERYONE_MAX, NOBODY_PAID or None


def component_findings(components: pl.DataFrame) -> list[ComponentFinding]:
    """For every component: how many were paid at all, and how many were paid its
    maximum (the plan's cap or top level where it has one, else the largest amount
    paid); flagged when almost everyone gets the maximum or almost nobody anything."""
    if components.height == 0:
        return []
    frame = components
    if "maximum" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias("maximum"))
    grouped = (
        frame.group_by("plan", "component")
        .agg(
            pl.len().alias("rows"),
            (pl.col("amount") > 0).mean().alias("paid_share"),
            pl.col("amount").max().alias("largest"),
            pl.col("maximum").max().alias("declared"),
            pl.col("amount"),
        )
        .sort("plan", "component")
    )
    found = []
    for row in grouped.iter_rows(named=True):
        declared = row["declared"] is not None and row["declared"] > 0
        maximum = float(row["declared"] if declared else row["largest"] or 0.0)
        at_max = 0
        if maximum > 0:
            at_max = sum(1 for a in row["amount"] if a >= maximum * (1 - MAX_TOLERANCE))
        max_share = at_max / row["rows"]
        paid_share = float(row["paid_share"] or 0.0)
        flag = None
        if row["rows"] >= MIN_PEOPLE:
            if paid_share <= NOBODY_SHARE:
                flag = NOBODY_PAID
            elif max_share >= EVERYONE_SHARE:
                flag = EVERYONE_MAX
        found.append(
            ComponentFinding(
                row["plan"],
                row["component"],
                row["rows"],
                paid_share,
                max_share,
                maximum,
                declared,
                flag,
            )
        )
    return found


@dataclass(frozen=True)
class Fairness:
    people: int  # people with both an attainment and a potential
    without_potential: int
    correlation: float | None  # Spearman, potential × attainment
    by_fifth: list[tuple[int, float | None]]  # (people, median attainment), low → high
    follows: bool | None  # attainment follows potential: quotas ignored it


def fairness(people: pl.DataFrame) -> Fairness:
    """Quota fairness after the fact: does attainment follow the market potential of a
    person's territory? If it does, the quotas did not reflect it (those with rich
    territories over-attain). Only people with a potential count."""
    frame = people.filter(pl.col("attainment").is_not_null())
    known = frame.filter(pl.col("potential").is_not_null() & (pl.col("potential") > 0))
    missing = frame.height - known.height
    if known.height < MIN_PEOPLE:
        return Fairness(known.height, missing, None, [], None)
    correlation = _spearman(known, "potential", "attainment")
    n = known.height
    ranked = known.sort("potential").with_row_index("rank")
    fifths = (
        ranked.with_columns((pl.col("rank") * 5 // n).alias("fifth"))
        .group_by("fifth")
        .agg(pl.len().alias("people"), pl.col("attainment").median().alias("median"))
        .sort("fifth")
    )
    return Fairness(
        n,
        missing,
        correlation,
        [(p, m) for p, m in fifths.select("people", "median").iter_rows()],
        None if correlation is None else correlation >= FOLLOWS,
    )


# -- what-if -----------------------------------------------------------------------------
IN_FORCE, DRAFT = "in_force", "draft"


@dataclass(frozen=True)
class Comparison:
    people: pl.DataFrame  # person, in_force, draft, change (largest change first)
    periods: pl.DataFrame  # period, in_force, draft, change
    in_force: Decimal
    draft: Decimal

    @property
    def change(self) -> Decimal:
        return self.draft - self.in_force


def compare(payouts: pl.DataFrame) -> Comparison:
    """What the plan in force paid and what the draft would have paid, per person and
    per period, exact to the cent; a person paid by one side only counts zero on the
    other."""
    frame = payouts.select(
        pl.col("person").cast(pl.String),
        pl.col("period").cast(pl.String),
        pl.col("side").cast(pl.String),
        pl.col("payout").cast(MONEY),
    )
    zero = pl.lit(Decimal(0), dtype=MONEY)

    def sides(by: str) -> pl.DataFrame:
        summed = frame.group_by(by, "side").agg(pl.col("payout").sum())
        wide = summed.pivot(on="side", index=by, values="payout")
        for side in (IN_FORCE, DRAFT):
            if side not in wide.columns:
                wide = wide.with_columns(zero.alias(side))
        return wide.select(
            by,
            pl.col(IN_FORCE).cast(MONEY).fill_null(zero),
            pl.col(DRAFT).cast(MONEY).fill_null(zero),
        ).with_columns((pl.col(DRAFT) - pl.col(IN_FORCE)).cast(MONEY).alias("change"))

    if frame.height == 0:
        empty = {IN_FORCE: MONEY, DRAFT: MONEY, "change": MONEY}
        return Comparison(
            pl.DataFrame(schema={"person": pl.String, **empty}),
            pl.DataFrame(schema={"period": pl.String, **empty}),
            Decimal(0),
            Decimal(0),
        )
    people = sides("person").sort(
        [pl.col("change").abs(), pl.col("person")], descending=[True, False]
    )
    periods = sides("period").sort("period")
    return Comparison(
        people, periods, Decimal(people[IN_FORCE].sum() or 0), Decimal(people[DRAFT].sum() or 0)
    )
