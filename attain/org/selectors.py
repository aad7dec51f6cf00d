"""Reads of organisation data, and the one visibility rule for people's data.

Every page and API endpoint that returns people's data starts from
:func:`visible_people`. The rule, one condition per line so tests cover each branch:

- administrators, sales operations, finance and executives see everyone;
- a manager sees themself and their whole reporting subtree (as of the day asked),
  and the people who have left whose reporting line ran through them on their last
  day (a leaver's final pay is still reviewed and read by their managers);
- a rep sees themself;
- anyone else sees no one.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from attain.accounts import access as audit_access
from attain.accounts.models import (
    AUDIT_READER_ROLES,
    ORGANISATION_WIDE_ROLES,
    Role,
    User,
)

from .models import Assignment, Person, PersonQuerySet, Unit


def role_of(user: Any) -> Role | None:
    """The login's role; a superuser's is administrator. The login of someone who has
    left (their employment ended before today) keeps only a rep's: their own records,
    pay, statements and disputes, never the rest of the company that a finance,
    executive, sales operations or administrator role would still show."""
    if not getattr(user, "is_authenticated", False):
        return None
    if has_left(user):
        return Role.REP
    if user.is_superuser:
        return Role.ADMIN
    return Role(user.role)


def has_left(user: Any) -> bool:
    """Is ``user`` the login of someone whose employment ended before today? Such a login
    reaches only its own pay (:func:`attain.org.access.leaver_may_reach`)."""
    person = person_of(user)
    return person is not None and person.end is not None and person.end < timezone.localdate()


# Roles above a manager's: only an administrator gives them, or changes the email or
# the person of a login that has one (single sign-on signs a login in by its person's
# email or id, so whoever changes those could sign in as it).
PRIVILEGED = frozenset({Role.ADMIN, Role.SALES_OPS, Role.FINANCE, Role.EXECUTIVE})


def login_roles() -> dict[int, str]:
    """Every login's role (a superuser's: administrator), by the login's id."""
    return {
        pk: Role.ADMIN if superuser else role
        for pk, role, superuser in User.objects.values_list("pk", "role", "is_superuser")
    }


def person_of(user: Any) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        person: Person = user.person
    except (Person.DoesNotExist, AttributeError):  # none, or a command's stand-in login
        return None
    return person


def subtree_ids(manager_id: int, on: datetime.date) -> RawSQL:
    """Ids of everyone below ``manager_id`` on ``on``, as one recursive SQL query."""
    table = Assignment._meta.db_table
    sql = (
        f"WITH RECURSIVE below(id) AS ("
        f" SELECT person_id FROM {table}"
        f" WHERE manager_id = %s AND valid_from <= %s AND (valid_to IS NULL OR valid_to > %s)"
        f" UNION"
        f" SELECT a.person_id FROM {table} a JOIN below ON a.manager_id = below.id"
        f" WHERE a.valid_from <= %s AND (a.valid_to IS NULL OR a.valid_to > %s)"
        f") SELECT id FROM below"
    )
    return RawSQL(sql, (manager_id, on, on, on, on))


def former_report_ids(manager_id: int, on: datetime.date) -> RawSQL:
    """Ids of the people who left before ``on`` and were below ``manager_id`` on their last
    day (their reporting line as it was then, one recursive SQL query)."""
    assignments = Assignment._meta.db_table
    people = Person._meta.db_table
    end = f"p.{connection.ops.quote_name('end')}"
    sql = (
        f"WITH RECURSIVE up(person_id, manager_id, day) AS ("
        f" SELECT a.person_id, a.manager_id, {end} FROM {assignments} a"
        f" JOIN {people} p ON p.id = a.person_id"
        f" WHERE {end} < %s AND a.manager_id IS NOT NULL"
        f" AND a.valid_from <= {end} AND (a.valid_to IS NULL OR a.valid_to > {end})"
        f" UNION"
        f" SELECT up.person_id, a.manager_id, up.day FROM {assignments} a"
        f" JOIN up ON a.person_id = up.manager_id"
        f" WHERE a.manager_id IS NOT NULL"
        f" AND a.valid_from <= up.day AND (a.valid_to IS NULL OR a.valid_to > up.day)"
        f") SELECT person_id FROM up WHERE manager_id = %s"
    )
    return RawSQL(sql, (on, manager_id))


def team_ids_q(manager_id: int, on: datetime.date) -> Q:
    """A manager's people on ``on``: their subtree then, and the leavers whose reporting
    line ran through them on their last day (not the manager themself)."""
    return Q(pk__in=subtree_ids(manager_id, on)) | Q(pk__in=former_report_ids(manager_id, on))


def visible_people(user: Any, on: datetime.date | None = None) -> PersonQuerySet:
    """The people whose data ``user`` may see."""
    day = on or timezone.localdate()
    role = role_of(user)
    people = Person.objects.all()
    if role is None:
        return people.none()
    if role in ORGANISATION_WIDE_ROLES:
        return people
    me = person_of(user)
    if me is None:
        return people.none()
    if role == Role.MANAGER:
        return people.filter(Q(pk=me.pk) | team_ids_q(me.pk, day))
    return people.filter(pk=me.pk)


def can_read_audit(user: Any) -> bool:
    """The audit trail's readers by :func:`role_of`: the login of someone who has left
    reads it no more, whatever role it was given."""
    return role_of(user) in AUDIT_READER_ROLES and audit_access.can_read_audit(user)


def can_verify_audit(user: Any) -> bool:
    """Checking the hash chain reads every event: the same readers."""
    return can_read_audit(user) and audit_access.can_verify_audit(user)


def with_assignment_on(people: PersonQuerySet, day: datetime.date) -> PersonQuerySet:
    """Annotate each person with their unit, manager and title on ``day`` (one query)."""
    current = Assignment.objects.on(day).filter(person=OuterRef("pk"))
    return people.annotate(
        unit_id_on=Subquery(current.values("unit_id")[:1]),
        unit_code_on=Subquery(current.values("unit__code")[:1]),
        unit_name_on=Subquery(current.values("unit__name")[:1]),
        manager_id_on=Subquery(current.values("manager_id")[:1]),
        manager_code_on=Subquery(current.values("manager__code")[:1]),
        manager_name_on=Subquery(current.values("manager__name")[:1]),
        title_on=Subquery(current.values("title")[:1]),
    )


def unit_descendant_ids(unit: Unit) -> set[int]:
    """The unit and everything below it (the whole tree is small: one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Unit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found = {unit.pk}
    stack = [unit.pk]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def labelled_units(units: Iterable[Unit]) -> list[Unit]:
    """`units` for a chooser, each with ``label`` (:func:`unit_labels`: the code added
    where names repeat) and sorted by it, so that two 销售一部 can be told apart."""
    found = list(units)
    labels = unit_labels((u.pk, u.name, u.code) for u in found)
    for unit in found:
        unit.label = labels[unit.pk]  # type: ignore[attr-defined]
    return sorted(found, key=lambda u: (labels[u.pk], u.pk))


def unit_labels(units: Iterable[tuple[int, str, str]]) -> dict[int, str]:
    """Each unit's label where figures are grouped by unit, from its (pk, name, code):
    its name, and where two of them share one (a 销售一部 in two regions) the name with
    its code, so that grouping by label keeps them apart."""
    found = {pk: (name, code) for pk, name, code in units}
    counts = Counter(name for name, _code in found.values())
    return {
        pk: name if counts[name] == 1 else _("%(name)s (%(code)s)") % {"name": name, "code": code}
        for pk, (name, code) in found.items()
    }
