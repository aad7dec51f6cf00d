"""Shell customers (虚报客户): customers invented to carry orders.

Three tests:

- *shared identity*: a customer whose phone, email or credit code (its own or a
  contact's) is a salesperson's, or is shared with another customer of the same owner
  (duplicates between different owners are the duplicate review's job, not fraud); a
  detail shared by the customers of ``common_owners`` owners (a switchboard, a
  reseller's line) or by as many people, and placeholders (0000000, "n/a", "无"), are
  no identity;
- *no trace*: a customer with confirmed orders older than ``grace_days`` but no contact,
  no activity and no payment at all (not tested when most customers have none: the
  company keeps those records elsewhere);
- *burst*: a person's new customers with exactly one order, created (or first ordered,
  when that is earlier) in the period, far above both their peers' average and their
  own usual count (their new customers that still had one order when the period
  began, over up to ``history_periods`` periods before it) (a "new customers" target
  gamed); a person with less than ``min_history_days`` of orders before the period (a
  new rep's first customers) is not tested ("not enough data").

Blind spots: shells with invented but distinct contact details and a paid order (the
rep pays themself); a burst spread over several periods; a burst in a new rep's first
months (no history yet); a rep whose usual count is already high.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from .common import (
    Alert,
    Found,
    Records,
    ScanPeriod,
    contact_keys,
    not_enough,
    period_of,
    poisson_tail,
    records,
    score_of,
)

NAME = "shell_customers"
_FIRST = datetime.date.min


@dataclass(frozen=True)
class Params:
    grace_days: int = 60  # an order this old should have left a trace
    min_burst: int = 4  # one-order new customers in a period before a burst is possible
    # A burst is also compared with the rep's own usual count over up to this many
    # periods before; a rep with less than ``min_history_days`` of history before the
    # period (since they joined, by their first assignment, else their first order:
    # a new rep's first book) is not tested: a "not enough data" note.
    history_periods: int = 4
    min_history_days: int = 60
    alpha: float = 0.001
    identity_score: float = 0.9
    no_trace_score: float = 0.7
    # When most customers with old orders have no trace (at least ``min_untraced``
    # of them), the company does not keep contacts, activities or payments here: the
    # no-trace test says nothing and notes "not enough data" instead.
    max_untraced_share: float = 0.5
    # A contact detail shared by the customers of this many owners (or by this many
    # people) is a switchboard, a reseller's line or a placeholder: nobody's identity.
    common_owners: int = 3
    min_untraced: int = 10


def detect(
    data: Records,
    periods: Sequence[ScanPeriod],
    params: Params = Params(),
    as_of: datetime.date | None = None,
) -> Found:
    found = Found()
    customers = data["customers"]
    if customers.height == 0 or not periods:
        return found
    orders = data["orders"]
    first_order = orders.group_by("customer").agg(
        pl.col("date").min().alias("first"),
        pl.len().alias("orders"),
        # the day of its second order: a one-order customer until then (the burst's
        # history)
        pl.col("date").sort(nulls_last=True).slice(1, 1).first().alias("second"),
    )
    when = (
        customers.select("id", "owner", "created")
        .join(first_order.rename({"customer": "id"}), on="id", how="left")
        .with_columns(pl.coalesce("first", "created").alias("on"))
    )
    placed = {
        str(row["id"]): (row["owner"], row["on"], row["orders"])
        for row in when.iter_rows(named=True)
    }
    _identity(data, periods, params, placed, found)
    _no_trace(data, periods, params, placed, found, as_of)
    _burst(data, periods, params, when, found)
    return found


def _identity(
    data: Records,
    periods: Sequence[ScanPeriod],
    params: Params,
    placed: dict[str, tuple[str | None, datetime.date | None, int | None]],
    found: Found,
) -> None:
    customers, contacts = data["customers"], data["contacts"]
    customers = customers.rename({"id": "customer"})
    keys = pl.concat(
        [
            contact_keys(customers, "customer", "phone", "phone"),
            contact_keys(customers, "customer", "email", "email"),
            contact_keys(customers, "customer", "credit_code", "code"),
            contact_keys(contacts, "customer", "phone", "phone"),
            contact_keys(contacts, "customer", "email", "email"),
        ]
    ).drop_nulls()
    salespeople = data["people"]
    staff = (
        pl.concat(
            [
                contact_keys(salespeople, "code", "email", "email"),
                contact_keys(salespeople, "code", "phone", "phone"),
            ]
        )
        .drop_nulls()
        .unique()
    )
    # A detail several people share (an office line) is nobody's own.
    staff = staff.filter(pl.col("code").n_unique().over("key") < params.common_owners)
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)  # (owner, key) → customers
    evidence: dict[tuple[str, str], str] = {}
    staff_hits = keys.join(staff, on="key", how="inner")
    for customer, key, code in staff_hits.iter_rows():
        owner = placed.get(customer, (None, None, None))[0] or code
        groups[(owner, "staff:" + code)].add(customer)
        evidence[(owner, "staff:" + code)] = key
    shared = (
        keys.unique()
        .group_by("key")
        .agg(pl.col("customer").unique().alias("customers"))
        .filter(pl.col("customers").list.len() >= 2)
    )
    for key, members in shared.iter_rows():
        by_owner: dict[str, set[str]] = defaultdict(set)
        for customer in members:
            owner = placed.get(customer, (None, None, None))[0]
            if owner:
                by_owner[owner].add(customer)
        if len(by_owner) >= params.common_owners:
            continue  # a switchboard, a reseller's line or a placeholder, not an identity
        for owner, same in by_owner.items():
            if len(same) >= 2 and any((placed[c][2] or 0) > 0 for c in same):
                groups[(owner, "shared:" + key)] |= same
                evidence[(owner, "shared:" + key)] = key
    # One alert per owner and period.
    merged: dict[tuple[str, str], tuple[set[str], set[str], set[str]]] = {}
    for (owner, what), members in groups.items():
        days = [d for c in members if (d := placed.get(c, (None, None, None))[1]) is not None]
        period = period_of(max(days), periods) if days else None
        if period is None:
            continue
        people = {owner}
        if what.startswith("staff:"):
            people.add(what[6:])
        slot = merged.setdefault((owner, period.label), (set(), set(), set()))
        slot[0].update(members)
        slot[1].update(people)
        slot[2].add(evidence[(owner, what)])
    for (_owner, label), (members, people, keys_seen) in sorted(merged.items()):
        shown = ", ".join(sorted(keys_seen)[:3])
        customer_orders = data["orders"].filter(pl.col("customer").is_in(sorted(members)))["id"]
        found.alerts.append(
            Alert(
                NAME,
                tuple(sorted(people)),
                records("customers", members) + records("orders", customer_orders),
                label,
                params.identity_score,
                (
                    f"{len(members)} customers share contact details with a salesperson or "
                    f"with each other under one owner ({shown})."
                    if len(members) > 1
                    else f"1 customer shares contact details with a salesperson ({shown})."
                ),
                (
                    f"{len(members)} 个客户的联系方式与销售人员相同，"
                    f"或同一负责人名下的客户之间互相相同（{shown}）。"
                    if len(members) > 1
                    else f"1 个客户的联系方式与销售人员相同（{shown}）。"
                ),
                "identity",
            )
        )


def _no_trace(
    data: Records,
    periods: Sequence[ScanPeriod],
    params: Params,
    placed: dict[str, tuple[str | None, datetime.date | None, int | None]],
    found: Found,
    as_of: datetime.date | None,
) -> None:
    orders = data["orders"].filter(pl.col("status") == "confirmed")
    if orders.height == 0:
        return
    today = as_of or orders["date"].max()
    assert isinstance(today, datetime.date)
    if (today - _FIRST).days < params.grace_days:
        return  # no order can be that old yet (the first days there are)
    cutoff = today - datetime.timedelta(days=params.grace_days)
    traced = pl.concat(
        [
            data["contacts"].select("customer"),
            data["activities"].select("customer"),
            data["payments"].select("customer"),
        ]
    ).drop_nulls()
    paid_orders = data["payments"].select(pl.col("order").alias("id")).drop_nulls()
    candidates = (
        orders.filter(pl.col("date") <= cutoff)
        .join(traced, on="customer", how="anti")
        .join(paid_orders, on="id", how="anti")
    )
    grouped: dict[tuple[str, str], set[str]] = defaultdict(set)
    for customer in candidates["customer"].drop_nulls().unique().to_list():
        owner, day, _n = placed.get(customer, (None, None, None))
        period = period_of(day, periods) if day else None
        if owner and period:
            grouped[(owner, period.label)].add(customer)
    untraced = candidates["customer"].drop_nulls().n_unique()
    aged = orders.filter(pl.col("date") <= cutoff)["customer"].drop_nulls().n_unique()
    if untraced >= params.min_untraced and untraced > params.max_untraced_share * aged:
        for owner, label in sorted(grouped):
            found.notes.append(
                not_enough(
                    NAME,
                    label,
                    owner,
                    f"{untraced} of {aged} customers with orders have no contact, activity "
                    "or payment recorded, so a customer without them is no sign of a shell",
                    f"{aged} 个有订单的客户中有 {untraced} 个没有联系人、跟进记录或回款记录，"
                    "因此缺少这些记录不能说明是虚报客户",
                )
            )
        return
    for (owner, label), members in sorted(grouped.items()):
        ids = orders.filter(pl.col("customer").is_in(sorted(members)))["id"]
        found.alerts.append(
            Alert(
                NAME,
                (owner,),
                records("customers", members) + records("orders", ids),
                label,
                params.no_trace_score,
                f"{len(members)} {'customers have' if len(members) > 1 else 'customer has'} "
                f"confirmed orders older than {params.grace_days} days but no contact, no "
                "activity and no payment.",
                f"{len(members)} 个客户有超过 {params.grace_days} 天的已确认订单，但没有联系人、"
                "没有跟进记录，也没有回款。",
                "no_trace",
            )
        )


def _burst(
    data: Records,
    periods: Sequence[ScanPeriod],
    params: Params,
    when: pl.DataFrame,
    found: Found,
) -> None:
    # A customer is new when it was created or, if earlier, first ordered: a customer
    # file imported without its creation dates says "created today" of customers that
    # ordered years ago.
    single = when.filter((pl.col("orders") == 1) & pl.col("owner").is_not_null()).with_columns(
        pl.min_horizontal("created", "first").alias("created")
    )
    # The history: every customer, new when created or first ordered, and the day of
    # its second order (a customer is a one-order customer until then).
    orders = data["orders"].filter(pl.col("date").is_not_null())
    # Whose history starts when: the day they joined (their first assignment) or,
    # where the records do not say, their first order; never before the first order
    # the records hold (the history loaded).
    hired = (
        data["assignments"]
        .filter(pl.col("person").is_not_null())
        .group_by(pl.col("person").alias("owner"))
        .agg(pl.col("valid_from").min().alias("hired"), pl.col("valid_from").null_count())
        .filter(pl.col("valid_from") == 0)  # an open start says nothing of when
        .drop("valid_from")
    )
    started_frame = (
        orders.group_by("owner")
        .agg(pl.col("date").min().alias("started"))
        .join(hired, on="owner", how="left")
        .select(
            "owner",
            pl.max_horizontal(pl.coalesce("hired", "started"), pl.lit(orders["date"].min())).alias(
                "started"
            ),
        )
    )
    history = (
        when.filter(pl.col("owner").is_not_null())
        .select("id", "owner", pl.min_horizontal("created", "first").alias("created"), "second")
        .join(started_frame, on="owner", how="inner")
    )
    started = dict(started_frame.drop_nulls().iter_rows())
    active = set(orders["owner"].drop_nulls().unique().to_list())
    for period in periods:
        new = single.filter(pl.col("created").is_between(period.start, period.end))
        counts = dict(new.group_by("owner").agg(pl.len()).iter_rows())
        if not counts:
            continue
        total = sum(counts.values())
        others = max(len(active) - 1, 1)
        longest = min(params.history_periods * period.days(), (period.start - _FIRST).days)
        earliest = period.start - datetime.timedelta(days=longest)
        usual_counts = dict(
            history.filter(
                (pl.col("created") < period.start)
                & (pl.col("created") >= pl.max_horizontal("started", pl.lit(earliest)))
                & (pl.col("second").is_null() | (pl.col("second") >= period.start))
            )
            .group_by("owner")
            .agg(pl.len())
            .iter_rows()
        )
        for owner, k in sorted(counts.items()):
            if k < params.min_burst:
                continue
            mean = max((total - k) / others, 0.5)
            # The rep's own usual count: their new customers that still had one order
            # when the period began, over the history before it (since they joined,
            # or their first order, at most ``history_periods`` periods), scaled to
            # the period.
            first_day = started.get(owner)
            days = (period.start - first_day).days if first_day else 0
            days = min(days, params.history_periods * period.days())
            if days < params.min_history_days:
                found.notes.append(
                    not_enough(
                        NAME,
                        period.label,
                        owner,
                        f"{k} new one-order customers in {period.label}, but only {max(days, 0)} "
                        "days of history before it to compare them with (a new rep's first "
                        "customers)",
                        f"{period.label} 有 {k} 个只有一笔订单的新客户，但此前只有 {max(days, 0)} "
                        "天的记录可供比较（新销售的第一批客户）",
                    )
                )
                continue
            own = usual_counts.get(owner, 0) * period.days() / days
            p = poisson_tail(int(k), max(mean, own))
            if p >= params.alpha:
                continue
            ids = new.filter(pl.col("owner") == owner)["id"]
            order_ids = data["orders"].filter(pl.col("customer").is_in(ids.to_list()))["id"]
            found.alerts.append(
                Alert(
                    NAME,
                    (owner,),
                    records("customers", ids) + records("orders", order_ids),
                    period.label,
                    score_of(p),
                    f"{k} new customers with exactly one order each were created in "
                    f"{period.label}; peers averaged {mean:.1f}, and their own usual count "
                    f"was {own:.1f}.",
                    f"{period.label} 新建了 {k} 个只有一笔订单的新客户；同事平均 {mean:.1f} 个，"
                    f"本人以往通常 {own:.1f} 个。",
                    "burst",
                )
            )
