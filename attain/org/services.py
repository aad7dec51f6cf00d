"""The only writers of organisation data. Each function validates, writes in one
transaction, and appends to the audit trail; bad input raises ``ValidationError``
keyed by field name and leaves the database as it was.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from attain.accounts.backends import password_login_allowed
from attain.accounts.models import Role, User
from attain.accounts.services import reset_link
from attain.audit.models import Action
from attain.audit.services import record_change, record_event, save_values, snapshot

from . import imports
from .access import can_edit_organisation
from .company import company
from .models import Assignment, Person, Unit
from .selectors import PRIVILEGED, role_of


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()
ModelT = TypeVar("ModelT", bound=models.Model)


def _require_editor(actor: Any) -> None:
    if not can_edit_organisation(actor):
        raise PermissionDenied(
            _("Only administrators and sales operations change the organisation.")
        )


# Units ---------------------------------------------------------------------------


def create_unit(
    actor: Any,
    *,
    code: str,
    name: str,
    parent: Unit | None = None,
    potential: Decimal | None = None,
    opened: datetime.date | None = None,
    closed: datetime.date | None = None,
) -> Unit:
    _require_editor(actor)
    if Person.objects.filter(code=code).exists():
        # units and people share one namespace in targets and calculations ("who")
        raise ValidationError(
            {"code": _("“%(code)s” is already a person's employee id.") % {"code": code}}
        )
    if Unit.objects.filter(code=code).exists():
        raise ValidationError(
            {"code": _("A unit with the code “%(code)s” already exists.") % {"code": code}}
        )
    _check_unit_dates(opened, closed)
    with transaction.atomic():
        unit = Unit.objects.create(
            code=code, name=name, parent=parent, potential=potential, opened=opened, closed=closed
        )
        record_change(actor, Action.CREATE, unit, after=snapshot(unit))
    return unit


def update_unit(
    actor: Any,
    unit: Unit,
    *,
    name: str = UNSET,
    parent: Unit | None = UNSET,
    potential: Decimal | None = UNSET,
    opened: datetime.date | None = UNSET,
    closed: datetime.date | None = UNSET,
    reason: str = "",
) -> Unit:
    _require_editor(actor)

    def check(changed: Unit) -> None:
        _check_unit_dates(changed.opened, changed.closed)
        if closed is not UNSET and closed is not None:
            _check_unit_empty_after(changed, closed)
        if parent is not UNSET:
            _check_unit_parent(changed, parent)

    return _update(
        actor,
        unit,
        check,
        reason,
        name=name,
        parent=parent,
        potential=potential,
        opened=opened,
        closed=closed,
    )


def _update(
    actor: Any, instance: ModelT, check: Callable[[ModelT], None], reason: str, **fields: Any
) -> ModelT:
    """Set the given fields (those not UNSET) of ``instance`` under a row lock, check the
    result, save it and audit the change when there is one."""
    with transaction.atomic():
        changed = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        before = snapshot(changed)
        for name, value in fields.items():
            if value is not UNSET:
                setattr(changed, name, value)
        check(changed)
        changed.save()
        after = snapshot(changed)
        if after != before:
            record_change(actor, Action.UPDATE, changed, before=before, after=after, reason=reason)
    return changed


def _check_unit_dates(opened: datetime.date | None, closed: datetime.date | None) -> None:
    if opened is not None and closed is not None and closed < opened:
        raise ValidationError({"closed": _("A unit cannot close before it opens.")})


def _check_unit_empty_after(unit: Unit, closed: datetime.date) -> None:
    """A unit closes only when no one is assigned to it after its last day (as the
    units import refuses it): people in a closed unit would count in a unit no longer
    there."""
    names = sorted(
        set(
            Assignment.objects.filter(unit=unit)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=closed + datetime.timedelta(days=1)))
            .values_list("person__name", flat=True)
        )
    )
    if names:
        raise ValidationError(
            {
                "closed": _("People are still in the unit after %(closed)s: %(names)s.")
                % {"closed": _day(closed), "names": _listed(names[:5])}
            }
        )


def _check_unit_parent(unit: Unit, parent: Unit | None) -> None:
    if parent is None:
        return
    parents = dict(Unit.objects.values_list("pk", "parent_id"))
    node: int | None = parent.pk
    while node is not None:
        if node == unit.pk:
            raise ValidationError(
                {
                    "parent": _("“%(parent)s” is inside “%(unit)s”: that would make a cycle.")
                    % {"parent": parent.name, "unit": unit.name}
                }
            )
        node = parents.get(node)


# People --------------------------------------------------------------------------


def create_person(
    actor: Any,
    *,
    code: str,
    name: str,
    unit: Unit,
    title: str,
    start: datetime.date,
    manager: Person | None = None,
    email: str = "",
    end: datetime.date | None = None,
    potential: Decimal | None = None,
    user: User | None = None,
) -> Person:
    """Hire a person: the person and their first assignment, from ``start``."""
    _require_editor(actor)
    errors: dict[str, str] = {}
    if Person.objects.filter(code=code).exists():
        errors["code"] = _("A person with the employee id “%(code)s” already exists.") % {
            "code": code
        }
    elif Unit.objects.filter(code=code).exists():
        # units and people share one namespace in targets and calculations ("who")
        errors["code"] = _("“%(code)s” is already a unit's code.") % {"code": code}
    if end is not None and end < start:
        errors["end"] = _("Employment cannot end before it starts (%(start)s).") % {
            "start": _day(start)
        }
    if user is not None and Person.objects.filter(user=user).exists():
        errors["user"] = _("The login “%(username)s” already belongs to another person.") % {
            "username": user.get_username()
        }
    if manager is not None:
        _check_manager_employed(manager, start, errors)
        _check_manager_stays(manager, None, end, errors)
    _check_unit_open(unit, start, errors)
    shared = _shared_email(email, end=end)
    if shared:
        errors["email"] = shared
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        try:
            with transaction.atomic():  # a concurrent request may have taken the id
                person = Person.objects.create(
                    code=code,
                    name=name,
                    email=email,
                    start=start,
                    end=end,
                    potential=potential,
                    user=user,
                )
        except IntegrityError:
            raise ValidationError(
                {
                    "code": _("A person with the employee id “%(code)s” already exists.")
                    % {"code": code}
                }
            ) from None
        assignment = Assignment.objects.create(
            person=person, unit=unit, manager=manager, title=title, valid_from=start
        )
        record_change(actor, Action.CREATE, person, after=snapshot(person))
        record_change(actor, Action.CREATE, assignment, after=snapshot(assignment))
    return person


def update_person(
    actor: Any,
    person: Person,
    *,
    name: str = UNSET,
    email: str = UNSET,
    potential: Decimal | None = UNSET,
    user: User | None = UNSET,
    reason: str = "",
) -> Person:
    """Change a person's own details (not where they sit: see :func:`transfer_person`)."""
    _require_editor(actor)

    def check(changed: Person) -> None:
        _check_administrators_person(actor, changed)
        stored = Person.objects.filter(pk=changed.pk).values_list("email", flat=True).get()
        if imports.fold_email(changed.email) != imports.fold_email(stored):
            shared = _shared_email(changed.email, end=changed.end, person=changed)
            if shared:
                raise ValidationError({"email": shared})
        if user is UNSET or user is None:
            return
        if Person.objects.filter(user=user).exclude(pk=changed.pk).exists():
            raise ValidationError(
                {
                    "user": _("The login “%(username)s” already belongs to another person.")
                    % {"username": user.get_username()}
                }
            )

    return _update(
        actor, person, check, reason, name=name, email=email, potential=potential, user=user
    )


def _shared_email(email: str, *, end: datetime.date | None, person: Person | None = None) -> str:
    """While single sign-on matches people by email, an active person may not take the
    address of another active person (it would refuse both), compared as the roster
    import compares; the refusal, or "" when allowed."""
    today = timezone.localdate()
    if not imports.sso_matches_by_email() or (end is not None and end < today):
        return ""
    holder = imports.email_holder(
        email, today=today, other_than=person.pk if person is not None else None
    )
    if holder is None:
        return ""
    return _(
        "The email “%(email)s” already belongs to %(code)s: two people with one email "
        "cannot sign in with single sign-on."
    ) % {"email": email.strip(), "code": holder}


def _check_administrators_person(actor: Any, changed: Person) -> None:
    """Single sign-on signs a person's login in by the person's email (or id): only an
    administrator changes the email or the login of a person whose login (before or
    after) has a role above manager's, or gives a person such a login."""
    if actor is None or role_of(actor) == Role.ADMIN:
        return
    email, user_id = Person.objects.filter(pk=changed.pk).values_list("email", "user_id").get()
    if email == changed.email and user_id == changed.user_id:
        return
    logins = {pk for pk in (user_id, changed.user_id) if pk is not None}
    found = User.objects.filter(pk__in=logins).values_list("role", "is_superuser")
    roles = [Role.ADMIN if superuser else Role(role) for role, superuser in found]
    above = [role for role in roles if role in PRIVILEGED]
    if above:
        raise ValidationError(
            {
                "email": _(
                    "Only an administrator may change the email or the login of someone "
                    "whose login is “%(role)s”."
                )
                % {"role": above[0].label}
            }
        )


def transfer_person(
    actor: Any,
    person: Person,
    *,
    on: datetime.date,
    unit: Unit = UNSET,
    manager: Person | None = UNSET,
    title: str = UNSET,
    reason: str = "",
) -> Assignment:
    """Move a person to another unit, manager or job role from ``on`` (inclusive).

    The assignment covering ``on`` is split there; history before ``on`` is kept and
    any change already dated after ``on`` still applies from its own date.
    """
    _require_editor(actor)
    person = Person.objects.get(pk=person.pk)  # validate against what is stored, not a stale copy
    errors: dict[str, str] = {}
    if on < person.start:
        errors["on"] = _(
            "A change cannot take effect before the person's employment start (%(start)s)."
        ) % {"start": _day(person.start)}
    elif person.end is not None and on > person.end:
        errors["on"] = _("A change cannot take effect after the employment end (%(end)s).") % {
            "end": _day(person.end)
        }
    if manager is not UNSET and manager is not None:
        if manager.pk == person.pk:
            errors["manager"] = _("A person cannot be their own manager.")
        else:
            _check_manager_employed(manager, on, errors)
    if unit is not UNSET:
        _check_unit_open(unit, on, errors)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        covering = Assignment.objects.select_for_update().filter(person=person).on(on).first()
        if covering is None:
            raise ValidationError(
                {"on": _("The person has no assignment on %(on)s.") % {"on": _day(on)}}
            )
        if manager is not UNSET and manager is not None:
            stays: dict[str, str] = {}
            _check_manager_stays(manager, covering.valid_to, person.end, stays)
            if stays:
                raise ValidationError(stays)
        new_unit = covering.unit if unit is UNSET else unit
        new_manager = covering.manager if manager is UNSET else manager
        new_title = covering.title if title is UNSET else title
        if (new_unit, new_manager, new_title) == (covering.unit, covering.manager, covering.title):
            raise ValidationError(
                {
                    "on": _(
                        "Nothing changes: on %(on)s the person already has this unit, "
                        "manager and job role."
                    )
                    % {"on": _day(on)}
                }
            )
        if covering.valid_from == on:
            save_values(
                actor,
                covering,
                {"unit": new_unit, "manager": new_manager, "title": new_title},
                reason=reason,
            )
            changed = covering
        else:
            changed = Assignment.objects.create(
                person=person,
                unit=new_unit,
                manager=new_manager,
                title=new_title,
                valid_from=on,
                valid_to=covering.valid_to,
            )
            save_values(actor, covering, {"valid_to": on}, reason=reason)
            record_change(actor, Action.CREATE, changed, after=snapshot(changed), reason=reason)
        if manager is not UNSET:
            _check_no_management_cycle(person, on)
    return changed


def undo_change(actor: Any, person: Person, *, on: datetime.date, reason: str = "") -> Assignment:
    """Take back the change recorded from ``on`` (a transfer dated wrongly, or one
    planned that will not happen): the assignment before it runs on until the next
    change, as if it had never been recorded. The first assignment (the hire) stays."""
    _require_editor(actor)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        rows = list(
            person.assignments.select_for_update(of=("self",))
            .select_related("unit", "manager")
            .order_by("valid_from")
        )
        index = next((i for i, row in enumerate(rows) if row.valid_from == on), None)
        if index is None:
            raise ValidationError(
                {"on": _("No change is recorded from %(on)s.") % {"on": _day(on)}}
            )
        if index == 0:
            raise ValidationError(
                {
                    "on": _(
                        "The first assignment starts the employment: correct it with a "
                        "change from the same day instead."
                    )
                }
            )
        undone, previous = rows[index], rows[index - 1]
        errors: dict[str, str] = {}
        if previous.manager is not None:
            _check_manager_stays(previous.manager, undone.valid_to, person.end, errors)
        unit = previous.unit
        if (
            unit.closed is not None
            and (
                undone.valid_to is None
                or undone.valid_to > unit.closed + datetime.timedelta(days=1)
            )
            and (person.end is None or person.end > unit.closed)
        ):
            errors["on"] = _("The unit “%(unit)s” is not open on %(on)s.") % {
                "unit": unit.name,
                "on": _day(unit.closed + datetime.timedelta(days=1)),
            }
        if errors:
            raise ValidationError({"on": " ".join(errors.values())})
        record_change(actor, Action.DELETE, undone, before=snapshot(undone), reason=reason)
        undone.delete()
        save_values(actor, previous, {"valid_to": undone.valid_to}, reason=reason)
        _check_no_management_cycle(person, on)
    return previous


def correct_start(actor: Any, person: Person, *, start: datetime.date, reason: str = "") -> Person:
    """Correct a wrongly entered employment start: the person's start and their first
    assignment's first day move to ``start`` together."""
    _require_editor(actor)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        first = (
            person.assignments.select_for_update(of=("self",))
            .select_related("unit", "manager")
            .order_by("valid_from")
            .first()
        )
        errors: dict[str, str] = {}
        if person.end is not None and start > person.end:
            errors["start"] = _("Employment cannot start after it ends (%(end)s).") % {
                "end": _day(person.end)
            }
        elif first is not None and first.valid_to is not None and start >= first.valid_to:
            errors["start"] = _("Changes are recorded from %(on)s; undo them first.") % {
                "on": _day(first.valid_to)
            }
        elif first is not None:
            if first.manager is not None:
                _check_manager_employed(first.manager, start, errors)
            _check_unit_open(first.unit, start, errors)
            early = Assignment.objects.filter(manager=person, valid_from__lt=start)
            if early.exists():
                errors["start"] = _(
                    "People report to %(name)s before %(start)s: change their manager first."
                ) % {"name": person.name, "start": _day(start)}
        if errors:
            raise ValidationError({"start": " ".join(errors.values())})
        if start == person.start:
            return person
        save_values(actor, person, {"start": start}, reason=reason)
        if first is not None and first.valid_from != start:
            save_values(actor, first, {"valid_from": start}, reason=reason)
    return person


def set_manager(
    actor: Any, person: Person, manager: Person | None, *, on: datetime.date, reason: str = ""
) -> Assignment:
    return transfer_person(actor, person, on=on, manager=manager, reason=reason)


def end_employment(actor: Any, person: Person, *, on: datetime.date, reason: str = "") -> Person:
    """The person's last working day is ``on`` (inclusive): their assignment ends with it,
    so from the next day they are in no unit and under no manager."""
    _require_editor(actor)
    after_last_day = on + datetime.timedelta(days=1)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if on < person.start:
            raise ValidationError(
                {
                    "end": _("Employment cannot end before it starts (%(start)s).")
                    % {"start": _day(person.start)}
                }
            )
        if person.assignments.filter(valid_from__gt=on).exists():
            raise ValidationError(
                {"end": _("Changes are recorded after %(on)s; undo them first.") % {"on": _day(on)}}
            )
        reports = (
            Assignment.objects.filter(manager=person)
            .exclude(valid_to__lte=after_last_day)
            .filter(Q(person__end__isnull=True) | Q(person__end__gt=on))
        )
        if reports.exists():
            names = _listed(sorted({a.person.name for a in reports.select_related("person")[:5]}))
            raise ValidationError(
                {"end": _("Give these people another manager first: %(names)s.") % {"names": names}}
            )
        save_values(actor, person, {"end": on}, reason=reason)
        last = (
            person.assignments.filter(valid_from__lte=on)
            .select_related("manager")
            .order_by("-valid_from")
            .first()
        )
        # a later last day corrects an earlier one: the last assignment runs until it
        # (nothing is recorded after ``on``, so the last assignment is the final one)
        if last is not None and last.valid_to is not None and last.valid_to < after_last_day:
            errors: dict[str, str] = {}
            if last.manager is not None:
                _check_manager_employed(last.manager, on, errors)
            if errors:
                raise ValidationError({"end": errors["manager"]})
        if last is not None and last.valid_to != after_last_day:
            save_values(actor, last, {"valid_to": after_last_day}, reason=reason)
    return person


def create_login(
    actor: Any,
    *,
    username: str,
    role: Role | str,
    password: str | None = None,
    person: Person | None = None,
) -> User:
    """A login with a role, optionally linked to a person."""
    _require_editor(actor)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("The username “%(username)s” is taken.") % {"username": username}}
        )
    with transaction.atomic():
        try:
            user = User.objects.create_user(
                username=username,
                password=password,
                role=role,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
        except IntegrityError as error:  # a concurrent request took the name
            raise ValidationError({"username": str(error)}) from error
        record_change(
            actor, Action.CREATE, user, after=snapshot(user, exclude=("password", "last_login"))
        )
        if person is not None:
            update_person(actor, person, user=user)
    return user


# Checks --------------------------------------------------------------------------


def _listed(names: list[str]) -> str:
    """Names in a message, separated as the reader's language lists them (、 in Chinese)."""
    return pgettext("list separator", ", ").join(names)


def _day(day: datetime.date) -> str:
    """A day in a message, as the reader's language writes dates (not ISO)."""
    return date_format(day, "DATE_FORMAT")


def _check_manager_employed(manager: Person, on: datetime.date, errors: dict[str, str]) -> None:
    if manager.start > on or (manager.end is not None and manager.end < on):
        errors["manager"] = _("%(name)s is not employed on %(on)s.") % {
            "name": manager.name,
            "on": _day(on),
        }


def _check_manager_stays(
    manager: Person,
    valid_to: datetime.date | None,
    end: datetime.date | None,
    errors: dict[str, str],
) -> None:
    """A reporting line that runs until ``valid_to`` (exclusive; open-ended when None)
    for someone employed until ``end`` must not outlast the manager's last day: a
    leaver manages no one (as :func:`end_employment` and the people import refuse)."""
    if manager.end is None:
        return
    last_days = [d for d in (valid_to - datetime.timedelta(days=1) if valid_to else None, end) if d]
    if not last_days or min(last_days) > manager.end:
        errors.setdefault(
            "manager",
            _("%(name)s leaves on %(end)s; this person would still report to them after that day.")
            % {"name": manager.name, "end": _day(manager.end)},
        )


def _check_unit_open(unit: Unit, on: datetime.date, errors: dict[str, str]) -> None:
    if (unit.opened is not None and unit.opened > on) or (
        unit.closed is not None and unit.closed < on
    ):
        errors["unit"] = _("The unit “%(unit)s” is not open on %(on)s.") % {
            "unit": unit.name,
            "on": _day(on),
        }


def _check_no_management_cycle(person: Person, since: datetime.date) -> None:
    """Raise if, on any day from ``since``, following managers upward from ``person``
    comes back to them.

    Only people who can be above ``person`` on some day matter, so their assignments are
    read level by level (one query per level of the chain), never the whole company.
    """
    rows: dict[int, list[tuple[datetime.date, datetime.date | None, int | None]]] = {}
    frontier = {person.pk}
    while frontier:
        found = (
            Assignment.objects.filter(person_id__in=frontier)
            .exclude(valid_to__lte=since)
            .values_list("person_id", "valid_from", "valid_to", "manager_id")
        )
        for person_id in frontier:
            rows[person_id] = []
        for person_id, valid_from, valid_to, manager_id in found:
            rows[person_id].append((valid_from, valid_to, manager_id))
        frontier = {m for history in rows.values() for _, _, m in history if m} - rows.keys()
    for history in rows.values():
        history.sort(key=lambda row: row[0])
    starts = {pid: [row[0] for row in history] for pid, history in rows.items()}

    def manager_on(person_id: int, day: datetime.date) -> int | None:
        index = bisect.bisect_right(starts.get(person_id, []), day) - 1
        if index < 0:
            return None
        _start, valid_to, manager_id = rows[person_id][index]
        return manager_id if valid_to is None or day < valid_to else None

    days = sorted({since, *(d for ds in starts.values() for d in ds if d > since)})
    for day in days:
        seen = {person.pk}
        node = manager_on(person.pk, day)
        while node is not None:
            if node in seen:
                raise ValidationError(
                    {
                        "manager": _(
                            "That would make a management cycle on %(on)s: "
                            "%(name)s would end up managing themself."
                        )
                        % {"on": _day(day), "name": person.name}
                    }
                )
            seen.add(node)
            node = manager_on(node, day)


# Organisation files ----------------------------------------------------------------


def import_units(
    actor: Any,
    rows: list[imports.UnitRow],
    *,
    write: bool = True,
    batch: str = "",
    reason: str = "",
) -> imports.Outcome:
    """Check a units file as a whole and (when ``write``) apply its good rows in one
    transaction, audited under ``batch`` (see :mod:`attain.org.imports`)."""
    _require_editor(actor)
    with transaction.atomic():
        return imports.plan_and_write_units(actor, rows, write=write, batch=batch, reason=reason)


def import_people(
    actor: Any,
    rows: list[imports.PersonRow],
    *,
    on: datetime.date | None = None,
    write: bool = True,
    logins: bool = True,
    batch: str = "",
    reason: str = "",
) -> imports.Outcome:
    """Check a people file as a whole and (when ``write``) apply its good rows in one
    transaction: hires, detail changes, transfers effective ``on`` (or the row's own
    date; default today), leavers, and logins linked or created (``logins``). The
    logins to invite are in the outcome's ``invitations``: send them with
    :func:`invite_logins` once the transaction has committed."""
    _require_editor(actor)
    with transaction.atomic():
        return imports.plan_and_write_people(
            actor, rows, on=on, write=write, logins=logins, batch=batch, reason=reason
        )


def invite_logins(actor: Any, user_ids: list[int], *, base_url: str) -> int:
    """Email each login a one-time link to choose its password (Django's password-reset
    token: it stops working once a password is set), or, when it may not sign in with a
    password (``ATTAIN_PASSWORD_LOGIN=admins``), the login page's address to sign in
    with single sign-on. Returns how many were sent; each
    invitation is audited against the login. Written in the company's default language:
    a new login has chosen none, and the importer's may not be theirs."""
    sent = 0
    mail = get_connection()
    language = company().language
    for part in imports.chunked(user_ids, 500):
        messages = []
        users = list(User.objects.filter(pk__in=part, is_active=True).exclude(email=""))
        for user in users:
            if password_login_allowed(user):
                context = {"user": user, "link": reset_link(user, base_url)}
            else:  # ATTAIN_PASSWORD_LOGIN=admins: they sign in through single sign-on
                context = {
                    "user": user,
                    "sso": True,
                    "provider": settings.ATTAIN_SSO_PROVIDER_NAME,
                    "link": base_url.rstrip("/") + reverse("login"),
                }
            with translation.override(language):
                subject = render_to_string("registration/invitation_subject.txt", context)
                body = render_to_string("registration/invitation_email.txt", context)
            messages.append(
                EmailMessage(
                    subject.strip(),
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    [user.email],
                    connection=mail,
                )
            )
        sent += mail.send_messages(messages) or 0
        with transaction.atomic():
            for user in users:
                record_change(
                    actor,
                    Action.UPDATE,
                    user,
                    after={"invited": user.email},
                    reason=gettext_noop("Invitation"),
                )
    return sent


# Single sign-on ------------------------------------------------------------------


def create_login_at_first_sign_in(person: Person, *, provider: str) -> User:
    """A login for an employed person who signs in through single sign-on for the first
    time and has none (only when ``ATTAIN_SSO_CREATE_LOGIN=1``): username = employee id,
    the least role that shows them their work (manager when someone reports to them
    today, else sales representative; an administrator raises it), no password.
    Audited with the identity provider as the actor."""
    actor_name = f"sso:{provider}"[:150]
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.user is not None:
            return person.user
        if User.objects.filter(username__iexact=person.code).exists():
            raise ValidationError(
                {"username": _("The username “%(username)s” is taken.") % {"username": person.code}}
            )
        manages = Assignment.objects.on(timezone.localdate()).filter(manager=person).exists()
        user = User.objects.create_user(
            username=person.code,
            email=person.email,
            password=None,
            role=Role.MANAGER if manages else Role.REP,
        )
        person.user = user
        person.save(update_fields=["user"])
        after = snapshot(user, exclude=("password", "last_login"))
        record_event(
            None, Action.CREATE, User, user.pk, str(user), after=after, actor_name=actor_name
        )
        record_event(
            None,
            Action.UPDATE,
            Person,
            person.pk,
            str(person),
            after={"user": user.pk},
            actor_name=actor_name,
        )
    return user
