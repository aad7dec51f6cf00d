"""The organisation on a date: effective-dated unit, manager and role per person.

A person's unit, manager and role on a date is what their base fields and ``history``
say for that date (entries apply from their ``from`` date onward, in date order; a
field an entry does not name keeps its previous value).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

import polars as pl

from .model import Person, Unit
from .periods import Interval
from .problems import Problem

BEGINNING = dt.date(1, 1, 1)
END_OF_TIME = dt.date(9999, 12, 31)


@dataclass(frozen=True)
class Segment:
    """A run of days over which a person's unit, manager and role do not change."""

    start: dt.date
    end: dt.date
    unit: str
    manager: str | None
    role: str | None
    unit_path: str
    manager_path: str


class Org:
    def __init__(self, units: Mapping[str, Unit], people: Mapping[str, Person]) -> None:
        self.units = units
        self.people = people
        self._segments: dict[str, list[Segment]] = {
            pid: _segments(person) for pid, person in people.items()
        }
        self._children: dict[str, list[str]] = {uid: [] for uid in units}
        for unit in units.values():
            if unit.parent in self._children:
                self._children[unit.parent].append(unit.id)

    # -- people ---------------------------------------------------------------------
    def segments(self, person: str) -> list[Segment]:
        return self._segments[person]

    def on(self, person: str, day: dt.date) -> Segment:
        for segment in self._segments[person]:
            if segment.start <= day <= segment.end:
                return segment
        return self._segments[person][-1]

    def employment(self, person: str) -> Interval:
        p = self.people[person]
        return (p.start or BEGINNING, p.end or END_OF_TIME)

    def employed_on_any(self, person: str, start: dt.date, end: dt.date) -> bool:
        first, last = self.employment(person)
        return first <= end and start <= last

    def manager_chain(self, person: str, day: dt.date) -> list[str]:
        """The managers above `person` on `day`, nearest first."""
        chain: list[str] = []
        current = self.on(person, day).manager
        while current is not None and current not in chain and current != person:
            chain.append(current)
            current = self.on(current, day).manager if current in self.people else None
        return chain

    # -- units ----------------------------------------------------------------------
    def ancestors(self, unit: str) -> list[str]:
        """The unit itself, then its parent, up to the root."""
        chain: list[str] = []
        current: str | None = unit
        while current is not None and current in self.units and current not in chain:
            chain.append(current)
            current = self.units[current].parent
        return chain

    def descendants(self, unit: str) -> set[str]:
        """The unit itself and every unit below it."""
        result: set[str] = set()
        stack = [unit]
        while stack:
            current = stack.pop()
            if current in result:
                continue
            result.add(current)
            stack.extend(self._children.get(current, []))
        return result

    def children(self, unit: str) -> list[str]:
        return list(self._children.get(unit, []))

    # -- frames for vectorised joins ------------------------------------------------
    @cached_property
    def people_with_history(self) -> list[str]:
        return [pid for pid, segments in self._segments.items() if len(segments) > 1]

    @cached_property
    def dynamic_people(self) -> set[str]:
        """People whose unit or manager chain may change over time: people with history
        and everyone who reports, at any time, to one of them (directly or not)."""
        reports: dict[str, set[str]] = {}
        for pid, segments in self._segments.items():
            for segment in segments:
                if segment.manager is not None:
                    reports.setdefault(segment.manager, set()).add(pid)
        result: set[str] = set()
        stack = list(self.people_with_history)
        while stack:
            current = stack.pop()
            if current in result:
                continue
            result.add(current)
            stack.extend(reports.get(current, ()))
        return result

    @cached_property
    def static_frame(self) -> pl.DataFrame:
        rows = [(pid, s[0].unit, s[0].manager) for pid, s in self._segments.items()]
        return pl.DataFrame(
            {
                "__person": [r[0] for r in rows],
                "__unit": [r[1] for r in rows],
                "__manager": [r[2] for r in rows],
            },
            schema={"__person": pl.String, "__unit": pl.String, "__manager": pl.String},
        )

    @cached_property
    def segment_frame(self) -> pl.DataFrame:
        persons: list[str] = []
        starts: list[dt.date] = []
        units: list[str] = []
        managers: list[str | None] = []
        for pid in self.people_with_history:
            for segment in self._segments[pid]:
                persons.append(pid)
                starts.append(segment.start)
                units.append(segment.unit)
                managers.append(segment.manager)
        return pl.DataFrame(
            {"__person": persons, "__start": starts, "__unit": units, "__manager": managers},
            schema={
                "__person": pl.String,
                "__start": pl.Date,
                "__unit": pl.String,
                "__manager": pl.String,
            },
        ).sort("__start")

    def attach(self, frame: pl.DataFrame, person: str, date: str) -> pl.DataFrame:
        """Add ``__unit`` and ``__manager``: the person's unit and manager on the date."""
        return self._attach(frame, person, date, self.static_frame, self.segment_frame)

    def attach_unit(self, frame: pl.DataFrame, person: str, date: str) -> pl.DataFrame:
        """Add ``__unit`` only, the unit on the date as a category: the join writes
        integer codes, not a text per row (ten million of them for a distinct measure)."""
        unit = pl.col("__unit").cast(pl.Categorical)
        static = self.static_frame.select("__person", unit)
        segments = self.segment_frame.select("__person", "__start", unit)
        return self._attach(frame, person, date, static, segments)

    def _attach(
        self,
        frame: pl.DataFrame,
        person: str,
        date: str,
        static: pl.DataFrame,
        segments: pl.DataFrame,
    ) -> pl.DataFrame:
        static = static.rename({"__person": person})
        moving = self.people_with_history
        if not moving:
            return frame.join(static, on=person, how="left")
        mask = pl.col(person).is_in(pl.Series(moving, dtype=pl.String).implode())
        still = frame.filter(~mask).join(static, on=person, how="left")
        dated = (
            frame.filter(mask)
            .sort(date)
            .join_asof(
                segments.rename({"__person": person}),
                left_on=date,
                right_on="__start",
                by=person,
                strategy="backward",
                check_sortedness=False,
            )
            .drop("__start")
        )
        return pl.concat([still, dated], how="vertical_relaxed")


def _segments(person: Person) -> list[Segment]:
    unit, manager, role = person.unit, person.manager, person.role
    unit_path = f"{person.path}.unit"
    manager_path = f"{person.path}.manager"
    segments: list[Segment] = []
    start = BEGINNING
    for entry in sorted(person.history, key=lambda e: e.start):
        if entry.start > start:
            segments.append(
                Segment(
                    start,
                    entry.start - dt.timedelta(days=1),
                    unit,
                    manager,
                    role,
                    unit_path,
                    manager_path,
                )
            )
            start = entry.start
        if "unit" in entry.changes and entry.changes["unit"] is not None:
            unit = entry.changes["unit"] or unit
            unit_path = f"{entry.path}.unit"
        if "manager" in entry.changes:
            manager = entry.changes["manager"]
            manager_path = f"{entry.path}.manager"
        if "role" in entry.changes:
            role = entry.changes["role"]
    segments.append(Segment(start, END_OF_TIME, unit, manager, role, unit_path, manager_path))
    return segments


def unit_cycles(units: Mapping[str, Unit]) -> list[Problem]:
    problems: list[Problem] = []
    reported: set[str] = set()
    for uid in units:
        seen: list[str] = []
        current: str | None = uid
        while current is not None and current in units and current not in seen:
            seen.append(current)
            current = units[current].parent
        if current is not None and current in seen:
            cycle = seen[seen.index(current) :]
            for member in cycle:
                if member not in reported:
                    reported.add(member)
                    problems.append(
                        Problem(
                            f"{units[member].path}.parent",
                            f"unit {member!r} is its own ancestor (cycle: "
                            + " → ".join([*cycle, cycle[0]])
                            + ")",
                        )
                    )
    return problems


def manager_cycles(org: Org, dates: Iterable[dt.date] | None = None) -> list[Problem]:
    """Cycles in the manager graph on any date where it changes.

    On the first date every chain is walked; on each later date only the chains of the
    people whose manager link changes that day: a cycle that appears that day must run
    through one of them, and one that was already there has been reported.
    """
    changes: dict[dt.date, list[str]] = {}
    for pid in org.people_with_history:
        for entry in org.people[pid].history:
            changes.setdefault(entry.start, []).append(pid)
    if dates is None:
        dates = sorted({BEGINNING, *changes})
    problems: list[Problem] = []
    reported: set[tuple[str, str]] = set()
    order = {pid: index for index, pid in enumerate(org.people)}
    managers: dict[str, Segment] = {}
    for index, day in enumerate(sorted(dates)):
        if index == 0:
            managers = {pid: org.on(pid, day) for pid in org.people}
            starts: Iterable[str] = org.people
        else:
            changed = sorted(set(changes.get(day, ())), key=order.__getitem__)
            for pid in changed:
                managers[pid] = org.on(pid, day)
            starts = changed
        # people already walked today: their chain ends (done) or reaches a known cycle
        finished: set[str] = set()
        for pid in starts:
            seen: list[str] = []
            current: str | None = pid
            while (
                current is not None
                and current in managers
                and current not in finished
                and current not in seen
            ):
                seen.append(current)
                current = managers[current].manager
            finished.update(seen)
            if current is None or current not in seen:
                continue  # the chain ends, or joins one walked before (its cycle is reported)
            cycle = seen[seen.index(current) :]
            for member in cycle:
                path = managers[member].manager_path
                if (member, path) in reported:
                    continue
                reported.add((member, path))
                when = "" if day == BEGINNING else f" from {day.isoformat()}"
                problems.append(
                    Problem(
                        path,
                        f"manager chain of {member!r} is a cycle{when}: "
                        + " → ".join([*cycle, cycle[0]]),
                    )
                )
    return problems
