"""Target decomposition (spec section 6): split a unit's target over people or child
units, then over months, with exact sums (largest remainder, exact tie rules)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import gcd
from typing import Any

from .measures import MeasureEngine
from .model import Decomposition, Scenario, TargetSpec
from .numbers import ZERO
from .org import Org
from .periods import Month, fiscal_month_index, fiscal_year_period, month_period
from .problems import Problem
from .targets import TargetBook


@dataclass(frozen=True)
class Part:
    """One member's (or month's) allocation with how it was reached.

    Exact integers: the share is ``weight / weights`` and the raw allocation
    ``total × weight / weights``; the Fractions are built only when asked for.
    """

    key: str
    weight: int
    weights: int
    total: int
    floor: int
    bonus_unit: bool

    @property
    def share(self) -> Fraction:
        return Fraction(self.weight, self.weights)

    @property
    def raw(self) -> Fraction:
        return Fraction(self.total * self.weight, self.weights)

    @property
    def units(self) -> int:
        return self.floor + (1 if self.bonus_unit else 0)


def largest_remainder(total: int, shares: Sequence[tuple[str, Fraction]]) -> list[Part]:
    """Split `total` whole units by `shares`; parts always sum exactly to `total`.

    Each part is floored; the leftover units go one each to the largest remainders
    (compared exactly), ties to the larger raw share, then to the earlier entry of
    `shares` (callers order it by id, or by month).

    Works on integers: the shares over their common denominator are integer weights
    ``w_i`` with sum ``W``, so ``raw_i = total × w_i / W`` has floor ``(total × w_i) // W``
    and remainder ``(total × w_i) % W / W`` — all remainders share the denominator ``W``
    and compare exactly as integers.
    """
    if not shares:
        return []
    weights = _integer_weights([(s.numerator, s.denominator) for _key, s in shares])
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights = [1] * len(shares)
        weight_sum = len(shares)
    floors, extra = _split(total, weights, weight_sum)
    return [
        Part(key, weights[i], weight_sum, total, floors[i], i in extra)
        for i, (key, _share) in enumerate(shares)
    ]


def _integer_weights(ratios: Sequence[tuple[int, int]]) -> list[int]:
    """Rationals ``(numerator, denominator > 0)`` over their least common denominator:
    integers in exactly the same proportions."""
    denominator = 1
    for _n, q in ratios:
        if denominator % q:
            denominator = denominator * q // gcd(denominator, q)
    return [n * (denominator // q) for n, q in ratios]


def _split(total: int, weights: Sequence[int], weight_sum: int) -> tuple[list[int], set[int]]:
    """The largest remainder rule on integer weights (``weight_sum`` ≠ 0): the floors
    and the indexes that get one more unit. Only the proportions of the weights matter
    (scaling them all by a positive number changes no floor and no comparison), so any
    integers proportional to the exact shares give the same parts."""
    floors: list[int] = []
    remainders: list[int] = []
    for w in weights:
        f, r = divmod(total * w, weight_sum)
        floors.append(f)
        remainders.append(r)
    leftover = total - sum(floors)
    if leftover <= 0:
        return floors, set()
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], -weights[i], i))
    return floors, set(order[:leftover])


def split_units(total: int, weights: Sequence[int]) -> list[int]:
    """`total` whole units split by integer `weights` (proportional to the exact shares,
    in the caller's order) by :func:`largest_remainder`'s rule, ties included; all zero
    weights share equally. The allocation's fast path: no Fractions, no Parts."""
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights = [1] * len(weights)
        weight_sum = len(weights)
    floors, extra = _split(total, weights, weight_sum)
    for i in extra:
        floors[i] += 1
    return floors


@dataclass(frozen=True)
class Weights:
    """One method's exact shares of a decomposition's members as integers: member
    ``i``'s share is ``values[i] / total`` (``total`` ≠ 0)."""

    members: tuple[str, ...]
    values: tuple[int, ...]
    total: int

    def shares(self) -> dict[str, Fraction]:
        return {m: Fraction(v, self.total) for m, v in zip(self.members, self.values, strict=True)}


def _ratio(value: Decimal) -> tuple[int, int]:
    """A number as the exact ``(numerator, denominator > 0)`` that ``Fraction(value)``
    would hold."""
    if isinstance(value, Decimal | Fraction | int):
        return value.as_integer_ratio()
    return Fraction(value).as_integer_ratio()


@dataclass
class Allocation:
    decomposition: Decomposition
    total: Decimal
    weights: Weights  # the (blended) shares of the members, exactly
    method_weights: dict[str, Weights]
    parts: dict[str, Decimal]
    months: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    @property
    def shares(self) -> dict[str, Fraction]:
        return self.weights.shares()

    @property
    def method_shares(self) -> dict[str, dict[str, Fraction]]:
        return {name: weights.shares() for name, weights in self.method_weights.items()}


Caches = dict[str, dict[Any, Any]]


class Decomposer:
    """Runs a scenario's decompositions.

    Members and capacity are indexed by unit once per period (a plan has a decomposition
    per unit: scanning every person for each would be units × people), and all the
    arithmetic is exact integers over common denominators (see :func:`split_units`): the
    same results as Fractions member by member, spec section 6's rules and ties
    included. ``caches`` (optional) keeps the indexes, capacities and month weights
    between runs over the same organisation and records (a planner's previews).
    """

    def __init__(
        self,
        scenario: Scenario,
        org: Org,
        measures: MeasureEngine,
        book: TargetBook,
        *,
        caches: Caches | None = None,
    ) -> None:
        self.scenario = scenario
        self.org = org
        self.measures = measures
        self.book = book
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.generated: list[TargetSpec] = []
        self.allocations: list[Allocation] = []
        caches = caches if caches is not None else {}
        self._members: dict[Any, dict[str, list[str]]] = caches.setdefault("members", {})
        self._unit_capacity: dict[Any, dict[str, Fraction]] = caches.setdefault("unit_capacity", {})
        self._person_capacity: dict[Any, Fraction] = caches.setdefault("person_capacity", {})
        self._month_weights: dict[Any, dict[int, Fraction]] = caches.setdefault("month_weights", {})
        self._month_integers: dict[Any, dict[int, int]] = caches.setdefault("month_integers", {})
        # this run: a team's twelve month decompositions share their method weights
        self._method_weights: dict[Any, tuple[Weights, list[str]]] = {}

    def run(self) -> None:
        pending = list(self.scenario.decompositions)
        while pending:
            progress = False
            for decomposition in list(pending):
                value = decomposition.value
                if value is None:
                    value = self.book.value(
                        decomposition.measure, decomposition.who, decomposition.period
                    )
                if value is None:
                    continue
                pending.remove(decomposition)
                progress = True
                self.allocate(decomposition, value)
            if not progress:
                for decomposition in pending:
                    self.errors.append(
                        Problem(
                            f"{decomposition.path}.from.value",
                            f"no value and no target of {decomposition.who} for "
                            f"{decomposition.period.id} to decompose",
                        )
                    )
                break

    # -- members ---------------------------------------------------------------------
    def _member_index(self, d: Decomposition) -> dict[str, list[str]]:
        """Unit → the people (by id) with a segment in it, with one of ``d.roles``,
        overlapping their employment in the period."""
        key = (d.period.start, d.period.end, d.roles)
        index = self._members.get(key)
        if index is None:
            index = {}
            for pid in sorted(self.scenario.people):
                first, last = self.org.employment(pid)
                start, end = max(first, d.period.start), min(last, d.period.end)
                if start > end:
                    continue
                seen: set[str] = set()
                for segment in self.org.segments(pid):
                    if segment.start > end or segment.end < start:
                        continue
                    if (d.roles is None or segment.role in d.roles) and segment.unit not in seen:
                        seen.add(segment.unit)
                        index.setdefault(segment.unit, []).append(pid)
            self._members[key] = index
        return index

    def members(self, d: Decomposition) -> list[str]:
        if d.to == "units":
            return sorted(self.org.children(d.who))
        index = self._member_index(d)
        found: set[str] = set()
        for unit in self.org.descendants(d.who):
            found.update(index.get(unit, ()))
        return sorted(found)

    def ramp_factor(self, d: Decomposition, person: str, month: Month) -> Fraction:
        if not self.org.employed_on_any(person, month.first_day, month.last_day):
            return Fraction(0)
        start = self.scenario.people[person].start
        if start is None:
            return Fraction(1)
        k = month.key - Month.of(start).key + 1
        if 1 <= k <= len(d.ramp):
            return Fraction(d.ramp[k - 1])
        return Fraction(1)

    def capacity(self, d: Decomposition, member: str) -> Fraction:
        if d.to == "people":
            key = (member, d.period.start, d.period.end, d.ramp)
            value = self._person_capacity.get(key)
            if value is None:
                value = sum((self.ramp_factor(d, member, m) for m in d.period.months), Fraction(0))
                self._person_capacity[key] = value
            return value
        key_units = (d.period.start, d.period.end, d.ramp)
        by_unit = self._unit_capacity.get(key_units)
        if by_unit is None:
            by_unit = {}
            for month in d.period.months:
                for pid in self.scenario.people:
                    day = max(month.first_day, self.scenario.people[pid].start or month.first_day)
                    if day <= month.last_day:
                        unit = self.org.on(pid, day).unit
                        by_unit[unit] = by_unit.get(unit, Fraction(0)) + self.ramp_factor(
                            d, pid, month
                        )
            self._unit_capacity[key_units] = by_unit
        return sum(
            (by_unit.get(unit, Fraction(0)) for unit in self.org.descendants(member)), Fraction(0)
        )

    def method_shares(
        self, d: Decomposition, method: str, members: list[str]
    ) -> dict[str, Fraction]:
        return self.method_weights(d, method, members).shares()

    def method_weights(self, d: Decomposition, method: str, members: list[str]) -> Weights:
        """One method's shares as integer weights, kept for this run: with the same
        members, equal, history and potential shares do not depend on the period (a
        team split month by month), capacity only on the period and the ramp."""
        key = (
            method,
            d.measure,
            d.to,
            d.history_period.id if d.history_period and method == "history" else None,
            d.potential_field if method == "potential" else None,
            (d.period.start, d.period.end, d.ramp) if method == "capacity" else None,
            *members,
        )
        cached = self._method_weights.get(key)
        if cached is not None:
            weights, messages = cached
            self.warnings.extend(Problem(d.path, message) for message in messages)
            return weights
        warnings, errors = len(self.warnings), len(self.errors)
        weights = self._compute_method_weights(d, method, members)
        if len(self.errors) == errors:
            self._method_weights[key] = (weights, [w.message for w in self.warnings[warnings:]])
        return weights

    def _compute_method_weights(self, d: Decomposition, method: str, members: list[str]) -> Weights:
        keys = tuple(members)
        equal = Weights(keys, (1,) * len(members), len(members))
        ratios: list[tuple[int, int]] = []
        if method == "equal":
            return equal
        if method == "history":
            assert d.history_period is not None
            for m in members:
                if d.to == "people":
                    actual = self.measures.value(d.measure, m, d.history_period)
                else:
                    actual = self.measures.unit_value(d.measure, m, d.history_period)
                ratios.append(_ratio(actual or ZERO))
        elif method == "potential":
            for m in members:
                source = (
                    self.scenario.people.get(m) if d.to == "people" else self.scenario.units.get(m)
                )
                value = source.attributes.get(d.potential_field) if source else None
                if value is None:
                    kind = "person" if d.to == "people" else "unit"
                    self.errors.append(
                        Problem(
                            f"{d.path}.potential_field",
                            f"{kind} {m!r} has no {d.potential_field!r} attribute",
                        )
                    )
                    value = ZERO
                ratios.append(_ratio(value))
        else:
            for m in members:
                ratios.append(self.capacity(d, m).as_integer_ratio())
        values = _integer_weights(ratios)
        total = sum(values)
        if total == 0:
            self.warnings.append(
                Problem(d.path, f"{method} shares are all 0; members share equally instead")
            )
            return equal
        return Weights(keys, tuple(values), total)

    @staticmethod
    def blend(
        members: list[str], methods: dict[str, Decimal], per_method: dict[str, Weights]
    ) -> Weights:
        """Σ weight × share over the methods, exactly: each method's coefficient
        ``weight / its total`` once, then one integer multiply-add per member."""
        coefficients = [Fraction(w) / per_method[name].total for name, w in methods.items()]
        denominator = 1
        for c in coefficients:
            q = c.denominator
            if denominator % q:
                denominator = denominator * q // gcd(denominator, q)
        values = [0] * len(members)
        for c, name in zip(coefficients, methods, strict=True):
            factor = c.numerator * (denominator // c.denominator)
            if factor:
                values = [
                    a + factor * v for a, v in zip(values, per_method[name].values, strict=True)
                ]
        return Weights(tuple(members), tuple(values), denominator)

    # -- allocation --------------------------------------------------------------------
    def allocate(self, d: Decomposition, value: Decimal) -> None:
        if d.value is not None:
            self.book.add(TargetSpec(d.measure, d.who, d.period, d.value, True, d.path, d.id))
        members = self.members(d)
        if not members:
            self.warnings.append(Problem(d.path, "no members to decompose the target to"))
            return
        methods = dict(d.blend) if d.method == "blend" else {d.method: Decimal(1)}
        per_method = {name: self.method_weights(d, name, members) for name in methods}
        weights = self.blend(members, methods, per_method)
        total = value * d.overassign
        units_exact = total / d.round_to
        units = units_exact.to_integral_value(rounding=ROUND_HALF_UP)
        if units != units_exact:
            rounded = units * d.round_to
            self.warnings.append(
                Problem(
                    d.path,
                    f"total {total} is not a multiple of round_to {d.round_to}; using {rounded}",
                )
            )
        amounts = split_units(int(units), weights.values)
        allocation = Allocation(d, units * d.round_to, weights, per_method, {})
        month_periods = (
            {str(m.key): month_period(m) for m in d.period.months} if d.months is not None else {}
        )
        generated = self.generated
        book = self.book
        for member, member_units in zip(members, amounts, strict=True):
            amount = member_units * d.round_to
            allocation.parts[member] = amount
            spec = TargetSpec(d.measure, member, d.period, amount, True, d.path, d.id)
            generated.append(spec)
            book.add(spec)
            if d.months is not None:
                month_parts = self.split_months(d, member, member_units)
                allocation.months[member] = month_parts
                for month, month_units in month_parts.items():
                    month_spec = TargetSpec(
                        d.measure,
                        member,
                        month_periods[month],
                        month_units * d.round_to,
                        True,
                        d.path,
                        d.id,
                    )
                    generated.append(month_spec)
                    book.add(month_spec)
        self.allocations.append(allocation)

    def employed_months(self, d: Decomposition, member: str) -> list[Month]:
        if d.to == "units":
            return list(d.period.months)
        first, last = self.org.employment(member)
        return [m for m in d.period.months if first <= m.last_day and m.first_day <= last]

    def _month_key(self, d: Decomposition) -> tuple[Any, ...]:
        return (d.measure, d.who, d.period.id, d.months, d.seasonal_years)

    def month_weights(self, d: Decomposition) -> dict[int, Fraction]:
        key = self._month_key(d)
        found = self._month_weights.get(key)
        if found is None:
            found = self._month_weights[key] = self._compute_month_weights(d)
        return found

    def month_integers(self, d: Decomposition) -> dict[int, int]:
        """:meth:`month_weights` over their common denominator (same proportions, so
        the same split of any subset of the months)."""
        key = self._month_key(d)
        found = self._month_integers.get(key)
        if found is None:
            weights = self.month_weights(d)
            values = _integer_weights([w.as_integer_ratio() for w in weights.values()])
            found = self._month_integers[key] = dict(zip(weights, values, strict=True))
        return found

    def _compute_month_weights(self, d: Decomposition) -> dict[int, Fraction]:
        fys = self.scenario.fiscal_year_start
        if isinstance(d.months, tuple):
            return {m.key: Fraction(d.months[fiscal_month_index(m, fys)]) for m in d.period.months}
        if d.months == "seasonal":
            sums = [Fraction(0)] * 12
            years = 0
            for year in d.seasonal_years:
                period = fiscal_year_period(year, fys)
                total = self.measures.unit_value(d.measure, d.who, period) or ZERO
                if total == 0:
                    continue
                years += 1
                for month in period.months:
                    actual = self.measures.unit_value(d.measure, d.who, month_period(month)) or ZERO
                    sums[fiscal_month_index(month, fys)] += Fraction(actual) / Fraction(total)
            if years:
                return {m.key: sums[fiscal_month_index(m, fys)] / years for m in d.period.months}
        return {m.key: Fraction(1) for m in d.period.months}

    def split_months(self, d: Decomposition, member: str, units: int) -> dict[str, Decimal]:
        """Month parts (in round_to units) keyed by month key, 0 for months not employed."""
        employed = self.employed_months(d, member)
        result = {str(m.key): ZERO for m in d.period.months}
        if not employed:
            return result
        weights = self.month_integers(d)
        amounts = split_units(units, [weights[m.key] for m in employed])
        for month, month_units in zip(employed, amounts, strict=True):
            result[str(month.key)] = Decimal(month_units)
        return result
