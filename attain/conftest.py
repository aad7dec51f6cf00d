"""Shared fixtures: a small company with one login per role.

hq 总部
├── east 华东 ── m1 (manager login "m1")
│                ├── r1 (rep login "r1")
│                ├── r2
│                └── m2 (manager) ── r3
└── west 华西 ── m3 (manager) ── r4
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from attain.accounts.models import Role, User
from attain.org import services
from attain.org.models import Person, Unit

START = datetime.date(2024, 1, 1)


@dataclass
class Company:
    hq: Unit
    east: Unit
    west: Unit
    people: dict[str, Person]
    users: dict[str, User]


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def company(db: None) -> Company:
    hq = services.create_unit(None, code="hq", name="总部")
    east = services.create_unit(None, code="east", name="华东", parent=hq)
    west = services.create_unit(None, code="west", name="华西", parent=hq)
    people: dict[str, Person] = {}

    def hire(code: str, unit: Unit, title: str, manager: str | None = None) -> None:
        people[code] = services.create_person(
            None,
            code=code,
            name=code.upper(),
            unit=unit,
            title=title,
            start=START,
            manager=people[manager] if manager else None,
        )

    hire("m1", east, "manager")
    hire("r1", east, "rep", "m1")
    hire("r2", east, "rep", "m1")
    hire("m2", east, "manager", "m1")
    hire("r3", east, "rep", "m2")
    hire("m3", west, "manager")
    hire("r4", west, "rep", "m3")
    users = {
        "admin": services.create_login(
            None, username="admin", role=Role.ADMIN, password="pw-admin-1"
        ),
        "sales_ops": services.create_login(
            None, username="ops", role=Role.SALES_OPS, password="pw-ops-1"
        ),
        "finance": services.create_login(
            None, username="fin", role=Role.FINANCE, password="pw-fin-1"
        ),
        "executive": services.create_login(
            None, username="exec", role=Role.EXECUTIVE, password="pw-exec-1"
        ),
        "manager": services.create_login(
            None, username="m1", role=Role.MANAGER, password="pw-m1-1", person=people["m1"]
        ),
        "rep": services.create_login(
            None, username="r1", role=Role.REP, password="pw-r1-1", person=people["r1"]
        ),
    }
    for person in people.values():
        person.refresh_from_db()
    return Company(hq=hq, east=east, west=west, people=people, users=users)


# Browser tests: Debian's Chromium driven by Playwright (its own download is not used).
CHROMIUM = os.environ.get("ATTAIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One Chromium per test module. Playwright keeps an event loop in this thread while
    it runs, so Django's async-safety check is lifted for the module's ORM calls (they
    stay synchronous) and restored after."""
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            yield chromium
            chromium.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


# Role × action tables (each app's tests/test_access.py) --------------------------------

# The columns of every access table: each role of accounts.Role, then no login at all.
ROLE_COLUMNS = ("admin", "sales_ops", "finance", "executive", "manager", "rep", "anonymous")


def role_cases(table: dict[str, tuple[bool, ...]]) -> list[tuple[str, str, bool]]:
    """(action, role, allowed) for every cell of a table whose rows are actions and whose
    columns are :data:`ROLE_COLUMNS`."""
    assert {c for c in ROLE_COLUMNS if c != "anonymous"} == set(Role.values)
    cases = []
    for action, row in table.items():
        assert len(row) == len(ROLE_COLUMNS), action
        cases.extend(
            (action, role, allowed) for role, allowed in zip(ROLE_COLUMNS, row, strict=True)
        )
    return cases


def user_of(company: Company, role: str) -> object:
    """The login of ``role`` in the shared company (``anonymous``: no login)."""
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser() if role == "anonymous" else company.users[role]
