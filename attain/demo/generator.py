"""The demo company: a seeded, reproducible sales organisation written through the
organisation services, so every row is validated and audited like any other change.

Two steps keep it reproducible and testable:

1. :func:`plan_company` is pure: from ``(people, seed)`` and ``random.Random(seed)``
   alone it decides the units, the people, the hires in the order they happen, and the
   changes of the demo year (:data:`DEMO_YEAR`, fixed so the data never depends on
   today's date). Same arguments, same plan.
2. :func:`load_demo` / :func:`generate` apply a plan in one transaction, calling only
   ``create_unit``, ``create_person``, ``transfer_person``, ``set_manager``,
   ``end_employment`` and ``create_login`` from :mod:`attain.org.services` with
   ``actor=None`` (the system).

The shape: 总部 (``hq``, the sales VP) → regions (大区, a director each) → teams of about
twelve reps (组, a manager each); four to six teams per region. During the demo year a
few reps change teams, a few teams get a new manager (a senior rep is promoted; the
old manager leaves or moves to head-office sales operations), new reps join mid-year
and a couple leave. Person and unit ``potential`` is the yearly market potential in
yuan; for a manager, director or the VP it is the potential of the unit they lead.
"""

from __future__ import annotations

import datetime
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from attain.accounts.models import Role, User
from attain.org import services, services_company
from attain.org.models import Person, Unit

from .bulk import apply_in_bulk
from .names import (
    AREAS,
    COMMON_GIVEN_NAMES,
    GIVEN_FIRST,
    GIVEN_SECOND,
    SURNAMES,
    chinese_number,
)

DEMO_YEAR = 2026  # the fiscal year the demo's changes happen in (fixed: reproducible)
DEFAULT_SEED = 2026
DEFAULT_PEOPLE = 150
MIN_PEOPLE = 20
DEMO_PASSWORD = "demo"
EMAIL_DOMAIN = "demo.attain.local"
BULK_FROM = 2000  # people; from this size on, people are written in bulk (see bulk.py)
MARKER_UNIT = "hq"  # the demo (or generated) company is present when this unit exists
# The demo company's name in its company settings (the first-run setup's values; the
# rest are the deployment's defaults: fiscal year from January, CNY, Asia/Shanghai).
DEMO_COMPANY_NAME = "示例科技有限公司"
COMPANY_FOUNDED = datetime.date(2010, 3, 1)

VP, DIRECTOR, MANAGER, REP, SALES_OPS = "vp", "director", "manager", "rep", "sales_ops"
_LEVEL = {VP: 0, DIRECTOR: 1, MANAGER: 2, REP: 3}

# (username, role): the demo logins, all with DEMO_PASSWORD. Who they are is planned.
DEMO_LOGINS: tuple[tuple[str, Role], ...] = (
    ("admin", Role.ADMIN),
    ("ops", Role.SALES_OPS),
    ("finance", Role.FINANCE),
    ("exec", Role.EXECUTIVE),
    ("manager", Role.MANAGER),
    ("rep", Role.REP),
)

Echo = Callable[[str], None]
Progress = Callable[[int, int], None]


class DemoError(Exception):
    """The database holds data the generator must not write next to."""


# The plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedUnit:
    code: str
    name: str
    parent: str | None
    potential: Decimal
    opened: datetime.date


@dataclass
class PlannedPerson:
    key: int
    name: str
    email: str
    title: str
    unit: str
    manager: int | None
    start: datetime.date
    potential: Decimal
    code: str = ""  # employee id, given in hiring order once the plan is complete


@dataclass(frozen=True)
class Hire:
    person: PlannedPerson


@dataclass(frozen=True)
class Move:
    """From ``on``: report to ``manager``; change unit and job title when given."""

    person: int
    on: datetime.date
    manager: int
    unit: str | None = None
    title: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class Leave:
    person: int
    on: datetime.date  # last working day
    reason: str = ""


Operation = Hire | Move | Leave


@dataclass(frozen=True)
class PlannedLogin:
    username: str
    role: Role
    person: int | None


@dataclass
class CompanyPlan:
    seed: int
    units: list[PlannedUnit]
    people: dict[int, PlannedPerson]
    operations: list[Operation]  # in the order they are applied
    logins: list[PlannedLogin]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    who: str


@dataclass(frozen=True)
class DemoResult:
    created: bool
    people: int
    units: int
    logins: list[DemoLogin] = field(default_factory=list)
    seconds: float = 0.0


# Entry points --------------------------------------------------------------------------


def load_demo(
    *, seed: int = DEFAULT_SEED, echo: Echo | None = print, crm: bool = True
) -> DemoResult:
    """Load the default demo company (about 150 people) unless it is already there, and
    with ``crm`` its two years of CRM history (see :mod:`attain.demo.crm`) unless that
    is there already. Running it again adds nothing."""
    from .crm import crm_present, load_crm_demo

    if Unit.objects.filter(code=MARKER_UNIT).exists():
        store_demo_company()
        if crm and not crm_present():
            load_crm_demo(seed=seed, echo=echo)
        elif echo is not None:
            echo(_("The demo company is already loaded; nothing to do."))
        return DemoResult(
            created=False,
            people=Person.objects.count(),
            units=Unit.objects.count(),
            logins=demo_logins(),
        )
    result = _create(DEFAULT_PEOPLE, seed, echo=echo, progress=None, bulk=False)
    if crm:
        load_crm_demo(seed=seed, echo=echo)
    return result


def generate(
    *,
    people: int,
    seed: int = DEFAULT_SEED,
    echo: Echo | None = print,
    progress: Progress | None = None,
    bulk: bool | None = None,
) -> DemoResult:
    """Generate a company of ``people`` people (for benchmarks) into an empty database.

    Refuses (:class:`DemoError`) when a company is already present: a larger company
    is a fresh database's job, not something to mix with existing data. ``bulk`` picks
    the writer (default: in bulk from :data:`BULK_FROM` people); both write the same rows.
    """
    if Unit.objects.filter(code=MARKER_UNIT).exists():
        raise DemoError(
            f"A company is already present ({Person.objects.count()} people); generate "
            "writes only into an empty database. Use another one, e.g. "
            "a fresh folder for the embedded database: `export ATTAIN_VAR_DIR=/tmp/attain-bench; "
            "attain migrate` and then this command again."
        )
    if bulk is None:
        bulk = people >= BULK_FROM
    return _create(people, seed, echo=echo, progress=progress, bulk=bulk)


def store_demo_company() -> None:
    """Fill the company settings (so no first-run setup is asked for) unless the
    database has them already."""
    services_company.store_company(
        None,
        services_company.default_values(DEMO_COMPANY_NAME),
        reason=gettext_noop("demo company"),
    )


def _create(
    people: int, seed: int, *, echo: Echo | None, progress: Progress | None, bulk: bool
) -> DemoResult:
    if Person.objects.exists() or Unit.objects.exists():
        raise DemoError(
            "The database already holds an organisation that is not the demo company; "
            "the demo is only loaded into an empty one."
        )
    taken = [name for name, _role in DEMO_LOGINS if User.objects.filter(username=name).exists()]
    if taken:
        raise DemoError(f"These usernames are taken, remove them first: {', '.join(taken)}.")
    began = time.perf_counter()
    plan = plan_company(people, seed)
    with transaction.atomic():
        store_demo_company()
        _apply(plan, progress, bulk=bulk)
    seconds = time.perf_counter() - began
    if echo is not None:
        echo(
            _("Created %(people)s people in %(units)s units in %(seconds).1f s.")
            % {"people": len(plan.people), "units": len(plan.units), "seconds": seconds}
        )
    return DemoResult(
        created=True,
        people=len(plan.people),
        units=len(plan.units),
        logins=demo_logins(),
        seconds=seconds,
    )


def demo_logins() -> list[DemoLogin]:
    """The demo logins that exist, with who each one is today."""
    users = {
        user.username: user
        for user in User.objects.filter(username__in=[name for name, _ in DEMO_LOGINS])
    }
    people = {
        person.user_id: person
        for person in Person.objects.filter(user__in=users.values()).select_related("user")
    }
    today = timezone.localdate()
    rows = []
    for username, _role in DEMO_LOGINS:
        user = users.get(username)
        if user is None:
            continue
        person = people.get(user.pk)
        who = "-"
        if person is not None:
            assignment = person.assignment_on(today)
            where = f"{assignment.title}, {assignment.unit.name}" if assignment else "left"
            who = f"{person.name} ({person.code}, {where})"
        rows.append(DemoLogin(username, DEMO_PASSWORD, user.role, who))
    return rows


def _apply(plan: CompanyPlan, progress: Progress | None, *, bulk: bool) -> None:
    units: dict[str, Unit] = {}
    for planned_unit in plan.units:
        units[planned_unit.code] = services.create_unit(
            None,
            code=planned_unit.code,
            name=planned_unit.name,
            parent=units[planned_unit.parent] if planned_unit.parent else None,
            potential=planned_unit.potential,
            opened=planned_unit.opened,
        )
    if bulk:
        persons = apply_in_bulk(plan, units, progress)
    else:
        persons = _apply_one_by_one(plan, units, progress)
    for login in plan.logins:
        services.create_login(
            None,
            username=login.username,
            role=login.role,
            password=DEMO_PASSWORD,
            person=persons[login.person] if login.person is not None else None,
        )


def _apply_one_by_one(
    plan: CompanyPlan, units: dict[str, Unit], progress: Progress | None
) -> dict[int, Person]:
    persons: dict[int, Person] = {}
    total = len(plan.people)
    for operation in plan.operations:
        if isinstance(operation, Hire):
            planned = operation.person
            persons[planned.key] = services.create_person(
                None,
                code=planned.code,
                name=planned.name,
                email=planned.email,
                unit=units[planned.unit],
                title=planned.title,
                start=planned.start,
                manager=persons[planned.manager] if planned.manager is not None else None,
                potential=planned.potential,
            )
            if progress is not None and len(persons) % 1000 == 0:
                progress(len(persons), total)
        elif isinstance(operation, Move):
            person, manager = persons[operation.person], persons[operation.manager]
            if operation.unit is None and operation.title is None:
                services.set_manager(
                    None, person, manager, on=operation.on, reason=operation.reason
                )
                continue
            changes: dict[str, Any] = {"manager": manager}
            if operation.unit is not None:
                changes["unit"] = units[operation.unit]
            if operation.title is not None:
                changes["title"] = operation.title
            services.transfer_person(
                None, person, on=operation.on, reason=operation.reason, **changes
            )
        else:
            persons[operation.person] = services.end_employment(
                None, persons[operation.person], on=operation.on, reason=operation.reason
            )
    return persons


# Planning ------------------------------------------------------------------------------


def plan_company(people: int = DEFAULT_PEOPLE, seed: int = DEFAULT_SEED) -> CompanyPlan:
    """The whole company as data, from ``random.Random(seed)`` only."""
    if people < MIN_PEOPLE:
        raise ValueError(f"A demo company needs at least {MIN_PEOPLE} people.")
    return _Planner(people, seed).plan()


def _between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _weekday(day: datetime.date, first: datetime.date, last: datetime.date) -> datetime.date:
    """``day``, or the Monday after it when it is a weekend day (the Friday before if the
    Monday is past ``last``)."""
    if day.weekday() < 5:
        return day
    monday = day + datetime.timedelta(days=7 - day.weekday())
    friday = day - datetime.timedelta(days=day.weekday() - 4)
    return monday if monday <= last or friday < first else friday


def _weekday_between(
    rng: random.Random, first: datetime.date, last: datetime.date
) -> datetime.date:
    return _weekday(_between(rng, first, last), first, last)


def _recent_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    """A weekday skewed towards ``last``: sales teams have more short tenures than long."""
    span = max(0, (last - first).days)
    offset = max(rng.randint(0, span), rng.randint(0, span))
    return _weekday(first + datetime.timedelta(days=offset), first, last)


class _Names:
    """Unique realistic names and e-mail addresses."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surname_weights = list(accumulate(weight for _, _, weight in SURNAMES))
        self.given_weights = list(accumulate(weight for _, _, weight in COMMON_GIVEN_NAMES))
        self.names: set[str] = set()
        self.emails: set[str] = set()

    def draw(self) -> tuple[str, str]:
        rng = self.rng
        while True:
            surname, surname_pinyin, _ = rng.choices(SURNAMES, cum_weights=self.surname_weights)[0]
            if rng.random() < 0.45:
                given, given_pinyin, _ = rng.choices(
                    COMMON_GIVEN_NAMES, cum_weights=self.given_weights
                )[0]
            else:
                first, first_pinyin = rng.choice(GIVEN_FIRST)
                second, second_pinyin = rng.choice(GIVEN_SECOND)
                if first == second:
                    continue
                given, given_pinyin = first + second, first_pinyin + second_pinyin
            name = surname + given
            if name not in self.names:
                break
        self.names.add(name)
        local = f"{surname_pinyin}.{given_pinyin}"
        email, counter = f"{local}@{EMAIL_DOMAIN}", 1
        while email in self.emails:
            counter += 1
            email = f"{local}{counter}@{EMAIL_DOMAIN}"
        self.emails.add(email)
        return name, email


@dataclass(order=True)
class _Event:
    on: datetime.date
    order: int  # same day: promotions, then transfers, hires, and leavers last
    seq: int
    kind: str = field(compare=False)
    person: int = field(compare=False)
    team: str = field(compare=False, default="")
    fate: str = field(compare=False, default="")


class _Planner:
    def __init__(self, people: int, seed: int) -> None:
        self.total = people
        self.seed = seed
        self.rng = random.Random(seed)
        self.names = _Names(self.rng)
        self.people: dict[int, PlannedPerson] = {}
        self.unit_names: dict[str, str] = {"hq": "总部"}

    def person(
        self,
        title: str,
        unit: str,
        manager: int | None,
        start: datetime.date,
        potential: Decimal,
    ) -> PlannedPerson:
        name, email = self.names.draw()
        key = len(self.people)
        planned = PlannedPerson(key, name, email, title, unit, manager, start, potential)
        self.people[key] = planned
        return planned

    def plan(self) -> CompanyPlan:
        rng = self.rng
        team_count = max(1, round(self.total / 12.5))
        region_count = max(1, math.ceil(team_count / 5))
        sizes = [team_count // region_count] * region_count
        for index in range(team_count % region_count):
            sizes[index] += 1
        for _n in range(region_count // 2):  # vary between four and six teams per region
            a, b = rng.randrange(region_count), rng.randrange(region_count)
            if a != b and sizes[a] > 4 and sizes[b] < 6:
                sizes[a] -= 1
                sizes[b] += 1
        reps = self.total - 1 - region_count - team_count
        hires = max(2, round(reps * 0.06))
        initial_reps = reps - hires

        # Units: regions named after the sales areas, teams after the area's cities.
        regions: list[tuple[str, list[str]]] = []  # (region code, team codes)
        city_teams: dict[str, int] = {}
        for index, size in enumerate(sizes):
            area_code, area_name, cities = AREAS[index % len(AREAS)]
            round_ = index // len(AREAS) + 1
            code = area_code if round_ == 1 else f"{area_code}-{round_}"
            self.unit_names[code] = (
                f"{area_name}大区" if round_ == 1 else f"{area_name}{chinese_number(round_)}区"
            )
            teams = []
            for slot in range(size):
                city_code, city_name = cities[((round_ - 1) * 3 + slot) % len(cities)]
                number = city_teams[city_code] = city_teams.get(city_code, 0) + 1
                team_code = f"{city_code}-{number}"
                self.unit_names[team_code] = f"{city_name}{chinese_number(number)}组"
                teams.append(team_code)
            regions.append((code, teams))
        all_teams = [team for _, teams in regions for team in teams]
        region_of = {team: region for region, teams in regions for team in teams}

        # Rep head count per team: uneven, at least three.
        weights = [rng.randint(8, 13) for _ in all_teams]
        share = [max(3, initial_reps * w // sum(weights)) for w in weights]
        while sum(share) < initial_reps:
            share[rng.randrange(len(share))] += 1
        while sum(share) > initial_reps:
            index = rng.randrange(len(share))
            if share[index] > 3:
                share[index] -= 1

        # Market potential (yuan a year) per rep; a unit's is the sum of its reps'.
        market = {team: Decimal(rng.randint(80, 130)) / 100 for team in all_teams}

        def rep_potential(team: str) -> Decimal:
            return (Decimal(rng.randint(120, 420) * 10_000) * market[team]).quantize(
                Decimal("0.01")
            )

        zero = Decimal("0.00")
        last_year = datetime.date(DEMO_YEAR - 1, 12, 15)
        vp = self.person(
            VP,
            "hq",
            None,
            _weekday_between(rng, COMPANY_FOUNDED, datetime.date(2012, 12, 31)),
            zero,
        )
        directors: dict[str, PlannedPerson] = {}
        managers: dict[str, PlannedPerson] = {}
        members: dict[str, dict[int, None]] = {}  # team → its reps now (an ordered set)
        for (region, teams), _size in zip(regions, sizes, strict=True):
            director = self.person(
                DIRECTOR,
                region,
                vp.key,
                _weekday_between(
                    rng, vp.start + datetime.timedelta(days=60), datetime.date(2019, 12, 31)
                ),
                zero,
            )
            directors[region] = director
            for team in teams:
                manager = self.person(
                    MANAGER,
                    team,
                    director.key,
                    _weekday_between(
                        rng,
                        director.start + datetime.timedelta(days=30),
                        datetime.date(2023, 6, 30),
                    ),
                    zero,
                )
                managers[team] = manager
        for team, count in zip(all_teams, share, strict=True):
            manager = managers[team]
            members[team] = {}
            for _n in range(count):
                rep = self.person(
                    REP,
                    team,
                    manager.key,
                    _recent_between(rng, manager.start + datetime.timedelta(days=14), last_year),
                    rep_potential(team),
                )
                members[team][rep.key] = None
        team_potential = {
            team: sum((self.people[key].potential for key in members[team]), zero)
            for team in all_teams
        }
        region_potential = {
            region: sum((team_potential[team] for team in teams), zero) for region, teams in regions
        }
        company_potential = sum(region_potential.values(), zero)
        vp.potential = company_potential
        for region, director in directors.items():
            director.potential = region_potential[region]
        for team, manager in managers.items():
            manager.potential = team_potential[team]

        units = [PlannedUnit("hq", "总部", None, company_potential, COMPANY_FOUNDED)]
        for region, teams in regions:
            units.append(
                PlannedUnit(
                    region,
                    self.unit_names[region],
                    "hq",
                    region_potential[region],
                    directors[region].start,
                )
            )
            units.extend(
                PlannedUnit(
                    team,
                    self.unit_names[team],
                    region,
                    team_potential[team],
                    managers[team].start,
                )
                for team in teams
            )

        # Who the demo logins are: a stable team (no manager change, nobody moves out).
        login_team = all_teams[0]
        login_manager = managers[login_team]
        login_rep = next(iter(members[login_team]))
        logins = [
            PlannedLogin(
                username,
                role,
                {
                    Role.EXECUTIVE: vp.key,
                    Role.MANAGER: login_manager.key,
                    Role.REP: login_rep,
                }.get(role),
            )
            for username, role in DEMO_LOGINS
        ]

        initial_ops: list[Operation] = [
            Hire(p)
            for p in sorted(self.people.values(), key=lambda p: (p.start, _LEVEL[p.title], p.key))
        ]
        events = self.demo_year_events(all_teams, members, login_team, hires)
        operations = initial_ops + self.simulate(
            events, members, managers, directors, region_of, vp.key
        )
        for number, hire in enumerate((op for op in operations if isinstance(op, Hire)), start=1):
            hire.person.code = f"E{number:04d}"
        return CompanyPlan(self.seed, units, self.people, operations, logins)

    def demo_year_events(
        self,
        all_teams: list[str],
        members: dict[str, dict[int, None]],
        login_team: str,
        hires: int,
    ) -> list[_Event]:
        rng = self.rng
        year = DEMO_YEAR
        initial_reps = sum(len(keys) for keys in members.values())
        used: set[int] = set()
        events: list[_Event] = []

        def pick_rep(teams: list[str], senior: bool = False) -> tuple[int, str] | None:
            """A rep of one of ``teams`` not yet in another change (None: none left)."""
            candidates = [
                (key, team)
                for team in teams
                for key in members[team]
                if key not in used
                and (not senior or self.people[key].start < datetime.date(year - 1, 1, 1))
            ]
            if not candidates:
                return pick_rep(teams) if senior else None
            key, team = rng.choice(candidates)
            used.add(key)
            return key, team

        others = [team for team in all_teams if team != login_team]
        promotions = rng.sample(others, k=min(len(others), max(1, len(all_teams) // 6)))
        for index, team in enumerate(promotions):
            picked = pick_rep([team], senior=True)
            if picked is None:
                continue
            key = picked[0]
            on = datetime.date(year, rng.randint(2, 10), 1)
            fate = "leaves" if index % 2 == 0 else "moves"
            events.append(_Event(on, 0, len(events), "promotion", key, team, fate))
        for _n in range(max(3, round(initial_reps * 0.03))):
            picked = pick_rep(others)
            if picked is None:  # only in very small companies
                break
            key, source = picked
            target = source
            while target == source:
                target = rng.choice(all_teams)
            on = _weekday_between(rng, datetime.date(year, 1, 12), datetime.date(year, 10, 30))
            events.append(_Event(on, 1, len(events), "transfer", key, target))
        for _n in range(hires):
            team = rng.choice(all_teams)
            on = _weekday_between(rng, datetime.date(year, 1, 5), datetime.date(year, 10, 30))
            new = self.person(REP, team, None, on, Decimal(0))
            new.potential = (Decimal(rng.randint(80, 200) * 10_000)).quantize(Decimal("0.01"))
            events.append(_Event(on, 2, len(events), "hire", new.key, team))
        for _n in range(max(2, round(initial_reps * 0.02))):
            picked = pick_rep(others)
            if picked is None:
                break
            key = picked[0]
            on = _weekday_between(rng, datetime.date(year, 2, 2), datetime.date(year, 10, 30))
            events.append(_Event(on, 3, len(events), "leave", key))
        return sorted(events)

    def simulate(
        self,
        events: list[_Event],
        members: dict[str, dict[int, None]],
        managers: dict[str, PlannedPerson],
        directors: dict[str, PlannedPerson],
        region_of: dict[str, str],
        vp: int,
    ) -> list[Operation]:
        """Walk the demo year in date order so every change names who manages whom then."""
        team_of = {key: team for team, keys in members.items() for key in keys}
        manager_of = {team: planned.key for team, planned in managers.items()}
        names = self.unit_names
        operations: list[Operation] = []
        for event in events:
            key, on = event.person, event.on
            if event.kind == "promotion":
                team = event.team
                old = manager_of[team]
                operations.append(
                    Move(
                        key,
                        on,
                        directors[region_of[team]].key,
                        title=MANAGER,
                        reason=f"晋升为{names[team]}销售经理",
                    )
                )
                del members[team][key]
                del team_of[key]
                operations.extend(
                    Move(member, on, key, reason=f"{names[team]}更换经理")
                    for member in members[team]
                )
                manager_of[team] = key
                if event.fate == "leaves":
                    operations.append(Leave(old, on - datetime.timedelta(days=1), "离职"))
                else:
                    operations.append(
                        Move(old, on, vp, unit="hq", title=SALES_OPS, reason="调任总部销售运营")
                    )
            elif event.kind == "transfer":
                source, target = team_of[key], event.team
                operations.append(
                    Move(
                        key,
                        on,
                        manager_of[target],
                        unit=target,
                        reason=f"调岗：{names[source]} → {names[target]}",
                    )
                )
                del members[source][key]
                members[target][key] = None
                team_of[key] = target
            elif event.kind == "hire":
                planned = self.people[key]
                planned.manager = manager_of[event.team]
                operations.append(Hire(planned))
                members[event.team][key] = None
                team_of[key] = event.team
            else:  # leave
                operations.append(Leave(key, on, "离职"))
                del members[team_of.pop(key)][key]
        return operations
