"""Target decomposition (spec section 6): split a unit's target over people or child
units, then over months, with exact sums (largest remainder, exact tie rules)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import gcd
from typing import Any

from .measures import MeasureEngine
from .model import Decomposition, Scenario, TargetSpec
from .numbers import ZERO, plain
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
    included. ``caches`` (optional) keeps the member spans and indexes, capacities,
    method shares (per members and settings) and month weights between runs over the
    same organisation and records (a planner's previews); it must not be shared between
    runs over other data. With ``generate=False`` (a preview, which reads only
    :attr:`allocations`), :attr:`generated` and the book get only the targets of the
    units and people that another decomposition splits: the allocations, warnings and
    errors stay the same.
    """

    def __init__(
        self,
        scenario: Scenario,
        org: Org,
        measures: MeasureEngine,
        book: TargetBook,
        *,
        caches: Caches | None = None,
        generate: bool = True,
        staffed_units_only: bool = False,
        staff_roles: frozenset[str] | None = None,
        refunds_weigh_nothing: bool = False,
    ) -> None:
        self.scenario = scenario
        self.org = org
        self.measures = measures
        self.book = book
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.generated: list[TargetSpec] = []
        self.allocations: list[Allocation] = []
        # with generate=False: who a decomposition splits (their targets are read back)
        self._sources = None if generate else {d.who for d in scenario.decompositions}
        # An application option, not part of the scenario format: with ``to: units``, a
        # child unit in which nobody (with ``staff_roles``) works in the period gets no
        # share, unless no child has anyone. ``unstaffed`` lists them per decomposition.
        self._staffed_units_only = staffed_units_only
        self._staff_roles = staff_roles
        # Also the application's: a member (history) or a reference month (seasonal)
        # whose actual is below 0 weighs 0, so nobody gets a negative target. The
        # scenario format keeps spec section 6 as written (the actual's share, negative
        # or not), so a scenario file's targets stay what its readers compute.
        self._refunds_weigh_nothing = refunds_weigh_nothing
        self.unstaffed: dict[str, tuple[str, ...]] = {}
        # what the decompositions made, in order (their own value and their allocation),
        # and per measure who they made targets for: a later one making a target for
        # the same who is checked against them (:meth:`_clashes`)
        self._made_log: list[tuple[Decomposition, Allocation | None]] = []
        self._made_whos: dict[str, set[str]] = {}
        # (measure, who): the places in _made_log of the decompositions that made a
        # target for who, so a clash check reads those only (not the whole log)
        self._made_at: dict[tuple[str, str], list[int]] = {}
        caches = caches if caches is not None else {}
        self._members: dict[Any, dict[str, list[str]]] = caches.setdefault("members", {})
        self._spans: dict[Any, list[tuple[str, str, Any, Any]]] = caches.setdefault("spans", {})
        self._unit_capacity: dict[Any, tuple[int, dict[str, int]]] = caches.setdefault(
            "unit_capacity", {}
        )
        self._person_capacity: dict[Any, tuple[int, int]] = caches.setdefault("person_capacity", {})
        self._ramps: dict[Any, tuple[int, tuple[int, ...]]] = caches.setdefault("ramps", {})
        self._month_bounds: dict[Any, list[tuple[int, Any, Any]]] = caches.setdefault(
            "month_bounds", {}
        )
        self._month_weights: dict[Any, dict[int, Fraction]] = caches.setdefault("month_weights", {})
        self._month_integers: dict[Any, dict[int, int]] = caches.setdefault("month_integers", {})
        self._staffed: dict[Any, set[str]] = caches.setdefault("staffed", {})
        # seasonal month weights: the reference months whose actual was negative
        self._negative_months: dict[Any, tuple[str, ...]] = caches.setdefault("negative_months", {})
        # a team's twelve month decompositions (and the next preview) share method weights
        self._method_weights: dict[Any, tuple[Weights, list[Problem]]] = caches.setdefault(
            "method_weights", {}
        )

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
        return self._people_by_unit(d.period.start, d.period.end, d.roles)

    def _people_by_unit(
        self, first: Any, last: Any, roles: frozenset[str] | None
    ) -> dict[str, list[str]]:
        key = (first, last, roles)
        index = self._members.get(key)
        if index is None:
            index = {}
            for pid, unit, start, end in self._role_spans(roles):
                if start <= last and end >= first:
                    found = index.get(unit)
                    if found is None:
                        index[unit] = [pid]
                    elif found[-1] != pid:  # spans come person by person
                        found.append(pid)
            self._members[key] = index
        return index

    def _role_spans(self, roles: frozenset[str] | None) -> list[tuple[str, str, Any, Any]]:
        """(person, unit, first day, last day) for each segment with one of ``roles``,
        cut to the person's employment (when they overlap at all), people in id order:
        a period's members are the spans that overlap it."""
        spans = self._spans.get(roles)
        if spans is None:
            spans = []
            for pid in sorted(self.scenario.people):
                employed_from, employed_to = self.org.employment(pid)
                for segment in self.org.segments(pid):
                    if roles is not None and segment.role not in roles:
                        continue
                    start = max(segment.start, employed_from)
                    end = min(segment.end, employed_to)
                    if start <= end:
                        spans.append((pid, segment.unit, start, end))
            self._spans[roles] = spans
        return spans

    def members(self, d: Decomposition) -> list[str]:
        if d.to == "units":
            children = sorted(self.org.children(d.who))
            if not self._staffed_units_only:
                return children
            index = self._people_by_unit(d.period.start, d.period.end, self._staff_roles)
            staffed = [c for c in children if any(u in index for u in self.org.descendants(c))]
            if not staffed or len(staffed) == len(children):
                return children
            self.unstaffed[d.id] = tuple(c for c in children if c not in staffed)
            return staffed
        index = self._member_index(d)
        found: set[str] = set()
        for unit in self.org.descendants(d.who):
            found.update(index.get(unit, ()))
        return sorted(found)

    def staffed_units(self, first: Any, last: Any) -> set[str]:
        """The units in which, or below which, someone with the staff roles works between
        ``first`` and ``last`` (with ``staffed_units_only``)."""
        key = (first, last, self._staff_roles)
        found = self._staffed.get(key)
        if found is None:
            found = set()
            for unit in self._people_by_unit(first, last, self._staff_roles):
                found.update(self.org.ancestors(unit))
            self._staffed[key] = found
        return found

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
        """Σ :meth:`ramp_factor` over the period's months: of the person, or of everyone
        in the unit and the units below it in each month (on their first day employed in
        the month, or the month's first day). Summed as integers over the ramp factors'
        common denominator: the same Fraction."""
        if d.to == "people":
            return Fraction(*self._capacity_ratios(d, [member])[0])
        key_units = (d.period.start, d.period.end, d.ramp)
        found = self._unit_capacity.get(key_units)
        if found is None:
            found = self._unit_capacity[key_units] = self._capacity_by_unit(d)
        denominator, by_unit = found
        total = sum(by_unit.get(unit, 0) for unit in self.org.descendants(member))
        return Fraction(total, denominator)

    def _capacity_ratios(self, d: Decomposition, people: list[str]) -> list[tuple[int, int]]:
        """People's capacities in the period as ``Fraction.as_integer_ratio()`` gives
        them."""
        start, end, ramp = d.period.start, d.period.end, d.ramp
        denominator, factors = self._ramp_integers(ramp)
        months = self._months(d)
        cache = self._person_capacity
        ratios: list[tuple[int, int]] = []
        for person in people:
            key = (person, start, end, ramp)
            ratio = cache.get(key)
            if ratio is None:
                ramped = self._person_ramp(person, months, factors, denominator)
                common = gcd(ramped, denominator)
                ratio = cache[key] = (ramped // common, denominator // common)
            ratios.append(ratio)
        return ratios

    def _ramp_integers(self, ramp: tuple[Decimal, ...]) -> tuple[int, tuple[int, ...]]:
        """The ramp factors over their common denominator: ``(denominator, numerators)``."""
        found = self._ramps.get(ramp)
        if found is None:
            ratios = [Fraction(factor).as_integer_ratio() for factor in ramp]
            denominator = 1
            for _n, q in ratios:
                denominator = denominator * q // gcd(denominator, q)
            numerators = tuple(n * (denominator // q) for n, q in ratios)
            found = self._ramps[ramp] = (denominator, numerators)
        return found

    def _months(self, d: Decomposition) -> list[tuple[int, Any, Any]]:
        """The period's months as (key, first day, last day)."""
        key = (d.period.start, d.period.end)
        found = self._month_bounds.get(key)
        if found is None:
            found = [(m.key, m.first_day, m.last_day) for m in d.period.months]
            self._month_bounds[key] = found
        return found

    def _person_ramp(
        self,
        person: str,
        months: list[tuple[int, Any, Any]],
        factors: tuple[int, ...],
        denominator: int,
    ) -> int:
        """Σ :meth:`ramp_factor` × ``denominator`` over ``months`` (key, first and last
        day) for one person."""
        employed_from, employed_to = self.org.employment(person)
        start = self.scenario.people[person].start
        joined = None if start is None else start.year * 12 + start.month - 1
        if (
            employed_from <= months[0][1]
            and months[-1][2] <= employed_to
            and (joined is None or months[0][0] - joined >= len(factors))
        ):  # employed all along, past the ramp: every month counts in full
            return denominator * len(months)
        total = 0
        for key, first_day, last_day in months:
            if employed_from <= last_day and first_day <= employed_to:
                if joined is None:
                    total += denominator
                else:
                    k = key - joined + 1
                    total += factors[k - 1] if 1 <= k <= len(factors) else denominator
        return total

    def _capacity_by_unit(self, d: Decomposition) -> tuple[int, dict[str, int]]:
        """Everyone's ramp factors in each month of the period, summed per unit they are
        in on their first day in the month (whatever their role), × the denominator."""
        denominator, factors = self._ramp_integers(d.ramp)
        months = self._months(d)
        by_unit: dict[str, int] = {}
        for pid, person in self.scenario.people.items():
            segments = self.org.segments(pid)
            if len(segments) == 1:  # one unit all along: the person's capacity
                unit = segments[0].unit
                by_unit[unit] = by_unit.get(unit, 0) + self._person_ramp(
                    pid, months, factors, denominator
                )
                continue
            for month in months:
                first_day, last_day = month[1], month[2]
                day = max(first_day, person.start or first_day)
                if day <= last_day:
                    unit = self.org.on(pid, day).unit
                    by_unit[unit] = by_unit.get(unit, 0) + self._person_ramp(
                        pid, [month], factors, denominator
                    )
        return denominator, by_unit

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
            weights, found = cached
            self.warnings.extend(
                Problem(
                    d.path,
                    problem.message,
                    problem.code,
                    tuple((k, d.who if k == "who" else v) for k, v in problem.params),
                )
                for problem in found
            )
            return weights
        warnings, errors = len(self.warnings), len(self.errors)
        weights = self._compute_method_weights(d, method, members)
        if len(self.errors) == errors:
            self._method_weights[key] = (weights, self.warnings[warnings:])
        return weights

    def _compute_method_weights(self, d: Decomposition, method: str, members: list[str]) -> Weights:
        keys = tuple(members)
        equal = Weights(keys, (1,) * len(members), len(members))
        ratios: list[tuple[int, int]] = []
        if method == "equal":
            return equal
        if method == "history":
            assert d.history_period is not None
            negative: list[str] = []
            for m in members:
                if d.to == "people":
                    actual = self.measures.value(d.measure, m, d.history_period)
                else:
                    actual = self.measures.unit_value(d.measure, m, d.history_period)
                if self._refunds_weigh_nothing and actual is not None and actual < 0:
                    negative.append(m)
                    actual = ZERO
                ratios.append(_ratio(actual or ZERO))
            if negative:
                self.warnings.append(
                    Problem(
                        d.path,
                        f"negative history in {d.history_period.id} counts as 0: "
                        + ", ".join(negative),
                        "history_negative",
                        (
                            ("who", d.who),
                            ("members", ",".join(negative)),
                            ("period", d.history_period.id),
                        ),
                    )
                )
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
        elif d.to == "people":
            ratios = self._capacity_ratios(d, members)
        else:
            for m in members:
                ratios.append(self.capacity(d, m).as_integer_ratio())
        values = _integer_weights(ratios)
        total = sum(values)
        if total == 0:
            self.warnings.append(
                Problem(
                    d.path,
                    f"{method} shares are all 0; members share equally instead",
                    "shares_all_zero",
                    (("who", d.who), ("method", method)),
                )
            )
            return equal
        return Weights(keys, tuple(values), total)

    @staticmethod
    def blend(
        members: list[str], methods: dict[str, Decimal], per_method: dict[str, Weights]
    ) -> Weights:
        """Σ weight × share over the methods, exactly: each method's coefficient
        ``weight / its total`` once, then one integer multiply-add per member."""
        coefficients: list[tuple[int, int]] = []  # Fraction(w) / total, in lowest terms
        for name, w in methods.items():
            numerator, q = _ratio(w)
            q *= per_method[name].total
            common = gcd(numerator, q)
            if q < 0:
                common = -common
            coefficients.append((numerator // common, q // common))
        denominator = 1
        for _n, q in coefficients:
            if denominator % q:
                denominator = denominator * q // gcd(denominator, q)
        values = [0] * len(members)
        for (numerator, q), name in zip(coefficients, methods, strict=True):
            factor = numerator * (denominator // q)
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
            self._log_made(d, None)
            if d.value is not None:
                self._made_whos.setdefault(d.measure, set()).add(d.who)
            if value:  # a target of 0 with nobody to carry it loses nothing
                self.warnings.append(
                    Problem(
                        d.path,
                        "no members to decompose the target to",
                        "no_members",
                        (("who", d.who),),
                    )
                )
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
                    "rounded",
                    (
                        ("who", d.who),
                        ("total", str(total)),
                        ("rounded", str(rounded)),
                        ("period", d.period.id),
                    ),
                )
            )
        amounts = split_units(int(units), weights.values)
        round_to, measure, path, did, period = d.round_to, d.measure, d.path, d.id, d.period
        allocation = Allocation(d, units * round_to, weights, per_method, {})
        generated: list[TargetSpec] = []  # this decomposition's, in order
        months = _MonthSplit(self, d) if d.months is not None else None
        if months is not None and d.months == "seasonal":
            negative = self._negative_months.get(self._month_key(d))
            if negative:
                self.warnings.append(
                    Problem(
                        d.path,
                        "seasonal months with a negative actual count as 0: " + ", ".join(negative),
                        "seasonal_negative",
                        (("who", d.who), ("months", ",".join(negative))),
                    )
                )
        sources = self._sources
        unstaffed = self.unstaffed.get(did, ()) if d.to == "units" else ()
        if unstaffed:  # a target of 0, so their own decompositions have one to split
            members, amounts = [*members, *unstaffed], [*amounts, *(0 for _ in unstaffed)]
        for member, member_units in zip(members, amounts, strict=True):
            amount = member_units * round_to
            allocation.parts[member] = amount
            targets = sources is None or member in sources
            if targets:
                generated.append(TargetSpec(measure, member, period, amount, True, path, did))
            if months is not None:
                month_parts = months.split(member, member_units)
                allocation.months[member] = month_parts
                if not targets:
                    continue
                for (_key, month_units), month in zip(
                    month_parts.items(), months.periods, strict=True
                ):
                    generated.append(
                        TargetSpec(measure, member, month, month_units * round_to, True, path, did)
                    )
        self.generated.extend(generated)
        self._clashes(d, allocation)
        self._log_made(d, allocation)
        self.book.add_all(generated)
        self.allocations.append(allocation)

    def _log_made(self, d: Decomposition, allocation: Allocation | None) -> None:
        """Keep what `d` made, and for whom (exactly the whos :func:`_made` yields)."""
        place = len(self._made_log)
        self._made_log.append((d, allocation))
        whos = [d.who] if d.value is not None else []
        if allocation is not None:
            whos.extend(allocation.parts)
        for who in dict.fromkeys(whos):
            self._made_at.setdefault((d.measure, who), []).append(place)

    def _clashes(self, d: Decomposition, allocation: Allocation) -> None:
        """Warn of the targets `d` made that an earlier decomposition made with another
        value: the earlier one counts, as in the book (the first wins). A preview
        (``generate=False``) leaves some targets out of the book: they are read from the
        allocations, so it warns as the run does. Only the people and units an earlier
        decomposition of the measure made targets for are looked at (in a chain, hq →
        units → people, those are the units a later decomposition splits: few)."""
        made_whos = self._made_whos.setdefault(d.measure, set())
        whos = set(allocation.parts)
        if d.value is not None:
            whos.add(d.who)
        overlap = whos & made_whos
        made_whos |= whos
        if not overlap:
            return
        first: dict[tuple[str, str], tuple[Decimal, str]] = {}
        places = sorted({i for who in overlap for i in self._made_at.get((d.measure, who), ())})
        for place in places:  # in the order they were made: the first wins
            past, past_allocation = self._made_log[place]
            for who, pid, value in _made(past, past_allocation, overlap):
                first.setdefault((who, pid), (value, past.path))
        given = self.book.given
        own: list[tuple[str, str, Decimal, Decimal, str]] = []
        clashes: list[tuple[str, str, Decimal, Decimal, str]] = []
        for who, pid, value in _made(d, allocation, overlap):
            explicit = given.get((d.measure, who, pid))
            if explicit is not None and explicit.decomposition is None:
                continue  # a target given in `targets` wins, as the spec says
            kept = first.get((who, pid))
            if kept is None or kept[0] == value:
                continue
            found = (who, pid, value, kept[0], kept[1])
            (own if (who, pid) == (d.who, d.period.id) else clashes).append(found)
        for who, pid, value, kept_value, kept_path in own:  # its own value: still split
            self.warnings.append(
                Problem(
                    d.path,
                    f"the {pid} target of {who} for {d.measure} stays {plain(kept_value)} "
                    f"from {kept_path}; this decomposition still splits {plain(value)}",
                    "clash_value",
                    (("who", who), ("period", pid)),
                )
            )
        if not clashes:
            return
        who, pid, value, kept_value, kept_path = clashes[0]
        more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
        self.warnings.append(
            Problem(
                d.path,
                f"the {pid} target of {who} for {d.measure} is already "
                f"{plain(kept_value)} from {kept_path}{more}; {plain(value)} is not used",
                "clash",
                (("who", who), ("period", pid), ("count", str(len(clashes)))),
            )
        )

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
            negative: list[str] = []
            for year in d.seasonal_years:
                period = fiscal_year_period(year, fys)
                actuals = [
                    (month, self.measures.unit_value(d.measure, d.who, month_period(month)) or ZERO)
                    for month in period.months
                ]
                # spec section 6: each month's share of the year's actual (for a
                # distinct count or an average not the sum of its months')
                total = self.measures.unit_value(d.measure, d.who, period) or ZERO
                below = [month.id for month, actual in actuals if actual < 0]
                if self._refunds_weigh_nothing and below:
                    # a month with more refunds than sales weighs 0, not less; the
                    # year's total is that of the months that count
                    negative.extend(below)
                    actuals = [(month, max(actual, ZERO)) for month, actual in actuals]
                    total = sum((actual for _m, actual in actuals), ZERO)
                if total == 0:
                    continue
                years += 1
                for month, actual in actuals:
                    sums[fiscal_month_index(month, fys)] += Fraction(actual) / Fraction(total)
            self._negative_months[self._month_key(d)] = tuple(negative)
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


class _MonthSplit:
    """:meth:`Decomposer.split_months` for the members of one decomposition: the
    period's months, their integer weights and their target periods worked out once."""

    def __init__(self, decomposer: Decomposer, d: Decomposition) -> None:
        self.decomposer = decomposer
        self.everyone = d.to == "units"  # units are never employed part of the period
        # ... but with staffed_units_only, a unit's months are those someone (with the
        # staff roles) works in it: a unit closed or opened in the year, its people moved
        # to another, does not keep targets for months nobody can carry them.
        self.staffed: list[set[str]] | None = None
        self.bounds = decomposer._months(d)
        self.keys = [str(key) for key, _first, _last in self.bounds]
        integers = decomposer.month_integers(d)
        self.weights = [integers[key] for key, _first, _last in self.bounds]
        self.periods = [month_period(m) for m in d.period.months]
        self._whole: dict[int, dict[str, Decimal]] = {}
        if self.everyone and decomposer._staffed_units_only:
            self.staffed = [
                decomposer.staffed_units(first, last) for _key, first, last in self.bounds
            ]

    def split(self, member: str, units: int) -> dict[str, Decimal]:
        bounds, weights = self.bounds, self.weights
        if self.staffed is not None:
            staffed = [i for i, found in enumerate(self.staffed) if member in found]
            if staffed and len(staffed) < len(bounds):  # staffed in some months only
                result = dict.fromkeys(self.keys, ZERO)
                amounts = split_units(units, [weights[i] for i in staffed])
                for i, month_units in zip(staffed, amounts, strict=True):
                    result[self.keys[i]] = Decimal(month_units)
                return result
        if not self.everyone:
            first, last = self.decomposer.org.employment(member)
            if not (first <= bounds[0][1] and bounds[-1][2] <= last):  # not all months
                employed = [
                    i
                    for i, (_key, first_day, last_day) in enumerate(bounds)
                    if first <= last_day and first_day <= last
                ]
                result = dict.fromkeys(self.keys, ZERO)
                if employed:
                    amounts = split_units(units, [weights[i] for i in employed])
                    for i, month_units in zip(employed, amounts, strict=True):
                        result[self.keys[i]] = Decimal(month_units)
                return result
        found = self._whole.get(units)
        if found is None:  # members employed all year with the same units: one split
            found = self._whole[units] = dict(
                zip(self.keys, map(Decimal, split_units(units, weights)), strict=True)
            )
        return dict(found)


def _made(
    d: Decomposition, allocation: Allocation | None, only: set[str]
) -> Iterator[tuple[str, str, Decimal]]:
    """(who, period id, value) of the targets `d` made for `only`: its own value, then
    each member's period and months, in the members' order."""
    if d.value is not None and d.who in only:
        yield d.who, d.period.id, d.value
    if allocation is None:
        return
    months: list[str] | None = None
    for who, amount in allocation.parts.items():
        if who not in only:
            continue
        yield who, d.period.id, amount
        split = allocation.months.get(who)
        if split:
            if months is None:
                months = [month_period(m).id for m in d.period.months]
            for units, pid in zip(split.values(), months, strict=True):
                yield who, pid, units * d.round_to
