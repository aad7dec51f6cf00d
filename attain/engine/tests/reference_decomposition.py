"""The engine's decomposition as it was before it was made fast (member by member in
Fractions, every person scanned for every decomposition): kept as the reference the
engine's :class:`~attain.engine.decomposition.Decomposer` must equal exactly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import gcd

from attain.engine.measures import MeasureEngine
from attain.engine.model import Decomposition, Scenario, TargetSpec
from attain.engine.numbers import ZERO, plain
from attain.engine.org import Org
from attain.engine.periods import Month, fiscal_month_index, fiscal_year_period, month_period
from attain.engine.problems import Problem
from attain.engine.targets import TargetBook


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
    denominator = 1
    for _key, share in shares:
        q = share.denominator
        if denominator % q:
            denominator = denominator * q // gcd(denominator, q)
    weights = [share.numerator * (denominator // share.denominator) for _key, share in shares]
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights = [1] * len(shares)
        weight_sum = len(shares)
    floors: list[int] = []
    remainders: list[int] = []
    for w in weights:
        f, r = divmod(total * w, weight_sum)
        floors.append(f)
        remainders.append(r)
    leftover = total - sum(floors)
    extra: set[int] = set()
    if leftover > 0:
        order = sorted(range(len(weights)), key=lambda i: (-remainders[i], -weights[i], i))
        extra = set(order[:leftover])
    return [
        Part(key, weights[i], weight_sum, total, floors[i], i in extra)
        for i, (key, _share) in enumerate(shares)
    ]


@dataclass
class Allocation:
    decomposition: Decomposition
    total: Decimal
    shares: dict[str, Fraction]
    method_shares: dict[str, dict[str, Fraction]]
    parts: dict[str, Decimal]
    months: dict[str, dict[str, Decimal]] = field(default_factory=dict)


class ReferenceDecomposer:
    def __init__(
        self,
        scenario: Scenario,
        org: Org,
        measures: MeasureEngine,
        book: TargetBook,
        *,
        caches: object = None,  # accepted like the engine's, never used
    ) -> None:
        self.scenario = scenario
        self.org = org
        self.measures = measures
        self.book = book
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.generated: list[TargetSpec] = []
        self.allocations: list[Allocation] = []
        self._month_weights: dict[str, dict[int, Fraction]] = {}
        self._made: dict[tuple[str, str, str], TargetSpec] = {}

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
    def members(self, d: Decomposition) -> list[str]:
        if d.to == "units":
            return sorted(self.org.children(d.who))
        under = self.org.descendants(d.who)
        result: list[str] = []
        for pid in sorted(self.scenario.people):
            first, last = self.org.employment(pid)
            start, end = max(first, d.period.start), min(last, d.period.end)
            if start > end:
                continue
            for segment in self.org.segments(pid):
                if segment.start > end or segment.end < start:
                    continue
                if segment.unit in under and (d.roles is None or segment.role in d.roles):
                    result.append(pid)
                    break
        return result

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
            return sum((self.ramp_factor(d, member, m) for m in d.period.months), Fraction(0))
        under = self.org.descendants(member)
        total = Fraction(0)
        for month in d.period.months:
            for pid in self.scenario.people:
                day = max(month.first_day, self.scenario.people[pid].start or month.first_day)
                if day <= month.last_day and self.org.on(pid, day).unit in under:
                    total += self.ramp_factor(d, pid, month)
        return total

    def method_shares(
        self, d: Decomposition, method: str, members: list[str]
    ) -> dict[str, Fraction]:
        equal = {m: Fraction(1, len(members)) for m in members}
        raw: dict[str, Fraction] = {}
        if method == "equal":
            return equal
        if method == "history":
            assert d.history_period is not None
            for m in members:
                if d.to == "people":
                    actual = self.measures.value(d.measure, m, d.history_period)
                else:
                    actual = self.measures.unit_value(d.measure, m, d.history_period)
                raw[m] = Fraction(actual or ZERO)
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
                raw[m] = Fraction(value)
        else:
            for m in members:
                raw[m] = self.capacity(d, m)
        total = sum(raw.values(), Fraction(0))
        if total == 0:
            self.warnings.append(
                Problem(d.path, f"{method} shares are all 0; members share equally instead")
            )
            return equal
        return {m: value / total for m, value in raw.items()}

    # -- allocation --------------------------------------------------------------------
    def allocate(self, d: Decomposition, value: Decimal) -> None:
        made: list[TargetSpec] = []
        if d.value is not None:
            made.append(TargetSpec(d.measure, d.who, d.period, d.value, True, d.path, d.id))
            self.book.add(made[-1])
        members = self.members(d)
        if not members:
            if value:  # a target of 0 with nobody to carry it loses nothing
                self.warnings.append(Problem(d.path, "no members to decompose the target to"))
            return
        methods = dict(d.blend) if d.method == "blend" else {d.method: Decimal(1)}
        per_method = {name: self.method_shares(d, name, members) for name in methods}
        shares = {
            m: sum((Fraction(w) * per_method[name][m] for name, w in methods.items()), Fraction(0))
            for m in members
        }
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
        parts = largest_remainder(int(units), [(m, shares[m]) for m in members])
        allocation = Allocation(d, units * d.round_to, shares, per_method, {})
        for part in parts:
            amount = part.units * d.round_to
            allocation.parts[part.key] = amount
            spec = TargetSpec(d.measure, part.key, d.period, amount, True, d.path, d.id)
            self.generated.append(spec)
            made.append(spec)
            self.book.add(spec)
            if d.months is not None:
                month_parts = self.split_months(d, part.key, part.units)
                allocation.months[part.key] = month_parts
                for month, month_units in month_parts.items():
                    month_spec = TargetSpec(
                        d.measure,
                        part.key,
                        month_period(Month.from_key(int(month))),
                        month_units * d.round_to,
                        True,
                        d.path,
                        d.id,
                    )
                    self.generated.append(month_spec)
                    made.append(month_spec)
                    self.book.add(month_spec)
        self._warn_clashes(d, made)
        self.allocations.append(allocation)

    def _warn_clashes(self, d: Decomposition, made: list[TargetSpec]) -> None:
        """A target an earlier decomposition made with another value keeps that value
        (a target given in `targets` wins anyway)."""
        clashes = []
        for spec in made:
            key = (spec.measure, spec.who, spec.period.id)
            given = self.book.given.get(key)
            if given is not None and given.decomposition is None:
                continue
            kept = self._made.setdefault(key, spec)
            if kept.path != spec.path and kept.value != spec.value:
                if d.value is not None and (spec.who, spec.period.id) == (d.who, d.period.id):
                    self.warnings.append(  # its own value: kept as the target, still split
                        Problem(
                            d.path,
                            f"the {spec.period.id} target of {spec.who} for {spec.measure} "
                            f"stays {plain(kept.value)} from {kept.path}; this decomposition "
                            f"still splits {plain(spec.value)}",
                        )
                    )
                    continue
                clashes.append((spec, kept))
        if clashes:
            spec, kept = clashes[0]
            more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
            self.warnings.append(
                Problem(
                    d.path,
                    f"the {spec.period.id} target of {spec.who} for {spec.measure} is already "
                    f"{plain(kept.value)} from {kept.path}{more}; {plain(spec.value)} is not used",
                )
            )

    def employed_months(self, d: Decomposition, member: str) -> list[Month]:
        if d.to == "units":
            return list(d.period.months)
        return [
            m for m in d.period.months if self.org.employed_on_any(member, m.first_day, m.last_day)
        ]

    def month_weights(self, d: Decomposition) -> dict[int, Fraction]:
        found = self._month_weights.get(d.id)
        if found is None:
            found = self._month_weights[d.id] = self._compute_month_weights(d)
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
        weights = self.month_weights(d)
        result = {str(m.key): Decimal(0) for m in d.period.months}
        if not employed:
            return result
        shares = [(str(m.key), weights[m.key]) for m in employed]
        if sum((s for _k, s in shares), Fraction(0)) == 0:
            shares = [(key, Fraction(1)) for key, _s in shares]
        for part in largest_remainder(units, shares):
            result[part.key] = Decimal(part.units)
        return result
