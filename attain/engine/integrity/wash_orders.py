"""Wash orders (刷单): orders booked before a period's end and cancelled or returned
soon after it.

For each person and period, the orders dated in the period whose cancellation or
return falls in the ``window_days`` after the period's end are counted ("straddling"
orders). The expected count is the person's order count times a base rate: the larger
of the peers' rate in the same period (the peers being those not found themselves:
two washers in one period do not hide each other) and that rate scaled by the person's own
cancellation rate in other periods against the company's (so a rep whose customers
return a lot is compared with themself), that own rate shrunk towards the company's as
if the person had ``prior_orders`` more orders at the company's rate (a few returns in
a short history are noise). A Poisson tail below ``alpha`` raises an alert.

The same test runs for the month ends inside the period (*after_month*: a monthly
payout closes before the quarter's end): orders cancelled or returned within
``window_days`` after the end of the month they were booked in, and before the period's
end, against the peers' rate of the same.

An order undone by a reversal (红字冲销: a negative order of the same owner, customer
and amount, as many ERPs record returns) counts as returned on the reversal's date.

Blind spots: a wash whose cancellation waits longer than ``window_days`` (or until after
the payout, if that is later), and a company where almost nobody cancels (one
cancellation is never enough: ``min_orders``).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from .common import Alert, Found, Records, ScanPeriod, few_orders, poisson_tail, records, score_of

NAME = "wash_orders"
UNDONE = ("cancelled", "returned")


@dataclass(frozen=True)
class Params:
    window_days: int = 30  # after the period's end
    min_orders: int = 2  # straddling orders needed before anything is said
    min_person_orders: int = 5  # orders in the period for a person to be tested
    floor_rate: float = 0.01  # the base rate never falls below this
    alpha: float = 0.001
    # The person's own cancellation rate is shrunk towards the company's as if they had
    # this many more orders at the company's rate: two returns in 25 orders is noise.
    prior_orders: int = 50


def _reversed(orders: pl.DataFrame) -> pl.DataFrame:
    """Orders undone by a reversal (红字冲销: an order of the same owner, customer and
    amount, negative, dated on or after it) are returned on the reversal's date; the
    reversals themselves are no orders (their ids in ``reversal``, so an alert names
    them too). Each reversal undoes the latest such order not undone yet."""
    negative = orders.filter(pl.col("amount") < 0)
    if negative.height == 0:
        return orders
    cents = (pl.col("amount").abs() * 100).round(0).cast(pl.Int64)
    candidates: dict[tuple[object, object, int], list[tuple[datetime.date, str]]] = {}
    standing = orders.filter(
        (pl.col("amount") > 0)
        & pl.col("date").is_not_null()
        & (pl.col("status").is_null() | ~pl.col("status").is_in(UNDONE))
    )
    for owner, customer, amount, day, order in standing.select(
        "owner", "customer", cents.alias("cents"), "date", "id"
    ).iter_rows():
        candidates.setdefault((owner, customer, amount), []).append((day, order))
    undone_on: dict[str, datetime.date] = {}
    reversal_of: dict[str, str] = {}
    for owner, customer, amount, day, reversal in (
        negative.drop_nulls(["date"])
        .sort("date")
        .select("owner", "customer", cents.alias("cents"), "date", "id")
        .iter_rows()
    ):
        earlier = [
            (d, i)
            for d, i in candidates.get((owner, customer, amount), [])
            if d <= day and i not in undone_on
        ]
        if earlier:
            booked = max(earlier)[1]
            undone_on[booked] = day
            reversal_of[booked] = str(reversal)
    if not undone_on:
        return orders.filter(pl.col("amount").is_null() | (pl.col("amount") >= 0))
    reversed_on = pl.DataFrame(
        {
            "id": list(undone_on),
            "reversed_on": list(undone_on.values()),
            "reversal": [reversal_of[i] for i in undone_on],
        },
        schema={"id": pl.String, "reversed_on": pl.Date, "reversal": pl.String},
    )
    return (
        orders.filter(pl.col("amount").is_null() | (pl.col("amount") >= 0))
        .join(reversed_on, on="id", how="left")
        .with_columns(
            pl.when(pl.col("reversed_on").is_not_null())
            .then(pl.lit("returned"))
            .otherwise(pl.col("status"))
            .alias("status"),
            pl.coalesce("reversed_on", "status_changed_on").alias("status_changed_on"),
        )
        .drop("reversed_on")
    )


def detect(data: Records, periods: Sequence[ScanPeriod], params: Params = Params()) -> Found:
    found = Found()
    orders = _reversed(data["orders"].filter(pl.col("owner").is_not_null()))
    if orders.height == 0:
        return found
    if "reversal" not in orders.columns:
        orders = orders.with_columns(pl.lit(None, dtype=pl.String).alias("reversal"))
    undone = pl.col("status").is_in(UNDONE) & (
        (pl.col("status_changed_on") - pl.col("date")).dt.total_days() <= 45
    )
    orders = orders.select(
        "id", "owner", "date", "status", "status_changed_on", "reversal", undone.alias("undone")
    )
    everything = orders.group_by("owner").agg(
        pl.len().alias("all_n"), pl.col("undone").sum().alias("all_k")
    )
    for period in periods:
        window_end = period.end + datetime.timedelta(days=params.window_days)
        # the end of the order's month, when that is inside the period (a monthly payout
        # closing before the quarter's end), and how long after it a cancellation
        # straddles it (never past the period's end: that is the quarter's own test)
        month_end = pl.col("date").dt.month_end()
        month_window = pl.min_horizontal(
            month_end + pl.duration(days=params.window_days), pl.lit(period.end)
        )
        marked = orders.with_columns(
            pl.col("date").is_between(period.start, period.end).alias("inside"),
            (
                pl.col("status").is_in(UNDONE)
                & pl.col("status_changed_on").is_between(
                    period.end + datetime.timedelta(days=1), window_end
                )
            ).alias("straddle"),
            (
                pl.col("status").is_in(UNDONE)
                & (month_end < period.end)
                & (pl.col("status_changed_on") > month_end)
                & (pl.col("status_changed_on") <= month_window)
            ).alias("straddle_month"),
        )
        inside = marked.filter(pl.col("inside"))
        if inside.height == 0:
            continue
        # The person's own history: the orders of other periods, and how many of them
        # were undone within 45 days (everything minus this period).
        here = inside.group_by("owner").agg(
            pl.len().alias("p_n"), pl.col("undone").sum().alias("p_k")
        )
        own = (
            everything.join(here, on="owner", how="left")
            .fill_null(0)
            .select(
                "owner",
                (pl.col("all_n") - pl.col("p_n")).alias("h_n"),
                (pl.col("all_k") - pl.col("p_k")).alias("h_k"),
            )
        )
        all_h_n, all_h_k = int(own["h_n"].sum()), int(own["h_k"].sum())
        company_undo = all_h_k / all_h_n if all_h_n else 0.0
        for flag, pattern in (("straddle", "after_period"), ("straddle_month", "after_month")):
            _test(inside, own, company_undo, period, params, flag, pattern, found)
    return found


def _test(
    inside: pl.DataFrame,
    own: pl.DataFrame,
    company_undo: float,
    period: ScanPeriod,
    params: Params,
    flag: str,
    pattern: str,
    found: Found,
) -> None:
    """Each person's orders of the period marked ``flag`` against the peers' rate. The
    peers are the people not found themselves: a rep who washed many orders does not
    raise the rate another washer in the same period is compared with (the test is run
    again without those found until no one more is)."""
    per_person = inside.group_by("owner").agg(pl.len().alias("n"), pl.col(flag).sum().alias("k"))
    table = per_person.join(own, on="owner", how="left").fill_null(0)
    counts = {str(r["owner"]): (int(r["n"]), int(r["k"])) for r in table.iter_rows(named=True)}
    total_n = sum(n for n, _k in counts.values())
    total_k = sum(k for _n, k in counts.values())
    tested: dict[str, tuple[float, float]] = {}  # person → (p, rate), the lowest p
    found_now: set[str] = set()
    while True:
        out_n = sum(counts[who][0] for who in found_now)
        out_k = sum(counts[who][1] for who in found_now)
        for row in table.iter_rows(named=True):
            person, n, k = row["owner"], int(row["n"]), int(row["k"])
            if n < params.min_person_orders:
                note = few_orders(NAME, period.label, person, n)
                if k and note not in found.notes:  # one note, whichever pattern saw it
                    found.notes.append(note)
                continue
            if k < params.min_orders:
                continue
            mine = person in found_now  # never taken out of their own peers twice
            peers_n = total_n - n - out_n + (n if mine else 0)
            peers_k = total_k - k - out_k + (k if mine else 0)
            peer_rate = peers_k / peers_n if peers_n > 0 else 0.0
            # The person's own propensity to cancel, relative to the company's, applied
            # to the peers' straddling rate (a rep whose customers return a lot).
            own_rate = (
                peer_rate
                * (row["h_k"] + params.prior_orders * company_undo)
                / (row["h_n"] + params.prior_orders)
                / company_undo
                if company_undo > 0
                else 0.0
            )
            rate = max(peer_rate, own_rate, params.floor_rate)
            p = poisson_tail(k, rate * n)
            if person not in tested or p < tested[person][0]:  # the strongest reading
                tested[person] = (p, rate)
        more = {who for who, (p, _rate) in tested.items() if p < params.alpha}
        if more <= found_now:
            break
        found_now |= more
    for row in table.iter_rows(named=True):
        person, n, k = row["owner"], int(row["n"]), int(row["k"])
        if person not in found_now:
            continue
        p, rate = tested[person]
        washed = inside.filter((pl.col("owner") == person) & pl.col(flag))
        # the reversals too: stopping the booked orders counting must stop them
        ids = [*washed["id"], *washed["reversal"].drop_nulls()]
        if pattern == "after_period":
            en = (
                f"{k} of {n} orders booked in {period.label} were cancelled, returned or "
                f"reversed within {params.window_days} days after its end"
            )
            zh = (
                f"{period.label} 的 {n} 笔订单中有 {k} 笔在期末后 {params.window_days} 天内"
                "被取消、退货或红字冲销"
            )
        else:
            en = (
                f"{k} of {n} orders booked in {period.label} were cancelled, returned or "
                f"reversed within {params.window_days} days after the end of the month they "
                "were booked in (once a monthly payout had closed)"
            )
            zh = (
                f"{period.label} 的 {n} 笔订单中有 {k} 笔在下单当月结束后 "
                f"{params.window_days} 天内被取消、退货或红字冲销（月度结算之后）"
            )
        found.alerts.append(
            Alert(
                NAME,
                (person,),
                records("orders", ids),
                period.label,
                score_of(p),
                f"{en}; about {rate * n:.1f} expected from peers and own history.",
                f"{zh}；按同事和本人历史预计约 {rate * n:.1f} 笔。",
                pattern,
            )
        )
