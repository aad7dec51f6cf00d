"""The bulk path for large generated companies (thousands of people).

``create_person`` and ``transfer_person`` write a few rows each, and ``transfer_person``
re-reads every open assignment to rule out management cycles, so 10,000 people through
them take minutes. This module replays the same operations in memory with the same
checks as :mod:`attain.org.services` (employment dates, open units, a manager employed
on the day, no report left behind by a leaver, no management cycle on any day), then
writes people, assignments and the matching audit events with ``bulk_create``. The
result is the database the services would have written, row for row and audit event for
audit event (``tests/test_generator.py`` compares the two paths).
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from attain.audit.models import Action, AuditEvent
from attain.audit.services import append_many, snapshot
from attain.org.models import Assignment, Person, Unit

if TYPE_CHECKING:
    from .generator import CompanyPlan

BATCH = 2000


@dataclass
class _Change:
    action: str
    instance: models.Model
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str = ""


class _Replay:
    def __init__(self) -> None:
        self.rows: dict[int, list[Assignment]] = {}  # person id → assignments by start
        self.starts: dict[int, list[datetime.date]] = {}
        self.reports: dict[int, list[Assignment]] = defaultdict(list)  # manager id → rows
        self.change_days: list[datetime.date] = []  # every distinct valid_from, sorted
        self.created: list[Assignment] = []
        self.changes: list[_Change] = []

    def add_row(self, row: Assignment) -> None:
        person_id = row.person_id
        starts = self.starts.setdefault(person_id, [])
        index = bisect.bisect_right(starts, row.valid_from)
        starts.insert(index, row.valid_from)
        self.rows.setdefault(person_id, []).insert(index, row)
        if row.manager_id is not None:
            self.reports[row.manager_id].append(row)
        day_index = bisect.bisect_left(self.change_days, row.valid_from)
        if day_index == len(self.change_days) or self.change_days[day_index] != row.valid_from:
            self.change_days.insert(day_index, row.valid_from)
        self.created.append(row)

    def hire(self, person: Person, unit: Unit, title: str, manager: Person | None) -> None:
        errors: dict[str, str] = {}
        if manager is not None:
            _check_manager_employed(manager, person.start, errors)
        _check_unit_open(unit, person.start, errors)
        if errors:
            raise ValidationError(errors)
        row = Assignment(
            person=person, unit=unit, manager=manager, title=title, valid_from=person.start
        )
        self.add_row(row)
        self.changes.append(_Change(Action.CREATE, person, None, snapshot(person)))
        self.changes.append(_Change(Action.CREATE, row, None, snapshot(row)))

    def transfer(
        self,
        person: Person,
        *,
        on: datetime.date,
        manager: Person,
        unit: Unit | None,
        title: str | None,
        reason: str,
    ) -> None:
        errors: dict[str, str] = {}
        if on < person.start:
            errors["on"] = "A change cannot take effect before the employment start."
        elif person.end is not None and on > person.end:
            errors["on"] = "A change cannot take effect after the employment end."
        if manager.pk == person.pk:
            errors["manager"] = "A person cannot be their own manager."
        else:
            _check_manager_employed(manager, on, errors)
        if unit is not None:
            _check_unit_open(unit, on, errors)
        if errors:
            raise ValidationError(errors)
        covering = self.covering(person.pk, on)
        if covering is None:
            raise ValidationError({"on": f"{person.name} has no assignment on {on}."})
        new_unit = covering.unit if unit is None else unit
        new_title = covering.title if title is None else title
        if (new_unit, manager, new_title) == (covering.unit, covering.manager, covering.title):
            raise ValidationError({"on": f"Nothing changes for {person.name} on {on}."})
        before = snapshot(covering)
        if covering.valid_from == on:
            if covering.manager_id is not None:
                self.reports[covering.manager_id].remove(covering)
            covering.unit, covering.manager, covering.title = new_unit, manager, new_title
            self.reports[manager.pk].append(covering)
            self.changes.append(
                _Change(Action.UPDATE, covering, before, snapshot(covering), reason)
            )
        else:
            changed = Assignment(
                person=person,
                unit=new_unit,
                manager=manager,
                title=new_title,
                valid_from=on,
                valid_to=covering.valid_to,
            )
            covering.valid_to = on
            self.add_row(changed)
            self.changes.append(
                _Change(Action.UPDATE, covering, before, snapshot(covering), reason)
            )
            self.changes.append(_Change(Action.CREATE, changed, None, snapshot(changed), reason))
        self.check_no_cycle(person, on)

    def end(self, person: Person, *, on: datetime.date, reason: str) -> None:
        if on < person.start:
            raise ValidationError({"end": "Employment cannot end before it starts."})
        after_last_day = on + datetime.timedelta(days=1)
        left_behind = [
            row.person.name
            for row in self.reports.get(person.pk, [])
            if (row.valid_to is None or row.valid_to > after_last_day)
            and (row.person.end is None or row.person.end > on)
        ]
        if left_behind:
            names = ", ".join(sorted(set(left_behind))[:5])
            raise ValidationError({"end": f"Give these people another manager first: {names}."})
        if any(start > on for start in self.starts.get(person.pk, [])):
            raise ValidationError({"end": f"Changes are recorded after {on}; undo them first."})
        before = snapshot(person)
        person.end = on
        self.changes.append(_Change(Action.UPDATE, person, before, snapshot(person), reason))
        # As the service does: the last assignment ends with the last working day.
        last = self.covering(person.pk, on)
        if last is not None and (last.valid_to is None or last.valid_to > after_last_day):
            last_before = snapshot(last)
            last.valid_to = after_last_day
            self.changes.append(_Change(Action.UPDATE, last, last_before, snapshot(last), reason))

    def covering(self, person_id: int, day: datetime.date) -> Assignment | None:
        index = bisect.bisect_right(self.starts.get(person_id, []), day) - 1
        if index < 0:
            return None
        row = self.rows[person_id][index]
        return row if row.valid_to is None or row.valid_to > day else None

    def manager_on(self, person_id: int, day: datetime.date) -> int | None:
        row = self.covering(person_id, day)
        return row.manager_id if row is not None else None

    def check_no_cycle(self, person: Person, since: datetime.date) -> None:
        """As ``_check_no_management_cycle``: on ``since`` and every later change day."""
        first = bisect.bisect_right(self.change_days, since)
        for day in [since, *self.change_days[first:]]:
            seen = {person.pk}
            node = self.manager_on(person.pk, day)
            while node is not None:
                if node in seen:
                    raise ValidationError(
                        {"manager": f"That would make a management cycle on {day}."}
                    )
                seen.add(node)
                node = self.manager_on(node, day)


def _check_manager_employed(manager: Person, on: datetime.date, errors: dict[str, str]) -> None:
    if manager.start > on or (manager.end is not None and manager.end < on):
        errors["manager"] = f"{manager.name} is not employed on {on}."


def _check_unit_open(unit: Unit, on: datetime.date, errors: dict[str, str]) -> None:
    if (unit.opened is not None and unit.opened > on) or (
        unit.closed is not None and unit.closed < on
    ):
        errors["unit"] = f"The unit “{unit.name}” is not open on {on}."


def apply_in_bulk(
    plan: CompanyPlan,
    units: dict[str, Unit],
    progress: Callable[[int, int], None] | None = None,
) -> dict[int, Person]:
    """Write the plan's people, assignments and audit events; return people by plan key.

    Call inside a transaction, after the units exist.
    """
    from .generator import Hire, Move

    hires = [op.person for op in plan.operations if isinstance(op, Hire)]
    if len({planned.code for planned in hires}) != len(hires):
        raise ValidationError({"code": "Employee ids must be unique."})
    persons = {
        planned.key: Person(
            code=planned.code,
            name=planned.name,
            email=planned.email,
            start=planned.start,
            potential=planned.potential,
        )
        for planned in hires
    }
    Person.objects.bulk_create(persons.values(), batch_size=BATCH)
    if any(person.pk is None for person in persons.values()):
        raise RuntimeError("The database did not return the new people's ids.")

    replay = _Replay()
    ended: list[Person] = []
    hired = 0
    for operation in plan.operations:
        if isinstance(operation, Hire):
            planned = operation.person
            replay.hire(
                persons[planned.key],
                units[planned.unit],
                planned.title,
                persons[planned.manager] if planned.manager is not None else None,
            )
            hired += 1
            if progress is not None and hired % 1000 == 0:
                progress(hired, len(hires))
        elif isinstance(operation, Move):
            replay.transfer(
                persons[operation.person],
                on=operation.on,
                manager=persons[operation.manager],
                unit=units[operation.unit] if operation.unit is not None else None,
                title=operation.title,
                reason=operation.reason,
            )
        else:
            person = persons[operation.person]
            replay.end(person, on=operation.on, reason=operation.reason)
            ended.append(person)

    Assignment.objects.bulk_create(replay.created, batch_size=BATCH)
    Person.objects.bulk_update(ended, ["end"], batch_size=BATCH)

    content_types: dict[type[models.Model], ContentType] = {}
    now = timezone.now()
    events = []
    for change in replay.changes:
        model = type(change.instance)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model)
        for values in (change.before, change.after):
            if values is not None and values.get("id") is None:
                values["id"] = change.instance.pk
        events.append(
            AuditEvent(
                at=now,
                actor=None,
                actor_name="system",
                action=change.action,
                content_type=content_types[model],
                object_id=str(change.instance.pk),
                object_repr=_repr_of(change),
                before=change.before,
                after=change.after,
                reason=change.reason,
            )
        )
    append_many(events)  # chained like every audit event
    return persons


def _repr_of(change: _Change) -> str:
    """``str(instance)`` as it was when the change was made (the services record it then)."""
    # Assignments are built with their person and unit objects, so this reads no rows.
    return str(change.instance)[:200]
