"""A straightforward reference for the calculation: spec sections 4, 5 and 7 (a subset),
written as plainly as the spec reads, to check the engine against on random scenarios.

Every record is scanned again for every person, unit and period; numbers are exact
``Fraction``s, rounded only for output, as section 4.0 says; periods, the org on a
date, crediting, rule 5.1, pace and the components are computed here from the
document, without the engine's model, Polars, caches, workers or number writers.
What it covers (and :mod:`test_reference_engine` generates): one record table
``orders`` (``credit`` splits allowed), measures of every ``agg`` with a ``where``
from :data:`WHERE`, ``rollup``, people who move (``history`` of unit and manager), join
or leave (``start``, ``end``), fiscal years, ``distribution``, given targets with
``spread``, ``as_of``, and quarterly plans for a role (which never changes) with
commissions (rate or tiers, gate, cap, floor, ``self``/``team``/``team_and_self``),
level bonuses, scorecards (payout ``score * N``) and spiffs.

Where the spec is silent it follows the choices of ``docs/engine.md``: ``count`` is
Σ share, ``min``/``max``/``distinct`` ignore shares, a year whose quarters all have
targets gets their sum, a zero target gives no attainment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any

Record = dict[str, Any]

# the `where` expressions the generated scenarios use, as Python
WHERE: dict[str, Callable[[Record], bool]] = {
    "status != 'cancelled'": lambda r: r.get("status") != "cancelled",
    "status != 'cancelled' and amount > 0": lambda r: (
        r.get("status") != "cancelled" and Fraction(r["amount"]) > 0
    ),
    "amount < 0": lambda r: Fraction(r["amount"]) < 0,
    "status == 'confirmed'": lambda r: r.get("status") == "confirmed",
}


# -- periods (4.1) ---------------------------------------------------------------------
def _month_start(year: int, month: int) -> dt.date:
    year += (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, 1)


def period_months(pid: str, fys: int) -> list[tuple[int, int]]:
    """The calendar (year, month) pairs of a period id."""
    if len(pid) == 7 and pid[4] == "-" and pid[5:].isdigit():
        return [(int(pid[:4]), int(pid[5:]))]
    year = int(pid[:4])
    first, count = 0, 12
    if pid[5:6] == "Q":
        first, count = 3 * (int(pid[6]) - 1), 3
    elif pid[5:6] == "H":
        first, count = 6 * (int(pid[6]) - 1), 6
    months = []
    for i in range(first, first + count):
        start = _month_start(year, fys + i)
        months.append((start.year, start.month))
    return months


def period_bounds(pid: str, fys: int) -> tuple[dt.date, dt.date]:
    months = period_months(pid, fys)
    first = dt.date(months[0][0], months[0][1], 1)
    last = _month_start(months[-1][0], months[-1][1] + 1) - dt.timedelta(days=1)
    return first, last


def fiscal_index(year: int, month: int, fys: int) -> int:
    """0 for the fiscal year's first month."""
    return (month - fys) % 12


def enclosing(pid: str, fys: int) -> list[str]:
    """The periods that enclose `pid`, innermost first."""
    months = period_months(pid, fys)
    first = dt.date(months[0][0], months[0][1], 1)
    year = first.year if first.month >= fys else first.year - 1
    index = fiscal_index(first.year, first.month, fys)
    quarter, half = f"{year}-Q{index // 3 + 1}", f"{year}-H{index // 6 + 1}"
    candidates = [quarter, half, str(year)]
    return [c for c in candidates if c != pid and set(months) < set(period_months(c, fys))]


# -- the organisation on a date (2) -----------------------------------------------------
class Org:
    def __init__(self, document: dict[str, Any]) -> None:
        self.parent = {u["id"]: u.get("parent") for u in document["units"]}
        self.people = {p["id"]: p for p in document["people"]}

    def on(self, person: str, day: dt.date) -> tuple[str, str | None]:
        """The person's (unit, manager) on a day."""
        p = self.people[person]
        unit, manager = p["unit"], p.get("manager")
        for entry in sorted(p.get("history", []), key=lambda e: e["from"]):
            if dt.date.fromisoformat(entry["from"]) <= day:
                unit = entry.get("unit", unit)
                manager = entry.get("manager", manager)
        return unit, manager

    def managers_above(self, person: str, day: dt.date) -> list[str]:
        found: list[str] = []
        manager = self.on(person, day)[1]
        while manager is not None and manager not in found:
            found.append(manager)
            manager = self.on(manager, day)[1]
        return found

    def within(self, unit: str, ancestor: str) -> bool:
        current: str | None = unit
        while current is not None:
            if current == ancestor:
                return True
            current = self.parent[current]
        return False


# -- measures (4, 4.2) ------------------------------------------------------------------
class Measures:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.fys = document.get("fiscal_year_start", 1)
        self.org = Org(document)
        self.records: list[Record] = document["records"]["orders"]

    def credited(self, name: str) -> Iterable[tuple[str, Fraction, Record, dt.date]]:
        """(person, share, record, date) for every credit of a measure's records."""
        m = self.document["measures"][name]
        keep = WHERE[m["where"]] if "where" in m else (lambda _r: True)
        for r in self.records:
            if not keep(r):
                continue
            day = dt.date.fromisoformat(r["date"])
            credit = r.get("credit") or {r["owner"]: 1}
            for person, share in credit.items():
                yield person, Fraction(share), r, day

    def value(
        self,
        name: str,
        who: str,
        days: tuple[dt.date, dt.date],
        unit: bool = False,
        scope: str = "self",
    ) -> Fraction | None:
        """A person's (or unit's) measure over the days from ``days[0]`` to ``days[1]``;
        `scope` as a commission's (``self``: the measure as defined)."""
        m = self.document["measures"][name]
        agg = m.get("agg", "sum")
        start, end = days
        rows: list[tuple[Fraction, Record]] = []
        for person, share, r, day in self.credited(name):
            if not start <= day <= end:
                continue
            if unit:
                counts = self.org.within(self.org.on(person, day)[0], who)
            else:
                above = self.org.managers_above(person, day)
                own = person == who or (m.get("rollup", False) and who in above)
                team = person != who and who in above
                counts = {"self": own, "team": team, "team_and_self": own or team}[scope]
            if counts:
                rows.append((share, r))
        if agg == "count":
            return sum((share for share, _r in rows), Fraction(0))
        if agg == "distinct":
            return Fraction(len({r[m["value"]] for _s, r in rows if r.get(m["value"]) is not None}))
        # a record without a value adds nothing and is not averaged (as min and max)
        values = [
            (share, Fraction(r[m["value"]])) for share, r in rows if r.get(m["value"]) is not None
        ]
        if agg == "sum":
            return sum((share * v for share, v in values), Fraction(0))
        if not values:
            return None
        if agg == "avg":
            total = sum((s * v for s, v in values), Fraction(0))
            return total / sum((s for s, _v in values), Fraction(0))
        if agg == "min":
            return min(v for _s, v in values)
        return max(v for _s, v in values)

    def spiff(self, c: dict[str, Any], who: str, days: tuple[dt.date, dt.date]) -> Fraction:
        """Σ amount × share over the matching records credited to `who` on those days."""
        keep = WHERE[c["where"]]
        total = Fraction(0)
        for r in self.records:
            day = dt.date.fromisoformat(r["date"])
            if keep(r) and days[0] <= day <= days[1]:
                credit = r.get("credit") or {r["owner"]: 1}
                total += Fraction(c["amount"]) * Fraction(credit.get(who, 0))
        return total

    def money(self, name: str) -> bool:
        m = self.document["measures"][name]
        value = m.get("value", "")
        return m.get("agg", "sum") == "sum" and value.isidentifier() and "amount" in value


# -- targets (5.1, 5.2) -----------------------------------------------------------------
class Targets:
    def __init__(self, document: dict[str, Any]) -> None:
        self.fys = document.get("fiscal_year_start", 1)
        self.distribution = document.get("distribution")
        self.given = {
            (t["measure"], t["who"], str(t["period"])): t for t in document.get("targets", [])
        }

    def weight(self, year: int, month: int) -> Fraction:
        if self.distribution is None:
            return Fraction(1)
        return Fraction(self.distribution[fiscal_index(year, month, self.fys)])

    def of(self, measure: str, who: str, pid: str) -> Fraction | None:
        given = self.given.get((measure, who, pid))
        if given is not None:
            return Fraction(given["value"])
        months = period_months(pid, self.fys)
        if len(months) > 1:
            ids = [f"{y}-{m:02d}" for y, m in months]
            if all((measure, who, i) in self.given for i in ids):
                return sum(
                    (Fraction(self.given[(measure, who, i)]["value"]) for i in ids), Fraction(0)
                )
            for kind, size in (("Q", 3), ("H", 6)):
                if len(months) <= size:
                    continue
                year = pid[:4]
                offset = 2 if pid.endswith("H2") else 0
                parts = [f"{year}-{kind}{offset + i + 1}" for i in range(len(months) // size)]
                if all((measure, who, p) in self.given for p in parts):
                    return sum(
                        (Fraction(self.given[(measure, who, p)]["value"]) for p in parts),
                        Fraction(0),
                    )
        for outer in enclosing(pid, self.fys):
            spec = self.given.get((measure, who, outer))
            if spec is None:
                continue
            if spec.get("spread") == "none":
                return Fraction(spec["value"])
            whole = sum(self.weight(y, m) for y, m in period_months(outer, self.fys))
            if whole == 0:
                return None
            part = sum(self.weight(y, m) for y, m in months)
            return Fraction(spec["value"]) * part / whole
        return None


# -- attainment, pace (5.3) and the plans (7) --------------------------------------------
def attainment(actual: Fraction | None, target: Fraction | None) -> Fraction | None:
    if actual is None or target is None or target == 0:
        return None
    return actual / target


def pace(
    actual: Fraction | None, target: Fraction | None, pid: str, fys: int, as_of: dt.date | None
) -> tuple[Fraction, Fraction, str] | None:
    start, end = period_bounds(pid, fys)
    if as_of is None or target is None or actual is None or as_of < start:
        return None
    ratio = attainment(actual, target)
    if as_of >= end:
        return Fraction(1), actual, "met" if ratio is not None and ratio >= 1 else "missed"
    elapsed = Fraction((as_of - start).days + 1, (end - start).days + 1)
    if ratio is None:
        status = "behind"
    elif ratio >= elapsed:
        status = "on_track"
    elif ratio >= Fraction(4, 5) * elapsed:
        status = "at_risk"
    else:
        status = "behind"
    return elapsed, actual / elapsed, status


class Payee:
    """A person in a payout period: measures on the covered days, the period's targets."""

    def __init__(
        self,
        measures: Measures,
        targets: Targets,
        who: str,
        pid: str,
        window: tuple[dt.date, dt.date],
    ) -> None:
        self.measures, self.targets = measures, targets
        self.who, self.pid, self.window = who, pid, window

    def actual(self, name: str, scope: str = "self") -> Fraction | None:
        return self.measures.value(name, self.who, self.window, False, scope)

    def target(self, name: str) -> Fraction | None:
        return self.targets.of(name, self.who, self.pid)

    def spiff(self, c: dict[str, Any]) -> Fraction:
        return self.measures.spiff(c, self.who, self.window)


def component(c: dict[str, Any], payee: Payee) -> tuple[Fraction, str | None, Fraction | None]:
    """One component of a person and payout period: (amount before rounding, the level
    reached, the score)."""
    label = score = None
    actual = target = ratio = None
    if "measure" in c:
        actual = payee.actual(c["measure"], c.get("scope", "self")) or Fraction(0)
        target = payee.target(c["measure"])
        ratio = attainment(actual, target)
    if c["kind"] == "spiff":
        amount = payee.spiff(c)
    elif c["kind"] == "scorecard":
        weighted = weights = Fraction(0)
        for metric in c["metrics"]:
            value = payee.actual(metric["measure"])
            given = metric.get("target")
            goal = payee.target(metric["measure"]) if given is None else Fraction(given)
            share = Fraction(0) if value is None or not goal else value / goal
            share = min(max(share, Fraction(c["score"]["floor"])), Fraction(c["score"]["cap"]))
            weighted += Fraction(metric["weight"]) * share
            weights += Fraction(metric["weight"])
        score = weighted / weights
        factor = c["payout"].removeprefix("score *")  # the payouts generated: "score * N"
        amount = score * Fraction(factor.strip())
    elif c["kind"] == "bonus":
        amount = Fraction(0)
        for level in c["levels"]:
            if ratio is not None and ratio >= Fraction(level["min_attainment"]):
                amount, label = Fraction(level["amount"]), level.get("label")
    elif "rate" in c:
        assert actual is not None
        amount = actual * Fraction(c["rate"])
    else:
        assert actual is not None
        tiers = c["tiers"]
        table = [(Fraction(t["from"]), Fraction(t["rate"])) for t in tiers["table"]]
        by_attainment = tiers.get("basis", "attainment") == "attainment"
        if by_attainment and not target:
            amount = Fraction(0)
        elif actual <= 0:
            amount = actual * table[0][1]
        elif tiers["mode"] == "marginal":
            scale = target if by_attainment and target is not None else Fraction(1)
            amount = Fraction(0)
            for k, (start, rate) in enumerate(table):
                lower = start * scale
                top = actual if k + 1 == len(table) else min(actual, table[k + 1][0] * scale)
                amount += max(Fraction(0), top - lower) * rate
        else:
            basis = ratio if by_attainment else actual
            rate = table[0][1]
            for start, tier_rate in table:
                if basis is not None and start <= basis:
                    rate = tier_rate
            amount = actual * rate
    if "gate" in c and (ratio is None or ratio < Fraction(c["gate"]["min_attainment"])):
        amount = Fraction(0)
    if "cap" in c and amount > Fraction(c["cap"]):
        amount = Fraction(c["cap"])
    if "floor" in c and amount < Fraction(c["floor"]):
        amount = Fraction(c["floor"])
    return amount, label, score


def covered(
    plan: dict[str, Any], person: dict[str, Any], days: tuple[dt.date, dt.date]
) -> tuple[dt.date, dt.date] | None:
    """The days of a payout period the plan covers the person on (a role that never
    changes: one stretch), or None."""
    if person.get("role") != plan["applies_to"]["role"]:
        return None
    starts = [days[0], dt.date.fromisoformat(plan["effective"]["from"])]
    ends = [days[1], dt.date.fromisoformat(plan["effective"]["to"])]
    if person.get("start"):
        starts.append(dt.date.fromisoformat(person["start"]))
    if person.get("end"):
        ends.append(dt.date.fromisoformat(person["end"]))
    return (max(starts), min(ends)) if max(starts) <= min(ends) else None


# -- output (4.0, 8) ----------------------------------------------------------------------
def half_up(value: Fraction, places: int) -> Decimal:
    """`value` to `places` decimals, halves away from zero."""
    scaled = value * 10**places
    rounded = (2 * abs(scaled.numerator) + scaled.denominator) // (2 * scaled.denominator)
    return Decimal(-rounded if scaled < 0 else rounded).scaleb(-places)


def shown(value: Fraction | None, money: bool) -> Decimal | None:
    """A number as section 4.0 prints it: money to 2 places, others to 6 significant
    digits (and at least 6 decimal places), half-up."""
    if value is None:
        return None
    if money or value == 0:
        return half_up(value, 2)
    magnitude = 0  # floor(log10(|value|)), exactly
    size = abs(value)
    while size >= 10:
        size /= 10
        magnitude += 1
    while size < 1:
        size *= 10
        magnitude -= 1
    return half_up(value, max(6, 6 - 1 - magnitude))


def expected(document: dict[str, Any], as_of: dt.date | None) -> dict[str, Any]:
    """People's and units' rows as the engine should print them (numbers as Decimals,
    payouts as Decimals with 2 places)."""
    fys = document.get("fiscal_year_start", 1)
    measures = Measures(document)
    targets = Targets(document)
    periods = [str(p) for p in document["report"]["periods"]]  # and those of the targets:
    periods += sorted({str(t["period"]) for t in document.get("targets", [])} - set(periods))
    names = list(document["measures"])

    def row(who: str, pid: str, unit: bool) -> dict[str, Any]:
        found: dict[str, Any] = {"measures": {}, "targets": {}, "attainment": {}, "pace": {}}
        for name in names:
            money = measures.money(name)
            actual = measures.value(name, who, period_bounds(pid, fys), unit)
            target = targets.of(name, who, pid)
            found["measures"][name] = shown(actual, money)
            found["targets"][name] = shown(target, money)
            found["attainment"][name] = shown(attainment(actual, target), False)
            progress = pace(actual, target, pid, fys, as_of)
            found["pace"][name] = progress and {
                "elapsed": shown(progress[0], False),
                "projected": shown(progress[1], money),
                "status": progress[2],
            }
        return found

    people: dict[str, dict[str, Any]] = {}
    for person in document["people"]:
        rows = {}
        for pid in periods:
            found = row(person["id"], pid, False)
            found["plans"], found["payout"] = {}, Decimal("0.00")
            for plan in document.get("plans", []):
                window = covered(plan, person, period_bounds(pid, fys))
                if window is None or plan["period"] != "quarter" or "Q" not in pid:
                    continue
                entry: dict[str, Any] = {"components": {}}
                for c in plan["components"]:
                    payee = Payee(measures, targets, person["id"], pid, window)
                    amount, label, score = component(c, payee)
                    entry["components"][c["id"]] = half_up(amount, 2)
                    if c["kind"] == "bonus":
                        entry.setdefault("levels", {})[c["id"]] = label
                    if c["kind"] == "scorecard":
                        entry.setdefault("scores", {})[c["id"]] = shown(score, False)
                entry["payout"] = sum(entry["components"].values(), Decimal("0.00"))
                found["plans"][plan["id"]] = entry
                found["payout"] += entry["payout"]
            rows[pid] = found
        people[person["id"]] = rows
    units = {u["id"]: {pid: row(u["id"], pid, True) for pid in periods} for u in document["units"]}
    return {"people": people, "units": units}
