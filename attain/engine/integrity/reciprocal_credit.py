"""Reciprocal credit (指标互刷): pairs and rings of people who credit each other in
order splits beyond what their teams' normal collaboration explains.

Per period, an edge a → b counts a's orders that credit b; teams are the units on the
period's last day (``Records.units``). Its expectation is the
smaller of a's split count spread over their teammates (``1 / (team size − 1)`` each)
or, for someone in another unit, over everybody else at the company's cross-unit split
rate; and of what the others' habit makes expected: a's orders times the rate at which
the rest of the team (without a and b; the company's teams when that rest has fewer
than ``min_team_orders`` orders: a team of two) (or the company, across units) credits
someone, spread the same way, never below ``min_mean``. An edge is
unusual when its Poisson tail is below ``edge_alpha``; people joined by unusual edges
in both directions (a pair, or a ring a → b → c → a) raise one alert when the product
of their edges' tails is below ``alpha``.

Blind spots: a one-way arrangement (a always credits b and is paid back in cash), a
ring spread thin over many periods, splits recorded outside Attain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from .common import Alert, Found, Records, ScanPeriod, poisson_tail, records, score_of

NAME = "reciprocal_credit"


@dataclass(frozen=True)
class Params:
    min_edge: int = 2  # orders on an edge before it can be unusual
    edge_alpha: float = 0.01
    alpha: float = 0.001
    min_cross_rate: float = 0.02
    min_mean: float = 0.5  # the team's splitting habit never expects less on an edge
    # The team's habit is read from the rest of the team (without the pair); a rest
    # with fewer orders than this in the period (a team of two, or of three with one
    # quiet member) gives no habit of its own: the company's teams' habit is used.
    min_team_orders: int = 20


def _components(edges: set[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected components (size ≥ 2) of a small directed graph (Tarjan)."""
    graph: dict[str, list[str]] = defaultdict(list)
    for a, b in sorted(edges):
        graph[a].append(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def detect(data: Records, periods: Sequence[ScanPeriod], params: Params = Params()) -> Found:
    found = Found()
    orders, credits = data["orders"], data["credits"]
    if orders.height == 0 or credits.height == 0:
        return found
    split = (
        credits.join(
            orders.select(pl.col("id").alias("order"), "owner", "date"), on="order", how="inner"
        )
        .filter(pl.col("person") != pl.col("owner"))
        .select("order", "owner", "person", "date")
    )
    for period in periods:
        inside = split.filter(pl.col("date").is_between(period.start, period.end))
        if inside.height == 0:
            continue
        # The teams of the period's last day (a person who moved since is judged with
        # the teammates they had then); two who shared a unit on its first day were
        # teammates too (one of them moved during the period).
        units = data.units(period.end)
        first = data.units(period.start)
        team_size: dict[str, int] = defaultdict(int)
        for unit in units.values():
            team_size[unit] += 1
        everybody = max(len(units), 2)
        counts = (
            inside.group_by("owner", "person")
            .agg(pl.len().alias("w"), pl.col("order").alias("orders"))
            .filter(pl.col("w") >= params.min_edge)
        )
        out_degree = dict(inside.group_by("owner").agg(pl.len().alias("n")).iter_rows())
        crossing = inside.with_columns(
            (
                (
                    pl.col("owner").replace_strict(units, default="")
                    != pl.col("person").replace_strict(units, default="")
                )
                & (
                    pl.col("owner").replace_strict(first, default="")
                    != pl.col("person").replace_strict(first, default="")
                )
            ).alias("cross")
        )
        cross = int(crossing["cross"].sum())
        cross_rate = max(cross / inside.height, params.min_cross_rate)
        # How much everybody splits: orders per person, credits given within the unit
        # and across units, per person and per unit (to leave a person out of their
        # own baseline).
        booked = dict(
            orders.filter(pl.col("date").is_between(period.start, period.end))
            .group_by("owner")
            .agg(pl.len())
            .iter_rows()
        )
        given = {
            (owner, bool(is_cross)): int(n)
            for owner, is_cross, n in crossing.group_by("owner", "cross").agg(pl.len()).iter_rows()
        }
        unit_orders: dict[str, int] = defaultdict(int)
        unit_given: dict[str, int] = defaultdict(int)
        for person, n in booked.items():
            unit_orders[units.get(person, "")] += int(n)
            unit_given[units.get(person, "")] += given.get((person, False), 0)
        all_orders = sum(unit_orders.values())
        unusual: dict[tuple[str, str], tuple[float, int, list[str]]] = {}
        for a, b, w, ids in counts.iter_rows():
            if w < params.min_edge:
                continue
            unit_a = units.get(a, "")
            same = unit_a != "" and unit_a == units.get(b, "")
            if not same and first.get(a, "") != "" and first.get(a) == first.get(b):
                same, unit_a = True, first[a]  # teammates until one of them moved
            n = out_degree.get(a, 0)
            if same:
                mean = n * (1 - cross_rate) / max(team_size[unit_a] - 1, 1)
            else:
                mean = n * cross_rate / max(everybody - team_size.get(unit_a, 1), 1)
            # What the others' habit of splitting makes expected of a's orders: a who
            # splits far more than the team, always with b, is unusual even though
            # all of a's splits going to b is then no surprise.
            mine = int(booked.get(a, 0))
            if same:
                # the rest of the team: without a, and without b (whose splits with a
                # are the very thing judged: in a team of two they were all the habit)
                theirs = int(booked.get(b, 0)) if units.get(b, "") == unit_a else 0
                b_given = given.get((b, False), 0) if units.get(b, "") == unit_a else 0
                others = unit_orders[unit_a] - mine - theirs
                credited = unit_given[unit_a] - given.get((a, False), 0) - b_given
                if others < params.min_team_orders:  # no habit of its own: the company's
                    others = all_orders - mine - int(booked.get(b, 0))
                    credited = sum(unit_given.values()) - given.get((a, False), 0)
                    credited -= given.get((b, False), 0)
                rate = credited / others if others > 0 else 0
                habit = mine * rate / max(team_size[unit_a] - 1, 1)
            else:
                others = all_orders - mine
                crossed = cross - given.get((a, True), 0)
                habit = mine * (crossed / others if others else 0)
                habit /= max(everybody - team_size.get(unit_a, 1), 1)
            mean = min(mean, max(habit, params.min_mean))
            p = poisson_tail(int(w), mean)
            if p < params.edge_alpha:
                unusual[(a, b)] = (p, int(w), list(ids))
        for people in _components(set(unusual)):
            members = set(people)
            edges = [(e, v) for e, v in unusual.items() if e[0] in members and e[1] in members]
            p = 1.0
            for _edge, (edge_p, _w, _ids) in edges:
                p *= edge_p
            if p >= params.alpha:
                continue
            ids = [i for _edge, (_p, _w, order_ids) in edges for i in order_ids]
            lines = ", ".join(f"{a}→{b} {v[1]}" for (a, b), v in sorted(edges))
            found.alerts.append(
                Alert(
                    NAME,
                    tuple(people),
                    records("orders", ids),
                    period.label,
                    score_of(p),
                    f"{' and '.join(people)} credited each other in {period.label} far more "
                    f"than their teams' usual splits explain (orders credited: {lines}).",
                    f"{'、'.join(people)} 在 {period.label} 互相分配业绩的次数远超团队正常协作"
                    f"（分配订单数：{lines}）。",
                    "ring" if len(people) > 2 else "pair",
                )
            )
    return found
